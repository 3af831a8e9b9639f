// The one password policy: configuration (length, exclusions, GetRandomPassword's type flags) merged with
// the database's rules (RDS's format, a server's per-class counts, user names, letter runs), and many
// generated passwords checked against each rule. Assertions count and compare; no password is printed.
import { describe, expect, it } from 'vitest';
import { ConfigurationError } from '../src/errors.js';
import {
  brokenRules,
  generatePassword,
  mergeRules,
  passwordPolicy,
  PUNCTUATION,
  throwawayPassword,
  type PasswordConfig,
  type PasswordRules,
} from '../src/password.js';

const RDS_PUNCTUATION = '!@#$%^&*()_+-=';
const RDS: PasswordRules = { minLength: 8, maxLength: 32, punctuation: RDS_PUNCTUATION };
const DRAWS = 2_000;

interface Counts {
  lowercase: number;
  uppercase: number;
  numbers: number;
  punctuation: number;
}

function counts(password: string): Counts {
  const n = (re: RegExp) => (password.match(re) ?? []).length;
  return { lowercase: n(/[a-z]/g), uppercase: n(/[A-Z]/g), numbers: n(/[0-9]/g), punctuation: n(/[^A-Za-z0-9]/g) };
}

function longestLetterRun(password: string): number {
  return Math.max(0, ...(password.match(/[A-Za-z]+/g) ?? []).map((run) => run.length));
}

/** Every rule, checked apart from the generator's own code: the names of those a password breaks (never the password). */
function broken(password: string, config: PasswordConfig, rules: PasswordRules): string[] {
  const c = counts(password);
  const out: string[] = [];
  const requireEach = config.requireEachIncludedType !== false;
  if (password.length !== config.passwordLength) out.push('length');
  if (rules.minLength !== undefined && password.length < rules.minLength) out.push('minLength');
  if (rules.maxLength !== undefined && password.length > rules.maxLength) out.push('maxLength');
  if ([...password].some((ch) => config.excludeCharacters.includes(ch))) out.push('EXCLUDE_CHARACTERS');
  if (config.excludeLowercase && c.lowercase > 0) out.push('EXCLUDE_LOWERCASE');
  if (config.excludeUppercase && c.uppercase > 0) out.push('EXCLUDE_UPPERCASE');
  if (config.excludeNumbers && c.numbers > 0) out.push('EXCLUDE_NUMBERS');
  if (config.excludePunctuation && c.punctuation > 0) out.push('EXCLUDE_PUNCTUATION');
  const punctuation = rules.punctuation ?? PUNCTUATION;
  if ([...password].some((ch) => !/[A-Za-z0-9]/.test(ch) && !punctuation.includes(ch))) out.push('punctuation');
  const available = {
    lowercase:
      !config.excludeLowercase &&
      /[a-z]/.test([...'abcdefghijklmnopqrstuvwxyz'].filter((x) => !config.excludeCharacters.includes(x)).join('')),
    uppercase:
      !config.excludeUppercase &&
      /[A-Z]/.test([...'ABCDEFGHIJKLMNOPQRSTUVWXYZ'].filter((x) => !config.excludeCharacters.includes(x)).join('')),
    numbers: !config.excludeNumbers && /[0-9]/.test([...'0123456789'].filter((x) => !config.excludeCharacters.includes(x)).join('')),
    punctuation: !config.excludePunctuation && [...punctuation].some((x) => !config.excludeCharacters.includes(x)),
  };
  for (const cls of ['lowercase', 'uppercase', 'numbers', 'punctuation'] as const) {
    if (requireEach && available[cls] && c[cls] === 0) out.push(`each included type: ${cls}`);
    if (c[cls] < (rules.minCounts?.[cls] ?? 0)) out.push(`minCounts.${cls}`);
  }
  if (Object.values(c).filter((n) => n > 0).length < (rules.minClasses ?? 3)) out.push('minClasses');
  const lower = password.toLowerCase();
  for (const name of rules.mustNotContain ?? []) if (name && lower.includes(name.toLowerCase())) out.push('mustNotContain');
  if (rules.maxLetterRun !== undefined && longestLetterRun(password) > rules.maxLetterRun) out.push('maxLetterRun');
  return out;
}

const config = (overrides: Partial<PasswordConfig> = {}): PasswordConfig => ({
  passwordLength: 32,
  excludeCharacters: '/@"\'\\',
  ...overrides,
});

