// Drives the local RDS emulator through the real @alicloud/rds20140815 SDK against the real MariaDB, so its
// wire format, its RDS rules and the changes it makes on the server are checked together.
import * as openapiCore from '@alicloud/openapi-core';
import * as rds from '@alicloud/rds20140815';
import mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { serveEmulator } from '../../../support/emulator-process.js';
import { failure as failOn } from '../../../support/failure.js';
import { quoteIdentifier } from '../../../../src/backends/mysql/sql.js';
import { adminConnection, serverFromUrl, uniqueName } from '../../../../src/local/fixtures/mysql-sandbox.js';
import { DATABASE_PRIVILEGES } from '../../../../src/local/emulators/rds/rules.js';
import { startRdsEmulator, type RdsEmulator, type RdsEmulatorOptions } from '../../../../src/local/emulators/rds/emulator.js';
import { sdkClass } from '../../../../src/alibaba/interop.js';

const RdsClient = sdkClass(rds);
type RdsClientInstance = InstanceType<typeof RdsClient>;

const REGION = 'cn-hangzhou';
const KEY_ID = 'LTAI-rds-emulator-test';
const KEY_SECRET = 'right-secret';
const server = serverFromUrl();

const MYSQL80 = 'rm-t80';
const MYSQL56 = 'rm-t56';
const MARIADB = 'rm-tmaria';
const ELSEWHERE = 'rm-tnet';

function client(emulator: RdsEmulator, accessKeyId = KEY_ID, accessKeySecret = KEY_SECRET): RdsClientInstance {
  return new RdsClient(
    new openapiCore.$OpenApiUtil.Config({
      endpoint: `127.0.0.1:${emulator.port}`,
      protocol: 'http',
      regionId: REGION,
      accessKeyId,
      accessKeySecret,
    }),
  );
}

const SdkError = z.object({ code: z.string(), statusCode: z.number(), message: z.string(), data: z.record(z.string(), z.unknown()) });
type SdkError = z.infer<typeof SdkError>;

const failure = (promise: Promise<unknown>): Promise<SdkError> => failOn(promise, SdkError);

async function refused(promise: Promise<unknown>, statusCode: number, code: string): Promise<SdkError> {
  const err = await failure(promise);
  expect({ statusCode: err.statusCode, code: err.code, dataCode: err.data['Code'] }).toEqual({ statusCode, code, dataCode: code });
  return err;
}

/** Every password sent, so the last test can prove none reached the call log. */
const passwords = new Set<string>();
let passwordCounter = 0;
function password(): string {
  passwordCounter += 1;
  const value = `Pw${passwordCounter}x${Math.random().toString(36).slice(2, 10)}!`;
  passwords.add(value);
  return value;
}

const accountsMade = new Set<string>();
const databasesMade = new Set<string>();
let admin: mysql.Connection;

function accountName(prefix = 'ra'): string {
  const name = uniqueName(prefix);
  accountsMade.add(name);
  return name;
}

async function database(): Promise<string> {
  const db = uniqueName('rd_');
  databasesMade.add(db);
  await admin.query(`CREATE DATABASE ${quoteIdentifier(db)}`);
  await admin.query(`CREATE TABLE ${quoteIdentifier(db)}.t (id INT PRIMARY KEY)`);
  await admin.query(`INSERT INTO ${quoteIdentifier(db)}.t VALUES (1)`);
  return db;
}

async function userHosts(name: string): Promise<string[]> {
  const [rows] = await admin.query<mysql.RowDataPacket[]>('SELECT Host FROM mysql.user WHERE User = ?', [name]);
  return rows.map((row) => String(row['Host']));
}

async function dbRows(name: string): Promise<string[]> {
  const [rows] = await admin.query<mysql.RowDataPacket[]>("SELECT Db FROM mysql.db WHERE User = ? AND Host = '%' ORDER BY Db", [name]);
  return rows.map((row) => String(row['Db']));
}

async function login(user: string, pass: string): Promise<mysql.Connection> {
  return mysql.createConnection({ host: server.host, port: server.port, user, password: pass, connectTimeout: 5_000 });
}

