// The one password policy: length, exclusions, one character of every class, database rules.
import { describe, expect, it } from 'vitest';
import { generatePassword, passwordPolicy } from '../src/password.js';
import { ConfigurationError } from '../src/errors.js';

describe('generatePassword', () => {
  it('honours length and exclusions and includes every class, over many draws', () => {
    const policy = passwordPolicy({ passwordLength: 16, excludeCharacters: '/@"\'\\' });
    const seen = new Set<string>();
    for (let i = 0; i < 2000; i++) {
      const p = generatePassword(policy);
      expect(p).toHaveLength(16);
      expect(p).toMatch(/[a-z]/);
      expect(p).toMatch(/[A-Z]/);
      expect(p).toMatch(/[0-9]/);
      expect(p).toMatch(/[^A-Za-z0-9]/);
      expect(p).not.toMatch(/[/@"'\\]/);
      seen.add(p);
    }
    expect(seen.size).toBe(2000);
  });

  it('uses only the punctuation a database accepts', () => {
    const policy = passwordPolicy({ passwordLength: 32, excludeCharacters: '' }, { punctuation: '!@#$%^&*()_+-=' });
    for (let i = 0; i < 500; i++) expect(generatePassword(policy)).toMatch(/^[A-Za-z0-9!@#$%^&*()_+\-=]{32}$/);
  });

  it('spreads the guaranteed characters over every position', () => {
    const policy = passwordPolicy({ passwordLength: 8, excludeCharacters: '' });
    const digitAt = new Array<number>(8).fill(0);
    for (let i = 0; i < 3000; i++) [...generatePassword(policy)].forEach((c, at) => /[0-9]/.test(c) && digitAt[at]!++);
    for (const count of digitAt) expect(count).toBeGreaterThan(150);
  });

  it('refuses policies that cannot be met', () => {
    expect(() => passwordPolicy({ passwordLength: 40, excludeCharacters: '' }, { maxLength: 32 })).toThrow(ConfigurationError);
    expect(() => passwordPolicy({ passwordLength: 6, excludeCharacters: '' }, { minLength: 8 })).toThrow(/at least 8/);
    const noLettersOrDigits = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';
    expect(() => passwordPolicy({ passwordLength: 16, excludeCharacters: noLettersOrDigits })).toThrow(/three character classes/);
  });
});