const RULE_SETS: [string, PasswordConfig, PasswordRules][] = [
  ['the defaults', config(), {}],
  ['the defaults at the shortest length', config({ passwordLength: 8, excludeCharacters: '' }), {}],
  ['RDS: 8-32, three of four types, its punctuation', config(), RDS],
  ['RDS at 8 without REQUIRE_EACH_INCLUDED_TYPE (three types still)', config({ passwordLength: 8, requireEachIncludedType: false }), RDS],
  ['EXCLUDE_PUNCTUATION', config({ excludePunctuation: true }), {}],
  ['EXCLUDE_UPPERCASE with EXCLUDE_CHARACTERS', config({ excludeUppercase: true, excludeCharacters: '0123' }), {}],
  ['EXCLUDE_LOWERCASE on RDS', config({ excludeLowercase: true, passwordLength: 16 }), RDS],
  ['EXCLUDE_NUMBERS without REQUIRE_EACH_INCLUDED_TYPE', config({ excludeNumbers: true, requireEachIncludedType: false }), {}],
  [
    'simple_password_check counts that fill the length exactly',
    config({ passwordLength: 13 }),
    { minLength: 13, minCounts: { lowercase: 4, uppercase: 4, numbers: 3, punctuation: 2 } },
  ],
  [
    'validate_password MEDIUM counts, no REQUIRE_EACH_INCLUDED_TYPE',
    config({ passwordLength: 12, requireEachIncludedType: false }),
    { minLength: 8, minCounts: { lowercase: 2, uppercase: 2, numbers: 2, punctuation: 1 } },
  ],
  ['user names and their reverses kept out', config({ passwordLength: 24 }), { mustNotContain: ['ab', 'ba', 'app_rt', 'tr_ppa', 'Q'] }],
  ['no more than 3 letters in a row (STRONG with a dictionary)', config(), { maxLetterRun: 3, minCounts: { lowercase: 1, uppercase: 1 } }],
  ['no more than 3 letters in a row at 128 characters', config({ passwordLength: 128 }), { maxLetterRun: 3 }],
  [
    'no more than 3 letters in a row, digits only besides letters',
    config({ excludePunctuation: true, passwordLength: 20 }),
    { maxLetterRun: 3 },
  ],
  [
    'RDS merged with a server policy',
    config({ passwordLength: 20 }),
    mergeRules(RDS, { minLength: 12, minCounts: { numbers: 3, punctuation: 3 }, mustNotContain: ['appuser'] }),
  ],
];

describe('the independent rule check these tests use', () => {
  it('finds each broken rule (so a pass below means something)', () => {
    const rules: PasswordRules = {
      maxLength: 8,
      minCounts: { numbers: 2 },
      mustNotContain: ['Abc'],
      maxLetterRun: 3,
      punctuation: '!',
    };
    expect(broken('abcdefghi?', config({ passwordLength: 10, excludeCharacters: 'i', excludeLowercase: true }), rules).sort()).toEqual(
      [
        'EXCLUDE_CHARACTERS',
        'EXCLUDE_LOWERCASE',
        'maxLength',
        'maxLetterRun',
        'minClasses',
        'minCounts.numbers',
        'mustNotContain',
        'punctuation',
        'each included type: numbers',
        'each included type: uppercase',
      ].sort(),
    );
  });
});

