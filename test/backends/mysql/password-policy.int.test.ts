// Issue 14 item 5, for real: MariaDB's simple_password_check on a throwaway MariaDB (its settings are
// server-wide, so never on the shared server). The policy is read through the project's own session,
// passwords generated to it are accepted by ALTER USER ... IDENTIFIED BY, and a password breaking any
// one rule is refused by the server. Passwords travel as bound values; assertions count error numbers.
import mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Account } from '../../../src/backends/backend.js';
import { withConnection } from '../../../src/backends/mysql/connection.js';
import { readServerPasswordPolicy, type ServerPasswordPolicy } from '../../../src/backends/mysql/password-policy.js';
import { MYSQL_PASSWORD_RULES } from '../../../src/backends/mysql/plan.js';
import { errorNumber } from '../../../src/backends/mysql/server-errors.js';
import { DEFAULT_EXCLUDE_CHARACTERS } from '../../../src/config.js';
import { ConfigurationError } from '../../../src/errors.js';
import { adminConnection } from '../../../src/local/fixtures/mysql-sandbox.js';
import { createLogger } from '../../../src/log.js';
import {
  brokenRules,
  generatePassword,
  mergeRules,
  passwordPolicy,
  type PasswordConfig,
  type PasswordRules,
} from '../../../src/password.js';
import { startThrowawayMariadb, type ThrowawayMariadb } from '../../support/throwaway-mariadb.js';

/** ER_NOT_VALID_PASSWORD: "Your password does not satisfy the current policy requirements". */
const NOT_VALID_PASSWORD = 1819;
const USER = 'pp_app';
/** A user name that is itself a password meeting the counts set below (4 of each case, 3 digits, 2 others, 16 long). */
const NAME_LIKE_A_PASSWORD = 'abcdEFGH123!?klm';

