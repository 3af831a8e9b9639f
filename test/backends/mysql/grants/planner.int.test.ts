// Integration test of grant syncing against the real MariaDB (MYSQL_URL overrides the default);
// it must only ever create, alter and drop the uniquely named users, roles and database it makes.
import { randomBytes } from 'node:crypto';
import mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialectFor, parseServerVersion, type MysqlDialect } from '../../../../src/backends/mysql/dialect.js';
import { planGrantSync } from '../../../../src/backends/mysql/grants/planner.js';
import { quoteIdentifier } from '../../../../src/backends/mysql/sql.js';

const URL = process.env['MYSQL_URL'] ?? 'mysql://root@127.0.0.1:3306';
const suffix = randomBytes(4).toString('hex');
const db = `zz_gs_${suffix}`;
// Escaped LIKE wildcards in a grant's database name: the copy must keep them exactly.
const escapedDb = db.replaceAll('_', '\\_');
// mysql2's placeholder substitution must never get to see this name.
const questionDb = `zz_gs?q_${suffix}`;
const current = { user: `zz_gsa_${suffix}`, host: '10.%' };
// A quote and a ? in the alternate's own name exercise quoteAccount against the real parser.
const alternate = { user: `zz_gs'b?_${suffix}`, host: '10.%' };
const roles = [`zz_gsr1_${suffix}`, `zz_gsr2_${suffix}`] as const;