describe('generatePassword', () => {
  it.each(RULE_SETS)(`meets every rule, over ${DRAWS} draws: %s`, (_name, cfg, rules) => {
    const policy = passwordPolicy(cfg, rules);
    const failures = new Map<string, number>();
    const seen = new Set<string>();
    for (let i = 0; i < DRAWS; i++) {
      const password = generatePassword(policy);
      seen.add(password);
      for (const rule of broken(password, cfg, rules)) failures.set(rule, (failures.get(rule) ?? 0) + 1);
    }
    expect(Object.fromEntries(failures)).toEqual({});
    expect(seen.size).toBe(DRAWS);
  });

  it('draws from every included character, and only those', () => {
    const policy = passwordPolicy(config({ excludeCharacters: '' }), RDS);
    const seen = new Set<string>();
    for (let i = 0; i < DRAWS; i++) for (const c of generatePassword(policy)) seen.add(c);
    expect(seen.size).toBe(26 + 26 + 10 + RDS_PUNCTUATION.length);
  });

  it('without REQUIRE_EACH_INCLUDED_TYPE, a type may be missing (three of four kept)', () => {
    const cfg = config({ passwordLength: 8, excludeCharacters: '', requireEachIncludedType: false });
    const policy = passwordPolicy(cfg, RDS);
    let missingOne = 0;
    for (let i = 0; i < DRAWS; i++) if (Object.values(counts(generatePassword(policy))).some((n) => n === 0)) missingOne++;
    expect(missingOne).toBeGreaterThan(50);
  });

  it('spreads the guaranteed characters over every position', () => {
    const policy = passwordPolicy({ passwordLength: 8, excludeCharacters: '' });
    const digitAt = new Array<number>(8).fill(0);
    for (let i = 0; i < 3000; i++) [...generatePassword(policy)].forEach((c, at) => /[0-9]/.test(c) && digitAt[at]!++);
    for (const count of digitAt) expect(count).toBeGreaterThan(150);
  });

  it('places letter runs anywhere under maxLetterRun, and letters still fill most of the password', () => {
    const policy = passwordPolicy(config({ passwordLength: 32 }), { maxLetterRun: 3 });
    const firstIsLetter = Array.from({ length: 500 }, () => /^[A-Za-z]/.test(generatePassword(policy))).filter(Boolean).length;
    expect(firstIsLetter).toBeGreaterThan(100);
    expect(firstIsLetter).toBeLessThan(500);
  });

  it('a throwaway password meets the rules it is given', () => {
    const rules: PasswordRules = mergeRules(RDS, { minCounts: { numbers: 4, punctuation: 4 } });
    for (let i = 0; i < 200; i++) {
      const password = throwawayPassword(rules);
      expect(broken(password, { passwordLength: 32, excludeCharacters: '\'"\\' }, rules)).toEqual([]);
    }
    const strict = { minLength: 40, minCounts: { lowercase: 12, uppercase: 12, numbers: 12, punctuation: 12 } };
    const long = throwawayPassword(strict);
    expect(long.length).toBe(52);
    expect(broken(long, { passwordLength: 52, excludeCharacters: '\'"\\' }, strict)).toEqual([]);
  });
});

describe('brokenRules', () => {
  it('names each rule a password breaks, and none for a generated one', () => {
    const rules: PasswordRules = mergeRules(RDS, {
      minCounts: { numbers: 2, uppercase: 1 },
      mustNotContain: ['Abc'],
      maxLetterRun: 3,
    });
    expect(brokenRules('abcdefghijklmnopqrstuvwxyz0123456789?', rules).sort()).toEqual(
      ['maxLength', 'maxLetterRun', 'minCounts.uppercase', 'mustNotContain', 'punctuation'].sort(),
    );
    expect(brokenRules('aB1', { minLength: 8 })).toEqual(['minLength']);
    expect(brokenRules('abcdefgh', {})).toEqual(['minClasses']);
    // A password that is part of a name is refused as MariaDB refuses a prefix of the user name.
    expect(brokenRules('Ab1!efgh', { mustNotContain: ['ab1!efghij'] })).toEqual(['mustNotContain']);
    const policy = passwordPolicy(config({ passwordLength: 20 }), rules);
    for (let i = 0; i < 500; i++) expect(brokenRules(generatePassword(policy), rules)).toEqual([]);
  });
});

describe('mergeRules', () => {
  it('keeps the strictest of each rule', () => {
    expect(
      mergeRules(
        { minLength: 8, maxLength: 32, punctuation: RDS_PUNCTUATION },
        { minLength: 12, maxLength: 64, punctuation: '!?#', minCounts: { numbers: 2 }, mustNotContain: ['a'] },
        { minCounts: { numbers: 1, punctuation: 3 }, mustNotContain: ['a', 'b'], maxLetterRun: 3, minClasses: 4 },
      ),
    ).toEqual({
      minLength: 12,
      maxLength: 32,
      punctuation: '!#',
      minCounts: { numbers: 2, punctuation: 3 },
      mustNotContain: ['a', 'b'],
      maxLetterRun: 3,
      minClasses: 4,
    });
    expect(mergeRules()).toEqual({});
    expect(mergeRules(RDS, {})).toEqual(RDS);
  });
});