/** The driver's error code for a login, or 'ok'. */
async function loginOutcome(user: string, pass: string): Promise<string> {
  try {
    const conn = await login(user, pass);
    await conn.query('SELECT 1');
    await conn.end();
    return 'ok';
  } catch (err) {
    return String((err as { code?: unknown }).code);
  }
}

/** The driver's error code for a statement run as `user`, or 'ok'. */
async function statementOutcome(conn: mysql.Connection, sql: string): Promise<string> {
  try {
    await conn.query(sql);
    return 'ok';
  } catch (err) {
    return String((err as { code?: unknown }).code);
  }
}

beforeAll(async () => {
  admin = await adminConnection(server);
});

afterAll(async () => {
  for (const name of accountsMade) {
    for (const host of await userHosts(name)) await admin.query('DROP USER ?@?', [name, host]);
  }
  for (const db of databasesMade) await admin.query(`DROP DATABASE IF EXISTS ${quoteIdentifier(db)}`);
  await admin.end();
});

describe('RDS emulator on the real server, without signature checks', () => {
  let emulator: RdsEmulator;
  let api: RdsClientInstance;
  const faults: NonNullable<RdsEmulatorOptions['faults']> = {};

  beforeAll(async () => {
    emulator = await startRdsEmulator({
      faults,
      instances: [
        { instanceId: MYSQL80, server },
        { instanceId: MARIADB, engine: 'MariaDB', server },
        { instanceId: ELSEWHERE, engineVersion: '5.7', server, connectionString: { host: '10.0.0.5', port: 3307 } },
      ],
    });
    // The same server may back several emulated instances; one added later behaves like the rest.
    emulator.addInstance({ instanceId: MYSQL56, engineVersion: '5.6', server });
    api = client(emulator);
  });
  afterAll(async () => {
    await emulator.close();
  });

  async function create(
    instance: string,
    name: string,
    pass = password(),
    extra: { type?: string; description?: string } = {},
  ): Promise<string> {
    await api.createAccount(
      new rds.CreateAccountRequest({
        DBInstanceId: instance,
        accountName: name,
        accountPassword: pass,
        accountType: extra.type,
        accountDescription: extra.description,
      }),
    );
    return pass;
  }

  async function describeOne(instance: string, name: string) {
    const r = await api.describeAccounts(new rds.DescribeAccountsRequest({ DBInstanceId: instance, accountName: name }));
    expect(r.statusCode).toBe(200);
    const accounts = r.body?.accounts?.DBInstanceAccount ?? [];
    expect(accounts).toHaveLength(1);
    const [found] = accounts;
    if (!found) throw new Error('unreachable');
    return found;
  }

  async function privileges(instance: string, name: string): Promise<Record<string, { type: string; detail: string }>> {
    const found = await describeOne(instance, name);
    return Object.fromEntries(
      (found.databasePrivileges?.databasePrivilege ?? []).map((p) => [
        p.DBName ?? '',
        { type: p.accountPrivilege ?? '', detail: p.accountPrivilegeDetail ?? '' },
      ]),
    );
  }

  async function grant(instance: string, name: string, dbs: string, types: string): Promise<void> {
    await api.grantAccountPrivilege(
      new rds.GrantAccountPrivilegeRequest({ DBInstanceId: instance, accountName: name, DBName: dbs, accountPrivilege: types }),
    );
  }

  it('creates a standard account as the real user name@%, which logs in and is described Available', async () => {
    const name = accountName();
    const pass = await create(MYSQL80, name, password(), { description: 'App account' });

    expect(await userHosts(name)).toEqual(['%']);
    expect(await loginOutcome(name, pass)).toBe('ok');
    expect(await loginOutcome(name, `${pass}x`)).toBe('ER_ACCESS_DENIED_ERROR');
    const found = await describeOne(MYSQL80, name);
    expect(found).toMatchObject({
      accountName: name,
      accountStatus: 'Available',
      accountType: 'Normal',
      accountDescription: 'App account',
      DBInstanceId: MYSQL80,
      privExceeded: '0',
    });
    expect(found.databasePrivileges?.databasePrivilege).toEqual([]);
  });

  it('creates a privileged account holding every privilege with the grant option', async () => {
    const name = accountName();
    await create(MYSQL80, name, password(), { type: 'Super' });

    const [rows] = await admin.query<mysql.RowDataPacket[]>('SHOW GRANTS FOR ?@?', [name, '%']);
    const grants = rows.map((row) => String(Object.values(row)[0]));
    expect(grants.some((g) => g.startsWith('GRANT ALL PRIVILEGES ON *.*') && g.endsWith('WITH GRANT OPTION'))).toBe(true);
    expect((await describeOne(MYSQL80, name)).accountType).toBe('Super');
    await refused(create(MYSQL80, accountName(), password(), { type: 'Sysadmin' }), 403, 'IncorrectAccountType');
  });

  it('refuses a duplicate name, including a user made on the server by hand', async () => {
    const name = accountName();
    const first = await create(MYSQL80, name);
    await refused(create(MYSQL80, name), 400, 'InvalidAccountName.Duplicate');
    // The original password still works: the refused call changed nothing.
    expect(await loginOutcome(name, first)).toBe('ok');

    const byHand = accountName();
    await admin.query('CREATE USER ?@? IDENTIFIED BY ?', [byHand, 'localhost', password()]);
    await refused(create(MYSQL80, byHand), 400, 'InvalidAccountName.Duplicate');
    expect(await userHosts(byHand)).toEqual(['localhost']);
  });

  it('refuses malformed and reserved names with the documented codes and creates nothing', async () => {
    const hex = uniqueName('').slice(0, 8);
    const malformed: [string, string][] = [
      [MYSQL80, `9a${hex}`],
      [MYSQL80, `a${hex}_`],
      [MYSQL80, `a-${hex}`],
      [MYSQL80, 'a'],
      [MARIADB, `Ab${hex}`],
    ];
    for (const [instance, name] of malformed) {
      await refused(create(instance, name), 400, 'InvalidAccountName.Format');
      expect(await userHosts(name)).toEqual([]);
    }
    for (const name of ['root', 'admin', 'Mysql', 'select', 'xtrabak']) {
      await refused(create(MYSQL80, name), 400, 'InvalidAccountName.Forbid');
    }
    // MySQL account names may hold uppercase letters (CreateAccount, AccountName).
    const upper = accountName('Ra');
    await create(MYSQL80, upper);
    expect(await userHosts(upper)).toEqual(['%']);
  });

  it('allows 16 characters on MySQL 5.6 and MariaDB and 32 on MySQL 5.7/8.0', async () => {
    const stem = (): string => {
      const padded = uniqueName('n').padEnd(16, '0');
      accountsMade.add(padded);
      return padded;
    };
    const sixteen = stem();
    await create(MYSQL56, sixteen);
    const seventeen = `${stem()}1`;
    accountsMade.add(seventeen);
    await refused(create(MYSQL56, seventeen), 400, 'InvalidAccountName.Format');
    await refused(create(MARIADB, seventeen), 400, 'InvalidAccountName.Format');
    expect(await userHosts(seventeen)).toEqual([]);
    await create(MYSQL80, seventeen);
    expect(await userHosts(seventeen)).toEqual(['%']);

    const thirtyTwo = `${stem()}${'1'.repeat(16)}`;
    const thirtyThree = `${thirtyTwo.slice(0, 31)}23`;
    accountsMade.add(thirtyTwo).add(thirtyThree);
    await create(MYSQL80, thirtyTwo);
    await refused(create(MYSQL80, thirtyThree), 400, 'InvalidAccountName.Format');
    await refused(create(ELSEWHERE, thirtyThree), 400, 'InvalidAccountName.Format');
    expect(await userHosts(thirtyThree)).toEqual([]);
  });

  it('refuses passwords outside 8–32 characters, three kinds and the documented specials', async () => {
    const bad = ['Ab1!xyz', `Ab1!${'x'.repeat(29)}`, 'abcdefgh12', 'ABCDEFGH!!', 'Abcdefg1~', 'Abcd efg1', 'Abcdefg/1', 'Abcdéfgh1'];
    for (const pass of bad) {
      const name = accountName();
      await refused(create(MYSQL80, name, pass), 400, 'InvalidAccountPassword.Format');
      expect(await userHosts(name)).toEqual([]);
    }
    for (const pass of ['abcdefg1!', 'ABCDEFGH1a', `Aa1${'!@#$%^&*()_+-='}`, `Ab1!${'x'.repeat(28)}`]) {
      const name = accountName();
      await create(MYSQL80, name, pass);
      expect(await loginOutcome(name, pass)).toBe('ok');
    }
  });

  it('grants ReadOnly: SELECT works, INSERT is denied, and DescribeAccounts reads the grant back from the server', async () => {
    const db = await database();
    const name = accountName();
    const pass = await create(MYSQL80, name);
    await grant(MYSQL80, name, db, 'ReadOnly');

    expect(await privileges(MYSQL80, name)).toEqual({ [db]: { type: 'ReadOnly', detail: 'SELECT,SHOW VIEW' } });
    // Granted on the database only: `_` in the name is escaped, not a wildcard.
    expect(await dbRows(name)).toEqual([db.replaceAll('_', '\\_')]);
    const conn = await login(name, pass);
    try {
      const [rows] = await conn.query<mysql.RowDataPacket[]>(`SELECT id FROM ${quoteIdentifier(db)}.t`);
      expect(rows.map((r) => r['id'])).toEqual([1]);
      expect(await statementOutcome(conn, `INSERT INTO ${quoteIdentifier(db)}.t VALUES (2)`)).toBe('ER_TABLEACCESS_DENIED_ERROR');
    } finally {
      await conn.end();
    }
  });

  it('grants several databases in one call, one privilege each or one for all, replacing what was there', async () => {
    const [a, b, c] = [await database(), await database(), await database()];
    const name = accountName();
    const pass = await create(MYSQL80, name);

    await grant(MYSQL80, name, `${a},${b}`, 'ReadWrite,DMLOnly');
    expect(await privileges(MYSQL80, name)).toEqual({
      [a]: { type: 'ReadWrite', detail: DATABASE_PRIVILEGES.ReadWrite.join(',') },
      [b]: { type: 'DMLOnly', detail: DATABASE_PRIVILEGES.DMLOnly.join(',') },
    });
    const conn = await login(name, pass);
    try {
      expect(await statementOutcome(conn, `CREATE TABLE ${quoteIdentifier(a)}.made (id INT)`)).toBe('ok');
      expect(await statementOutcome(conn, `CREATE TABLE ${quoteIdentifier(b)}.made (id INT)`)).toBe('ER_TABLEACCESS_DENIED_ERROR');
      expect(await statementOutcome(conn, `INSERT INTO ${quoteIdentifier(b)}.t VALUES (2)`)).toBe('ok');
    } finally {
      await conn.end();
    }

    await grant(MYSQL80, name, `${a},${b},${c}`, 'DDLOnly');
    const after = await privileges(MYSQL80, name);
    expect(Object.values(after).map((p) => p.type)).toEqual(['DDLOnly', 'DDLOnly', 'DDLOnly']);
    expect(Object.keys(after).sort()).toEqual([a, b, c].sort());
  });

  it('refuses bad grants with the documented codes and changes nothing', async () => {
    const [a, b] = [await database(), await database()];
    const name = accountName();
    await create(MYSQL80, name);
    await grant(MYSQL80, name, a, 'ReadOnly');
    const before = await dbRows(name);

    await refused(grant(MYSQL80, name, `${a},${b}`, 'ReadOnly,ReadWrite,DMLOnly'), 400, 'InvalidDBNameOrAccountPrivilege');
    await refused(grant(MYSQL80, name, b, 'DBOwner'), 400, 'InvalidAccountPrivilege.Malformed');
    await refused(grant(MYSQL80, name, `${b},rd_no_such_db`, 'ReadWrite'), 400, 'InvalidDBName.NotFound');
    await refused(grant(MYSQL80, name, 'mysql', 'ReadWrite'), 400, 'InvalidDBName.NotFound');
    await refused(grant(MYSQL80, 'ra_nobody', a, 'ReadWrite'), 404, 'InvalidAccountName.NotFound');
    expect(await dbRows(name)).toEqual(before);
    expect(await privileges(MYSQL80, name)).toEqual({ [a]: { type: 'ReadOnly', detail: 'SELECT,SHOW VIEW' } });
  });

  it('reports a database whose privileges were changed by hand as Custom, and recognises a type granted by hand', async () => {
    const [a, b, c] = [await database(), await database(), await database()];
    const name = accountName();
    await create(MYSQL80, name);
    await grant(MYSQL80, name, a, 'ReadOnly');

    await admin.query(`GRANT INSERT ON ${quoteIdentifier(a.replaceAll('_', '\\_'))}.* TO ?@?`, [name, '%']);
    // With the grant option: on MySQL 8 a database-level ALL is exactly ReadWrite's set.
    await admin.query(`GRANT ALL PRIVILEGES ON ${quoteIdentifier(b)}.* TO ?@? WITH GRANT OPTION`, [name, '%']);
    await admin.query(`GRANT ${DATABASE_PRIVILEGES.DMLOnly.join(', ')} ON ${quoteIdentifier(c)}.* TO ?@?`, [name, '%']);

    const held = await privileges(MYSQL80, name);
    expect(held[a]).toEqual({ type: 'Custom', detail: 'SELECT,INSERT,SHOW VIEW' });
    expect(held[b]?.type).toBe('Custom');
    expect(held[b]?.detail.split(',')).toEqual(expect.arrayContaining([...DATABASE_PRIVILEGES.ReadWrite]));
    expect(held[c]).toEqual({ type: 'DMLOnly', detail: DATABASE_PRIVILEGES.DMLOnly.join(',') });
  });

  it('revokes everything on the named databases, hand-made grants and the grant option included', async () => {
    const [a, b] = [await database(), await database()];
    const name = accountName();
    const pass = await create(MYSQL80, name);
    await grant(MYSQL80, name, `${a},${b}`, 'ReadWrite');
    await admin.query(`GRANT SELECT ON ${quoteIdentifier(a)}.* TO ?@? WITH GRANT OPTION`, [name, '%']);

    await api.revokeAccountPrivilege(new rds.RevokeAccountPrivilegeRequest({ DBInstanceId: MYSQL80, accountName: name, DBName: a }));
    expect(Object.keys(await privileges(MYSQL80, name))).toEqual([b]);
    expect(await dbRows(name)).toEqual([b.replaceAll('_', '\\_')]);
    const conn = await login(name, pass);
    try {
      expect(await statementOutcome(conn, `SELECT id FROM ${quoteIdentifier(a)}.t`)).toBe('ER_TABLEACCESS_DENIED_ERROR');
      expect(await statementOutcome(conn, `SELECT id FROM ${quoteIdentifier(b)}.t`)).toBe('ok');
    } finally {
      await conn.end();
    }

    await refused(
      api.revokeAccountPrivilege(
        new rds.RevokeAccountPrivilegeRequest({ DBInstanceId: MYSQL80, accountName: name, DBName: 'rd_no_such_db' }),
      ),
      400,
      'InvalidDBName.NotFound',
    );
    // A database dropped since the grant can still be revoked: the account holds privileges on it.
    await admin.query(`DROP DATABASE ${quoteIdentifier(b)}`);
    await api.revokeAccountPrivilege(new rds.RevokeAccountPrivilegeRequest({ DBInstanceId: MYSQL80, accountName: name, DBName: b }));
    expect(await dbRows(name)).toEqual([]);
  });

  it('resets a password: the old one is refused, the new one works, a malformed one changes nothing', async () => {
    const name = accountName();
    const old = await create(MARIADB, name);
    const next = password();

    await refused(
      api.resetAccountPassword(
        new rds.ResetAccountPasswordRequest({ DBInstanceId: MARIADB, accountName: name, accountPassword: 'short1!' }),
      ),
      400,
      'InvalidAccountPassword.Format',
    );
    expect(await loginOutcome(name, old)).toBe('ok');

    await api.resetAccountPassword(
      new rds.ResetAccountPasswordRequest({ DBInstanceId: MARIADB, accountName: name, accountPassword: next }),
    );
    expect(await loginOutcome(name, old)).toBe('ER_ACCESS_DENIED_ERROR');
    expect(await loginOutcome(name, next)).toBe('ok');
    await refused(
      api.resetAccountPassword(
        new rds.ResetAccountPasswordRequest({ DBInstanceId: MARIADB, accountName: 'ra_nobody', accountPassword: next }),
      ),
      404,
      'InvalidAccountName.NotFound',
    );
  });

  it('deletes an account from the server and from DescribeAccounts, and forgets one dropped by hand', async () => {
    const name = accountName();
    const other = accountName();
    await create(MYSQL80, name);
    await create(MYSQL80, other);

    await api.deleteAccount(new rds.DeleteAccountRequest({ DBInstanceId: MYSQL80, accountName: name }));
    expect(await userHosts(name)).toEqual([]);
    const r = await api.describeAccounts(new rds.DescribeAccountsRequest({ DBInstanceId: MYSQL80, accountName: name }));
    expect(r.body?.accounts?.DBInstanceAccount).toEqual([]);
    await refused(
      api.deleteAccount(new rds.DeleteAccountRequest({ DBInstanceId: MYSQL80, accountName: name })),
      404,
      'InvalidAccountName.NotFound',
    );

    await admin.query('DROP USER ?@?', [other, '%']);
    const all = await api.describeAccounts(new rds.DescribeAccountsRequest({ DBInstanceId: MYSQL80, pageSize: 200 }));
    const listed = (all.body?.accounts?.DBInstanceAccount ?? []).map((a) => a.accountName);
    expect(listed).not.toContain(other);
    expect(listed.length).toBeGreaterThan(0);
  });

  it('keepUnavailable: created and reset accounts are Unavailable for N describes and refuse changes meanwhile', async () => {
    const db = await database();
    const name = accountName();
    emulator.keepUnavailable(MARIADB, name, 2);
    const pass = await create(MARIADB, name);

    expect((await describeOne(MARIADB, name)).accountStatus).toBe('Unavailable');
    await refused(grant(MARIADB, name, db, 'ReadOnly'), 400, 'IncorrectAccountStatus');
    expect(await dbRows(name)).toEqual([]);
    expect((await describeOne(MARIADB, name)).accountStatus).toBe('Unavailable');
    expect((await describeOne(MARIADB, name)).accountStatus).toBe('Available');
    await grant(MARIADB, name, db, 'ReadOnly');

    // The hook stays in force: a reset makes the account Unavailable again, and the new password is already set.
    const next = password();
    await api.resetAccountPassword(
      new rds.ResetAccountPasswordRequest({ DBInstanceId: MARIADB, accountName: name, accountPassword: next }),
    );
    expect((await describeOne(MARIADB, name)).accountStatus).toBe('Unavailable');
    expect(await loginOutcome(name, next)).toBe('ok');
    expect(await loginOutcome(name, pass)).toBe('ER_ACCESS_DENIED_ERROR');

    emulator.keepUnavailable(MARIADB, '*', 1);
    const any = accountName();
    await create(MARIADB, any);
    expect((await describeOne(MARIADB, any)).accountStatus).toBe('Unavailable');
    expect((await describeOne(MARIADB, any)).accountStatus).toBe('Available');
    emulator.keepUnavailable(MARIADB, '*', 0);
    const later = accountName();
    await create(MARIADB, later);
    expect((await describeOne(MARIADB, later)).accountStatus).toBe('Available');
  });

  it('makeBusy refuses the next N mutating calls with 403 and the chosen code, changing nothing; reads do not count', async () => {
    const db = await database();
    const kept = accountName();
    const keptPassword = await create(MYSQL56, kept);
    const name = accountName();

    emulator.makeBusy(MYSQL56, 2);
    await refused(create(MYSQL56, name), 403, 'OperationDenied.DBInstanceStatus');
    expect(await userHosts(name)).toEqual([]);
    expect((await describeOne(MYSQL56, kept)).accountStatus).toBe('Available');
    await refused(
      api.deleteAccount(new rds.DeleteAccountRequest({ DBInstanceId: MYSQL56, accountName: kept })),
      403,
      'OperationDenied.DBInstanceStatus',
    );
    expect(await userHosts(kept)).toEqual(['%']);
    await create(MYSQL56, name);
    expect(await userHosts(name)).toEqual(['%']);

    emulator.makeBusy(MYSQL56, 1, 'IncorrectDBInstanceState');
    // Busy is per instance: another instance on the same server carries on.
    await create(MYSQL80, accountName());
    await refused(grant(MYSQL56, kept, db, 'ReadWrite'), 403, 'IncorrectDBInstanceState');
    expect(await dbRows(kept)).toEqual([]);
    expect(await loginOutcome(kept, keptPassword)).toBe('ok');
    await grant(MYSQL56, kept, db, 'ReadWrite');
    expect(Object.keys(await privileges(MYSQL56, kept))).toEqual([db]);
  });

  it('answers an unknown instance with 404 InvalidDBInstanceId.NotFound and a missing parameter by name', async () => {
    await refused(
      api.describeAccounts(new rds.DescribeAccountsRequest({ DBInstanceId: 'rm-nosuch' })),
      404,
      'InvalidDBInstanceId.NotFound',
    );
    const name = accountName();
    await refused(create('rm-nosuch', name), 404, 'InvalidDBInstanceId.NotFound');
    expect(await userHosts(name)).toEqual([]);
    await refused(
      api.describeDBInstanceAttribute(new rds.DescribeDBInstanceAttributeRequest({ DBInstanceId: 'rm-nosuch' })),
      404,
      'InvalidDBInstanceId.NotFound',
    );

    await refused(
      api.createAccount(new rds.CreateAccountRequest({ DBInstanceId: MYSQL80, accountName: name })),
      400,
      'MissingAccountPassword',
    );
    await refused(api.describeAccounts(new rds.DescribeAccountsRequest({})), 400, 'MissingDBInstanceId');
    // The gateway names a missing parameter before it looks the instance up.
    await refused(api.deleteAccount(new rds.DeleteAccountRequest({ DBInstanceId: 'rm-nosuch' })), 400, 'MissingAccountName');
  });

  it('describes connection endpoints and instance attributes in the documented shapes', async () => {
    const local = await api.describeDBInstanceNetInfo(new rds.DescribeDBInstanceNetInfoRequest({ DBInstanceId: MYSQL80 }));
    expect(local.body?.instanceNetworkType).toBe('VPC');
    expect(local.body?.DBInstanceNetInfos?.DBInstanceNetInfo).toEqual([
      expect.objectContaining({
        connectionString: server.host,
        port: String(server.port),
        IPType: 'Private',
        connectionStringType: 'Normal',
        IPAddress: expect.stringMatching(/^[\d.:a-f]+$/),
      }),
    ]);
    const elsewhere = await api.describeDBInstanceNetInfo(new rds.DescribeDBInstanceNetInfoRequest({ DBInstanceId: ELSEWHERE }));
    expect(elsewhere.body?.DBInstanceNetInfos?.DBInstanceNetInfo?.[0]).toMatchObject({
      connectionString: '10.0.0.5',
      IPAddress: '10.0.0.5',
      port: '3307',
    });

    const expected: [string, string, string][] = [
      [MYSQL80, 'MySQL', '8.0'],
      [MYSQL56, 'MySQL', '5.6'],
      [MARIADB, 'MariaDB', '10.3'],
    ];
    for (const [instance, engine, engineVersion] of expected) {
      const r = await api.describeDBInstanceAttribute(new rds.DescribeDBInstanceAttributeRequest({ DBInstanceId: instance }));
      expect(r.body?.items?.DBInstanceAttribute).toEqual([
        expect.objectContaining({ DBInstanceId: instance, engine, engineVersion, DBInstanceStatus: 'Running', regionId: REGION }),
      ]);
    }
    const attr = await api.describeDBInstanceAttribute(new rds.DescribeDBInstanceAttributeRequest({ DBInstanceId: ELSEWHERE }));
    expect(attr.body?.items?.DBInstanceAttribute?.[0]).toMatchObject({ connectionString: '10.0.0.5', port: '3307' });
  });

  it('answers a before fault without applying the call, and applies the call behind an after fault', async () => {
    const name = accountName();
    faults.before = (call) => (call.action === 'CreateAccount' ? { status: 503, code: 'ServiceUnavailable' } : undefined);
    try {
      await refused(create(MYSQL80, name), 503, 'ServiceUnavailable');
    } finally {
      delete faults.before;
    }
    expect(await userHosts(name)).toEqual([]);

    faults.after = (call) => (call.action === 'CreateAccount' ? { status: 500, code: 'InternalError' } : undefined);
    try {
      await refused(create(MYSQL80, name), 500, 'InternalError');
    } finally {
      delete faults.after;
    }
    expect(await userHosts(name)).toEqual(['%']);
  });

  it('logs every call with its action and instance, and never a password', () => {
    const calls = emulator.calls;
    expect(calls.length).toBeGreaterThan(20);
    expect(calls).toContainEqual({ action: 'CreateAccount', instanceId: MYSQL80, at: expect.any(Number) });
    expect(calls).toContainEqual({ action: 'ResetAccountPassword', instanceId: MARIADB, at: expect.any(Number) });
    const logged = JSON.stringify(calls);
    for (const pass of passwords) expect(logged).not.toContain(pass);
    expect(passwords.size).toBeGreaterThan(20);
  });
});

