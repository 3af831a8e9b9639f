// An application account VIA ed25519 rotated end to end on a real MariaDB (issue 14, item 4): the
// alternate is created and later changed VIA ed25519 too, both log in with their password, the
// function's own logins (current-login check, `test`) speak client_ed25519, the dry run shows the
// statements with the key redacted, and the general log holds keys only, never a password. A
// throwaway MariaDB: INSTALL SONAME and the general log are server-wide. These tests need the
// wiring of auth-plugin.ts into dialect.ts, plan.ts and connection.ts, and are skipped without it.
import type mysql from 'mysql2/promise';
import mysql2 from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MysqlBackend } from '../../../src/backends/mysql/backend.js';
import { dialectFor, parseServerVersion } from '../../../src/backends/mysql/dialect.js';
import { clientEd25519Plugin, ed25519AuthString } from '../../../src/backends/mysql/ed25519.js';
import { quoteIdentifier } from '../../../src/backends/mysql/sql.js';
import { createLogger } from '../../../src/log.js';
import { adminConnection } from '../../../src/local/fixtures/mysql-sandbox.js';
import { Fixture } from '../../support/fixture.js';
import { sandboxAccount, sandboxMaster } from '../../support/sandbox-accounts.js';
import { startThrowawayMariadb, throwawayMariadbAvailable, type ThrowawayMariadb } from '../../support/throwaway-mariadb.js';

/** Whether dialect.ts gives an ed25519 account IDENTIFIED VIA ed25519 (auth-plugin.ts wired in). */
const wired = dialectFor(parseServerVersion('10.11.0-MariaDB')).createUser('u', '%', 'x', 'ed25519').sql.includes('VIA ed25519');

