// Issue 11 item 6, error classes a retry or an operator depends on, on the shared MariaDB (every
// fault here is one account's: a racing set, a connection limit, a lock, an expired password).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type mysql from 'mysql2/promise';
import type { Account } from '../../../src/backends/backend.js';
import { MysqlBackend } from '../../../src/backends/mysql/backend.js';
import { quoteIdentifier } from '../../../src/backends/mysql/sql.js';
import { createLogger } from '../../../src/log.js';
import { adminConnection, createSandbox, samplePassword, type Sandbox } from '../../../src/local/fixtures/mysql-sandbox.js';
import { Fixture } from '../../support/fixture.js';
import { startThrowawayMariadb } from '../../support/throwaway-mariadb.js';
import { sandboxAccount, sandboxMaster } from '../../support/sandbox-accounts.js';

describe('MysqlBackend error classes', () => {
  let sandbox: Sandbox;
  let admin: mysql.Connection;
  const held: mysql.Connection[] = [];
  const lines: string[] = [];
  beforeEach(async () => {
    sandbox = await createSandbox({ prefix: 'e' });
    admin = await adminConnection(sandbox.server);
  });
  afterEach(async () => {
    for (const c of held.splice(0)) c.destroy();
    await admin?.end();
    await sandbox?.cleanup();
  });

  const backend = (): MysqlBackend =>
    new MysqlBackend({
      label: 'secret e',
      log: createLogger({ sink: (l) => lines.push(l) }),
      ca: undefined,
      accountNameMaxLength: undefined,
    });
  const account = (user: string, password: string): Account => sandboxAccount(sandbox, user, password);
  const current = (): Account => account(sandbox.app.user, sandbox.app.password);
  const master = (): Account => sandboxMaster(sandbox);
  const alt = (): string => `${sandbox.app.user}_rt`;
  const alternateHosts = async (): Promise<unknown[]> =>
    (await admin.query('SELECT Host FROM mysql.user WHERE User = ?', [alt()]))[0] as unknown[];

  describe('two applies of one version at the same moment', () => {
    // More host entries make each plan longer, so both plan before either writes.
    beforeEach(async () => {
      const db = quoteIdentifier(sandbox.database);
      for (const host of ['10.%', '192.168.%', '172.16.%']) {
        await admin.query('CREATE USER ?@? IDENTIFIED BY ?', [sandbox.app.user, host, sandbox.app.password]);
        await admin.query(`GRANT SELECT, INSERT ON ${db}.* TO ?@?`, [sandbox.app.user, host]);
      }
    });

    /** Both succeed, or the loser throws TransientError and its retry succeeds; the pending login works either way. */
    async function race(pending: Account): Promise<void> {
      const plan = { current: current(), pending, master: master() };
      const outcomes = await Promise.allSettled([backend().apply(plan), backend().apply(plan)]);
      for (const o of outcomes) {
        if (o.status === 'rejected') {
          expect(o.reason).toMatchObject({ name: 'TransientError' });
          await backend().apply(plan);
        }
      }
      expect(await backend().loginState(pending)).toBe('works');
    }

    it('creating the alternate: never ER_CANNOT_USER as DatabaseError', async () => {
      for (let round = 0; round < 4; round++) {
        for (const row of (await alternateHosts()) as { Host: string }[]) await admin.query('DROP USER ?@?', [alt(), row.Host]);
        await race(account(alt(), samplePassword()));
      }
    });

    it('revoking an extra grant of an existing alternate: never ER_NONEXISTING_TABLE_GRANT as DatabaseError', async () => {
      const db = quoteIdentifier(sandbox.database);
      await backend().apply({ current: current(), pending: account(alt(), samplePassword()), master: master() });
      for (let round = 0; round < 4; round++) {
        for (const row of (await alternateHosts()) as { Host: string }[]) {
          // A grant row of its own (the table's), which the first REVOKE removes whole: the second finds none.
          await admin.query(`GRANT DELETE, DROP ON ${db}.${quoteIdentifier(sandbox.table)} TO ?@?`, [alt(), row.Host]);
        }
        await race(account(alt(), samplePassword()));
      }
    });
  });

  it('an account at its MAX_USER_CONNECTIONS: TransientError (ER_USER_LIMIT_REACHED), not DatabaseError', async () => {
    await admin.query('ALTER USER ?@? WITH MAX_USER_CONNECTIONS 1', [sandbox.app.user, sandbox.app.host]);
    held.push(await adminConnection({ ...sandbox.server, user: sandbox.app.user, password: sandbox.app.password }));
    const b = backend();
    const err = await b.loginState(current()).catch((e: Error) => e);
    expect(err).toMatchObject({
      name: 'TransientError',
      message: `secret e: connecting as ${sandbox.app.user} failed: ER_USER_LIMIT_REACHED`,
    });
    await expect(b.verify(current())).rejects.toMatchObject({ name: 'TransientError' });
  });

  it('a locked current account: PreconditionError saying so, before anything changes', async () => {
    await admin.query('ALTER USER ?@? ACCOUNT LOCK', [sandbox.app.user, sandbox.app.host]);
    const b = backend();
    // Told apart from a wrong password, which stays a plain refusal; set refuses a locked current account.
    expect(await b.loginState(account(alt(), samplePassword()))).toBe('refused');
    expect(await b.loginState(account(sandbox.app.user, 'Not-the-password-1'))).toBe('refused');
    expect(await b.loginState(current())).toBe('locked');
    expect(await alternateHosts()).toEqual([]);
    await expect(b.verify(current())).rejects.toMatchObject({
      name: 'PreconditionError',
      message: `secret e: the pending account ${sandbox.app.user} is locked (ACCOUNT LOCK)`,
    });
  });

  it('a current account whose password expired: PreconditionError saying so, before anything changes', async () => {
    await admin.query('ALTER USER ?@? PASSWORD EXPIRE', [sandbox.app.user, sandbox.app.host]);
    const b = backend();
    expect(await b.loginState(current())).toBe('expired');
    expect(await alternateHosts()).toEqual([]);
    await expect(b.verify(current())).rejects.toMatchObject({
      name: 'PreconditionError',
      message: expect.stringMatching(/the pending account \S+ has an expired password/),
    });
  });

  it('a master account that is locked or expired: PreconditionError naming the master secret', async () => {
    await admin.query('ALTER USER ?@? ACCOUNT LOCK', [sandbox.master.user, sandbox.master.host]);
    const plan = { current: current(), pending: account(alt(), samplePassword()), master: master() };
    await expect(backend().apply(plan)).rejects.toMatchObject({
      name: 'PreconditionError',
      message: `secret e: the master secret's account ${sandbox.master.user} is locked (ACCOUNT LOCK)`,
    });
    await admin.query('ALTER USER ?@? ACCOUNT UNLOCK PASSWORD EXPIRE', [sandbox.master.user, sandbox.master.host]);
    await expect(backend().apply(plan)).rejects.toMatchObject({
      name: 'PreconditionError',
      message: `secret e: the master secret's account ${sandbox.master.user} has an expired password (PASSWORD EXPIRE)`,
    });
  });
});

