// RDS rules the backend applies before calling the API: password characters and account name limits.
import { describe, expect, it } from 'vitest';
import { accountNameLimit, RdsApiBackend, RDS_PASSWORD_PUNCTUATION, RDS_PASSWORD_RULES } from '../../../src/backends/rds/backend.js';
import type { RdsAccount, RdsAccountsApi } from '../../../src/backends/rds/client.js';
import { createLogger } from '../../../src/log.js';
import { loadConfig } from '../../../src/config.js';
import { generatePassword, passwordPolicy } from '../../../src/password.js';

/** RDS's documented rule: 8–32 characters, at least three of the four classes, only these specials. */
function rdsAccepts(password: string): boolean {
  if (password.length < 8 || password.length > 32) return false;
  if (![...password].every((c) => /[A-Za-z0-9]/.test(c) || '!@#$%^&*()_+-='.includes(c))) return false;
  const classes = [/[a-z]/, /[A-Z]/, /[0-9]/, /[!@#$%^&*()_+\-=]/].filter((re) => re.test(password)).length;
  return classes >= 3;
}

describe('RDS passwords', () => {
  const rules = RDS_PASSWORD_RULES;

  it.each([
    ['the default configuration', {}],
    ['no exclusions at all', { EXCLUDE_CHARACTERS: '' }],
    ['excluding most of the RDS specials', { EXCLUDE_CHARACTERS: '!@#$%^&*(' }],
    ['the shortest length', { PASSWORD_LENGTH: '8' }],
  ])('1,000 generated passwords all pass the RDS rule with %s', (_, env) => {
    const policy = passwordPolicy(loadConfig(env), rules);
    for (let i = 0; i < 1000; i++) {
      const password = generatePassword(policy);
      expect(rdsAccepts(password), 'a generated password broke the RDS rule').toBe(true);
    }
  });

  it('never uses punctuation RDS refuses, even where EXCLUDE_CHARACTERS allows it', () => {
    const policy = passwordPolicy(loadConfig({ EXCLUDE_CHARACTERS: '' }), rules);
    const seen = new Set<string>();
    for (let i = 0; i < 1000; i++) for (const c of generatePassword(policy)) if (!/[A-Za-z0-9]/.test(c)) seen.add(c);
    expect([...seen].every((c) => RDS_PASSWORD_PUNCTUATION.includes(c))).toBe(true);
    expect(seen.size).toBeGreaterThan(10);
  });

  it("refuses a PASSWORD_LENGTH over RDS's 32", () => {
    expect(() => passwordPolicy(loadConfig({ PASSWORD_LENGTH: '40' }), rules)).toThrow(/at most 32/);
  });
});

describe('account name limits by engine', () => {
  it.each([
    ['MySQL', '5.6', 16],
    ['MySQL', '5.7', 32],
    ['MySQL', '8.0', 32],
    ['MariaDB', '10.3', 16],
    ['PostgreSQL', '14.0', 63],
    ['SQLServer', '2019_std_ha', 64],
  ])('%s %s → %i', (engine, engineVersion, limit) => {
    expect(accountNameLimit({ engine, engineVersion })).toBe(limit);
  });
});

describe('test step on an engine the function cannot log in to', () => {
  /** Our own port, held in memory: the RDS emulator only backs MySQL-family engines. */
  function instance(engine: string, accounts: RdsAccount[]): RdsAccountsApi {
    const unused = () => Promise.reject(new Error('not expected in this test'));
    return {
      describeAccount: async (_id, name) => accounts.find((a) => a.name === name),
      instanceInfo: async () => ({ engine, engineVersion: '14.0' }),
      intranetAddress: unused,
      createAccount: unused,
      resetPassword: unused,
      grant: unused,
      revoke: unused,
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
  const app = (status: string, privilege = 'DBOwner'): RdsAccount => ({
    name: 'app_rt',
    status,
    type: 'Normal',
    privileges: [{ dbName: 'd', privilege }],
  });
  const partner: RdsAccount = { name: 'app', status: 'Available', type: 'Normal', privileges: [{ dbName: 'd', privilege: 'DBOwner' }] };

  it('checks the account state through DescribeAccounts and says so', async () => {
    const b = backend(instance('PostgreSQL', [app('Available'), partner]));
    expect(await b.loginState({ user: 'app_rt', password: 'x' })).toBe('unknown');
    expect(await b.verify({ user: 'app_rt', password: 'x' })).toEqual({ check: 'account-state' });
  });

  it('is transient while the account is not Available, and refuses different privileges', async () => {
    await expect(
      backend(instance('PostgreSQL', [app('Unavailable'), partner])).verify({ user: 'app_rt', password: 'x' }),
    ).rejects.toMatchObject({
      name: 'TransientError',
    });
    await expect(
      backend(instance('PostgreSQL', [app('Available', 'ReadOnly'), partner])).verify({ user: 'app_rt', password: 'x' }),
    ).rejects.toMatchObject({
      name: 'PreconditionError',
    });
    await expect(backend(instance('SQLServer', [partner])).verify({ user: 'app_rt', password: 'x' })).rejects.toMatchObject({
      name: 'PreconditionError',
    });
    // Without a login the test step's proof is the state and privileges too, not only end's.
    await expect(
      backend(instance('PostgreSQL', [app('Available', 'ReadOnly'), partner])).verify(
        { user: 'app_rt', password: 'x' },
        'alternate',
        'test',
      ),
    ).rejects.toMatchObject({ name: 'PreconditionError', message: expect.stringMatching(/privileges differ/) });
  });
});
