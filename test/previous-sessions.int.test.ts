// Clients still on the previous account (issue 14, item 6), on the real MariaDB: rotation N+1's `set`
// changes the password of the account ACSPrevious holds; a session the test holds open on it is
// reported with a warn line by default, and with PREVIOUS_ACCOUNT_SESSIONS=refuse the step is refused
// with nothing changed, and the next run goes through once the client has moved on.
import mysql from 'mysql2/promise';
import { afterEach, describe, expect, it } from 'vitest';
import { PreconditionError } from '../src/errors.js';
import { Fixture } from './support/fixture.js';
import { refusal } from './support/failure.js';

describe('sessions still open on the previous account', () => {
  let fx: Fixture | undefined;
  let client: mysql.Connection | undefined;
  afterEach(async () => {
    await client?.end().catch(() => undefined);
    client = undefined;
    await fx?.stop();
    fx = undefined;
  });

  /** After one rotation, the original account is the previous one; a client that never moved on stays connected with it. */
  async function afterOneRotation(): Promise<Fixture> {
    fx = await Fixture.start();
    await fx.seed();
    await fx.rotate();
    const { host, port } = fx.sandbox.server;
    client = await mysql.createConnection({ host, port, user: fx.sandbox.app.user, password: fx.sandbox.app.password });
    return fx;
  }

  it('warns, naming the secret and the count, and rotates', async () => {
    const f = await afterOneRotation();
    const from = f.logs.length;
    await f.rotate();
    const warned = f.logs
      .slice(from)
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .filter((l) => l['level'] === 'warn' && String(l['msg']).includes('sessions are still open'));
    expect(warned).toEqual([expect.objectContaining({ secret: f.secretName, account: f.sandbox.app.user, count: 1 })]);
    expect((await f.secretAt({ stage: 'ACSCurrent' }))?.AccountName).toBe(f.sandbox.app.user);
  });

  it('refuses with PREVIOUS_ACCOUNT_SESSIONS=refuse, nothing changed, and goes through once the client is gone', async () => {
    const f = await afterOneRotation();
    const env = { ...f.env, PREVIOUS_ACCOUNT_SESSIONS: 'refuse' };
    const { invokeStep } = await import('../src/local/runner/rotate.js');
    const { LOCAL_CREDENTIALS } = await import('../src/local/fixtures/kms-admin.js');
    const options = { env, context: { credentials: LOCAL_CREDENTIALS }, sink: (l: string) => f.logs.push(l) };
    const input = { SecretName: f.secretName, RegionId: 'cn-hangzhou' };
    const { VersionId } = await invokeStep(input, 'new', undefined, options);
    const err = await refusal(invokeStep(input, 'set', VersionId, options));
    expect(err).toBeInstanceOf(PreconditionError);
    expect(err.message).toContain(`1 sessions are still open on account ${f.sandbox.app.user}`);
    // The client still works: its account's password did not change.
    await expect(client?.query('SELECT 1')).resolves.toBeDefined();
    const fresh = await mysql
      .createConnection({ ...f.sandbox.server, user: f.sandbox.app.user, password: f.sandbox.app.password })
      .then(async (c) => (await c.end(), 'logs in'));
    expect(fresh).toBe('logs in');
    await client?.end();
    client = undefined;
    for (const step of ['set', 'test', 'end'] as const) await invokeStep(input, step, VersionId, options);
    expect((await f.secretAt({ stage: 'ACSCurrent' }))?.AccountName).toBe(f.sandbox.app.user);
  });
});
