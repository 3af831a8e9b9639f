// Faithful cloning on a real MariaDB (issue 14, item 4): ed25519 accounts made and changed by our
// statements log in with their password through mysql2 (with ed25519.ts's client plugin, mysql2 has
// none), the server computes the same key we do, chains are read back, and a master without
// UPDATE on the mysql database really cannot set a default role. It runs on a throwaway MariaDB:
// INSTALL SONAME and simple_password_check are server-wide, never done on the shared server. No
// password, hash or key is ever printed: comparisons happen in SQL or as booleans.
import { randomBytes } from 'node:crypto';
import type mysql from 'mysql2/promise';
import mysql2 from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authMethodsFromRow, mariadbIdentified, readAuthMethods, readAuthPlugin } from '../../../src/backends/mysql/auth-plugin.js';
import { planCloneExtras } from '../../../src/backends/mysql/clone-extras.js';
import { withConnection, type ConnectOptions, type Session } from '../../../src/backends/mysql/connection.js';
import { defaultRoleRefusal } from '../../../src/backends/mysql/default-roles.js';
import { parseServerVersion, type ServerVersion } from '../../../src/backends/mysql/dialect.js';
import { clientEd25519Plugin, ed25519AuthString } from '../../../src/backends/mysql/ed25519.js';
import { planGrantSync } from '../../../src/backends/mysql/grants/planner.js';
import { bound, secret, statementText, type Sql } from '../../../src/backends/mysql/sql.js';
import { createLogger } from '../../../src/log.js';
import { adminConnection } from '../../../src/local/fixtures/mysql-sandbox.js';
import { startThrowawayMariadb, throwawayMariadbAvailable, type ThrowawayMariadb } from '../../support/throwaway-mariadb.js';

const name = (prefix: string): string => `${prefix}${randomBytes(4).toString('hex')}`;
const password = (): string => `Pw-${randomBytes(12).toString('base64url')}-1a`;

