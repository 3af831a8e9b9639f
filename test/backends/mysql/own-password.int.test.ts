// The self-managed backend's single-account path on the real MariaDB: the account, logged in as
// itself, changes its own password (by its hash: MariaDB has no dual passwords, so the old one stops
// working), its grants untouched; a login another set already made stale converges; the dry run
// shows the same statement and changes nothing. Passwords are compared as booleans, never printed.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type mysql from 'mysql2/promise';
import type { RotationPlan } from '../../../src/backends/backend.js';
import { MysqlBackend } from '../../../src/backends/mysql/backend.js';
import { nativePasswordHash } from '../../../src/backends/mysql/password-hash.js';
import { adminConnection, createSandbox, samplePassword, type Sandbox } from '../../../src/local/fixtures/mysql-sandbox.js';
import { sandboxAccount, testMysqlBackend } from '../../support/sandbox-accounts.js';

describe('MysqlBackend, RotationStrategy single', () => {
  let sandbox: Sandbox;
  let admin: mysql.Connection;
  let backend: MysqlBackend;
  const lines: string[] = [];
  beforeEach(async () => {
    sandbox = await createSandbox({ prefix: 'o' });
    admin = await adminConnection(sandbox.server);
    lines.length = 0;
    backend = testMysqlBackend(lines);
  });
  afterEach(async () => {
    await admin?.end();
    await sandbox?.cleanup();
  });

  const app = (password: string) => sandboxAccount(sandbox, sandbox.app.user, password);
  const plan = (pendingPassword: string, loginPassword = sandbox.app.password): RotationPlan => ({
    current: app(sandbox.app.password),
    pending: app(pendingPassword),
    strategy: 'single',
    login: app(loginPassword),
  });

  async function storedHash(): Promise<string> {
    const [rows] = await admin.query('SELECT authentication_string AS h, plugin FROM mysql.user WHERE User = ? AND Host = ?', [
      sandbox.app.user,
      sandbox.app.host,
    ]);
    const row = (rows as { h: string; plugin: string }[])[0]!;
    expect(row.plugin).toBe('mysql_native_password');
    return row.h;
  }

  /** SHOW GRANTS without the password hash MariaDB prints in it. */
  const grants = async (): Promise<string[]> =>
    ((await admin.query('SHOW GRANTS FOR ?@?', [sandbox.app.user, sandbox.app.host]))[0] as Record<string, string>[]).map((row) =>
      String(Object.values(row)[0]).replace(/ IDENTIFIED BY PASSWORD '[^']*'/, ''),
    );

  it('changes the account’s own password, its grants untouched; the old password stops working', async () => {
    const before = await grants();
    const next = samplePassword();
    expect(await backend.apply(plan(next))).toEqual({ created: false });
    expect((await storedHash()) === nativePasswordHash(next)).toBe(true);
    expect(await backend.loginState(app(next))).toBe('works');
    expect(await backend.loginState(app(sandbox.app.password))).toBe('refused');
    expect(await grants()).toEqual(before);
    expect(lines.some((l) => l.includes('"outcome":"replaced"'))).toBe(true);
    expect([next, sandbox.app.password].map((p) => lines.join('\n').includes(p))).toEqual([false, false]);
  });

  it('converges when another set changed the password first (its login refused, the pending one works)', async () => {
    const next = samplePassword();
    await backend.apply(plan(next));
    // A second set that passed its checks before the first changed the password.
    expect(await backend.apply(plan(next))).toEqual({ created: false });
    expect(lines.some((l) => l.includes('another set already changed the password'))).toBe(true);
    expect(await backend.loginState(app(next))).toBe('works');
  });

  it('refuses with PreconditionError, changing nothing, when neither its login nor the pending password works', async () => {
    const hash = await storedHash();
    await expect(backend.apply(plan(samplePassword(), 'Wrong-Password-1'))).rejects.toMatchObject({
      name: 'PreconditionError',
      message: expect.stringMatching(/the account's credentials no longer log in/),
    });
    expect((await storedHash()) === hash).toBe(true);
  });

  it('previews the one statement apply sends, redacted, and changes nothing', async () => {
    const hash = await storedHash();
    const next = samplePassword();
    const changes = await backend.preview(plan(next));
    expect(changes).toEqual([
      { kind: 'note', text: expect.stringContaining('no dual passwords') },
      { kind: 'sql', statement: "SET PASSWORD = '<redacted>'" },
    ]);
    expect(JSON.stringify(changes).includes(next)).toBe(false);
    expect((await storedHash()) === hash).toBe(true);
  });

  it('refuses a plan whose login is another account', async () => {
    const wrong = { ...plan(samplePassword()), login: sandboxAccount(sandbox, sandbox.master.user, sandbox.master.password) };
    await expect(backend.apply(wrong)).rejects.toMatchObject({ name: 'InternalError' });
  });
});
