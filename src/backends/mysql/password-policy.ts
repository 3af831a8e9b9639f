/**
 * The password policy a self-managed MySQL or MariaDB server enforces, read through the session that
 * sets the password, as PasswordRules the generator meets (merge them with MYSQL_PASSWORD_RULES):
 * MySQL's validate_password (the 8.0+ component, `validate_password.*`, or the 5.7 plugin,
 * `validate_password_*`) and MariaDB's simple_password_check. Other MariaDB validation plugins are
 * listed: password_reuse_check is met by any fresh random password, cracklib's dictionary cannot be
 * checked here (`unverified`). Reads only (SHOW VARIABLES, information_schema, USER()); it never
 * sees a password, and its errors name variables, never a value.
 */
import { z } from 'zod';
import { DatabaseError } from '../../errors.js';
import type { PasswordRules } from '../../password.js';
import type { Session } from './connection.js';
import { bound, verbatim } from './sql.js';

export interface ServerPasswordPolicy {
  /** The active password checks found, by name: `validate_password`, `simple_password_check`, `password_reuse_check`, ... */
  checks: string[];
  /** What a password must meet for the server to accept it; {} when no check is active. */
  rules: PasswordRules;
  /**
   * Active checks `rules` cannot prove a random password passes, for a `warn` line:
   * `cracklib_password_check` (its dictionary), `validate_password.changed_characters_percentage`
   * (MySQL 8.0.34+, only for ALTER USER ... REPLACE, which this function does not send), an unknown plugin.
   */
  unverified: string[];
}

/** A row as `SHOW VARIABLES` returns it; mysql2 gives text columns as strings (a Buffer for a binary one). */
const VariableRow = z.object({
  Variable_name: z.string(),
  Value: z.union([z.string(), z.number(), z.null(), z.instanceof(Buffer)]).transform((v) => (v === null ? '' : String(v))),
});

const PluginRow = z.object({ name: z.union([z.string(), z.instanceof(Buffer)]).transform(String) });
const UserRow = z.object({
  u: z.union([z.string(), z.instanceof(Buffer), z.null()]).transform((v) => (v === null ? '' : String(v))),
  c: z.union([z.string(), z.instanceof(Buffer), z.null()]).transform((v) => (v === null ? '' : String(v))),
});

/** `validate_password.length` (component) and `validate_password_length` (plugin) alike. */
const VALIDATE_PASSWORD = /^validate_password[._]([a-z_]+)$/;
const SIMPLE_PASSWORD_CHECK = /^simple_password_check_([a-z_]+)$/;
/** Checks a fresh random password always passes: it never repeats one the server has seen. */
const MET_BY_RANDOM = new Set(['password_reuse_check']);
/** validate_password's STRONG dictionary check looks at substrings of at least this many characters (MIN_DICTIONARY_WORD_LENGTH). */
const DICTIONARY_WORD_MIN = 4;

/** SHOW VARIABLES shows the policy by name; SET GLOBAL also takes its number. */
const POLICY_LEVELS: ReadonlyMap<string, 0 | 1 | 2> = new Map([
  ['low', 0],
  ['0', 0],
  ['medium', 1],
  ['1', 1],
  ['strong', 2],
  ['2', 2],
]);

function malformed(variable: string, expected: string): DatabaseError {
  return new DatabaseError(`the server's ${variable} is not ${expected}: its password policy cannot be read`);
}

function count(vars: ReadonlyMap<string, string>, key: string, variable: string, fallback: number): number {
  const raw = vars.get(key);
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d{1,6}$/.test(raw.trim())) throw malformed(variable, 'a whole number');
  return Number(raw.trim());
}

function onOff(vars: ReadonlyMap<string, string>, key: string, variable: string, fallback: boolean): boolean {
  const raw = vars.get(key)?.trim().toLowerCase();
  if (raw === undefined || raw === '') return fallback;
  if (raw === 'on' || raw === '1' || raw === 'true') return true;
  if (raw === 'off' || raw === '0' || raw === 'false') return false;
  throw malformed(variable, 'ON or OFF');
}