describe('RDS emulator with signature checks', () => {
  let emulator: RdsEmulator;

  beforeAll(async () => {
    emulator = await startRdsEmulator({ accessKeys: { [KEY_ID]: KEY_SECRET }, instances: [{ instanceId: MYSQL80, server }] });
  });
  afterAll(async () => {
    await emulator.close();
  });

  it('accepts ACS3-HMAC-SHA256 requests signed with the right secret and refuses a wrong one or an unknown key', async () => {
    const name = accountName();
    const pass = password();
    const request = () => new rds.CreateAccountRequest({ DBInstanceId: MYSQL80, accountName: name, accountPassword: pass });

    await refused(client(emulator, KEY_ID, 'wrong-secret').createAccount(request()), 400, 'SignatureDoesNotMatch');
    await refused(client(emulator, 'LTAI-unknown', KEY_SECRET).createAccount(request()), 404, 'InvalidAccessKeyId.NotFound');
    expect(await userHosts(name)).toEqual([]);

    const r = await client(emulator).createAccount(request());
    expect(r.statusCode).toBe(200);
    expect(r.body?.requestId).toMatch(/^[0-9A-F-]{36}$/);
    expect(await loginOutcome(name, pass)).toBe('ok');
  });
});

describe('RDS emulator command line', () => {
  it('serves the instances it is given until killed, printing only its endpoint', async () => {
    const url = `mysql://${encodeURIComponent(server.user)}:${encodeURIComponent(server.password)}@${server.host}:${server.port}`;
    const served = await serveEmulator(['rds', '--port', '0', '--instance', `rm-cli=${url},engineVersion=5.7`]);
    try {
      const endpoint = served.endpoint;
      expect(endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const port = Number(new URL(endpoint).port);
      const api = new RdsClient(
        new openapiCore.$OpenApiUtil.Config({
          endpoint: `127.0.0.1:${port}`,
          protocol: 'http',
          regionId: REGION,
          accessKeyId: KEY_ID,
          accessKeySecret: KEY_SECRET,
        }),
      );
      const r = await api.describeDBInstanceAttribute(new rds.DescribeDBInstanceAttributeRequest({ DBInstanceId: 'rm-cli' }));
      expect(r.body?.items?.DBInstanceAttribute?.[0]).toMatchObject({ DBInstanceId: 'rm-cli', engine: 'MySQL', engineVersion: '5.7' });
    } finally {
      expect(await served.stop()).toBe(0);
    }
  });
});
