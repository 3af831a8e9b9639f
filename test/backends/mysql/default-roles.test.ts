// Default roles per server (MySQL 5.7, 8.0, 8.4, 9.x: mysql.default_roles and SET DEFAULT ROLE ... TO;
// MariaDB: a SHOW GRANTS line the grant planner copies), and the master's authority to set them.
// No database: a scripted session stands in for the server.
import { describe, expect, it } from 'vitest';
import type { Session } from '../../../src/backends/mysql/connection.js';
import {
  defaultRoleAuthority,
  defaultRoleRefusal,
  defaultRolesFromRows,
  planDefaultRoles,
  readDefaultRoles,
  setDefaultRoles,
  syncDefaultRoles,
} from '../../../src/backends/mysql/default-roles.js';
import { parseServerVersion } from '../../../src/backends/mysql/dialect.js';
import { statementText, verbatim, type Sql } from '../../../src/backends/mysql/sql.js';
import { DatabaseError, PreconditionError } from '../../../src/errors.js';

const v = parseServerVersion;
const MYSQL8 = ['8.0.11', '8.0.36', '8.4.3', '9.1.0'];
const WITHOUT = ['5.7.44-log', '5.6.51', '10.11.19-MariaDB-0+deb12u1', '10.4.34-MariaDB', '11.4.2-MariaDB'];

describe('readDefaultRoles', () => {
  it.each(MYSQL8)('MySQL %s reads mysql.default_roles, names bound', (raw) => {
    expect(readDefaultRoles(v(raw), "o'k", '10.%')).toEqual({
      sql: 'SELECT DEFAULT_ROLE_USER AS role_user, DEFAULT_ROLE_HOST AS role_host FROM mysql.default_roles WHERE USER = ? AND HOST = ?',
      values: ["o'k", '10.%'],
    });
  });

  it.each(WITHOUT)('%s has no mysql.default_roles: nothing is read', (raw) => {
    expect(readDefaultRoles(v(raw), 'u', '%')).toBeUndefined();
  });
});

describe('defaultRolesFromRows', () => {
  it('sorts, drops repeats, and takes Buffers as UTF-8', () => {
    const rows = [
      { role_user: 'r2', role_host: '%' },
      { role_user: Buffer.from('r1'), role_host: Buffer.from('10.%') },
      { role_user: 'r2', role_host: '%' },
    ];
    expect(defaultRolesFromRows(rows)).toEqual([
      { user: 'r1', host: '10.%' },
      { user: 'r2', host: '%' },
    ]);
    expect(defaultRolesFromRows([])).toEqual([]);
  });

  it('refuses a row it does not recognise, naming no value', () => {
    expect(() => defaultRolesFromRows([{ role_user: 7 }])).toThrow(PreconditionError);
  });
});

describe('setDefaultRoles and syncDefaultRoles (MySQL 8)', () => {
  it('names every role and the account as bound values, escaped by sql.ts', () => {
    const s = setDefaultRoles(
      [
        { user: 'app_read', host: '%' },
        { user: "it's", host: 'h' },
      ],
      'app_rt',
      '10.%',
    );
    expect(s.sql).toBe('SET DEFAULT ROLE ?@?, ?@? TO ?@?');
    expect(statementText(s)).toBe("SET DEFAULT ROLE 'app_read'@'%', 'it\\'s'@'h' TO 'app_rt'@'10.%'");
    expect(statementText(setDefaultRoles([], 'app_rt', '%'))).toBe("SET DEFAULT ROLE NONE TO 'app_rt'@'%'");
  });

  it('plans nothing when equal, the whole list otherwise, NONE for none', () => {
    const alt = { user: 'a', host: '%' };
    const r1 = { user: 'r1', host: '%' };
    const r2 = { user: 'r2', host: '%' };
    expect(syncDefaultRoles([r1, r2], [r1, r2], alt)).toEqual([]);
    expect(syncDefaultRoles([r1, r2], [r1], alt).map(statementText)).toEqual(["SET DEFAULT ROLE 'r1'@'%', 'r2'@'%' TO 'a'@'%'"]);
    expect(syncDefaultRoles([], [r1], alt).map(statementText)).toEqual(["SET DEFAULT ROLE NONE TO 'a'@'%'"]);
  });
});

