// RdsApiBackend.preview against the RDS emulator (real SDK, real MariaDB underneath): the API calls
// apply would make, with their parameters and the password redacted, no mutating call, the same
// refusals as apply, and apply then making exactly the calls preview listed.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { PlannedChange, RotationPlan } from '../../../src/backends/backend.js';
import { RdsApiBackend } from '../../../src/backends/rds/backend.js';
import type { RdsAccountsApi } from '../../../src/backends/rds/client.js';
import { quoteIdentifier } from '../../../src/backends/mysql/sql.js';
import { createLogger } from '../../../src/log.js';
import { adminConnection, samplePassword } from '../../../src/local/fixtures/mysql-sandbox.js';
import { Fixture } from '../../support/fixture.js';
import { refusal } from '../../support/failure.js';

/** A mutating call as the backend made it through the port, its password left out. */
type Made = { action: string; params: Record<string, string> };

describe('RdsApiBackend.preview', () => {
  let fx: Fixture;
  let made: Made[];
  let backend: RdsApiBackend;
  beforeEach(async () => {
    fx = await Fixture.start({ rds: { engineVersion: '8.0' } });
    made = [];
    const { api, instanceId } = fx.rds!;
    const base = (accountName: string) => ({ DBInstanceId: instanceId, AccountName: accountName });
    // The real client, recording what the backend asks of it: the connection layer of the RDS backend.
    const recording: RdsAccountsApi = {
      describeAccount: (id, name) => api.describeAccount(id, name),
      instanceInfo: (id) => api.instanceInfo(id),
      intranetAddress: (id) => api.intranetAddress(id),
      async createAccount(id, account) {
        made.push({
          action: 'CreateAccount',
          params: { ...base(account.name), AccountType: account.type, AccountDescription: account.description },
        });
        return api.createAccount(id, account);
      },
      async grant(id, name, privileges) {
        if (privileges.length > 0) {
          made.push({
            action: 'GrantAccountPrivilege',
            params: {
              ...base(name),
              DBName: privileges.map((p) => p.dbName).join(','),
              AccountPrivilege: privileges.map((p) => p.privilege).join(','),
            },
          });
        }
        return api.grant(id, name, privileges);
      },
      async revoke(id, name, dbNames) {
        if (dbNames.length > 0) made.push({ action: 'RevokeAccountPrivilege', params: { ...base(name), DBName: dbNames.join(',') } });
        return api.revoke(id, name, dbNames);
      },
      async resetPassword(id, name, password) {
        made.push({ action: 'ResetAccountPassword', params: base(name) });
        return api.resetPassword(id, name, password);
      },
    };
    backend = new RdsApiBackend({
      label: 'secret r',
      log: createLogger({ sink: () => {} }),
      instanceId,
      api: recording,
      ca: undefined,
      accountNameMaxLength: undefined,
    });
  });
  afterEach(async () => fx?.stop());

  const alt = () => `${fx.sandbox.app.user}_rt`;
  const plan = (password = samplePassword()): RotationPlan => ({
    current: { user: fx.sandbox.app.user, password: fx.sandbox.app.password },
    pending: { user: alt(), password },
  });
  /** Both accounts as DescribeAccounts reports them. */
  const accounts = async () => ({
    current: await fx.rds!.api.describeAccount(fx.rds!.instanceId, fx.sandbox.app.user),
    alternate: await fx.rds!.api.describeAccount(fx.rds!.instanceId, alt()),
  });
  const mutatingSince = (index: number) => fx.rds!.emulator.calls.slice(index).filter((c) => !c.action.startsWith('Describe'));
  /** The listed calls, their passwords (redacted) left out, to compare with what was made. */
  const calls = (changes: PlannedChange[]): Made[] =>
    changes.flatMap((c) => {
      if (c.kind !== 'rds') return [];
      const { AccountPassword: _, ...params } = c.params;
      return [{ action: c.action, params }];
    });

  it('lists CreateAccount, GrantAccountPrivilege and ResetAccountPassword for a first rotation, changing nothing; apply then makes exactly those', async () => {
    const before = await accounts();
    const callsBefore = fx.rds!.emulator.calls.length;
    const password = samplePassword();
    const changes = await backend.preview(plan(password));
    const { instanceId } = fx.rds!;
    expect(changes).toEqual([
      {
        kind: 'rds',
        action: 'CreateAccount',
        params: {
          DBInstanceId: instanceId,
          AccountName: alt(),
          AccountPassword: '<redacted>',
          AccountType: 'Normal',
          AccountDescription: `rotation alternate of ${fx.sandbox.app.user}`,
        },
      },
      {
        kind: 'rds',
        action: 'GrantAccountPrivilege',
        params: { DBInstanceId: instanceId, AccountName: alt(), DBName: fx.sandbox.database, AccountPrivilege: 'ReadWrite' },
      },
      {
        kind: 'rds',
        action: 'ResetAccountPassword',
        params: { DBInstanceId: instanceId, AccountName: alt(), AccountPassword: '<redacted>' },
      },
    ]);
    expect(JSON.stringify(changes)).not.toContain(password);
    expect(mutatingSince(callsBefore)).toEqual([]);
    expect(made).toEqual([]);
    expect(await accounts()).toEqual(before);
    expect(before.alternate).toBeUndefined();

    await backend.apply(plan(password));
    expect(made).toEqual(calls(changes));
    expect(mutatingSince(callsBefore).map((c) => c.action)).toEqual(changes.map((c) => (c.kind === 'rds' ? c.action : c.kind)));
    expect(await fx.login({ AccountName: alt(), AccountPassword: password })).toBe('hello');
  });

  it('lists the revoke of what the alternate holds beyond the current account before the grant, and apply makes exactly those', async () => {
    const other = `${fx.sandbox.database}_x`;
    const conn = await adminConnection(fx.sandbox.server);
    await conn.query(`CREATE DATABASE ${quoteIdentifier(other)}`);
    try {
      const { api, instanceId } = fx.rds!;
      await api.createAccount(instanceId, { name: alt(), password: 'Old-Passw0rd!', type: 'Normal', description: 'left behind' });
      await api.grant(instanceId, alt(), [
        { dbName: fx.sandbox.database, privilege: 'ReadOnly' },
        { dbName: other, privilege: 'ReadWrite' },
      ]);
      const before = await accounts();
      const callsBefore = fx.rds!.emulator.calls.length;
      const changes = await backend.preview(plan());
      // Both databases are revoked (one holds another privilege, one none at all), in DescribeAccounts' order.
      const dbNames = (c: PlannedChange | undefined) => (c?.kind === 'rds' ? (c.params['DBName'] ?? '').split(',').sort() : []);
      expect(changes.map((c) => (c.kind === 'rds' ? c.action : c.kind))).toEqual([
        'RevokeAccountPrivilege',
        'GrantAccountPrivilege',
        'ResetAccountPassword',
      ]);
      expect(dbNames(changes[0])).toEqual([fx.sandbox.database, other].sort());
      expect(changes[1]).toMatchObject({ params: { DBName: fx.sandbox.database, AccountPrivilege: 'ReadWrite' } });
      expect(mutatingSince(callsBefore)).toEqual([]);
      expect(await accounts()).toEqual(before);

      await backend.apply(plan());
      expect(made).toEqual(calls(changes));
    } finally {
      await conn.query(`DROP DATABASE IF EXISTS ${quoteIdentifier(other)}`);
      await conn.end();
    }
  });

  it('says so where the alternate already matches: only its password is reset', async () => {
    const { api, instanceId } = fx.rds!;
    await api.createAccount(instanceId, { name: alt(), password: 'Old-Passw0rd!', type: 'Normal', description: 'left behind' });
    await api.grant(instanceId, alt(), [{ dbName: fx.sandbox.database, privilege: 'ReadWrite' }]);
    const changes = await backend.preview(plan());
    expect(changes.map((c) => c.kind + (c.kind === 'rds' ? ` ${c.action}` : ''))).toEqual(['note', 'rds ResetAccountPassword']);
  });

  it('refuses a current account with Custom privileges with the error apply gives, changing nothing', async () => {
    const escaped = fx.sandbox.database.replace(/_/g, '\\_');
    const conn = await adminConnection(fx.sandbox.server);
    try {
      await conn.query(`REVOKE INSERT ON ${quoteIdentifier(escaped)}.* FROM ?@'%'`, [fx.sandbox.app.user]);
    } finally {
      await conn.end();
    }
    const before = await accounts();
    const callsBefore = fx.rds!.emulator.calls.length;
    const previewError = await refusal(backend.preview(plan()));
    const applyError = await refusal(backend.apply(plan()));
    expect(previewError).toMatchObject({ name: 'PreconditionError', message: expect.stringMatching(/Custom/) });
    expect(previewError.constructor).toBe(applyError.constructor);
    expect(previewError.message).toBe(applyError.message);
    expect(mutatingSince(callsBefore)).toEqual([]);
    expect(await accounts()).toEqual(before);
  });
});
