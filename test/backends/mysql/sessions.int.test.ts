// Counting the sessions still open on the account whose password a rotation is about to change, on
// the real MariaDB: a session held open by the test is seen through a master with PROCESS, and a
// master without it says it cannot see rather than answering a silent zero.
import mysql from 'mysql2/promise';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { countSessions, grantsSeeAllThreads } from '../../../src/backends/mysql/sessions.js';
import { statementText, type Sql } from '../../../src/backends/mysql/sql.js';
import type { Session } from '../../../src/backends/mysql/connection.js';
import { adminConnection, createSandbox, samplePassword, uniqueName, type Sandbox } from '../../../src/local/fixtures/mysql-sandbox.js';

/** The project's Session port over a plain mysql2 connection. */
function sessionOf(conn: mysql.Connection): Session {
  return {
    async query<Row>(statement: Sql) {
      const [rows] = await conn.query(statementText(statement));
      return rows as Row[];
    },
  };
}

describe('grantsSeeAllThreads', () => {
  it.each([
    ['GRANT ALL PRIVILEGES ON *.* TO `m`@`%` WITH GRANT OPTION', true],
    ['GRANT PROCESS, RELOAD ON *.* TO `m`@`%`', true],
    ['GRANT SELECT, SUPER ON *.* TO `m`@`%`', true],
    ['GRANT SELECT, INSERT ON *.* TO `m`@`%`', false],
    ['GRANT ALL PRIVILEGES ON `app`.* TO `m`@`%`', false],
  ])('%s → %s', (line, expected) => {
    expect(grantsSeeAllThreads([line])).toBe(expected);
  });
});

describe('countSessions', () => {
  let sandbox: Sandbox;
  const held: mysql.Connection[] = [];
  beforeEach(async () => {
    sandbox = await createSandbox({ prefix: 'ss' });
  });
  afterEach(async () => {
    for (const c of held.splice(0)) await c.end().catch(() => undefined);
    await sandbox?.cleanup();
  });

  const login = (user: string, password: string) =>
    mysql.createConnection({ host: sandbox.server.host, port: sandbox.server.port, user, password, database: sandbox.database });

  it('counts the sessions an application still holds on the account, through a master that may see them', async () => {
    const master = await login(sandbox.master.user, sandbox.master.password);
    held.push(master);
    expect(await countSessions(sessionOf(master), sandbox.app.user)).toEqual({ visible: true, count: 0 });
    held.push(await login(sandbox.app.user, sandbox.app.password), await login(sandbox.app.user, sandbox.app.password));
    expect(await countSessions(sessionOf(master), sandbox.app.user)).toEqual({ visible: true, count: 2 });
    await held.pop()?.end();
    expect(await countSessions(sessionOf(master), sandbox.app.user)).toEqual({ visible: true, count: 1 });
  });

  it('says it cannot see when the master lacks PROCESS, instead of a zero it could not know', async () => {
    const weak = uniqueName('ssw');
    const password = samplePassword();
    const admin = await adminConnection(sandbox.server);
    try {
      await admin.query('CREATE USER ?@? IDENTIFIED BY ?', [weak, '%', password]);
      await admin.query('GRANT CREATE USER ON *.* TO ?@?', [weak, '%']);
      held.push(await login(sandbox.app.user, sandbox.app.password));
      const conn = await mysql.createConnection({ host: sandbox.server.host, port: sandbox.server.port, user: weak, password });
      held.push(conn);
      expect(await countSessions(sessionOf(conn), sandbox.app.user)).toEqual({ visible: false });
    } finally {
      await admin.query('DROP USER IF EXISTS ?@?', [weak, '%']);
      await admin.end();
    }
  });
});
