// Single-account rotation's SQL per server version (MySQL 5.6, 5.7, 8.0.13, 8.0.14+, 8.4, 9.x; MariaDB):
// the statement an account changes its own password with, whether it retains the old one, and what the
// plan reads first. No database: MariaDB here cannot run MySQL 8's dual passwords.
import { describe, expect, it } from 'vitest';
import type { Session } from '../../../src/backends/mysql/connection.js';
import { dialectFor, parseServerVersion } from '../../../src/backends/mysql/dialect.js';
import {
  describeOwnPlan,
  mayRetain,
  NO_DUAL_PASSWORDS,
  NOT_RETAINED,
  ownPlugin,
  planOwnPassword,
  RETAINED,
} from '../../../src/backends/mysql/own-password.js';
import { nativePasswordHash } from '../../../src/backends/mysql/password-hash.js';
import { redactedText, statementText, type Sql } from '../../../src/backends/mysql/sql.js';
import { createLogger } from '../../../src/log.js';

const PASSWORD = 'New-Own-Password-1';
const dialect = (raw: string, hashPasswords = true) => dialectFor(parseServerVersion(raw), { hashPasswords });

/** The statement's text as sent, with the password (or its hash) shown as <pw> / <hash>: tests never print a password. */
function shape(statement: Sql): string {
  return statementText(statement)
    .replace(`'${PASSWORD}'`, '<pw>')
    .replace(`'${nativePasswordHash(PASSWORD)}'`, '<hash>');
}

describe('dialect.setOwnPassword', () => {
  it.each([
    // MySQL 8.0.14+ (8.4 and 9.x alike): the old password becomes the secondary one.
    ['8.0.14', 'ALTER USER USER() IDENTIFIED BY <pw> RETAIN CURRENT PASSWORD'],
    ['8.0.36', 'ALTER USER USER() IDENTIFIED BY <pw> RETAIN CURRENT PASSWORD'],
    ['8.4.3', 'ALTER USER USER() IDENTIFIED BY <pw> RETAIN CURRENT PASSWORD'],
    ['9.1.0', 'ALTER USER USER() IDENTIFIED BY <pw> RETAIN CURRENT PASSWORD'],
  ])('MySQL %s with retain: %s', (raw, sql) => {
    const d = dialect(raw);
    expect(d.hasDualPasswords).toBe(true);
    expect(shape(d.setOwnPassword(PASSWORD, { retain: true }))).toBe(sql);
  });

  it.each([
    ['5.7.6', 'mysql_native_password'],
    ['5.7.44', undefined],
    ['8.0.13', 'caching_sha2_password'],
    ['8.0.14', 'mysql_native_password'],
    ['8.4.3', undefined],
    ['9.1.0', 'caching_sha2_password'],
  ])('MySQL %s without retain: ALTER USER USER() IDENTIFIED BY the bound password, keeping plugin %s', (raw, plugin) => {
    expect(shape(dialect(raw).setOwnPassword(PASSWORD, { retain: false, plugin }))).toBe('ALTER USER USER() IDENTIFIED BY <pw>');
  });

  it.each(['5.6.51', '5.7.5', '8.0.13', '10.11.19-MariaDB', '10.3.39-MariaDB', '11.4.2-MariaDB'])(
    '%s has no dual passwords, and refuses to build a retaining statement',
    (raw) => {
      const d = dialect(raw);
      expect(d.hasDualPasswords).toBe(false);
      expect(() => d.setOwnPassword(PASSWORD, { retain: true })).toThrow(/no dual passwords/);
    },
  );

  it.each([
    ['10.11.19-MariaDB', 'mysql_native_password', true, 'SET PASSWORD = <hash>'],
    ['10.1.48-MariaDB', 'mysql_native_password', true, 'SET PASSWORD = <hash>'],
    ['5.6.51', 'mysql_native_password', true, 'SET PASSWORD = <hash>'],
    ['10.11.19-MariaDB', 'ed25519', true, 'SET PASSWORD = PASSWORD(<pw>)'],
    ['10.11.19-MariaDB', 'several', true, 'SET PASSWORD = PASSWORD(<pw>)'],
    ['10.11.19-MariaDB', undefined, true, 'SET PASSWORD = PASSWORD(<pw>)'],
    ['5.6.51', undefined, true, 'SET PASSWORD = PASSWORD(<pw>)'],
    // A validation plugin in strict mode refuses hashes: the password itself, bound.
    ['10.11.19-MariaDB', 'mysql_native_password', false, 'SET PASSWORD = PASSWORD(<pw>)'],
  ])('%s, plugin %s, hashes %s: %s', (raw, plugin, hashes, sql) => {
    expect(shape(dialect(raw, hashes).setOwnPassword(PASSWORD, { retain: false, plugin }))).toBe(sql);
  });

  it('marks the password or its hash as the secret value, so a dry run shows neither', () => {
    for (const raw of ['8.0.36', '10.11.19-MariaDB', '5.6.51']) {
      const d = dialect(raw);
      for (const statement of [d.setOwnPassword(PASSWORD, { retain: d.hasDualPasswords, plugin: 'mysql_native_password' })]) {
        const text = redactedText(statement);
        expect(text.includes(PASSWORD) || text.includes(nativePasswordHash(PASSWORD))).toBe(false);
        expect(text).toContain("'<redacted>'");
      }
    }
  });
});