/** A session that answers mysql.default_roles reads from `roles` (per user), or fails them with `fail`. */
function session(roles: Record<string, { role_user: string; role_host: string }[]>, fail?: Error): Session & { sent: Sql[] } {
  const sent: Sql[] = [];
  return {
    sent,
    async query<Row>(statement: Sql): Promise<Row[]> {
      sent.push(statement);
      if (fail) throw fail;
      return (roles[String(statement.values[0])] ?? []) as Row[];
    },
  };
}

const ROLE_LINE = (user: string) => [`GRANT \`r1\`@\`%\`,\`r2\`@\`%\` TO \`${user}\`@\`%\``, `GRANT USAGE ON *.* TO \`${user}\`@\`%\``];
const NO_ROLES = (user: string) => [`GRANT USAGE ON *.* TO \`${user}\`@\`%\``];

describe('planDefaultRoles', () => {
  const ctx = (current: string[], alternate: string[], creates = false) => ({
    current: 'app',
    alternate: 'app_rt',
    host: '%',
    creates,
    grants: { current, alternate },
  });

  it.each(MYSQL8)('MySQL %s: copies the current default roles to a new alternate', async (raw) => {
    const s = session({ app: [{ role_user: 'r2', role_host: '%' }] });
    const planned = await planDefaultRoles(s, v(raw), ctx(ROLE_LINE('app'), [], true));
    expect(planned.map(statementText)).toEqual(["SET DEFAULT ROLE 'r2'@'%' TO 'app_rt'@'%'"]);
    // The alternate, being created, is not read.
    expect(s.sent.map((x) => x.values[0])).toEqual(['app']);
  });

  it('an existing alternate with the same default roles: nothing', async () => {
    const same = [{ role_user: 'r1', role_host: '%' }];
    expect(await planDefaultRoles(session({ app: same, app_rt: same }), v('8.0.36'), ctx(ROLE_LINE('app'), ROLE_LINE('app_rt')))).toEqual(
      [],
    );
  });

  it('neither account holds a role: read all the same (mandatory_roles do not show in SHOW GRANTS), nothing to copy', async () => {
    const s = session({});
    expect(await planDefaultRoles(s, v('8.4.3'), ctx(NO_ROLES('app'), NO_ROLES('app_rt')))).toEqual([]);
    expect(s.sent.map((x) => x.values[0])).toEqual(['app', 'app_rt']);
    const mandatory = session({ app: [{ role_user: 'everyone', role_host: '%' }] });
    expect((await planDefaultRoles(mandatory, v('8.0.36'), ctx(NO_ROLES('app'), [], true))).map(statementText)).toEqual([
      "SET DEFAULT ROLE 'everyone'@'%' TO 'app_rt'@'%'",
    ]);
  });

  it('only the alternate holds roles, with defaults: NONE', async () => {
    const s = session({ app_rt: [{ role_user: 'r1', role_host: '%' }] });
    const planned = await planDefaultRoles(s, v('9.1.0'), ctx(NO_ROLES('app'), ROLE_LINE('app_rt')));
    expect(planned.map(statementText)).toEqual(["SET DEFAULT ROLE NONE TO 'app_rt'@'%'"]);
  });

  it('a master that cannot read mysql.default_roles is refused when the current account holds roles, and goes on when it does not', async () => {
    const denied = new DatabaseError('SELECT failed: ER_TABLEACCESS_DENIED_ERROR');
    await expect(planDefaultRoles(session({}, denied), v('8.0.36'), ctx(ROLE_LINE('app'), []))).rejects.toThrow(
      /cannot read mysql.default_roles/,
    );
    expect(await planDefaultRoles(session({}, denied), v('8.0.36'), ctx(NO_ROLES('app'), ROLE_LINE('app_rt')))).toEqual([]);
  });

  it.each(WITHOUT)('%s: nothing (MariaDB copies its default role as a SHOW GRANTS line)', async (raw) => {
    const s = session({ app: [{ role_user: 'r1', role_host: '%' }] });
    expect(await planDefaultRoles(s, v(raw), ctx(ROLE_LINE('app'), []))).toEqual([]);
    expect(s.sent).toEqual([]);
  });
});