/** The user name part of `USER()` / `CURRENT_USER()` (`name@host`; a name may hold `@`, the host does not). */
function userPart(value: string): string {
  const at = value.lastIndexOf('@');
  return at < 0 ? value : value.slice(0, at);
}

/** Each name and its reverse (validate_password refuses both), without empty ones or repeats. */
function namesAndReverses(names: readonly string[]): string[] {
  return [...new Set(names.filter((n) => n.length > 0).flatMap((n) => [n, [...n].reverse().join('')]))];
}

interface Found {
  rules: PasswordRules;
  unverified: string[];
  /** validate_password's check_user_name: the session's own user names must not be the password either. */
  checksSessionUser: boolean;
}

/** MySQL's validate_password, from its variables keyed without their `validate_password.` / `_` prefix. */
function validatePasswordRules(vars: ReadonlyMap<string, string>, prefix: string): Found {
  const name = (key: string): string => `${prefix}${key}`;
  const rawPolicy = vars.get('policy')?.trim().toLowerCase() ?? 'medium';
  const level = POLICY_LEVELS.get(rawPolicy);
  if (level === undefined) throw malformed(name('policy'), 'LOW, MEDIUM or STRONG');
  const length = count(vars, 'length', name('length'), 8);
  const rules: PasswordRules = { minLength: length };
  if (level >= 1) {
    const mixed = count(vars, 'mixed_case_count', name('mixed_case_count'), 1);
    const numbers = count(vars, 'number_count', name('number_count'), 1);
    const special = count(vars, 'special_char_count', name('special_char_count'), 1);
    // The server raises `length` to this itself; taken here too, whatever it reports.
    rules.minLength = Math.max(length, numbers + special + 2 * mixed);
    rules.minCounts = { lowercase: mixed, uppercase: mixed, numbers, punctuation: special };
  }
  // STRONG: no substring of 4 or more characters may be a word of the dictionary file (compared in
  // lowercase). We cannot read the file, so no password holds 4 letters in a row: no letter word can match.
  if (level === 2 && (vars.get('dictionary_file') ?? '').trim() !== '') rules.maxLetterRun = DICTIONARY_WORD_MIN - 1;
  const unverified =
    count(vars, 'changed_characters_percentage', name('changed_characters_percentage'), 0) > 0
      ? [name('changed_characters_percentage')]
      : [];
  // 8.0 turns check_user_name on by default, the 5.7 plugin off.
  return { rules, unverified, checksSessionUser: onOff(vars, 'check_user_name', name('check_user_name'), prefix.endsWith('.')) };
}

/** MariaDB's simple_password_check: its counts apply to every password, and the password must not be (a prefix of) the user name. */
function simplePasswordCheckRules(vars: ReadonlyMap<string, string>): Found {
  const variable = (key: string): string => `simple_password_check_${key}`;
  const digits = count(vars, 'digits', variable('digits'), 1);
  const letters = count(vars, 'letters_same_case', variable('letters_same_case'), 1);
  const others = count(vars, 'other_characters', variable('other_characters'), 1);
  const minimal = count(vars, 'minimal_length', variable('minimal_length'), 8);
  return {
    rules: {
      minLength: Math.max(minimal, digits + 2 * letters + others),
      minCounts: { lowercase: letters, uppercase: letters, numbers: digits, punctuation: others },
    },
    unverified: [],
    checksSessionUser: false,
  };
}

export interface PolicyInputs {
  /** Rows of `SHOW VARIABLES LIKE 'validate_password%'` and `... LIKE 'simple_password_check%'`, as the server returns them. */
  variables: readonly unknown[];
  /** Active MariaDB password validation plugins (information_schema.PLUGINS), by name. */
  plugins: readonly string[];
  /** The accounts whose password is set: none may be (part of) it. */
  users: readonly string[];
  /** The session's own user names (USER(), CURRENT_USER()): what validate_password's check_user_name compares. */
  sessionUsers: readonly string[];
}

/**
 * The policy these rows describe: a pure function of what the server returned, for the reader and
 * for tests with rows as MySQL 5.7 (`validate_password_length`) and 8.0+ (`validate_password.length`) show them.
 */
