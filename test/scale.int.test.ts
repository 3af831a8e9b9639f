// Item 6's correctness half: 30 secrets through flows/rotate-many.yaml at Map concurrency 10 while the
// KMS emulator admits only 60 calls a second (about a sixth of what ten concurrent rotations ask for).
// Throttling must happen, and every secret must still rotate: ACSCurrent moved and logs in (throughout
// the run, too), nothing left ACSPending, the execution Succeeded. Retry delays run at a quarter of the
// flow's, so the test stays short; the bench measures time at full delays.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runScale, unrotated } from '../src/local/bench/scale.js';
import { RotationWorld, type WorldSecret } from '../src/local/fixtures/rotation-world.js';
import { loginWith } from './support/flow-login.js';

const SECRETS = 30;

let world: RotationWorld;
const secrets: WorldSecret[] = [];
beforeAll(async () => {
  world = await RotationWorld.start();
  for (let i = 0; i < SECRETS; i++) secrets.push(await world.addMysqlSecret({ prefix: 'scale-' }));
}, 60_000);
afterAll(async () => {
  await world?.close();
});

describe('rotate-many under a KMS rate limit', () => {
  it('rotates all 30 secrets at concurrency 10 under 60 KMS calls/s, throttled along the way', async () => {
    const before = new Map<string, string | undefined>();
    for (const s of secrets) before.set(s.secretName, await world.currentVersion(s.secretName));
    const logs: string[] = [];
    const run = await runScale(world, secrets, { concurrency: 10, kmsLimit: 60, timeScale: 0.25, sink: (l) => logs.push(l) });

    expect(run.result.error).toBeUndefined();
    expect(run.result.status).toBe('Succeeded');
    expect(run.result.output).toMatchObject({ Rotated: SECRETS, Failed: 0 });
    // The limit bit: the test proves the rotation survives throttling, not that it ran without any.
    expect(run.throttled).toBeGreaterThan(0);
    expect(await unrotated(world, before)).toEqual({ notRotated: [], pending: [] });
    // Sweep after sweep during the run, every secret's ACSCurrent logged in.
    expect(run.probe?.logins).toBeGreaterThan(SECRETS);
    expect(run.probe?.failures).toEqual([]);
    const logins = await Promise.all(secrets.map((s) => loginWith(world, s)));
    expect(logins).toEqual(secrets.map(() => 'hello'));
  }, 60_000);
});
