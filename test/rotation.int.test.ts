// End to end on the real MariaDB through the real KMS SDK: four alternating rotations in a row.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Fixture } from './support/fixture.js';

describe('alternating-users rotation of a self-managed MySQL secret', () => {
  let fx: Fixture;
  beforeAll(async () => {
    fx = await Fixture.start();
    // Port as a numeric string and an unknown field: both must survive every rotation unchanged.
    await fx.seed(fx.appSecret({ Team: 'payments', Port: String(fx.sandbox.server.port) }));
  });
  afterAll(async () => fx?.stop());

  it('rotates four times, alternating the account name and keeping every other field', async () => {
    const base = fx.sandbox.app.user;
    const seen: string[] = [];
    for (let round = 1; round <= 4; round++) {
      const before = await fx.secretAt({ stage: 'ACSCurrent' });
      const runs = await fx.rotate();
      expect(runs.map((r) => r.step)).toEqual(['new', 'set', 'test', 'end']);
      const versionId = runs[0]!.result.VersionId;
      expect(runs.every((r) => r.result.VersionId === versionId)).toBe(true);
      expect(runs.some((r) => r.result.Skipped)).toBe(false);

      const current = await fx.secretAt({ stage: 'ACSCurrent' });
      const previous = await fx.secretAt({ stage: 'ACSPrevious' });
      expect(current?.AccountName).toBe(round % 2 === 1 ? `${base}_rt` : base);
      expect(previous).toEqual(before);
      expect(current?.AccountPassword).not.toBe(before?.AccountPassword);
      // Unknown fields and the string-typed Port are carried over unchanged.
      expect(current?.['Team']).toBe('payments');
      expect(current?.Port).toBe(before?.Port);
      seen.push(current!.AccountName);

      expect(await fx.login(current!)).toBe('hello');
      expect(await fx.login(previous!)).toBe('hello');
      expect(await fx.grants(`${base}_rt`)).toEqual(await fx.grants(base));
      expect(await fx.secretAt({ stage: 'ACSPending' })).toBeUndefined();
      const stages = Object.values(await fx.stages());
      expect(stages.filter((s) => s.includes('ACSCurrent'))).toHaveLength(1);
      expect(stages.filter((s) => s.includes('ACSPrevious'))).toHaveLength(1);
      expect(stages.flat()).not.toContain('ACSPending');
    }
    expect(seen).toEqual([`${base}_rt`, base, `${base}_rt`, base]);
  });

  it("created the alternate on the current account's host only", async () => {
    const { adminConnection } = await import('../src/local/fixtures/mysql-sandbox.js');
    const conn = await adminConnection(fx.sandbox.server);
    try {
      const [rows] = await conn.query('SELECT User, Host FROM mysql.user WHERE User IN (?, ?) ORDER BY User', [
        fx.sandbox.app.user,
        `${fx.sandbox.app.user}_rt`,
      ]);
      const accounts = rows as { User: string; Host: string }[];
      expect(accounts).toHaveLength(2);
      expect(new Set(accounts.map((a) => a.Host))).toEqual(new Set([fx.sandbox.app.host]));
    } finally {
      await conn.end();
    }
  });
});

describe('two rotations at once against two KMS endpoints', () => {
  let a: Fixture;
  let b: Fixture;
  beforeAll(async () => {
    [a, b] = await Promise.all([Fixture.start(), Fixture.start()]);
    await Promise.all([a.seed(), b.seed()]);
  });
  afterAll(async () => Promise.all([a?.stop(), b?.stop()]));

  it('each reaches only the endpoint its caller passed, since the handler reads no shared environment', async () => {
    expect(a.env['KMS_ENDPOINT']).not.toBe(b.env['KMS_ENDPOINT']);
    const [runsA, runsB] = await Promise.all([a.rotate(), b.rotate()]);
    expect(runsA.map((r) => r.result.Skipped)).toEqual([undefined, undefined, undefined, undefined]);
    expect(runsB.map((r) => r.result.Skipped)).toEqual([undefined, undefined, undefined, undefined]);
    // Each emulator saw its own secrets only: a leaked endpoint would show the other's name here.
    expect(new Set(a.kms.calls.map((c) => c.secretName))).toEqual(new Set([a.secretName, a.masterName]));
    expect(new Set(b.kms.calls.map((c) => c.secretName))).toEqual(new Set([b.secretName, b.masterName]));
    for (const fx of [a, b]) {
      const current = await fx.secretAt({ stage: 'ACSCurrent' });
      expect(current?.AccountName).toBe(`${fx.sandbox.app.user}_rt`);
      expect(await fx.login(current!)).toBe('hello');
    }
  });
});