describe('mayRetain: APPLICATION_PASSWORD_ADMIN (or CREATE USER) on *.* in the account’s own grants', () => {
  it.each([
    [['GRANT USAGE ON *.* TO `app`@`%`', 'GRANT APPLICATION_PASSWORD_ADMIN ON *.* TO `app`@`%`'], true],
    [['GRANT SELECT, CREATE USER ON *.* TO `app`@`%`'], true],
    [['GRANT ALL PRIVILEGES ON *.* TO `app`@`%`'], true],
    [['GRANT USAGE ON *.* TO `app`@`%`', 'GRANT SELECT, INSERT ON `shop`.* TO `app`@`%`'], false],
    // Only on a database: CREATE USER is a global privilege, and a dynamic one cannot be granted there.
    [['GRANT USAGE ON *.* TO `app`@`%`', 'GRANT ALL PRIVILEGES ON `shop`.* TO `app`@`%`'], false],
    // Through a role: not visible in SHOW GRANTS without USING, so taken as absent (and changed without RETAIN).
    [['GRANT USAGE ON *.* TO `app`@`%`', 'GRANT `pw_admin`@`%` TO `app`@`%`'], false],
    [['a line no parser knows'], false],
  ])('%j → %s', (grants, expected) => {
    expect(mayRetain(grants)).toBe(expected);
  });
});

describe('ownPlugin: the authentication a MariaDB account’s own SHOW GRANTS shows', () => {
  it.each([
    ["GRANT USAGE ON *.* TO `app`@`%` IDENTIFIED BY PASSWORD '*0123456789ABCDEF0123456789ABCDEF01234567'", 'mysql_native_password'],
    ["GRANT USAGE ON *.* TO `app`@`%` IDENTIFIED VIA ed25519 USING 'abc'", 'ed25519'],
    ["GRANT USAGE ON *.* TO `app`@`%` IDENTIFIED VIA mysql_native_password USING '*01' OR unix_socket", 'several'],
    ['GRANT USAGE ON *.* TO `app`@`%`', undefined],
    ['GRANT SELECT ON `shop`.* TO `app`@`%`', undefined],
  ])('%s → %s', (line, plugin) => {
    expect(ownPlugin([line])).toBe(plugin);
  });
});

/** A session answering the plan's reads as `version` with `grants`; records what was sent. */
function session(version: string, grants: string[], strict = false): Session & { sent: string[] } {
  const sent: string[] = [];
  return {
    sent,
    async query<Row>(statement: Sql): Promise<Row[]> {
      const text = statementText(statement);
      sent.push(text);
      if (text.startsWith('SELECT VERSION()')) return [{ v: version, mode: 'STRICT_TRANS_TABLES' }] as Row[];
      if (text.includes('strict_password_validation')) return [{ strict: strict ? 1 : 0, validators: strict ? 1 : 0 }] as Row[];
      if (text === 'SHOW GRANTS') return grants.map((line) => ({ 'Grants for app@%': line })) as Row[];
      throw new Error('unexpected statement');
    },
  };
}

