// Passwords reach the server in clear (issue 11, item 11): with MariaDB's general log on, a whole
// rotation leaves no password in it — the account statements carry the mysql_native_password hash.
// The general log is server-wide, so this runs on a throwaway MariaDB, never the shared server.
import type mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nativePasswordHash } from '../../../src/backends/mysql/password-hash.js';
import { adminConnection } from '../../../src/local/fixtures/mysql-sandbox.js';
import { Fixture } from '../../support/fixture.js';
import { startThrowawayMariadb, type ThrowawayMariadb } from '../../support/throwaway-mariadb.js';

describe('the general log of a rotation (throwaway MariaDB)', () => {
  let db: ThrowawayMariadb;
  let fx: Fixture;
  let root: mysql.Connection;
  beforeAll(async () => {
    db = await startThrowawayMariadb();
    root = await adminConnection(db.server);
  });
  afterAll(async () => {
    await root?.end();
    await fx?.stop();
    await db?.stop();
  });

  it('holds hashes only: no password of any version, no IDENTIFIED BY with a literal, no PASSWORD()', { timeout: 60_000 }, async () => {
    fx = await Fixture.start({ server: db.server });
    await fx.seed();
    // On only now: the sandbox's own CREATE USERs (test tooling) are not the function's statements.
    await root.query("SET GLOBAL log_output = 'TABLE'");
    await root.query('SET GLOBAL general_log = ON');
    await fx.rotate();
    await fx.rotate();
    await root.query('SET GLOBAL general_log = OFF');

    const [rows] = await root.query("SELECT CONVERT(argument USING utf8mb4) AS text FROM mysql.general_log WHERE command_type = 'Query'");
    const statements = (rows as { text: string }[]).map((r) => r.text);
    const accountStatements = statements.filter((s) => /^\s*(ALTER|CREATE) USER|^\s*SET PASSWORD/i.test(s));
    // The log did record the rotation's account statements: the checks below have something to check.
    expect(
      accountStatements.filter((s) => /^\s*ALTER USER .* IDENTIFIED BY PASSWORD '\*[0-9A-F]{40}'/i.test(s)).length,
    ).toBeGreaterThanOrEqual(2);
    expect(accountStatements.some((s) => /^\s*CREATE USER .* IDENTIFIED BY PASSWORD '\*[0-9A-F]{40}'/i.test(s))).toBe(true);

    const versions = await fx.store.listVersions(fx.secretName);
    const passwords = [fx.sandbox.app.password, fx.sandbox.master.password];
    for (const v of versions) {
      const data = await fx.store.find(fx.secretName, { versionId: v.versionId });
      passwords.push(String((JSON.parse(data!.data) as { AccountPassword: string }).AccountPassword));
    }
    expect(passwords.length).toBeGreaterThanOrEqual(4);
    const all = statements.join('\n');
    const leaked = passwords.filter((p) => all.includes(p));
    expect(leaked.length, 'passwords found in the general log').toBe(0);
    // And their hashes are what the server got for the two accounts it rotated.
    const current = (await fx.secretAt({ stage: 'ACSCurrent' }))!;
    expect(all.includes(nativePasswordHash(current.AccountPassword))).toBe(true);
    // Counted, never printed: a failing run must not show a password in the test output either.
    expect(accountStatements.filter((s) => /IDENTIFIED BY '|PASSWORD\s*\(/i.test(s)).length).toBe(0);
  });
});

describe('a MariaDB whose password validation plugin refuses hashes (throwaway MariaDB)', () => {
  let db: ThrowawayMariadb;
  let fx: Fixture;
  beforeAll(async () => {
    db = await startThrowawayMariadb();
    const root = await adminConnection(db.server);
    try {
      await root.query("INSTALL SONAME 'simple_password_check'");
    } finally {
      await root.end();
    }
  });
  afterAll(async () => {
    await fx?.stop();
    await db?.stop();
  });

  it('still rotates: the password itself is sent where strict_password_validation would refuse its hash', { timeout: 60_000 }, async () => {
    fx = await Fixture.start({ server: db.server });
    await fx.seed();
    const runs = await fx.rotate();
    expect(runs.map((r) => r.result.Skipped)).toEqual([undefined, undefined, undefined, undefined]);
    const current = (await fx.secretAt({ stage: 'ACSCurrent' }))!;
    expect(current.AccountName).toBe(`${fx.sandbox.app.user}_rt`);
    expect(await fx.login(current)).toBe('hello');
    expect(fx.logs.some((line) => line.includes('a password validation plugin refuses hashes'))).toBe(true);
  });
});