describe('planGrantSync on a real server', () => {
  let conn: mysql.Connection;
  let dialect: MysqlDialect;
  let mariadb = false;
  const account = (a: { user: string; host: string }): string => `${conn.escape(a.user)}@${conn.escape(a.host)}`;
  // Setup statements are sent without values so that no substitution touches `zz_gs?q_...`.
  const run = async (sql: string): Promise<void> => {
    await conn.query(sql);
  };
  const grantsOf = async (a: { user: string; host: string }): Promise<string[]> => {
    const s = dialect.showGrants(a.user, a.host);
    const [rows] = await conn.query<mysql.RowDataPacket[]>(s.sql, [...s.values]);
    return rows.map((row) => String(Object.values(row)[0]));
  };

  beforeAll(async () => {
    conn = await mysql.createConnection(URL);
    const [[row]] = await conn.query<mysql.RowDataPacket[]>('SELECT VERSION() AS v');
    const version = parseServerVersion(String(row?.['v']));
    dialect = dialectFor(version);
    mariadb = version.flavor === 'mariadb';

    await run(`CREATE DATABASE ${quoteIdentifier(db)}`);
    await run(`CREATE TABLE ${quoteIdentifier(db)}.t (a INT, b INT)`);
    await run(`CREATE TABLE ${quoteIdentifier(db)}.t2 (a INT)`);
    for (const [who, password] of [
      [current, randomBytes(12).toString('hex')],
      [alternate, randomBytes(12).toString('hex')],
    ] as const) {
      const s = dialect.createUser(who.user, who.host, password);
      await conn.query(s.sql, [...s.values]);
    }
    const tls = dialect.setRequire(current.user, current.host, { type: 'SSL' });
    await conn.query(tls.sql, [...tls.values]);

    const t = `${quoteIdentifier(db)}.\`t\``;
    const a = account(current);
    await run(`GRANT SELECT, INSERT ON ${quoteIdentifier(db)}.* TO ${a} WITH GRANT OPTION`);
    await run(`GRANT SELECT ON ${t} TO ${a}`);
    await run(`GRANT UPDATE (a), INSERT (a, b) ON ${t} TO ${a}`);
    await run(`GRANT SELECT ON ${quoteIdentifier(escapedDb)}.* TO ${a}`);
    await run(`GRANT SELECT ON ${quoteIdentifier(questionDb)}.* TO ${a}`);

    const b = account(alternate);
    await run(`GRANT SELECT, DELETE ON ${quoteIdentifier(db)}.* TO ${b}`);
    await run(`GRANT SELECT ON ${t} TO ${b} WITH GRANT OPTION`);
    await run(`GRANT UPDATE (a, b) ON ${t} TO ${b}`);
    await run(`GRANT SELECT, UPDATE ON ${quoteIdentifier(db)}.\`t2\` TO ${b}`);

    if (mariadb) {
      for (const r of roles) await run(`CREATE ROLE ${quoteIdentifier(r)}`);
      await run(`GRANT ${quoteIdentifier(roles[0])} TO ${a} WITH ADMIN OPTION`);
      await run(`SET DEFAULT ROLE ${quoteIdentifier(roles[0])} FOR ${a}`);
      await run(`GRANT USAGE ON *.* TO ${a} WITH MAX_QUERIES_PER_HOUR 7`);
      await run(`GRANT ${quoteIdentifier(roles[1])} TO ${b}`);
      await run(`SET DEFAULT ROLE ${quoteIdentifier(roles[1])} FOR ${b}`);
      await run(`GRANT USAGE ON *.* TO ${b} WITH MAX_USER_CONNECTIONS 3`);
    }
  });

  afterAll(async () => {
    if (!conn) return;
    const cleanup = [
      `DROP USER IF EXISTS ${account(current)}`,
      `DROP USER IF EXISTS ${account(alternate)}`,
      ...(mariadb ? roles.map((r) => `DROP ROLE IF EXISTS ${quoteIdentifier(r)}`) : []),
      `DROP DATABASE IF EXISTS ${quoteIdentifier(db)}`,
    ];
    // Each one runs even if another fails: a half-cleaned server is worse than a reported error.
    const failures: unknown[] = [];
    for (const sql of cleanup) await conn.query(sql).catch((err: unknown) => failures.push(err));
    await conn.end();
    expect(failures).toEqual([]);
  });

  /** A grant line with the grantee, the password hash and the TLS clause taken out. */
  const normalize = (lines: string[], who: { user: string; host: string }): string[] => {
    const renderings = [`\`${who.user.replaceAll('`', '``')}\`@\`${who.host}\``, `'${who.user}'@'${who.host}'`];
    return lines
      .map((line) => {
        let out = line;
        for (const r of renderings) out = out.replaceAll(r, '<account>');
        return out.replace(/ IDENTIFIED BY PASSWORD '[^']*'/, '').replace(/ REQUIRE SSL/, '');
      })
      .sort();
  };

  it("makes the alternate hold exactly the current account's privileges, then plans nothing", async () => {
    const currentBefore = await grantsOf(current);
    const statements = planGrantSync(currentBefore, await grantsOf(alternate), alternate);
    expect(statements.some((s) => s.sql.startsWith('GRANT '))).toBe(true);
    expect(statements.some((s) => s.sql.startsWith('REVOKE '))).toBe(true);
    for (const s of statements) {
      expect(s.values).toEqual([]);
      await conn.query(s.sql);
    }

    const currentAfter = await grantsOf(current);
    const alternateAfter = await grantsOf(alternate);
    expect(currentAfter).toEqual(currentBefore);
    expect(normalize(alternateAfter, alternate)).toEqual(normalize(currentAfter, current));

    expect(alternateAfter).toContainEqual(expect.stringContaining(`ON \`${escapedDb}\`.* TO`));
    expect(alternateAfter).toContainEqual(expect.stringContaining(`ON \`${questionDb}\`.* TO`));
    expect(alternateAfter).toContainEqual(expect.stringMatching(/ON `zz_gs_[0-9a-f]+`\.\* TO .* WITH GRANT OPTION$/));
    // TLS and the password are set separately; grant copying must carry neither.
    expect(alternateAfter.join('\n')).not.toMatch(/REQUIRE/);
    const hash = /IDENTIFIED BY PASSWORD '([^']+)'/.exec(currentAfter.join('\n'))?.[1];
    if (hash) expect(alternateAfter.join('\n')).not.toContain(hash);

    expect(planGrantSync(currentAfter, alternateAfter, alternate)).toEqual([]);
  });
});
