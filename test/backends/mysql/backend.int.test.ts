// The self-managed MySQL backend on the real MariaDB: every host entry of the current account gets
// its twin with the same grants and REQUIRE, whatever state an earlier attempt left behind.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type mysql from 'mysql2/promise';
import { MysqlBackend } from '../../../src/backends/mysql/backend.js';
import { quoteIdentifier } from '../../../src/backends/mysql/sql.js';
import { adminConnection, createSandbox, samplePassword, type Sandbox } from '../../../src/local/fixtures/mysql-sandbox.js';
import { sandboxAccount, sandboxMaster, testMysqlBackend } from '../../support/sandbox-accounts.js';

const EXTRA_HOSTS = ['10.%', '192.168.%'];

describe('MysqlBackend.apply', () => {
  let sandbox: Sandbox;
  let admin: mysql.Connection;
  let backend: MysqlBackend;
  const lines: string[] = [];
  beforeEach(async () => {
    sandbox = await createSandbox({ prefix: 'b' });
    admin = await adminConnection(sandbox.server);
    const { app, database } = sandbox;
    const db = quoteIdentifier(database);
    await admin.query('CREATE USER ?@? IDENTIFIED BY ? REQUIRE ISSUER ? AND SUBJECT ? AND CIPHER ?', [
      app.user,
      '10.%',
      app.password,
      '/C=CN/O=Example CA',
      '/CN=app',
      'ECDHE-RSA-AES256-GCM-SHA384',
    ]);
    await admin.query(`GRANT SELECT ON ${db}.* TO ?@? WITH GRANT OPTION`, [app.user, '10.%']);
    await admin.query(`GRANT UPDATE (text) ON ${db}.${quoteIdentifier(sandbox.table)} TO ?@?`, [app.user, '10.%']);
    await admin.query('CREATE USER ?@? IDENTIFIED BY ? REQUIRE X509', [app.user, '192.168.%', app.password]);
    await admin.query(`GRANT INSERT ON ${db}.* TO ?@?`, [app.user, '192.168.%']);
    backend = testMysqlBackend(lines);
  });
  afterEach(async () => {
    await admin?.end();
    await sandbox?.cleanup();
  });

  const master = () => sandboxMaster(sandbox);
  const account = (user: string, password: string) => sandboxAccount(sandbox, user, password);
  const alt = () => `${sandbox.app.user}_rt`;

  /** Per host: REQUIRE columns and grants, with the user's own name blanked so the pair compares. */
  async function entries(user: string): Promise<Record<string, unknown>> {
    const [rows] = await admin.query(
      'SELECT Host, ssl_type, ssl_cipher, x509_issuer, x509_subject FROM mysql.user WHERE User = ? ORDER BY Host',
      [user],
    );
    const out: Record<string, unknown> = {};
    for (const row of rows as Record<string, unknown>[]) {
      const host = String(row['Host']);
      const [grants] = await admin.query('SHOW GRANTS FOR ?@?', [user, host]);
      out[host] = {
        tls: [row['ssl_type'], row['ssl_cipher'], row['x509_issuer'], row['x509_subject']].map(String),
        grants: (grants as Record<string, string>[])
          .map((g) =>
            String(Object.values(g)[0])
              .split(`\`${user}\``)
              .join('`u`')
              .replace(/ IDENTIFIED BY PASSWORD '[^']*'/, ''),
          )
          .sort(),
      };
    }
    return out;
  }

  it('creates the twin on every host with the same grants and REQUIRE, then sets its password', async () => {
    const pending = account(alt(), samplePassword());
    const result = await backend.apply({ current: account(sandbox.app.user, sandbox.app.password), pending, master: master() });
    expect(result.created).toBe(true);
    const current = await entries(sandbox.app.user);
    expect(Object.keys(current).sort()).toEqual(['%', ...EXTRA_HOSTS].sort());
    expect(await entries(alt())).toEqual(current);
    expect((current['10.%'] as { tls: string[] }).tls).toEqual([
      'SPECIFIED',
      'ECDHE-RSA-AES256-GCM-SHA384',
      '/C=CN/O=Example CA',
      '/CN=app',
    ]);
    expect(await backend.loginState(pending)).toBe('works');
    expect(lines.join('\n')).not.toContain(pending.password);
  });

  it('changes nothing the second time but the (same) password', async () => {
    const plan = { current: account(sandbox.app.user, sandbox.app.password), pending: account(alt(), samplePassword()), master: master() };
    await backend.apply(plan);
    const entriesBefore = await entries(alt());
    expect((await backend.apply(plan)).created).toBe(false);
    expect(await entries(alt())).toEqual(entriesBefore);
    expect(await backend.loginState(plan.pending)).toBe('works');
  });

  it('keeps column privileges when a table-level privilege of the alternate is taken away', async () => {
    const table = `${quoteIdentifier(sandbox.database)}.${quoteIdentifier(sandbox.table)}`;
    // The current account may read one column, with and without the option to pass it on.
    await admin.query(`GRANT SELECT (text) ON ${table} TO ?@? WITH GRANT OPTION`, [sandbox.app.user, '%']);
    await admin.query(`GRANT INSERT (id) ON ${table} TO ?@?`, [sandbox.app.user, '10.%']);
    for (const host of ['%', '10.%']) {
      await admin.query('CREATE USER ?@? IDENTIFIED BY ?', [alt(), host, 'Half-made-1']);
      // ...the alternate may read and insert into the whole table.
      await admin.query(`GRANT SELECT, INSERT ON ${table} TO ?@?`, [alt(), host]);
    }
    await admin.query('CREATE USER ?@? IDENTIFIED BY ?', [alt(), '192.168.%', 'Half-made-1']);
    await backend.apply({
      current: account(sandbox.app.user, sandbox.app.password),
      pending: account(alt(), samplePassword()),
      master: master(),
    });
    expect(await entries(alt())).toEqual(await entries(sandbox.app.user));
  });

  it('refuses, before any change, an alternate with a host entry the current account lacks', async () => {
    await admin.query('CREATE USER ?@? IDENTIFIED BY ?', [alt(), '172.16.%', 'Stray-host-1']);
    const before = await entries(alt());
    const err = await backend
      .apply({ current: account(sandbox.app.user, sandbox.app.password), pending: account(alt(), samplePassword()), master: master() })
      .catch((e: Error) => e);
    expect(err).toMatchObject({
      name: 'PreconditionError',
      message: expect.stringMatching(/^secret t: the alternate account has 1 host entry/),
    });
    expect(await entries(alt())).toEqual(before);
  });

  it('finishes a twin an earlier attempt left on one host only, with extra grants and another REQUIRE', async () => {
    const db = quoteIdentifier(sandbox.database);
    await admin.query('CREATE USER ?@? IDENTIFIED BY ? REQUIRE X509', [alt(), '%', 'Half-made-1']);
    await admin.query(`GRANT DELETE, DROP ON ${db}.* TO ?@? WITH GRANT OPTION`, [alt(), '%']);
    const pending = account(alt(), samplePassword());
    await backend.apply({ current: account(sandbox.app.user, sandbox.app.password), pending, master: master() });
    expect(await entries(alt())).toEqual(await entries(sandbox.app.user));
    expect(await backend.loginState(pending)).toBe('works');
    expect(await backend.loginState(account(alt(), 'Half-made-1'))).toBe('refused');
  });

  it('refuses a master that is not logged in, naming neither password', async () => {
    const err = await backend
      .apply({
        current: account(sandbox.app.user, sandbox.app.password),
        pending: account(alt(), samplePassword()),
        master: { ...master(), password: 'Wrong-master-1' },
      })
      .catch((e: Error) => e);
    expect(err).toMatchObject({ name: 'PreconditionError' });
    expect((err as Error).message).not.toContain('Wrong-master-1');
    const [rows] = await admin.query('SELECT Host FROM mysql.user WHERE User = ?', [alt()]);
    expect(rows).toEqual([]);
  });
});