describe("the master's authority to set another account's default role", () => {
  const M = '`m`@`%`';
  it.each([
    [`GRANT ALL PRIVILEGES ON *.* TO ${M} WITH GRANT OPTION`],
    [`GRANT SELECT, CREATE USER ON *.* TO ${M}`],
    [`GRANT UPDATE ON *.* TO ${M}`],
    [`GRANT UPDATE ON \`mysql\`.* TO ${M}`],
    [`GRANT UPDATE ON \`mysql\`.\`default_roles\` TO ${M}`],
    [`GRANT ALL PRIVILEGES ON \`mys%\`.* TO ${M}`],
  ])('MySQL: %s may', (line) => {
    expect(defaultRoleAuthority('mysql', [`GRANT USAGE ON *.* TO ${M}`, line])).toBeUndefined();
  });

  it('MySQL: a master with only grant options on the application database may not, and is told what to grant', () => {
    expect(
      defaultRoleAuthority('mysql', [`GRANT USAGE ON *.* TO ${M}`, `GRANT ALL PRIVILEGES ON \`shop\`.* TO ${M} WITH GRANT OPTION`]),
    ).toBe('CREATE USER on *.* (or UPDATE on mysql.default_roles)');
    // UPDATE everywhere but on mysql (partial_revokes).
    expect(defaultRoleAuthority('mysql', [`GRANT UPDATE ON *.* TO ${M}`, `REVOKE UPDATE ON \`mysql\`.* FROM ${M}`])).toBeDefined();
  });

  it("MySQL: a master's own roles may give it the privilege, unseen: not refused", () => {
    expect(defaultRoleAuthority('mysql', [`GRANT USAGE ON *.* TO ${M}`, `GRANT \`dba\`@\`%\` TO ${M}`])).toBeUndefined();
  });

  it.each([
    [`GRANT ALL PRIVILEGES ON *.* TO ${M} WITH GRANT OPTION`],
    [`GRANT UPDATE ON *.* TO ${M}`],
    [`GRANT UPDATE ON \`mysql\`.* TO ${M}`],
  ])('MariaDB: %s may', (line) => {
    expect(defaultRoleAuthority('mariadb', [`GRANT USAGE ON *.* TO ${M}`, line])).toBeUndefined();
  });

  it('MariaDB: CREATE USER, or UPDATE on one table of mysql, is not enough', () => {
    expect(defaultRoleAuthority('mariadb', [`GRANT CREATE USER ON *.* TO ${M}`])).toBe('UPDATE on `mysql`.*');
    expect(defaultRoleAuthority('mariadb', [`GRANT USAGE ON *.* TO ${M}`, `GRANT UPDATE ON \`mysql\`.\`global_priv\` TO ${M}`])).toBe(
      'UPDATE on `mysql`.*',
    );
  });

  it('is only asked when a statement sets a default role', () => {
    const master = [`GRANT CREATE USER ON *.* TO ${M}`];
    expect(defaultRoleRefusal([verbatim('GRANT `r1` TO `a`@`%`')], master, 'mariadb')).toBeUndefined();
    expect(defaultRoleRefusal([verbatim('SET DEFAULT ROLE `r1` FOR `a`@`%`')], master, 'mariadb')).toMatch(
      /cannot set the alternate's default role.*grant the master UPDATE on `mysql`\.\*/,
    );
    expect(defaultRoleRefusal([setDefaultRoles([], 'a', '%')], master, 'mysql')).toBeUndefined();
  });
});
