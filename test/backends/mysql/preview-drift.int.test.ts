// preview and apply cannot drift: with MariaDB's general log on, preview sends only reads, and apply
// then sends exactly the statements preview listed, in its order, text for text (each '<redacted>'
// standing for the one literal it hides), besides its own reads. The general log is server-wide, so
// this runs on a throwaway MariaDB, never the shared server.
import type mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RotationPlan } from '../../../src/backends/backend.js';
import { MysqlBackend } from '../../../src/backends/mysql/backend.js';
import { nativePasswordHash } from '../../../src/backends/mysql/password-hash.js';
import { quoteIdentifier } from '../../../src/backends/mysql/sql.js';
import { createLogger } from '../../../src/log.js';
import { adminConnection, createSandbox, samplePassword, type Sandbox } from '../../../src/local/fixtures/mysql-sandbox.js';
import { sandboxAccount, sandboxMaster } from '../../support/sandbox-accounts.js';
import { startThrowawayMariadb, type ThrowawayMariadb } from '../../support/throwaway-mariadb.js';

/** What a session sends to read, or to set itself up: never a change to an account. */
const READ = /^\s*(SELECT|SHOW|SET SESSION)\b/i;

describe('preview and apply on the general log (throwaway MariaDB)', () => {
  let db: ThrowawayMariadb;
  let root: mysql.Connection;
  let sandbox: Sandbox;
  beforeAll(async () => {
    db = await startThrowawayMariadb();
    root = await adminConnection(db.server);
    await root.query("SET GLOBAL log_output = 'TABLE'");
  }, 60_000);
  afterAll(async () => {
    await sandbox?.cleanup();
    await root?.end();
    await db?.stop();
  });

  /** The Query statements the master's sessions sent while `work` ran, in order. */
  async function logged(work: () => Promise<unknown>): Promise<string[]> {
    await root.query('TRUNCATE TABLE mysql.general_log');
    await root.query('SET GLOBAL general_log = ON');
    try {
      await work();
    } finally {
      await root.query('SET GLOBAL general_log = OFF');
    }
    const [rows] = await root.query(
      "SELECT CONVERT(argument USING utf8mb4) AS text FROM mysql.general_log WHERE command_type = 'Query' AND thread_id IN (SELECT thread_id FROM mysql.general_log WHERE command_type = 'Connect' AND CONVERT(argument USING utf8mb4) LIKE CONCAT(?, '@%'))",
      [sandbox.master.user],
    );
    return (rows as { text: string }[]).map((r) => r.text);
  }

  /** A preview statement as a pattern: its text exactly, each '<redacted>' any one string literal. */
  function pattern(statement: string): RegExp {
    const parts = statement.split("'<redacted>'").map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
    return new RegExp(`^${parts.join("'(?:[^'\\\\]|\\\\.)*'")}$`, 's');
  }

  it(
    'sends only reads for preview, then exactly what preview listed for apply: creates, grants, revokes, REQUIRE, unlock, password',
    { timeout: 60_000 },
    async () => {
      sandbox = await createSandbox({ prefix: 'd', server: db.server });
      const { app, database } = sandbox;
      const alt = `${app.user}_rt`;
      const dbName = quoteIdentifier(database);
      // A second host entry with its own REQUIRE, and an alternate left half made on '%': locked, an extra privilege, another REQUIRE.
      await root.query('CREATE USER ?@? IDENTIFIED BY ? REQUIRE X509', [app.user, '10.%', app.password]);
      await root.query(`GRANT SELECT ON ${dbName}.* TO ?@? WITH GRANT OPTION`, [app.user, '10.%']);
      await root.query('CREATE USER ?@? IDENTIFIED BY ? REQUIRE SSL ACCOUNT LOCK', [alt, '%', 'Half-made-1']);
      await root.query(`GRANT SELECT, DROP ON ${dbName}.* TO ?@?`, [alt, '%']);

      const backend = new MysqlBackend({
        label: 'secret d',
        log: createLogger({ sink: () => {} }),
        ca: undefined,
        accountNameMaxLength: undefined,
      });
      const password = samplePassword();
      const plan: RotationPlan = {
        current: sandboxAccount(sandbox, app.user, app.password),
        pending: sandboxAccount(sandbox, alt, password),
        master: sandboxMaster(sandbox),
      };

      let listed: string[] = [];
      const previewSent = await logged(async () => {
        listed = (await backend.preview(plan)).flatMap((c) => (c.kind === 'sql' ? [c.statement] : []));
      });
      expect(previewSent.length).toBeGreaterThan(5);
      expect(previewSent.filter((s) => !READ.test(s))).toEqual([]);
      // Every kind of change is in the list: the comparison below has something to compare.
      for (const kind of [/^CREATE USER /, /^GRANT /, /^REVOKE /, /REQUIRE /, /ACCOUNT UNLOCK/, /IDENTIFIED BY PASSWORD '<redacted>', /]) {
        expect(listed.some((s) => kind.test(s))).toBe(true);
      }

      const applySent = await logged(() => backend.apply(plan));
      const changes = applySent.filter((s) => !READ.test(s));
      expect(changes).toHaveLength(listed.length);
      // Compared, never printed: a failing run shows the listed (redacted) statement, not the hash that was sent.
      changes.forEach((sent, i) => expect(pattern(listed[i] as string).test(sent), `statement ${i}: ${listed[i]}`).toBe(true));
      // The redacted literal of the last statement was the new password's hash.
      expect(changes.at(-1)?.includes(`'${nativePasswordHash(password)}'`)).toBe(true);
      expect(await backend.loginState(plan.pending)).toBe('works');

      // A second preview after apply plans the password alone, as the read-back found nothing left to do.
      expect((await backend.preview(plan)).flatMap((c) => (c.kind === 'sql' ? [c.statement] : []))).toEqual([
        `ALTER USER '${alt}'@'%' IDENTIFIED BY PASSWORD '<redacted>', '${alt}'@'10.%' IDENTIFIED BY PASSWORD '<redacted>'`,
      ]);
    },
  );
});
