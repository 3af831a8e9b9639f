// The server password policy reader without a server: rows as SHOW VARIABLES returns them on MySQL 5.7
// (validate_password plugin, `_` names), 8.0+ (component, `.` names) and MariaDB (simple_password_check),
// and passwords generated to the rules read, checked by re-implementations of those servers' checks
// (validate_password cannot run here). Assertions count; no password is printed.
import { randomInt } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { policyFromVariables, readServerPasswordPolicy } from '../../../src/backends/mysql/password-policy.js';
import type { Session } from '../../../src/backends/mysql/connection.js';
import { MYSQL_PASSWORD_RULES } from '../../../src/backends/mysql/plan.js';
import type { Sql } from '../../../src/backends/mysql/sql.js';
import { DatabaseError } from '../../../src/errors.js';
import { generatePassword, mergeRules, passwordPolicy, type PasswordConfig } from '../../../src/password.js';

type Vars = Record<string, string>;
const rows = (vars: Vars) => Object.entries(vars).map(([Variable_name, Value]) => ({ Variable_name, Value }));

const MYSQL_80_DEFAULTS: Vars = {
  'validate_password.changed_characters_percentage': '0',
  'validate_password.check_user_name': 'ON',
  'validate_password.dictionary_file': '',
  'validate_password.length': '8',
  'validate_password.mixed_case_count': '1',
  'validate_password.number_count': '1',
  'validate_password.policy': 'MEDIUM',
  'validate_password.special_char_count': '1',
};
const MYSQL_57_DEFAULTS: Vars = {
  validate_password_check_user_name: 'OFF',
  validate_password_dictionary_file: '',
  validate_password_length: '8',
  validate_password_mixed_case_count: '1',
  validate_password_number_count: '1',
  validate_password_policy: 'MEDIUM',
  validate_password_special_char_count: '1',
};
const MARIADB_DEFAULTS: Vars = {
  simple_password_check_digits: '1',
  simple_password_check_letters_same_case: '1',
  simple_password_check_minimal_length: '8',
  simple_password_check_other_characters: '1',
};

const read = (vars: Vars, plugins: string[] = [], users = ['app_rt'], sessionUsers = ['admin', 'admin']) =>
  policyFromVariables({ variables: rows(vars), plugins, users, sessionUsers });

/** The names and reverses kept out for `names`. */
const kept = (...names: string[]) => names.flatMap((n) => [n, [...n].reverse().join('')]);

