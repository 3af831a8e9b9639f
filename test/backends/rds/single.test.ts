// The RDS API backend's single-account rotation on an in-memory port: ResetAccountPassword on the account
// itself and nothing else (any account type, any privileges), the same change in the dry run, and a
// test that compares no partner's privileges.
import { describe, expect, it } from 'vitest';
import type { RotationPlan } from '../../../src/backends/backend.js';
import { RdsApiBackend } from '../../../src/backends/rds/backend.js';
import type { RdsAccount, RdsAccountsApi } from '../../../src/backends/rds/client.js';
import { PreconditionError } from '../../../src/errors.js';
import { createLogger } from '../../../src/log.js';

const NEW_PASSWORD = 'New-Rds-Password-1';

/** A PostgreSQL-like instance (no SQL login from here), its accounts in memory, every mutating call recorded without its password. */
function instance(accounts: RdsAccount[]): { api: RdsAccountsApi; calls: string[]; passwords: Map<string, string> } {
  const calls: string[] = [];
  const passwords = new Map<string, string>();
  const record = (call: string) => async () => {
    calls.push(call);
  };
  return {
    calls,
    passwords,
    api: {
      describeAccount: async (_id, name) => accounts.find((a) => a.name === name),
      instanceInfo: async () => ({ engine: 'PostgreSQL', engineVersion: '14.0' }),
      intranetAddress: async () => undefined,
      createAccount: async (_id, account) => (calls.push(`CreateAccount ${account.name}`), 'created'),
      resetPassword: async (_id, name, password) => {
        calls.push(`ResetAccountPassword ${name}`);
        passwords.set(name, password);
      },
      grant: record('GrantAccountPrivilege'),
      revoke: record('RevokeAccountPrivilege'),
    },
  };
}

const backend = (api: RdsAccountsApi) =>
  new RdsApiBackend({
    label: 'secret s',
    log: createLogger({ sink: () => undefined }),
    instanceId: 'pg-1',
    api,
    ca: undefined,
    accountNameMaxLength: undefined,
  });

const account = (name: string, type: string, privileges: RdsAccount['privileges']): RdsAccount => ({
  name,
  status: 'Available',
  type,
  privileges,
});

const plan = (user = 'appuser'): RotationPlan => ({
  current: { user, password: 'Old-Rds-Password-1' },
  pending: { user, password: NEW_PASSWORD },
  strategy: 'single',
  login: { user, password: 'Old-Rds-Password-1' },
});

describe('RDS API backend, RotationStrategy single', () => {
  it.each([
    ['a standard account', account('appuser', 'Normal', [{ dbName: 'shop', privilege: 'ReadWrite' }])],
    // The alternate strategy refuses both of these; a single account has no twin to make.
    ['the privileged account', account('appuser', 'Super', [])],
    ['an account with Custom privileges', account('appuser', 'Normal', [{ dbName: 'shop', privilege: 'Custom' }])],
  ])('resets the password of %s and changes nothing else', async (_, current) => {
    const { api, calls, passwords } = instance([current, account('appuser_rt', 'Normal', [])]);
    expect(await backend(api).apply(plan())).toEqual({ created: false });
    expect(calls).toEqual(['ResetAccountPassword appuser']);
    expect(passwords.get('appuser') === NEW_PASSWORD).toBe(true);
  });

  it('previews the same one call, its password redacted, and makes none', async () => {
    const { api, calls } = instance([account('appuser', 'Normal', [{ dbName: 'shop', privilege: 'ReadWrite' }])]);
    const changes = await backend(api).preview(plan());
    expect(changes).toEqual([
      { kind: 'note', text: expect.stringContaining("only the account's password is reset") },
      {
        kind: 'rds',
        action: 'ResetAccountPassword',
        params: { DBInstanceId: 'pg-1', AccountName: 'appuser', AccountPassword: '<redacted>' },
      },
    ]);
    expect(calls).toEqual([]);
    expect(JSON.stringify(changes).includes(NEW_PASSWORD)).toBe(false);
  });

  it('refuses, calling nothing, when the account does not exist', async () => {
    const { api, calls } = instance([]);
    await expect(backend(api).apply(plan())).rejects.toThrow(PreconditionError);
    await expect(backend(api).preview(plan())).rejects.toThrow(/the current account does not exist/);
    expect(calls).toEqual([]);
  });

  it('test compares no partner: an old alternate with other privileges does not fail a single account', async () => {
    const { api } = instance([
      account('appuser', 'Normal', [{ dbName: 'shop', privilege: 'ReadWrite' }]),
      account('appuser_rt', 'Normal', [{ dbName: 'other', privilege: 'ReadOnly' }]),
    ]);
    const rds = backend(api);
    expect(await rds.verify({ user: 'appuser', password: NEW_PASSWORD }, 'single')).toEqual({ check: 'account-state' });
    // Alternating, the same pair is refused.
    await expect(rds.verify({ user: 'appuser', password: NEW_PASSWORD })).rejects.toThrow(/privileges differ/);
  });
});
