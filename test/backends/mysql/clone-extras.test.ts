// What making the alternate a twin needs beyond SHOW GRANTS, per server version: the statements
// planCloneExtras returns for MySQL 5.7, 8.0.x, 8.4 and 9.x (default roles, password options), none
// for MariaDB, and the master-authority check. A scripted session stands in for the server.
import { describe, expect, it } from 'vitest';
import { cloneExtrasRefusal, planCloneExtras, type CloneContext } from '../../../src/backends/mysql/clone-extras.js';
import type { Session } from '../../../src/backends/mysql/connection.js';
import { parseServerVersion } from '../../../src/backends/mysql/dialect.js';
import { statementText, type Sql } from '../../../src/backends/mysql/sql.js';

const v = parseServerVersion;

interface Account {
  roles?: { role_user: string; role_host: string }[];
  options?: Record<string, unknown>;
}

/** Answers mysql.default_roles and mysql.user password-option reads for the accounts given, by user name. */
function server(accounts: Record<string, Account>): Session & { reads: string[] } {
  const reads: string[] = [];
  return {
    reads,
    async query<Row>(statement: Sql): Promise<Row[]> {
      const user = String(statement.values[0]);
      reads.push(`${statement.sql.includes('default_roles') ? 'roles' : 'options'} ${user}`);
      const account = accounts[user];
      if (!account) return [];
      return (statement.sql.includes('default_roles') ? (account.roles ?? []) : [account.options ?? {}]) as Row[];
    },
  };
}

const ROLES = (user: string) => [`GRANT \`r1\`@\`%\`,\`r2\`@\`%\` TO \`${user}\`@\`10.%\``, `GRANT USAGE ON *.* TO \`${user}\`@\`10.%\``];
const ctx = (creates: boolean, alternateGrants: string[] = []): CloneContext => ({
  current: 'app',
  alternate: 'app_rt',
  host: '10.%',
  creates,
  grants: { current: ROLES('app'), alternate: alternateGrants },
});
const CURRENT: Account = {
  roles: [
    { role_user: 'r2', role_host: '%' },
    { role_user: 'r1', role_host: '%' },
  ],
  options: { history: 5, reuse_days: 365, require_current: 'Y', attempts: 3, lock_days: 2 },
};

describe('planCloneExtras per server version', () => {
  it.each([
    ['8.0.36', 'FAILED_LOGIN_ATTEMPTS 3 PASSWORD_LOCK_TIME 2'],
    ['8.4.3', 'FAILED_LOGIN_ATTEMPTS 3 PASSWORD_LOCK_TIME 2'],
    ['9.1.0', 'FAILED_LOGIN_ATTEMPTS 3 PASSWORD_LOCK_TIME 2'],
  ])('MySQL %s, a new alternate: password options, then the default roles', async (raw, lockout) => {
    const s = server({ app: CURRENT });
    const planned = await planCloneExtras(s, v(raw), ctx(true));
    expect(planned.map(statementText)).toEqual([
      `ALTER USER 'app_rt'@'10.%' PASSWORD HISTORY 5 PASSWORD REUSE INTERVAL 365 DAY PASSWORD REQUIRE CURRENT ${lockout}`,
      "SET DEFAULT ROLE 'r1'@'%', 'r2'@'%' TO 'app_rt'@'10.%'",
    ]);
    // A new alternate is never read.
    expect(s.reads).toEqual(['options app', 'roles app']);
  });

  it('MySQL 8.0.13 to 8.0.18: no lock-out options yet; 8.0.3 to 8.0.12: no REQUIRE CURRENT either', async () => {
    expect((await planCloneExtras(server({ app: CURRENT }), v('8.0.18'), ctx(true))).map(statementText)).toEqual([
      "ALTER USER 'app_rt'@'10.%' PASSWORD HISTORY 5 PASSWORD REUSE INTERVAL 365 DAY PASSWORD REQUIRE CURRENT",
      "SET DEFAULT ROLE 'r1'@'%', 'r2'@'%' TO 'app_rt'@'10.%'",
    ]);
    expect((await planCloneExtras(server({ app: CURRENT }), v('8.0.12'), ctx(true))).map(statementText)).toEqual([
      "ALTER USER 'app_rt'@'10.%' PASSWORD HISTORY 5 PASSWORD REUSE INTERVAL 365 DAY",
      "SET DEFAULT ROLE 'r1'@'%', 'r2'@'%' TO 'app_rt'@'10.%'",
    ]);
  });

  it('an existing alternate that already matches: nothing (the read-back after apply)', async () => {
    const s = server({ app: CURRENT, app_rt: CURRENT });
    expect(await planCloneExtras(s, v('8.0.36'), ctx(false, ROLES('app_rt')))).toEqual([]);
  });

  it('an existing alternate with other defaults: only what differs', async () => {
    const other: Account = { roles: [{ role_user: 'r1', role_host: '%' }], options: CURRENT.options };
    const planned = await planCloneExtras(server({ app: CURRENT, app_rt: other }), v('8.4.3'), ctx(false, ROLES('app_rt')));
    expect(planned.map(statementText)).toEqual(["SET DEFAULT ROLE 'r1'@'%', 'r2'@'%' TO 'app_rt'@'10.%'"]);
  });

  it.each(['5.7.44-log', '5.6.51', '10.4.34-MariaDB', '10.11.19-MariaDB-0+deb12u1', '11.4.2-MariaDB'])(
    "%s: nothing to read, nothing to copy (lock state and expiry are dialect.ts's; MariaDB's default role a SHOW GRANTS line)",
    async (raw) => {
      const s = server({ app: CURRENT });
      expect(await planCloneExtras(s, v(raw), ctx(true))).toEqual([]);
      expect(s.reads).toEqual([]);
    },
  );

  it('MySQL 8: a master that may not set default roles is refused before the first write', async () => {
    const planned = await planCloneExtras(server({ app: CURRENT }), v('8.0.36'), ctx(true));
    const onlyDb = ['GRANT USAGE ON *.* TO `m`@`%`', 'GRANT ALL PRIVILEGES ON `shop`.* TO `m`@`%` WITH GRANT OPTION'];
    expect(cloneExtrasRefusal(planned, onlyDb, 'mysql')).toMatch(
      /grant the master CREATE USER on \*\.\* \(or UPDATE on mysql\.default_roles\)/,
    );
    expect(cloneExtrasRefusal(planned, ['GRANT CREATE USER ON *.* TO `m`@`%`'], 'mysql')).toBeUndefined();
  });
});