describe.runIf(throwawayMariadbAvailable())('faithful cloning on a throwaway MariaDB', () => {
  let db: ThrowawayMariadb;
  let root: mysql.Connection;
  let version: ServerVersion;
  const lines: string[] = [];
  const options: ConnectOptions = { ca: undefined, label: 'secret t', log: createLogger({ sink: (l) => lines.push(l) }) };
  const as = <T>(user: string, pw: string, work: (s: Session) => Promise<T>): Promise<T> =>
    withConnection({ user, password: pw, endpoint: db.server.host, port: db.server.port, ssl: false }, options, work);
  /** Logs in through mysql2 itself: 'works', or the driver's error code (never its message). */
  const login = async (user: string, pw: string, plugin = true): Promise<string> => {
    try {
      const conn = await mysql2.createConnection({
        ...db.server,
        user,
        password: pw,
        ...(plugin ? { authPlugins: { client_ed25519: clientEd25519Plugin() } } : {}),
      });
      await conn.end();
      return 'works';
    } catch (err) {
      return String((err as { code?: unknown }).code);
    }
  };
  /** Sends as the session would; a failure is rethrown as its code alone (mysql2's error carries the statement, key included). */
  const send = async (statement: Sql): Promise<void> => {
    try {
      await root.query(statementText(statement));
    } catch (err) {
      throw Object.assign(new Error(`statement failed: ${String((err as { code?: unknown }).code)}`), {
        code: (err as { code?: unknown }).code,
      });
    }
  };
  /** As the dialect sends it: `<head> ?@? <clause>`, the value bound and marked secret. */
  const identified = (head: string, user: string, pw: string, hashes = true): Sql => {
    const via = mariadbIdentified(version, 'ed25519', pw, hashes);
    if (!via) throw new Error('expected an ed25519 clause');
    return bound(`${head} ?@? ${via.clause}`, user, '%', secret(via.value));
  };

  beforeAll(async () => {
    db = await startThrowawayMariadb();
    root = await adminConnection(db.server);
    const [[row]] = await root.query<mysql.RowDataPacket[]>('SELECT VERSION() AS v');
    version = parseServerVersion(String(row?.['v']));
    await root.query("INSTALL SONAME 'auth_ed25519'");
  }, 60_000);
  afterAll(async () => {
    await root?.end();
    await db?.stop();
  });

  it("computes the key the server's own PASSWORD() computes for ed25519", async () => {
    for (const pw of [password(), 'ünïcödé-Pässwörd-1', 'x'.repeat(100)]) {
      const user = name('k');
      await root.query("CREATE USER ?@'%' IDENTIFIED VIA ed25519 USING PASSWORD(?)", [user, pw]);
      const [rows] = await root.query<mysql.RowDataPacket[]>(
        "SELECT COUNT(*) AS n FROM mysql.global_priv WHERE User = ? AND JSON_VALUE(Priv, '$.authentication_string') = ?",
        [user, ed25519AuthString(pw)],
      );
      expect(Number(rows[0]?.['n'])).toBe(1);
    }
  });

  it('an account our statements create and change VIA ed25519 logs in with its password through mysql2, and only with it', async () => {
    const user = name('e');
    const first = password();
    await send(identified('CREATE USER', user, first));
    expect(await login(user, first)).toBe('works');
    expect(await login(user, `${first}x`)).toBe('ER_ACCESS_DENIED_ERROR');
    // mysql2 alone has no client_ed25519: this is why ed25519.ts has one.
    expect(await login(user, first, false)).toBe('AUTH_SWITCH_PLUGIN_ERROR');

    const second = password();
    await send(identified('ALTER USER', user, second));
    expect(await login(user, second)).toBe('works');
    expect(await login(user, first)).toBe('ER_ACCESS_DENIED_ERROR');
    const [rows] = await root.query<mysql.RowDataPacket[]>(
      "SELECT JSON_VALUE(Priv, '$.plugin') AS p FROM mysql.global_priv WHERE User = ?",
      [user],
    );
    expect(rows.map((r) => r['p'])).toEqual(['ed25519']);
  });

  it('reads the methods of one-method and chained accounts from mysql.global_priv, through a real session', async () => {
    const single = name('s');
    const chained = name('c');
    const reversed = name('r');
    await send(identified('CREATE USER', single, password()));
    await root.query("CREATE USER ?@'%' IDENTIFIED VIA ed25519 USING PASSWORD(?) OR mysql_native_password USING PASSWORD(?)", [
      chained,
      password(),
      password(),
    ]);
    await root.query("CREATE USER ?@'%' IDENTIFIED VIA mysql_native_password USING PASSWORD(?) OR ed25519 USING PASSWORD(?)", [
      reversed,
      password(),
      password(),
    ]);
    const three = name('t');
    await root.query(
      "CREATE USER ?@'%' IDENTIFIED VIA ed25519 USING PASSWORD(?) OR unix_socket OR mysql_native_password USING PASSWORD(?)",
      [three, password(), password()],
    );
    const methods = async (user: string): Promise<string[] | undefined> => {
      const [rows] = await root.query<mysql.RowDataPacket[]>(statementText(readAuthMethods(version, user, '%') as Sql));
      return authMethodsFromRow(rows[0]);
    };
    expect(await methods(single)).toEqual(['ed25519']);
    expect(await methods(chained)).toEqual(['ed25519', 'mysql_native_password']);
    expect(await methods(reversed)).toEqual(['mysql_native_password', 'ed25519']);
    expect(await methods(three)).toEqual(['ed25519', 'unix_socket', 'mysql_native_password']);

    // As the plan reads it, logged in as a master through connection.ts.
    const master = name('m');
    const masterPassword = password();
    await root.query("CREATE USER ?@'%' IDENTIFIED BY ?", [master, masterPassword]);
    await root.query("GRANT ALL PRIVILEGES ON *.* TO ?@'%' WITH GRANT OPTION", [master]);
    const log = createLogger({ sink: (l) => lines.push(l) });
    const read = (user: string, rowPlugin: string) =>
      as(master, masterPassword, (s) => readAuthPlugin(s, version, { user, host: '%', alternate: `${user}_rt` }, rowPlugin, log));
    expect(await read(single, 'ed25519')).toEqual({ plugin: 'ed25519', dropped: [] });
    expect(await read(chained, 'mysql_native_password')).toEqual({ plugin: 'mysql_native_password', dropped: ['ed25519'] });
    // A master that may not read mysql.global_priv keeps mysql.user's plugin (here the view hides the row: none).
    await root.query("REVOKE ALL PRIVILEGES ON *.* FROM ?@'%'", [master]);
    await root.query("GRANT SELECT ON mysql.user TO ?@'%'", [master]);
    expect(await read(single, 'ed25519')).toEqual({ plugin: 'ed25519', dropped: [] });
    expect(lines.join('\n')).not.toContain(masterPassword);
  });

  it('a master without UPDATE on the mysql database cannot set a default role: defaultRoleRefusal says so first, and with it, it can', async () => {
    const role = name('role');
    const app = name('a');
    const alternate = `${app}_rt`;
    const master = name('m');
    const masterPassword = password();
    await root.query('CREATE ROLE ??', [role]);
    await root.query("CREATE USER ?@'%', ?@'%' IDENTIFIED BY ?", [app, alternate, password()]);
    await root.query("GRANT ?? TO ?@'%'", [role, app]);
    await root.query("SET DEFAULT ROLE ?? FOR ?@'%'", [role, app]);
    await root.query("CREATE USER ?@'%' IDENTIFIED BY ?", [master, masterPassword]);
    // Everything the grant planner's checks ask for: CREATE USER, the role WITH ADMIN OPTION.
    await root.query("GRANT CREATE USER ON *.* TO ?@'%' WITH GRANT OPTION", [master]);
    await root.query("GRANT ?? TO ?@'%' WITH ADMIN OPTION", [role, master]);

    const grantsOf = async (user: string): Promise<string[]> => {
      const [rows] = await root.query<mysql.RowDataPacket[]>("SHOW GRANTS FOR ?@'%'", [user]);
      return rows.map((r) => String(Object.values(r)[0]));
    };
    const statements = planGrantSync(await grantsOf(app), await grantsOf(alternate), { user: alternate, host: '%' });
    expect(statements.map((s) => s.sql)).toContain(`SET DEFAULT ROLE \`${role}\` FOR '${alternate}'@'%'`);
    const masterGrants = await as(master, masterPassword, async (s) =>
      (await s.query(bound('SHOW GRANTS'))).map((r) => String(Object.values(r)[0])),
    );
    expect(defaultRoleRefusal(statements, masterGrants, 'mariadb')).toMatch(/grant the master UPDATE on `mysql`\.\*/);
    // Refused for a reason: the server would fail the statement half-way through the plan.
    await expect(
      as(master, masterPassword, async (s) => {
        for (const statement of statements) await s.query(statement);
      }),
    ).rejects.toThrow(/\(SET\) failed: ER_DBACCESS_DENIED_ERROR/);

    await root.query("GRANT UPDATE ON mysql.* TO ?@'%'", [master]);
    const allowed = await as(master, masterPassword, async (s) =>
      (await s.query(bound('SHOW GRANTS'))).map((r) => String(Object.values(r)[0])),
    );
    expect(defaultRoleRefusal(statements, allowed, 'mariadb')).toBeUndefined();
    const left = planGrantSync(await grantsOf(app), await grantsOf(alternate), { user: alternate, host: '%' });
    await as(master, masterPassword, async (s) => {
      for (const statement of left) await s.query(statement);
    });
    expect((await grantsOf(alternate)).filter((l) => l.startsWith('SET DEFAULT ROLE'))).toEqual([
      `SET DEFAULT ROLE \`${role}\` FOR \`${alternate}\`@\`%\``,
    ]);
  });

  it('MariaDB keeps no per-account password options or default_roles table: nothing more to copy', async () => {
    const app = name('a');
    await root.query("CREATE USER ?@'%' IDENTIFIED BY ?", [app, password()]);
    const planned = await as('root', '', (s) =>
      planCloneExtras(s, version, {
        current: app,
        alternate: `${app}_rt`,
        host: '%',
        creates: true,
        grants: { current: [], alternate: [] },
      }),
    );
    expect(planned).toEqual([]);
  });

  it('with simple_password_check (strict_password_validation on): the key is refused, USING PASSWORD(?) is not', async () => {
    await root.query("INSTALL SONAME 'simple_password_check'");
    try {
      const user = name('v');
      const pw = password();
      await expect(send(identified('CREATE USER', user, pw))).rejects.toMatchObject({ code: 'ER_OPTION_PREVENTS_STATEMENT' });
      await send(identified('CREATE USER', user, pw, false));
      expect(await login(user, pw)).toBe('works');
      const next = password();
      await send(identified('ALTER USER', user, next, false));
      expect(await login(user, next)).toBe('works');
    } finally {
      await root.query("UNINSTALL SONAME 'simple_password_check'");
    }
  });
});