export function policyFromVariables(inputs: PolicyInputs): ServerPasswordPolicy {
  const validate = new Map<string, string>();
  const simple = new Map<string, string>();
  let prefix = 'validate_password.';
  for (const raw of inputs.variables) {
    const parsed = VariableRow.safeParse(raw);
    if (!parsed.success)
      throw new DatabaseError('SHOW VARIABLES answered rows without Variable_name and Value: the password policy cannot be read');
    const { Variable_name: variable, Value: value } = parsed.data;
    const v = VALIDATE_PASSWORD.exec(variable);
    if (v?.[1] !== undefined) {
      validate.set(v[1], value);
      prefix = variable.slice(0, variable.length - v[1].length);
      continue;
    }
    const s = SIMPLE_PASSWORD_CHECK.exec(variable);
    if (s?.[1] !== undefined) simple.set(s[1], value);
  }
  const checks: string[] = [];
  const found: Found[] = [];
  if (validate.size > 0) {
    checks.push('validate_password');
    found.push(validatePasswordRules(validate, prefix));
  }
  if (simple.size > 0) {
    checks.push('simple_password_check');
    found.push(simplePasswordCheckRules(simple));
  }
  const unverified = found.flatMap((f) => f.unverified);
  for (const plugin of inputs.plugins) {
    if (checks.includes(plugin)) continue;
    checks.push(plugin);
    if (!MET_BY_RANDOM.has(plugin)) unverified.push(plugin);
  }
  if (checks.length === 0) return { checks, rules: {}, unverified };
  const rules: PasswordRules = {};
  for (const f of found) {
    rules.minLength = Math.max(rules.minLength ?? 0, f.rules.minLength ?? 0);
    if (f.rules.minCounts) {
      for (const [cls, n] of Object.entries(f.rules.minCounts) as [keyof NonNullable<PasswordRules['minCounts']>, number][]) {
        if (n > 0) rules.minCounts = { ...rules.minCounts, [cls]: Math.max(rules.minCounts?.[cls] ?? 0, n) };
      }
    }
    if (f.rules.maxLetterRun !== undefined) rules.maxLetterRun = f.rules.maxLetterRun;
  }
  if (rules.minLength === 0) delete rules.minLength;
  // The servers compare names (MariaDB the account's, MySQL the session's): every one is kept out, and its reverse.
  const names = namesAndReverses([...inputs.users, ...(found.some((f) => f.checksSessionUser) ? inputs.sessionUsers : [])]);
  if (names.length > 0) rules.mustNotContain = names;
  return { checks, rules, unverified };
}

/**
 * Reads the server's password policy through `session` (the master's session for an alternating
 * rotation, the account's own login for single-account): the rules a password for `users` must meet.
 * A server without validate_password or simple_password_check answers `rules: {}`.
 */
export async function readServerPasswordPolicy(session: Session, options: { users: readonly string[] }): Promise<ServerPasswordPolicy> {
  const variables = [
    ...(await session.query(bound('SHOW VARIABLES LIKE ?', 'validate_password%'))),
    ...(await session.query(bound('SHOW VARIABLES LIKE ?', 'simple_password_check%'))),
  ];
  // MariaDB's plugin type; MySQL has none of that name (its component is found by its variables).
  const pluginRows = await session.query(
    bound(
      'SELECT PLUGIN_NAME AS name FROM information_schema.PLUGINS WHERE PLUGIN_TYPE = ? AND PLUGIN_STATUS = ?',
      'PASSWORD VALIDATION',
      'ACTIVE',
    ),
  );
  const plugins = pluginRows.map((row) => {
    const parsed = PluginRow.safeParse(row);
    if (!parsed.success) throw new DatabaseError('information_schema.PLUGINS answered a row without PLUGIN_NAME');
    return parsed.data.name;
  });
  let sessionUsers: string[] = [];
  if (variables.length > 0) {
    const [row] = await session.query(verbatim('SELECT USER() AS u, CURRENT_USER() AS c'));
    const parsed = UserRow.safeParse(row);
    if (!parsed.success) throw new DatabaseError('SELECT USER(), CURRENT_USER() answered without them');
    sessionUsers = [userPart(parsed.data.u), userPart(parsed.data.c)];
  }
  return policyFromVariables({ variables, plugins, users: options.users, sessionUsers });
}