describe('the password policy of a MariaDB running simple_password_check (throwaway MariaDB)', () => {
  let db: ThrowawayMariadb;
  let root: mysql.Connection;
  const lines: string[] = [];
  const config = (overrides: Partial<PasswordConfig> = {}): PasswordConfig => ({
    passwordLength: 16,
    excludeCharacters: DEFAULT_EXCLUDE_CHARACTERS,
    ...overrides,
  });

  beforeAll(async () => {
    db = await startThrowawayMariadb();
    root = await adminConnection(db.server);
  });
  afterAll(async () => {
    await root?.end();
    await db?.stop();
  });

  const asRoot = (): Account => ({ user: 'root', password: '', endpoint: db.server.host, port: db.server.port, ssl: false });
  const readPolicy = (users: string[]): Promise<ServerPasswordPolicy> =>
    withConnection(asRoot(), { ca: undefined, log: createLogger({ sink: (l) => lines.push(l) }), label: 'secret pp' }, (session) =>
      readServerPasswordPolicy(session, { users }),
    );
  /**
   * 0 when the server takes `password` for `user`; NOT_VALID_PASSWORD when the policy refused it
   * (MariaDB fails ALTER USER with ER_CANNOT_USER, 1396, and names the cause in its diagnostics);
   * else the error number. Never throws: a driver error can quote the statement.
   */
  const setPassword = async (user: string, password: string): Promise<number> => {
    try {
      await root.query('ALTER USER ?@? IDENTIFIED BY ?', [user, '%', password]);
      return 0;
    } catch (err) {
      const code = errorNumber(err) ?? -1;
      const [warnings] = await root.query('SHOW WARNINGS');
      const causes = (warnings as { Code: number }[]).map((w) => Number(w.Code));
      return code === 1396 && causes.includes(NOT_VALID_PASSWORD) ? NOT_VALID_PASSWORD : code;
    }
  };
  const logsIn = async (user: string, password: string): Promise<boolean> => {
    try {
      const conn = await mysql.createConnection({
        host: db.server.host,
        port: db.server.port,
        user,
        password,
        connectTimeout: 5_000,
      });
      await conn.query('SELECT 1');
      await conn.end();
      return true;
    } catch {
      return false;
    }
  };

  it('without the plugin the server has no policy', async () => {
    expect(await readPolicy([USER])).toEqual({ checks: [], rules: {}, unverified: [] });
  });

  it("reads the plugin's defaults once it is installed, beside password_reuse_check", async () => {
    await root.query("INSTALL SONAME 'simple_password_check'");
    await root.query("INSTALL SONAME 'password_reuse_check'");
    const policy = await readPolicy([USER]);
    expect(policy.checks.sort()).toEqual(['password_reuse_check', 'simple_password_check']);
    // A fresh random password never repeats one: password_reuse_check needs no rule.
    expect(policy.unverified).toEqual([]);
    expect(policy.rules).toEqual({
      minLength: 8,
      minCounts: { lowercase: 1, uppercase: 1, numbers: 1, punctuation: 1 },
      mustNotContain: [USER, [...USER].reverse().join('')],
    });
  });

  describe('with stricter settings', () => {
    let rules: PasswordRules;
    beforeAll(async () => {
      await root.query('SET GLOBAL simple_password_check_digits = 3');
      await root.query('SET GLOBAL simple_password_check_letters_same_case = 4');
      await root.query('SET GLOBAL simple_password_check_other_characters = 2');
      await root.query('SET GLOBAL simple_password_check_minimal_length = 16');
      const policy = passwordPolicy(config(), { minLength: 16, minCounts: { lowercase: 4, uppercase: 4, numbers: 3, punctuation: 2 } });
      for (const user of [USER, NAME_LIKE_A_PASSWORD]) {
        await root.query('CREATE USER ?@? IDENTIFIED BY ?', [user, '%', generatePassword(policy)]);
      }
      rules = mergeRules(MYSQL_PASSWORD_RULES, (await readPolicy([USER])).rules);
    });

    it('reads them', () => {
      expect(rules).toEqual({
        minLength: 16,
        maxLength: 128,
        minCounts: { lowercase: 4, uppercase: 4, numbers: 3, punctuation: 2 },
        mustNotContain: [USER, [...USER].reverse().join('')],
      });
    });

    it('every password generated to them is accepted by ALTER USER, at the least length and longer, and logs in', async () => {
      const refused = new Map<number, number>();
      let last = '';
      for (const cfg of [config(), config({ passwordLength: 32, requireEachIncludedType: false }), config({ excludeCharacters: '' })]) {
        const policy = passwordPolicy(cfg, rules);
        for (let i = 0; i < 60; i++) {
          last = generatePassword(policy);
          if (brokenRules(last, rules).length > 0) refused.set(0, (refused.get(0) ?? 0) + 1);
          const code = await setPassword(USER, last);
          if (code !== 0) refused.set(code, (refused.get(code) ?? 0) + 1);
        }
      }
      expect(Object.fromEntries(refused)).toEqual({});
      expect(await logsIn(USER, last)).toBe(true);
    });

    it('refuses a password breaking any one rule: a character short, one fewer of each type, the user name', async () => {
      const compliant = (): string => generatePassword(passwordPolicy(config(), rules));
      /** `password` with all but `keep` characters matching `type` replaced by `by` (of another type, so no other count drops). */
      const keepOnly = (password: string, type: RegExp, keep: number, by: string): string => {
        let seen = 0;
        return [...password].map((c) => (type.test(c) ? (seen++ < keep ? c : by) : c)).join('');
      };
      const short = generatePassword(passwordPolicy(config({ passwordLength: 15 }), { ...rules, minLength: 15 }));
      const violations: [string, string][] = [
        ['15 characters', short],
        ['3 lowercase letters', keepOnly(compliant(), /[a-z]/, 3, '7')],
        ['3 uppercase letters', keepOnly(compliant(), /[A-Z]/, 3, 'q')],
        ['2 digits', keepOnly(compliant(), /[0-9]/, 2, 'q')],
        ['1 punctuation character', keepOnly(compliant(), /[^A-Za-z0-9]/, 1, 'q')],
      ];
      // The client-side check `set` can make before its first write agrees with the server.
      expect(violations.map(([what, password]) => [what, brokenRules(password, rules).length])).toEqual(
        violations.map(([what]) => [what, 1]),
      );
      const answers: [string, number][] = [];
      for (const [what, password] of violations) answers.push([what, await setPassword(USER, password)]);
      expect(Object.fromEntries(answers)).toEqual(Object.fromEntries(violations.map(([what]) => [what, NOT_VALID_PASSWORD])));

      // The same string is accepted for another account: refused only for being the account's own name.
      expect(await setPassword(NAME_LIKE_A_PASSWORD, NAME_LIKE_A_PASSWORD)).toBe(NOT_VALID_PASSWORD);
      expect(await setPassword(USER, NAME_LIKE_A_PASSWORD)).toBe(0);
      // password_reuse_check: that one again is refused; a fresh generated one is not.
      expect(await setPassword(USER, NAME_LIKE_A_PASSWORD)).toBe(NOT_VALID_PASSWORD);
      expect(await setPassword(USER, compliant())).toBe(0);
      // And the rules read for that account keep its name out of every password generated for it.
      const forName = mergeRules(MYSQL_PASSWORD_RULES, (await readPolicy([NAME_LIKE_A_PASSWORD])).rules);
      expect(forName.mustNotContain).toContain(NAME_LIKE_A_PASSWORD);
      const policy = passwordPolicy(config(), forName);
      let refused = 0;
      for (let i = 0; i < 30; i++) if ((await setPassword(NAME_LIKE_A_PASSWORD, generatePassword(policy))) !== 0) refused++;
      expect(refused).toBe(0);
    });

    it('a configured policy that cannot meet them is ConfigurationError before any password is drawn', () => {
      expect(() => passwordPolicy(config({ passwordLength: 12 }), rules)).toThrow(/^PASSWORD_LENGTH must be at least 16/);
      expect(() => passwordPolicy(config({ excludePunctuation: true }), rules)).toThrow(ConfigurationError);
      expect(() => passwordPolicy(config({ excludePunctuation: true }), rules)).toThrow(/^EXCLUDE_PUNCTUATION leaves no punctuation/);
    });
  });
});