describe.runIf(throwawayMariadbAvailable() && wired)('an ed25519 application account, rotated (throwaway MariaDB)', () => {
  let db: ThrowawayMariadb;
  let root: mysql.Connection;
  let fx: Fixture;
  beforeAll(async () => {
    db = await startThrowawayMariadb();
    root = await adminConnection(db.server);
    await root.query("INSTALL SONAME 'auth_ed25519'");
    fx = await Fixture.start({ server: db.server });
    const { app } = fx.sandbox;
    await root.query('ALTER USER ?@? IDENTIFIED VIA ed25519 USING PASSWORD(?)', [app.user, app.host, app.password]);
    await fx.seed();
  }, 60_000);
  afterAll(async () => {
    await root?.end();
    await fx?.stop();
    await db?.stop();
  });

  /** Logs in with mysql2 (and the client plugin) and reads the sandbox's row; the error code when refused. */
  const read = async (secret: { AccountName: string; AccountPassword: string } | undefined): Promise<string> => {
    if (!secret) return 'no secret';
    try {
      const conn = await mysql2.createConnection({
        ...db.server,
        user: secret.AccountName,
        password: secret.AccountPassword,
        database: fx.sandbox.database,
        authPlugins: { client_ed25519: clientEd25519Plugin() },
      });
      try {
        const [rows] = await conn.query<mysql.RowDataPacket[]>(`SELECT text FROM ${quoteIdentifier(fx.sandbox.table)} WHERE id = 1`);
        return String(rows[0]?.['text']);
      } finally {
        await conn.end();
      }
    } catch (err) {
      return `refused: ${String((err as { code?: unknown }).code)}`;
    }
  };
  /** Whether user@host is an ed25519 account whose key is that of `password`: compared in SQL, never printed. */
  const keyed = async (user: string, password: string): Promise<boolean> => {
    const [rows] = await root.query<mysql.RowDataPacket[]>(
      "SELECT COUNT(*) AS n FROM mysql.global_priv WHERE User = ? AND Host = ? AND JSON_VALUE(Priv, '$.plugin') = 'ed25519' AND JSON_VALUE(Priv, '$.authentication_string') = ?",
      [user, fx.sandbox.app.host, ed25519AuthString(password)],
    );
    return Number(rows[0]?.['n']) === 1;
  };

  it('the dry run shows the alternate created VIA ed25519, its key redacted', async () => {
    const backend = new MysqlBackend({
      label: 'secret t',
      log: createLogger({ sink: () => {} }),
      ca: undefined,
      accountNameMaxLength: undefined,
    });
    const current = sandboxAccount(fx.sandbox, fx.sandbox.app.user, fx.sandbox.app.password);
    const pending = sandboxAccount(fx.sandbox, `${fx.sandbox.app.user}_rt`, 'Pending-Password-123');
    const changes = await backend.preview({ current, pending, master: sandboxMaster(fx.sandbox) });
    const sql = changes.flatMap((c) => (c.kind === 'sql' ? [c.statement] : []));
    expect(sql[0]).toMatch(/^CREATE USER '[^']+_rt'@'%' IDENTIFIED VIA ed25519 USING '<redacted>'$/);
    expect(sql.at(-1)).toMatch(/^ALTER USER '[^']+_rt'@'%' IDENTIFIED VIA ed25519 USING '<redacted>'$/);
    expect(sql.join('\n')).not.toContain(ed25519AuthString('Pending-Password-123'));
  });

  it(
    'two rotations: each new account is VIA ed25519 with its password, logs in, and the general log holds keys, never a password',
    { timeout: 60_000 },
    async () => {
      await root.query("SET GLOBAL log_output = 'TABLE'");
      await root.query('SET GLOBAL general_log = ON');
      try {
        await fx.rotate();
        const first = await fx.secretAt({ stage: 'ACSCurrent' });
        expect(first?.AccountName).toBe(`${fx.sandbox.app.user}_rt`);
        expect(await keyed(String(first?.AccountName), String(first?.AccountPassword))).toBe(true);
        expect(await read(first)).toBe('hello');

        // The second rotation changes the original account, which exists: ALTER USER ... VIA ed25519.
        await fx.rotate();
        const second = await fx.secretAt({ stage: 'ACSCurrent' });
        expect(second?.AccountName).toBe(fx.sandbox.app.user);
        expect(await keyed(String(second?.AccountName), String(second?.AccountPassword))).toBe(true);
        expect(await read(second)).toBe('hello');
        expect(await read({ AccountName: fx.sandbox.app.user, AccountPassword: fx.sandbox.app.password })).toBe(
          'refused: ER_ACCESS_DENIED_ERROR',
        );
        expect(await read(await fx.secretAt({ stage: 'ACSPrevious' }))).toBe('hello');
      } finally {
        await root.query('SET GLOBAL general_log = OFF');
      }
      const [rows] = await root.query<mysql.RowDataPacket[]>(
        "SELECT CONVERT(argument USING utf8mb4) AS text FROM mysql.general_log WHERE command_type = 'Query'",
      );
      const statements = rows.map((r) => String(r['text']));
      const viaEd25519 = statements.filter((s) => /^\s*(CREATE|ALTER) USER .* IDENTIFIED VIA ed25519 USING '[A-Za-z0-9+/]{43}'$/i.test(s));
      expect(viaEd25519.length).toBeGreaterThanOrEqual(3);
      const passwords = [fx.sandbox.app.password];
      for (const v of await fx.store.listVersions(fx.secretName)) {
        const data = await fx.store.find(fx.secretName, { versionId: v.versionId });
        passwords.push(String((JSON.parse(data?.data ?? '{}') as { AccountPassword?: string }).AccountPassword));
      }
      const all = statements.join('\n');
      // Counted, never printed.
      expect(passwords.filter((p) => all.includes(p)).length, 'passwords found in the general log').toBe(0);
      expect(statements.filter((s) => /^\s*(CREATE|ALTER) USER .*PASSWORD\s*\(/i.test(s)).length).toBe(0);
      const logs = fx.logs.join('\n');
      expect(
        passwords.filter((p) => logs.includes(p) || logs.includes(ed25519AuthString(p))).length,
        'passwords or keys in the log lines',
      ).toBe(0);
    },
  );
});
