// Issue 11 item 2, unbounded waits and late writes: with FLUSH TABLES WITH READ LOCK held (as
// backup tools do) or the privilege table locked, `set` must fail with TransientError within its
// bound, leave no statement of its own queued or running on the server, and never change the
// account after it returned. Server-wide locks run on a private MariaDB, never on the shared one.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import mysql from 'mysql2/promise';
import type { Account } from '../../../src/backends/backend.js';
import { MysqlBackend } from '../../../src/backends/mysql/backend.js';
import { statementKind, type ConnectionLimits } from '../../../src/backends/mysql/connection.js';
import { createLogger } from '../../../src/log.js';
import { adminConnection, createSandbox, samplePassword, type Sandbox } from '../../../src/local/fixtures/mysql-sandbox.js';
import { Fixture } from '../../support/fixture.js';
import { startThrowawayMariadb, type ThrowawayMariadb } from '../../support/throwaway-mariadb.js';
import { sandboxAccount, sandboxMaster } from '../../support/sandbox-accounts.js';

/** Server-side bounds of 1 s, a client deadline of 1.5 s: the same mechanisms as shipped, in seconds. */
const SHORT: Partial<ConnectionLimits> = {
  lockWaitTimeoutS: 1,
  serverStatementTimeoutS: 1,
  statementDeadlineMs: 1_500,
  sessionDeadlineMs: 6_000,
  loginCheckDeadlineMs: 3_000,
  killDeadlineMs: 2_000,
};
/** As on MySQL, where max_execution_time covers SELECT only: nothing but the client deadline and KILL stop the wait. */
const CLIENT_ONLY: Partial<ConnectionLimits> = { ...SHORT, serverStatementTimeoutS: 0 };
/** Statement deadline, plus KILL, plus slack for two busy cores. */
const BOUND_MS = 5_000;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** How `promise` ended, or 'still waiting' after `ms`: today's code waits a day, and the test must say so rather than hang. */
async function settle(promise: Promise<unknown>, ms: number): Promise<{ error?: Error; value?: unknown; ms: number } | 'still waiting'> {
  const started = Date.now();
  return Promise.race([
    promise.then(
      (value) => ({ value, ms: Date.now() - started }),
      (error: Error) => ({ error, ms: Date.now() - started }),
    ),
    sleep(ms).then(() => 'still waiting' as const),
  ]);
}