describe('the set step with a locked or expired account', () => {
  let fx: Fixture | undefined;
  afterEach(async () => {
    await fx?.stop();
    fx = undefined;
  });

  for (const [fault, said] of [
    ['ACCOUNT LOCK', 'is locked'],
    ['PASSWORD EXPIRE', 'has an expired password'],
  ] as const) {
    it(`${fault} on the current account: PreconditionError saying it ${said}, and nothing changed`, async () => {
      fx = await Fixture.start();
      await fx.seed();
      const { VersionId } = await fx.invoke('new');
      const admin = await adminConnection(fx.sandbox.server);
      try {
        await admin.query(`ALTER USER ?@? ${fault}`, [fx.sandbox.app.user, fx.sandbox.app.host]);
      } finally {
        await admin.end();
      }
      const before = await fx.snapshot();
      await expect(fx.invoke('set', VersionId)).rejects.toMatchObject({
        name: 'PreconditionError',
        message: expect.stringContaining(`: the current account ${fx.sandbox.app.user} ${said}`),
      });
      expect(await fx.snapshot()).toEqual(before);
    });

    it(`${fault} on the pending account whose password is already set: no blocker for set`, async () => {
      fx = await Fixture.start();
      await fx.seed();
      const { VersionId } = await fx.invoke('new');
      await fx.invoke('set', VersionId);
      const admin = await adminConnection(fx.sandbox.server);
      try {
        await admin.query(`ALTER USER ?@? ${fault}`, [`${fx.sandbox.app.user}_rt`, fx.sandbox.app.host]);
      } finally {
        await admin.end();
      }
      // A retried set rewrites the pending account instead of stopping at it.
      await expect(fx.invoke('set', VersionId)).resolves.toMatchObject({ Step: 'set' });
    });
  }
});

describe('an account statement the server refuses for good (throwaway MariaDB)', () => {
  let db: Awaited<ReturnType<typeof startThrowawayMariadb>>;
  let sandbox: Sandbox;
  beforeEach(async () => {
    db = await startThrowawayMariadb();
    sandbox = await createSandbox({ prefix: 'n', server: db.server });
    const root = await adminConnection(db.server);
    try {
      // Strict validation refuses a password given as a hash: ALTER USER fails with 1396, as a race would.
      await root.query("INSTALL SONAME 'simple_password_check'");
      await root.query('CREATE USER ?@? IDENTIFIED BY ?', [`${sandbox.app.user}_rt`, sandbox.app.host, samplePassword()]);
    } finally {
      await root.end();
    }
  });
  afterEach(async () => {
    await sandbox?.cleanup();
    await db?.stop();
  });

  it('is a DatabaseError once a fresh plan shows nothing changed, not a TransientError retried for ever', { timeout: 60_000 }, async () => {
    const lines: string[] = [];
    const b = new MysqlBackend({
      label: 'secret n',
      log: createLogger({ sink: (l) => lines.push(l) }),
      ca: undefined,
      accountNameMaxLength: undefined,
      forceHashes: true,
    });
    const at = (user: string, password: string): Account => ({
      user,
      password,
      endpoint: db.server.host,
      port: db.server.port,
      ssl: false,
    });
    const err = await b
      .apply({
        current: at(sandbox.app.user, sandbox.app.password),
        pending: at(`${sandbox.app.user}_rt`, samplePassword()),
        master: at(sandbox.master.user, sandbox.master.password),
      })
      .then(
        () => undefined,
        (e: Error) => e,
      );
    expect(err?.name).toBe('DatabaseError');
    expect(err?.message).toMatch(/^secret n: an account statement failed, and nothing has changed since: it was not another set running$/);
  });
});
