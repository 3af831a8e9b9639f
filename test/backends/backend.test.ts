// The alternating pair's naming, shared by every backend.
import { describe, expect, it } from 'vitest';
import { accountFromSecret, alternateOf, checkedAlternate } from '../../src/backends/backend.js';
import { InvalidSecretError } from '../../src/errors.js';

describe('alternateOf', () => {
  it.each([
    ['appuser', 'appuser_rt'],
    ['appuser_rt', 'appuser'],
    ['a', 'a_rt'],
    // A name that is only the suffix is not the alternate of the empty name.
    ['_rt', '_rt_rt'],
    ['app_rt_rt', 'app_rt'],
  ])('%s ⇄ %s', (name, alternate) => {
    expect(alternateOf(name)).toBe(alternate);
  });

  it('alternates back to the start, never growing', () => {
    let name = 'appuser';
    for (let i = 0; i < 6; i++) name = alternateOf(name);
    expect(name).toBe('appuser');
  });
});

describe('accountFromSecret', () => {
  it('maps the shared secret fields onto an Account', () => {
    expect(accountFromSecret({ AccountName: 'u', AccountPassword: 'p', Endpoint: 'h', Port: 3307, SSL: true, DBName: 'd' })).toEqual({
      user: 'u',
      password: 'p',
      endpoint: 'h',
      port: 3307,
      ssl: true,
      database: 'd',
    });
  });
});

describe('checkedAlternate', () => {
  const rules = { maxLength: 16, limitSource: 'allowed (ACCOUNT_NAME_MAX_LENGTH)', pattern: /^[a-z_]+$/, patternRule: 'lowercase only' };

  it('returns the alternate when the database accepts it, up to the limit exactly', () => {
    expect(checkedAlternate('appuser', rules, 'secret s')).toBe('appuser_rt');
    expect(checkedAlternate('a'.repeat(13), rules, 'secret s')).toBe(`${'a'.repeat(13)}_rt`);
  });

  it('refuses a name over the limit, naming the secret, the field and the source of the limit, never the name', () => {
    const run = () => checkedAlternate('abcdefghijklmn', rules, 'secret app-db');
    expect(run).toThrow(InvalidSecretError);
    expect(run).toThrow(
      'secret app-db: AccountName: the alternate account name would have 17 characters, more than the 16 allowed (ACCOUNT_NAME_MAX_LENGTH)',
    );
    expect(run).not.toThrow(/abcdefghijklmn/);
  });

  it("refuses a name the database's pattern rejects, with the backend's rule", () => {
    expect(() => checkedAlternate('App', rules, 'secret s')).toThrow('secret s: AccountName: lowercase only');
  });
});