describe('passwordPolicy refuses what cannot be met, naming the variable and never its value', () => {
  const refusal = (cfg: PasswordConfig, rules: PasswordRules = {}): string => {
    try {
      passwordPolicy(cfg, rules);
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigurationError);
      return (err as Error).message;
    }
    return 'accepted';
  };

  it('lengths the database does not take', () => {
    expect(() => passwordPolicy({ passwordLength: 40, excludeCharacters: '' }, { maxLength: 32 })).toThrow(ConfigurationError);
    expect(refusal(config({ passwordLength: 40 }), RDS)).toMatch(/^PASSWORD_LENGTH must be at most 32/);
    expect(refusal(config({ passwordLength: 6 }), { minLength: 8 })).toMatch(/^PASSWORD_LENGTH must be at least 8/);
  });

  it('too few character classes left', () => {
    const noLetters = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';
    const message = refusal(config({ excludeCharacters: noLetters }));
    expect(message).toMatch(/^EXCLUDE_CHARACTERS leaves fewer than three character classes/);
    expect(message.includes(noLetters)).toBe(false);
    expect(refusal(config({ excludeNumbers: true, excludePunctuation: true }))).toMatch(
      /^EXCLUDE_NUMBERS, EXCLUDE_PUNCTUATION leave fewer than three character classes/,
    );
    expect(refusal(config({ excludeNumbers: true, excludeCharacters: RDS_PUNCTUATION }), RDS)).toMatch(
      /EXCLUDE_NUMBERS, EXCLUDE_CHARACTERS leave fewer than three/,
    );
    expect(
      refusal(config({ excludeNumbers: true, excludePunctuation: true, excludeLowercase: true, excludeUppercase: true }), {
        minClasses: 1,
      }),
    ).toBe('EXCLUDE_LOWERCASE, EXCLUDE_UPPERCASE, EXCLUDE_NUMBERS, EXCLUDE_PUNCTUATION leave no character to draw passwords from');
    // RDS requires three of four: without punctuation and digits there are two.
    expect(refusal(config({ excludeNumbers: true, excludePunctuation: true }), RDS)).toMatch(/fewer than three/);
  });

  it('a type the server requires, excluded by a flag or by EXCLUDE_CHARACTERS', () => {
    expect(refusal(config({ excludePunctuation: true }), { minCounts: { punctuation: 1 } })).toBe(
      'EXCLUDE_PUNCTUATION leaves no punctuation character for passwords, and this database requires at least 1',
    );
    const message = refusal(config({ excludeCharacters: '0123456789' }), { minCounts: { numbers: 2 } });
    expect(message).toBe('EXCLUDE_CHARACTERS leaves no digit for passwords, and this database requires at least 2');
    expect(refusal(config({ excludeCharacters: '!@#$%^&*()_+-=' }), mergeRules(RDS, { minCounts: { punctuation: 1 } }))).toMatch(
      /^EXCLUDE_CHARACTERS leaves no punctuation character/,
    );
  });

  it('counts that do not fit the length', () => {
    const rules = { minCounts: { lowercase: 4, uppercase: 4, numbers: 3, punctuation: 2 } };
    expect(refusal(config({ passwordLength: 12 }), rules)).toMatch(/^PASSWORD_LENGTH must be at least 13 for .*character counts/);
    expect(refusal(config({ passwordLength: 13 }), rules)).toBe('accepted');
    // One of each type for four types on top of a server's counts of two.
    expect(refusal(config({ passwordLength: 8 }), { minCounts: { lowercase: 3, uppercase: 3, numbers: 1 } })).toBe('accepted');
    expect(refusal(config({ passwordLength: 8 }), { minCounts: { lowercase: 3, uppercase: 3, numbers: 2 } })).toMatch(
      /^PASSWORD_LENGTH must be at least 9 for one character of each included type \(REQUIRE_EACH_INCLUDED_TYPE\)/,
    );
  });

  it('a letter-run limit without digits or punctuation, or with more letters required than it leaves room for', () => {
    expect(refusal(config({ excludeNumbers: true, excludePunctuation: true }), { minClasses: 2, maxLetterRun: 3 })).toMatch(
      /^EXCLUDE_NUMBERS, EXCLUDE_PUNCTUATION leave no digit or punctuation character/,
    );
    const letters = { maxLetterRun: 3, minCounts: { lowercase: 20, uppercase: 20 } };
    expect(refusal(config({ passwordLength: 48 }), letters)).toMatch(/^PASSWORD_LENGTH must be at least 53 /);
    expect(refusal(config({ passwordLength: 53 }), letters)).toBe('accepted');
    const policy = passwordPolicy(config({ passwordLength: 53 }), letters);
    for (let i = 0; i < 200; i++) expect(broken(generatePassword(policy), config({ passwordLength: 53 }), letters)).toEqual([]);
  });

  it('names the server refuses that leave too few passwords: ConfigurationError at generation, never a bad password', () => {
    // Every letter and digit is a "user name": only punctuation could be drawn, and three types are required.
    const names = [...'abcdefghijklmnopqrstuvwxyz0123456789'];
    const policy = passwordPolicy(config({ passwordLength: 8 }), { mustNotContain: names });
    expect(() => generatePassword(policy)).toThrow(ConfigurationError);
  });
});
