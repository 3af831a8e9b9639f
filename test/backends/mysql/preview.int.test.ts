// MysqlBackend.preview on the real MariaDB: the statements apply would send, quoted as sent and with
// every password redacted, the same refusals as apply, and nothing changed on the server.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type mysql from 'mysql2/promise';
import type { PlannedChange, RotationPlan } from '../../../src/backends/backend.js';
import { MysqlBackend } from '../../../src/backends/mysql/backend.js';
import { nativePasswordHash } from '../../../src/backends/mysql/password-hash.js';
import { quoteIdentifier } from '../../../src/backends/mysql/sql.js';
import { adminConnection, createSandbox, samplePassword, type Sandbox } from '../../../src/local/fixtures/mysql-sandbox.js';
import { sandboxAccount, sandboxMaster, testMysqlBackend } from '../../support/sandbox-accounts.js';
import { refusal } from '../../support/failure.js';

describe('MysqlBackend.preview', () => {
  let sandbox: Sandbox;
  let admin: mysql.Connection;
  let backend: MysqlBackend;
  const lines: string[] = [];
  beforeEach(async () => {
    sandbox = await createSandbox({ prefix: 'p' });
    admin = await adminConnection(sandbox.server);
    backend = testMysqlBackend(lines, 'secret p');
  });
  afterEach(async () => {
    await admin?.end();
    await sandbox?.cleanup();
  });

  const alt = () => `${sandbox.app.user}_rt`;
  const db = () => quoteIdentifier(sandbox.database);
  const plan = (pendingPassword = samplePassword()): RotationPlan => ({
    current: sandboxAccount(sandbox, sandbox.app.user, sandbox.app.password),
    pending: sandboxAccount(sandbox, alt(), pendingPassword),
    master: sandboxMaster(sandbox),
  });
  const statements = (changes: PlannedChange[]) => changes.flatMap((c) => (c.kind === 'sql' ? [c.statement] : []));

  /** Every account of the sandbox with its password hash, TLS, lock state and grants: what a dry run must leave as it was. */
  async function serverState(): Promise<unknown> {
    const users = [sandbox.app.user, alt(), sandbox.master.user];
    const [rows] = await admin.query('SELECT * FROM mysql.user WHERE User IN (?) ORDER BY User, Host', [users]);
    const accounts = rows as { User: string; Host: string }[];
    const grants: Record<string, unknown> = {};
    for (const a of accounts) grants[`${a.User}@${a.Host}`] = (await admin.query('SHOW GRANTS FOR ?@?', [a.User, a.Host]))[0];
    return { accounts, grants };
  }

  it('lists the CREATE USER, GRANT, REQUIRE and password statements of a first rotation, quoted as sent, and changes nothing', async () => {
    await admin.query('CREATE USER ?@? IDENTIFIED BY ? REQUIRE SSL', [sandbox.app.user, '10.%', sandbox.app.password]);
    await admin.query(`GRANT SELECT ON ${db()}.* TO ?@?`, [sandbox.app.user, '10.%']);
    const before = await serverState();
    const changes = await backend.preview(plan());
    expect(changes).toEqual([
      { kind: 'sql', statement: `CREATE USER '${alt()}'@'%' IDENTIFIED BY PASSWORD '<redacted>'` },
      { kind: 'sql', statement: `GRANT SELECT, INSERT, UPDATE, DELETE ON \`${sandbox.database}\`.* TO '${alt()}'@'%'` },
      { kind: 'sql', statement: `ALTER USER '${alt()}'@'%' REQUIRE NONE` },
      { kind: 'sql', statement: `CREATE USER '${alt()}'@'10.%' IDENTIFIED BY PASSWORD '<redacted>'` },
      { kind: 'sql', statement: `GRANT SELECT ON \`${sandbox.database}\`.* TO '${alt()}'@'10.%'` },
      { kind: 'sql', statement: `ALTER USER '${alt()}'@'10.%' REQUIRE SSL` },
      {
        kind: 'sql',
        statement: `ALTER USER '${alt()}'@'%' IDENTIFIED BY PASSWORD '<redacted>', '${alt()}'@'10.%' IDENTIFIED BY PASSWORD '<redacted>'`,
      },
    ]);
    expect(await serverState()).toEqual(before);
    const [rows] = await admin.query('SELECT Host FROM mysql.user WHERE User = ?', [alt()]);
    expect(rows).toEqual([]);
  });

  it('lists the REVOKE of a privilege the alternate holds beyond the current account, and the unlock of a locked alternate', async () => {
    await admin.query('CREATE USER ?@? IDENTIFIED BY ? ACCOUNT LOCK', [alt(), '%', 'Left-behind-1']);
    await admin.query(`GRANT SELECT, INSERT, UPDATE, DELETE, DROP ON ${db()}.* TO ?@?`, [alt(), '%']);
    const before = await serverState();
    const changes = await backend.preview(plan());
    expect(statements(changes)).toEqual([
      `REVOKE DROP ON \`${sandbox.database}\`.* FROM '${alt()}'@'%'`,
      `ALTER USER '${alt()}'@'%' ACCOUNT UNLOCK`,
      `ALTER USER '${alt()}'@'%' PASSWORD EXPIRE DEFAULT`,
      `ALTER USER '${alt()}'@'%' IDENTIFIED BY PASSWORD '<redacted>'`,
    ]);
    expect(await serverState()).toEqual(before);
  });

  it('says so where the alternate already matches: only its password is set', async () => {
    await admin.query('CREATE USER ?@? IDENTIFIED BY ?', [alt(), '%', 'Left-behind-1']);
    await admin.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON ${db()}.* TO ?@?`, [alt(), '%']);
    expect(await backend.preview(plan())).toEqual([
      {
        kind: 'note',
        text: "the alternate account already has the current account's grants, TLS requirement and account state on every host: only its password is set",
      },
      { kind: 'sql', statement: `ALTER USER '${alt()}'@'%' IDENTIFIED BY PASSWORD '<redacted>'` },
    ]);
  });

  it('shows no password, hash or throwaway password, and apply then makes the pending login work', async () => {
    const password = samplePassword();
    const changes = await backend.preview(plan(password));
    const text = JSON.stringify(changes);
    for (const secret of [password, sandbox.app.password, sandbox.master.password]) {
      expect(text).not.toContain(secret);
      expect(text).not.toContain(nativePasswordHash(secret));
    }
    expect(text).not.toMatch(/\*[0-9A-F]{40}/i);
    expect(lines.join('\n')).not.toContain(password);
    await backend.apply(plan(password));
    expect(await backend.loginState(sandboxAccount(sandbox, alt(), password))).toBe('works');
  });

  it.each([
    [
      'an alternate host entry the current account lacks',
      async () => {
        await admin.query('CREATE USER ?@? IDENTIFIED BY ?', [`${sandbox.app.user}_rt`, '172.16.%', 'Stray-host-1']);
      },
    ],
    [
      'a master without GRANT OPTION on what the alternate needs',
      async () => {
        await admin.query('REVOKE ALL PRIVILEGES, GRANT OPTION FROM ?@?', [sandbox.master.user, '%']);
        await admin.query('GRANT CREATE USER, SELECT ON *.* TO ?@?', [sandbox.master.user, '%']);
      },
    ],
  ])('refuses %s with the error apply gives, changing nothing', async (_, arrange) => {
    await arrange();
    const before = await serverState();
    const previewError = await refusal(backend.preview(plan()));
    const applyError = await refusal(backend.apply(plan()));
    expect(previewError).toBeInstanceOf(Error);
    expect(previewError.name).toBe('PreconditionError');
    expect(previewError.constructor).toBe(applyError.constructor);
    expect(previewError.message).toBe(applyError.message);
    expect(await serverState()).toEqual(before);
  });

  it('refuses a master that does not log in as apply does, naming no password', async () => {
    const wrong = { ...plan(), master: { ...sandboxMaster(sandbox), password: 'Wrong-master-1' } };
    const previewError = await refusal(backend.preview(wrong));
    const applyError = await refusal(backend.apply(wrong));
    expect(previewError).toMatchObject({ name: 'PreconditionError', message: applyError.message });
    expect(previewError.message).not.toContain('Wrong-master-1');
  });
});