describe('planOwnPassword', () => {
  const logs: string[] = [];
  const options = { label: 'secret app-db', log: createLogger({ sink: (line) => logs.push(line) }) };
  const USAGE = 'GRANT USAGE ON *.* TO `app`@`%`';

  it('retains the old password on MySQL 8.0.14+ when the account holds APPLICATION_PASSWORD_ADMIN', async () => {
    for (const version of ['8.0.14', '8.4.3', '9.1.0']) {
      const s = session(version, [USAGE, 'GRANT APPLICATION_PASSWORD_ADMIN ON *.* TO `app`@`%`']);
      const plan = await planOwnPassword(options, s, 'app', PASSWORD);
      expect(plan.retains).toBe(true);
      expect(plan.notes).toEqual([RETAINED]);
      expect(shape(plan.statement)).toBe('ALTER USER USER() IDENTIFIED BY <pw> RETAIN CURRENT PASSWORD');
      // Reads only: the version, then the account's own grants. The password is never among what was sent.
      expect(s.sent).toEqual(['SELECT VERSION() AS v, @@SESSION.sql_mode AS mode', 'SHOW GRANTS']);
    }
  });

  it('falls back to a plain change with a warn line on MySQL 8.0.14+ without the privilege', async () => {
    logs.length = 0;
    const plan = await planOwnPassword(options, session('8.0.36', [USAGE]), 'app', PASSWORD);
    expect(plan.retains).toBe(false);
    expect(plan.notes).toEqual([NOT_RETAINED]);
    expect(shape(plan.statement)).toBe('ALTER USER USER() IDENTIFIED BY <pw>');
    const warn = logs.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l['level'] === 'warn');
    expect(warn).toMatchObject({ account: 'app', msg: expect.stringContaining('RETAIN CURRENT PASSWORD') });
  });

  it.each([
    ['5.7.44', 'ALTER USER USER() IDENTIFIED BY <pw>'],
    ['8.0.13', 'ALTER USER USER() IDENTIFIED BY <pw>'],
    ['10.11.19-MariaDB', 'SET PASSWORD = <hash>'],
  ])('says %s has no dual passwords, and changes the password plainly: %s', async (version, sql) => {
    const grants = [`${USAGE} IDENTIFIED BY PASSWORD '*0123456789ABCDEF0123456789ABCDEF01234567'`];
    const plan = await planOwnPassword(options, session(version, grants), 'app', PASSWORD);
    expect(plan.notes).toEqual([NO_DUAL_PASSWORDS]);
    expect(shape(plan.statement)).toBe(sql);
  });

  it('sends the password itself to a MariaDB whose validation plugin refuses hashes', async () => {
    const grants = [`${USAGE} IDENTIFIED BY PASSWORD '*0123456789ABCDEF0123456789ABCDEF01234567'`];
    const plan = await planOwnPassword(options, session('10.11.19-MariaDB', grants, true), 'app', PASSWORD);
    expect(shape(plan.statement)).toBe('SET PASSWORD = PASSWORD(<pw>)');
  });

  it('describes the plan for the dry run: its notes, then the statement redacted; a leak is refused', async () => {
    const plan = await planOwnPassword(options, session('8.0.36', [USAGE, 'GRANT CREATE USER ON *.* TO `app`@`%`']), 'app', PASSWORD);
    expect(describeOwnPlan(plan, PASSWORD)).toEqual([
      { kind: 'note', text: RETAINED },
      { kind: 'sql', statement: "ALTER USER USER() IDENTIFIED BY '<redacted>' RETAIN CURRENT PASSWORD" },
    ]);
    const leaky = { ...plan, statement: { sql: 'ALTER USER USER() IDENTIFIED BY ?', values: [PASSWORD] } };
    expect(() => describeOwnPlan(leaky, PASSWORD)).toThrow(/would show a password/);
  });
});