describe('policyFromVariables', () => {
  it('a server without password checks: no rules', () => {
    expect(read({})).toEqual({ checks: [], rules: {}, unverified: [] });
  });

  it('MySQL 8.0 component defaults: MEDIUM counts, the account and the session user kept out', () => {
    expect(read(MYSQL_80_DEFAULTS)).toEqual({
      checks: ['validate_password'],
      rules: {
        minLength: 8,
        minCounts: { lowercase: 1, uppercase: 1, numbers: 1, punctuation: 1 },
        mustNotContain: kept('app_rt', 'admin'),
      },
      unverified: [],
    });
  });

  it('MySQL 5.7 plugin names (with _), check_user_name OFF: the account itself is still kept out', () => {
    const policy = read({
      ...MYSQL_57_DEFAULTS,
      validate_password_length: '12',
      validate_password_mixed_case_count: '2',
      validate_password_number_count: '3',
      validate_password_special_char_count: '2',
      validate_password_policy: '1',
    });
    expect(policy.checks).toEqual(['validate_password']);
    expect(policy.rules).toEqual({
      minLength: 12,
      minCounts: { lowercase: 2, uppercase: 2, numbers: 3, punctuation: 2 },
      mustNotContain: kept('app_rt'),
    });
  });

  it('MySQL 5.7 before check_user_name existed, and 8.0 with the plugin rather than the component', () => {
    const { validate_password_check_user_name: _omitted, ...old } = MYSQL_57_DEFAULTS;
    expect(read(old).rules.mustNotContain).toEqual(kept('app_rt'));
    expect(read({ ...MYSQL_57_DEFAULTS, validate_password_check_user_name: 'ON' }).rules.mustNotContain).toEqual(kept('app_rt', 'admin'));
  });

  it('the length the counts imply, as the server raises it', () => {
    const policy = read({
      ...MYSQL_80_DEFAULTS,
      'validate_password.length': '4',
      'validate_password.mixed_case_count': '3',
      'validate_password.number_count': '2',
    });
    expect(policy.rules.minLength).toBe(3 * 2 + 2 + 1);
  });

  it('LOW checks the length only; zero counts are no rule', () => {
    expect(read({ ...MYSQL_80_DEFAULTS, 'validate_password.policy': 'LOW', 'validate_password.length': '20' }).rules).toEqual({
      minLength: 20,
      mustNotContain: kept('app_rt', 'admin'),
    });
    expect(read({ ...MYSQL_80_DEFAULTS, 'validate_password.policy': '0' }).rules.minCounts).toBeUndefined();
    expect(read({ ...MYSQL_80_DEFAULTS, 'validate_password.number_count': '0' }).rules.minCounts).toEqual({
      lowercase: 1,
      uppercase: 1,
      punctuation: 1,
    });
  });

  it('STRONG with a dictionary file: no more than 3 letters in a row; STRONG without one is MEDIUM', () => {
    const strong = { ...MYSQL_80_DEFAULTS, 'validate_password.policy': 'STRONG' };
    expect(read(strong).rules.maxLetterRun).toBeUndefined();
    expect(read({ ...strong, 'validate_password.dictionary_file': '/etc/mysql/words.txt' }).rules.maxLetterRun).toBe(3);
    expect(
      read({ ...MYSQL_57_DEFAULTS, validate_password_policy: '2', validate_password_dictionary_file: 'words' }).rules.maxLetterRun,
    ).toBe(3);
  });

  it('changed_characters_percentage is listed as unverified (it applies to ALTER USER ... REPLACE only)', () => {
    const policy = read({ ...MYSQL_80_DEFAULTS, 'validate_password.changed_characters_percentage': '50' });
    expect(policy.unverified).toEqual(['validate_password.changed_characters_percentage']);
  });

  it('MariaDB simple_password_check, with the other validation plugins it may run beside', () => {
    expect(read(MARIADB_DEFAULTS, ['simple_password_check'])).toEqual({
      checks: ['simple_password_check'],
      rules: { minLength: 8, minCounts: { lowercase: 1, uppercase: 1, numbers: 1, punctuation: 1 }, mustNotContain: kept('app_rt') },
      unverified: [],
    });
    const policy = read(
      {
        simple_password_check_digits: '3',
        simple_password_check_letters_same_case: '4',
        simple_password_check_minimal_length: '6',
        simple_password_check_other_characters: '0',
      },
      ['simple_password_check', 'password_reuse_check', 'cracklib_password_check'],
    );
    expect(policy.checks).toEqual(['simple_password_check', 'password_reuse_check', 'cracklib_password_check']);
    expect(policy.unverified).toEqual(['cracklib_password_check']);
    expect(policy.rules.minLength).toBe(3 + 2 * 4);
    expect(policy.rules.minCounts).toEqual({ lowercase: 4, uppercase: 4, numbers: 3 });
    // Only a plugin these rules cannot express: still no password may be the user name.
    expect(read({}, ['cracklib_password_check'])).toEqual({
      checks: ['cracklib_password_check'],
      rules: { mustNotContain: kept('app_rt') },
      unverified: ['cracklib_password_check'],
    });
  });

  it.each([
    ['validate_password.policy', { ...MYSQL_80_DEFAULTS, 'validate_password.policy': 'PARANOID' }],
    ['validate_password.length', { ...MYSQL_80_DEFAULTS, 'validate_password.length': 'eight' }],
    ['validate_password_check_user_name', { ...MYSQL_57_DEFAULTS, validate_password_check_user_name: 'MAYBE' }],
    ['simple_password_check_digits', { ...MARIADB_DEFAULTS, simple_password_check_digits: '-1' }],
  ])('a value it cannot read is DatabaseError naming %s, not the value', (variable, vars) => {
    let error: unknown;
    try {
      read(vars);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(DatabaseError);
    expect((error as Error).message).toContain(variable);
    for (const value of ['PARANOID', 'eight', 'MAYBE', '-1']) expect((error as Error).message.includes(value)).toBe(false);
  });

  it('rows without the columns SHOW VARIABLES has are DatabaseError', () => {
    expect(() => policyFromVariables({ variables: [{ name: 'x' }], plugins: [], users: [], sessionUsers: [] })).toThrow(DatabaseError);
  });
});

/** MySQL's validate_password, as its manual describes it (component and plugin alike). */
function mysqlAccepts(password: string, vars: Vars, sessionUser: string, dictionary: ReadonlySet<string>): boolean {
  const get = (key: string): string => vars[`validate_password.${key}`] ?? vars[`validate_password_${key}`] ?? '';
  const level = { LOW: 0, MEDIUM: 1, STRONG: 2, '0': 0, '1': 1, '2': 2 }[get('policy').toUpperCase()] ?? 1;
  if (get('check_user_name') === 'ON' && (password === sessionUser || password === [...sessionUser].reverse().join(''))) return false;
  const mixed = Number(get('mixed_case_count'));
  const numbers = Number(get('number_count'));
  const special = Number(get('special_char_count'));
  const length = Math.max(Number(get('length')), level >= 1 ? numbers + special + 2 * mixed : 0);
  if (password.length < length) return false;
  if (level === 0) return true;
  const n = (re: RegExp) => (password.match(re) ?? []).length;
  if (n(/[a-z]/g) < mixed || n(/[A-Z]/g) < mixed || n(/[0-9]/g) < numbers || n(/[^A-Za-z0-9]/g) < special) return false;
  if (level === 2 && get('dictionary_file') !== '') {
    const lower = password.toLowerCase();
    // Every substring of 4 characters or more; the dictionary's words have at most 6.
    for (let size = 4; size <= Math.min(lower.length, 6); size++)
      for (let at = 0; at + size <= lower.length; at++) if (dictionary.has(lower.slice(at, at + size))) return false;
  }
  return true;
}

/** MariaDB's simple_password_check, as its source reads: no prefix of the user name, then the counts. */
function mariadbAccepts(password: string, vars: Vars, user: string): boolean {
  if (user.startsWith(password)) return false;
  const get = (key: string): number => Number(vars[`simple_password_check_${key}`]);
  const n = (re: RegExp) => (password.match(re) ?? []).length;
  const letters = get('letters_same_case');
  return (
    password.length >= Math.max(get('minimal_length'), get('digits') + 2 * letters + get('other_characters')) &&
    n(/[0-9]/g) >= get('digits') &&
    n(/[A-Z]/g) >= letters &&
    n(/[a-z]/g) >= letters &&
    n(/[^A-Za-z0-9]/g) >= get('other_characters')
  );
}

/** A dense dictionary: about a tenth of every 4-letter lowercase word, and some of 5 and 6. */
function randomDictionary(): Set<string> {
  const words = new Set<string>();
  const letters = 'abcdefghijklmnopqrstuvwxyz';
  while (words.size < 45_000) {
    const length = words.size % 10 === 0 ? 5 + (words.size % 20 === 0 ? 1 : 0) : 4;
    words.add(Array.from({ length }, () => letters[randomInt(26)]).join(''));
  }
  return words;
}

describe('passwords generated to the rules read pass the servers checks', () => {
  const DRAWS = 2_000;
  const dictionary = randomDictionary();
  const config = (passwordLength: number): PasswordConfig => ({ passwordLength, excludeCharacters: '/@"\'\\' });

  it.each<[string, Vars, number]>([
    ['MySQL 8.0 defaults', MYSQL_80_DEFAULTS, 32],
    ['MySQL 8.0 at the least length its counts allow', { ...MYSQL_80_DEFAULTS, 'validate_password.mixed_case_count': '3' }, 9],
    [
      'MySQL 5.7, large counts',
      {
        ...MYSQL_57_DEFAULTS,
        validate_password_length: '20',
        validate_password_number_count: '6',
        validate_password_special_char_count: '5',
      },
      20,
    ],
    [
      'MySQL 8.0 STRONG with a dense dictionary',
      { ...MYSQL_80_DEFAULTS, 'validate_password.policy': 'STRONG', 'validate_password.dictionary_file': 'w' },
      32,
    ],
    ['MySQL 5.7 STRONG at 128', { ...MYSQL_57_DEFAULTS, validate_password_policy: 'STRONG', validate_password_dictionary_file: 'w' }, 128],
  ])('%s', (_name, vars, length) => {
    const rules = mergeRules(MYSQL_PASSWORD_RULES, read(vars, [], ['app_rt'], ['admin', 'admin']).rules);
    const policy = passwordPolicy(config(length), rules);
    let refused = 0;
    for (let i = 0; i < DRAWS; i++) if (!mysqlAccepts(generatePassword(policy), vars, 'admin', dictionary)) refused++;
    expect(refused).toBe(0);
  });

  it('without the letter-run rule, that dictionary would refuse many of them (the rule is needed)', () => {
    const vars = { ...MYSQL_80_DEFAULTS, 'validate_password.policy': 'STRONG', 'validate_password.dictionary_file': 'w' };
    const policy = passwordPolicy(config(32), MYSQL_PASSWORD_RULES);
    let refused = 0;
    for (let i = 0; i < 500; i++) if (!mysqlAccepts(generatePassword(policy), vars, 'admin', dictionary)) refused++;
    expect(refused).toBeGreaterThan(50);
  });

  it.each<[string, Vars, number]>([
    ['MariaDB defaults', MARIADB_DEFAULTS, 32],
    [
      'MariaDB counts filling the length',
      {
        simple_password_check_digits: '3',
        simple_password_check_letters_same_case: '4',
        simple_password_check_minimal_length: '13',
        simple_password_check_other_characters: '2',
      },
      13,
    ],
  ])('%s', (_name, vars, length) => {
    const policy = passwordPolicy(config(length), mergeRules(MYSQL_PASSWORD_RULES, read(vars, ['simple_password_check']).rules));
    let refused = 0;
    for (let i = 0; i < DRAWS; i++) if (!mariadbAccepts(generatePassword(policy), vars, 'app_rt')) refused++;
    expect(refused).toBe(0);
  });
});

describe('readServerPasswordPolicy', () => {
  /** A session answering by statement, recording what it was sent. */
  function scripted(answers: (statement: Sql) => unknown[]): Session & { sent: Sql[] } {
    const sent: Sql[] = [];
    return {
      sent,
      async query<Row>(statement: Sql): Promise<Row[]> {
        sent.push(statement);
        return answers(statement) as Row[];
      },
    };
  }

  it('reads the variables with bound patterns, the validation plugins, and the session user names', async () => {
    const session = scripted((s) => {
      if (s.sql === 'SHOW VARIABLES LIKE ?' && s.values[0] === 'validate_password%') return rows(MYSQL_80_DEFAULTS);
      if (s.sql === 'SHOW VARIABLES LIKE ?') return [];
      if (s.sql.startsWith('SELECT PLUGIN_NAME')) return [];
      if (s.sql.startsWith('SELECT USER()')) return [{ u: 'rotor_admin@10.0.0.7', c: 'rotor_admin@10.0.0.%' }];
      throw new Error('unexpected statement');
    });
    const policy = await readServerPasswordPolicy(session, { users: ['app'] });
    expect(policy.rules.mustNotContain).toEqual(kept('app', 'rotor_admin'));
    expect(session.sent.map((s) => [s.sql, s.values])).toEqual([
      ['SHOW VARIABLES LIKE ?', ['validate_password%']],
      ['SHOW VARIABLES LIKE ?', ['simple_password_check%']],
      [
        'SELECT PLUGIN_NAME AS name FROM information_schema.PLUGINS WHERE PLUGIN_TYPE = ? AND PLUGIN_STATUS = ?',
        ['PASSWORD VALIDATION', 'ACTIVE'],
      ],
      ['SELECT USER() AS u, CURRENT_USER() AS c', []],
    ]);
  });

  it('a server without checks costs three reads and no user lookup', async () => {
    const session = scripted(() => []);
    expect(await readServerPasswordPolicy(session, { users: ['app'] })).toEqual({ checks: [], rules: {}, unverified: [] });
    expect(session.sent).toHaveLength(3);
  });
});