describe('set under a server-wide lock (throwaway MariaDB)', () => {
  let db: ThrowawayMariadb;
  let sandbox: Sandbox;
  /** Holds the lock. */
  let holder: mysql.Connection;
  /** Looks on. */
  let observer: mysql.Connection;
  const lines: string[] = [];

  beforeAll(async () => {
    db = await startThrowawayMariadb();
  });
  afterAll(async () => {
    await db?.stop();
  });
  beforeEach(async () => {
    sandbox = await createSandbox({ prefix: 'd', server: db.server });
    holder = await adminConnection(db.server);
    observer = await adminConnection(db.server);
  });
  afterEach(async () => {
    await holder?.query('UNLOCK TABLES').catch(() => {});
    holder?.destroy();
    observer?.destroy();
    await sandbox?.cleanup();
  });

  const backend = (limits: Partial<ConnectionLimits>): MysqlBackend =>
    new MysqlBackend({
      label: 'secret d',
      log: createLogger({ sink: (l) => lines.push(l) }),
      ca: undefined,
      accountNameMaxLength: undefined,
      limits,
    });
  // The sandbox lives on the throwaway server, so its accounts point there.
  const account = (user: string, password: string): Account => sandboxAccount(sandbox, user, password);
  const plan = (pendingPassword: string) => ({
    current: account(sandbox.app.user, sandbox.app.password),
    pending: account(`${sandbox.app.user}_rt`, pendingPassword),
    master: sandboxMaster(sandbox),
  });

  /**
   * Statements of the master's sessions the server still runs or has queued, by kind and state only:
   * the statement text would carry a password hash into a failing test's output.
   */
  async function masterStatements(): Promise<unknown[]> {
    const [rows] = await observer.query(
      'SELECT ID, COMMAND, STATE, INFO FROM information_schema.PROCESSLIST WHERE USER = ? AND INFO IS NOT NULL',
      [sandbox.master.user],
    );
    return (rows as { ID: unknown; COMMAND: unknown; STATE: unknown; INFO: unknown }[]).map((r) => ({
      id: r.ID,
      command: r.COMMAND,
      state: r.STATE,
      statement: statementKind(String(r.INFO)),
    }));
  }
  /** The statement `kind` was stopped at the client deadline, within the bound, and nothing of the master's still runs. */
  async function expectStoppedAt(outcome: Awaited<ReturnType<typeof settle>>, kind: string): Promise<void> {
    expect(outcome).not.toBe('still waiting');
    if (outcome === 'still waiting') return;
    expect(outcome.error).toMatchObject({
      name: 'TransientError',
      message: `secret d: a statement as ${sandbox.master.user} (${kind}) did not finish within 1.5 s; it was stopped on the server`,
    });
    expect(outcome.ms).toBeLessThan(BOUND_MS);
    expect(await masterStatements()).toEqual([]);
  }

  /** The alternate's rows, password hash included: never hand them to expect, which prints them on a failure. */
  async function alternateRows(): Promise<{ Host: string; auth: string }[]> {
    const [rows] = await observer.query('SELECT Host, authentication_string AS auth FROM mysql.user WHERE User = ? ORDER BY Host', [
      `${sandbox.app.user}_rt`,
    ]);
    return rows as { Host: string; auth: string }[];
  }
  /** The alternate's hosts, and whether each row's hash is still the one in `before` (compared, never printed). */
  async function alternateHosts(before: { Host: string; auth: string }[] = []): Promise<{ host: string; unchanged: boolean }[]> {
    return (await alternateRows()).map((row, i) => ({ host: row.Host, unchanged: row.auth === before[i]?.auth }));
  }

  it('FLUSH TABLES WITH READ LOCK: CREATE USER fails with TransientError, leaves nothing behind, and a retry converges', async () => {
    await holder.query('FLUSH TABLES WITH READ LOCK');
    const p = plan(samplePassword());
    const b = backend(SHORT);
    const outcome = await settle(b.apply(p), BOUND_MS);
    expect(outcome).not.toBe('still waiting');
    if (outcome === 'still waiting') return;
    expect(outcome.error).toMatchObject({ name: 'TransientError', message: expect.stringMatching(/^secret d: .*CREATE USER/) });
    // A boolean: a failing match must not print a statement text, which carries the hash.
    expect(/IDENTIFIED|'/.test(outcome.error?.message ?? '')).toBe(false);
    expect(outcome.ms).toBeLessThan(BOUND_MS);
    expect(await masterStatements()).toEqual([]);

    await holder.query('UNLOCK TABLES');
    await sleep(500);
    expect(await alternateHosts()).toEqual([]);
    expect(await b.apply(p)).toEqual({ created: true });
    expect(await b.loginState(p.pending)).toBe('works');
  });

  it('FLUSH TABLES WITH READ LOCK, no server-side statement limit: the client deadline KILLs the queued ALTER USER, which never runs later', async () => {
    const oldPassword = samplePassword();
    const b = backend(CLIENT_ONLY);
    await b.apply(plan(oldPassword));
    const before = await alternateRows();
    expect(before.length).toBeGreaterThan(0);

    await holder.query('FLUSH TABLES WITH READ LOCK');
    const next = plan(samplePassword());
    const outcome = await settle(b.apply(next), BOUND_MS);
    // Today's code would still be waiting (lock_wait_timeout does not bound this wait on MariaDB).
    await expectStoppedAt(outcome, 'ALTER USER');

    // The lock goes away, as a backup ends: nothing of ours may write now.
    await holder.query('UNLOCK TABLES');
    await sleep(1_000);
    expect(await alternateHosts(before)).toEqual(before.map((row) => ({ host: row.Host, unchanged: true })));
    expect(await b.loginState(next.pending)).toBe('refused');
    expect(await b.loginState(account(next.pending.user, oldPassword))).toBe('works');
  });

  it('LOCK TABLES mysql.global_priv WRITE: the first read of mysql.user fails at lock_wait_timeout with TransientError', async () => {
    await holder.query('LOCK TABLES mysql.global_priv WRITE');
    const outcome = await settle(backend(CLIENT_ONLY).apply(plan(samplePassword())), BOUND_MS);
    expect(outcome).not.toBe('still waiting');
    if (outcome === 'still waiting') return;
    expect(outcome.error).toMatchObject({
      name: 'TransientError',
      message: expect.stringMatching(/^secret d: a statement as \S+ \(SELECT\) failed: ER_LOCK_WAIT_TIMEOUT$/),
    });
    expect(outcome.ms).toBeLessThan(BOUND_MS);
    expect(await masterStatements()).toEqual([]);
  });

  it('LOCK TABLES mysql.global_priv READ: CREATE USER, which MariaDB lets wait past lock_wait_timeout, is killed at the client deadline; nothing runs later', async () => {
    await holder.query('LOCK TABLES mysql.global_priv READ');
    const outcome = await settle(backend(CLIENT_ONLY).apply(plan(samplePassword())), BOUND_MS);
    await expectStoppedAt(outcome, 'CREATE USER');
    await holder.query('UNLOCK TABLES');
    await sleep(500);
    expect(await alternateHosts()).toEqual([]);
  });
});

describe('the set step with the shipped limits under FLUSH TABLES WITH READ LOCK (throwaway MariaDB)', () => {
  let db: ThrowawayMariadb;
  let fx: Fixture;
  let holder: mysql.Connection | undefined;
  beforeAll(async () => {
    db = await startThrowawayMariadb();
  });
  afterAll(async () => {
    await holder?.query('UNLOCK TABLES').catch(() => {});
    holder?.destroy();
    await fx?.stop();
    await db?.stop();
  });

  it('fails with TransientError well inside a minute, and a retry after the lock is gone finishes', { timeout: 60_000 }, async () => {
    fx = await Fixture.start({ server: db.server });
    await fx.seed();
    const { VersionId } = await fx.invoke('new');
    holder = await adminConnection(db.server);
    await holder.query('FLUSH TABLES WITH READ LOCK');
    const outcome = await settle(fx.invoke('set', VersionId), 25_000);
    expect(outcome).not.toBe('still waiting');
    if (outcome === 'still waiting') return;
    expect(outcome.error).toMatchObject({ name: 'TransientError', message: expect.stringMatching(/^step set: secret .*CREATE USER/) });
    // MariaDB's max_statement_time (10 s) ends it; the client deadline (15 s) would otherwise.
    expect(outcome.ms).toBeLessThan(20_000);
    await holder.query('UNLOCK TABLES');
    await fx.invoke('set', VersionId);
    const pending = await fx.secretAt({ stage: 'ACSPending' });
    expect(await fx.login(pending!)).toBe('hello');
  });
});
