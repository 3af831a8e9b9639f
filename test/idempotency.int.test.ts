// Every step may be retried any number of times, or re-run after a crash, and must converge.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { adminConnection } from '../src/local/fixtures/mysql-sandbox.js';
import { quoteIdentifier } from '../src/backends/mysql/sql.js';
import { Fixture } from './support/fixture.js';

describe('idempotent steps', () => {
  let fx: Fixture;
  beforeEach(async () => {
    fx = await Fixture.start();
    await fx.seed();
  });
  afterEach(async () => fx?.stop());

  it('runs every step twice with the same end state as once', async () => {
    const first = await fx.invoke('new');
    const afterNew = await fx.snapshot();
    const again = await fx.invoke('new');
    expect(again.VersionId).toBe(first.VersionId);
    expect(again.Skipped).toBeDefined();
    expect(await fx.snapshot()).toEqual(afterNew);

    const versionId = first.VersionId;
    expect((await fx.invoke('set', versionId)).Skipped).toBeUndefined();
    const afterSet = await fx.snapshot();
    expect((await fx.invoke('set', versionId)).Skipped).toMatch(/already log in/);
    expect(await fx.snapshot()).toEqual(afterSet);

    await fx.invoke('test', versionId);
    await fx.invoke('test', versionId);
    expect(await fx.snapshot()).toEqual(afterSet);

    expect((await fx.invoke('end', versionId)).Skipped).toBeUndefined();
    const afterEnd = await fx.snapshot();
    expect((await fx.invoke('end', versionId)).Skipped).toMatch(/already ACSCurrent/);
    expect(await fx.snapshot()).toEqual(afterEnd);
    // Late retries of earlier steps after the rotation finished change nothing either.
    expect((await fx.invoke('set', versionId)).Skipped).toMatch(/already ACSCurrent/);
    expect((await fx.invoke('new', versionId)).Skipped).toMatch(/already ACSCurrent/);
    expect(await fx.snapshot()).toEqual(afterEnd);
    expect((await fx.secretAt({ stage: 'ACSCurrent' }))?.AccountName).toBe(`${fx.sandbox.app.user}_rt`);
  });

  it('converges when PutSecretValue is applied but its response is lost', async () => {
    let failed = 0;
    fx.faults.after = (call) => (call.action === 'PutSecretValue' && failed++ === 0 ? { status: 500, code: 'InternalFailure' } : undefined);
    await expect(fx.invoke('new')).rejects.toMatchObject({ name: 'TransientError' });
    // CloudFlow retries with a fresh invocation (a new requestId): the staged version is reused.
    const retried = await fx.invoke('new');
    expect(Object.values(await fx.stages()).filter((s) => s.includes('ACSPending'))).toHaveLength(1);
    await fx.invoke('set', retried.VersionId);
    await fx.invoke('test', retried.VersionId);
    await fx.invoke('end', retried.VersionId);
    expect(await fx.login((await fx.secretAt({ stage: 'ACSCurrent' }))!)).toBe('hello');
  });

  it('converges when end fails half-way through its stage moves', async () => {
    const { VersionId } = await fx.invoke('new');
    await fx.invoke('set', VersionId);
    let moves = 0;
    // The second stage change is applied, then the response is lost.
    fx.faults.after = (call) =>
      call.action === 'UpdateSecretVersionStage' && ++moves === 2 ? { status: 503, code: 'ServiceUnavailable' } : undefined;
    await expect(fx.invoke('end', VersionId)).rejects.toMatchObject({ name: 'TransientError' });
    fx.faults.after = undefined;
    await fx.invoke('end', VersionId);
    const stages = await fx.stages();
    expect(stages[VersionId]).toEqual(['ACSCurrent']);
    expect(Object.values(stages).filter((s) => s.includes('ACSPrevious'))).toHaveLength(1);
    expect(Object.values(stages).flat()).not.toContain('ACSPending');
  });

  it('replaces an ACSPending version that no longer fits ACSCurrent, and takes ACSPending off it', async () => {
    const { VersionId: stale } = await fx.invoke('new');
    // An operator updates the secret (a new field) before the rotation goes on.
    const updated = { ...(await fx.secretAt({ stage: 'ACSCurrent' }))!, Note: 'moved' };
    await fx.admin.putSecretValue({ name: fx.secretName, versionId: 'operator-update', data: JSON.stringify(updated) });
    const fresh = await fx.invoke('new');
    expect(fresh.VersionId).not.toBe(stale);
    expect(fresh.Skipped).toBeUndefined();
    const stages = await fx.stages();
    expect(stages[fresh.VersionId]).toEqual(['ACSPending']);
    expect(stages[stale]).toEqual([]);
    expect((await fx.secretAt({ versionId: fresh.VersionId }))?.['Note']).toBe('moved');
    await expect(fx.invoke('set', stale)).rejects.toMatchObject({ name: 'PreconditionError' });
    for (const step of ['set', 'test', 'end'] as const) await fx.invoke(step, fresh.VersionId);
    expect((await fx.secretAt({ stage: 'ACSCurrent' }))?.['Note']).toBe('moved');
    expect(await fx.login((await fx.secretAt({ stage: 'ACSCurrent' }))!)).toBe('hello');
  });

  it('starts the next rotation cleanly when an earlier end never cleared ACSPending', async () => {
    const { VersionId } = await fx.invoke('new');
    await fx.invoke('set', VersionId);
    let moves = 0;
    // The third stage change (removing ACSPending) is refused before it is applied, and nobody re-runs end.
    fx.faults.before = (call) =>
      call.action === 'UpdateSecretVersionStage' && ++moves === 3 ? { status: 503, code: 'ServiceUnavailable' } : undefined;
    await expect(fx.invoke('end', VersionId)).rejects.toMatchObject({ name: 'TransientError' });
    fx.faults.before = undefined;
    expect((await fx.stages())[VersionId]).toEqual(['ACSCurrent', 'ACSPending']);
    const runs = await fx.rotate();
    const next = runs[0]!.result.VersionId;
    expect(next).not.toBe(VersionId);
    const stages = await fx.stages();
    expect(stages[next]).toEqual(['ACSCurrent']);
    expect(stages[VersionId]).toEqual(['ACSPrevious']);
    expect(await fx.login((await fx.secretAt({ stage: 'ACSCurrent' }))!)).toBe('hello');
  });

  it('repairs an alternate left behind with another password and extra privileges', async () => {
    const alt = `${fx.sandbox.app.user}_rt`;
    const conn = await adminConnection(fx.sandbox.server);
    try {
      // What a crashed earlier attempt, or an operator, might have left.
      await conn.query('CREATE USER ?@? IDENTIFIED BY ?', [alt, fx.sandbox.app.host, 'Left-behind-1']);
      await conn.query(`GRANT SELECT, DROP ON ${quoteIdentifier(fx.sandbox.database)}.* TO ?@? WITH GRANT OPTION`, [
        alt,
        fx.sandbox.app.host,
      ]);
    } finally {
      await conn.end();
    }
    expect(await fx.grants(alt)).not.toEqual(await fx.grants(fx.sandbox.app.user));
    const [newRun] = await fx.rotate();
    expect(await fx.grants(alt)).toEqual(await fx.grants(fx.sandbox.app.user));
    expect(await fx.login({ AccountName: alt, AccountPassword: 'Left-behind-1' })).toMatch(/^refused/);
    expect((await fx.secretAt({ versionId: newRun!.result.VersionId }))?.AccountName).toBe(alt);
  });
});

describe('an account whose host is not %', () => {
  let fx: Fixture;
  beforeEach(async () => {
    fx = await Fixture.start({ appHost: '127.0.0.1' });
    await fx.seed();
  });
  afterEach(async () => fx?.stop());

  it('gives the alternate the same host and grants', async () => {
    await fx.rotate();
    await fx.rotate();
    const alt = `${fx.sandbox.app.user}_rt`;
    expect(await fx.grants(alt, '127.0.0.1')).toEqual(await fx.grants(fx.sandbox.app.user, '127.0.0.1'));
    const conn = await adminConnection(fx.sandbox.server);
    try {
      const [rows] = await conn.query('SELECT Host FROM mysql.user WHERE User = ?', [alt]);
      expect(rows).toEqual([{ Host: '127.0.0.1' }]);
    } finally {
      await conn.end();
    }
    expect(await fx.login((await fx.secretAt({ stage: 'ACSCurrent' }))!)).toBe('hello');
  });
});
