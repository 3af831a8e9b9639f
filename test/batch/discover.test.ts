// discover: which tagged secrets are due, judged from version metadata alone, read-only.
import { describe, expect, it } from 'vitest';
import { discover, MAX_DUE_PER_RUN, STALE_PENDING_MS } from '../../src/batch/discover.js';
import { createLogger, SecretMask } from '../../src/log.js';
import { Stage } from '../../src/secrets/schema.js';
import { MemorySecretStore } from '../support/memory-store.js';

const DAY = 24 * 3_600_000;
const NOW = Date.parse('2026-12-01T00:00:00Z');
const TAG = 'fc-rotation';
const log = createLogger({ mask: new SecretMask(), sink: () => {} });
const input = { regionId: 'cn-hangzhou', tagKey: TAG, now: NOW };

function storeWith(...secrets: { name: string; ageDays: number; tags: Record<string, string>; type?: string; pendingAgeMs?: number }[]) {
  const store = new MemorySecretStore();
  for (const s of secrets) {
    store.seed(s.name, { AccountName: 'app', AccountPassword: 'pw-never-read' }, { createdAt: NOW - s.ageDays * DAY });
    if (s.pendingAgeMs !== undefined)
      store.seed(s.name, { AccountName: 'app_rt' }, { stages: [Stage.Pending], createdAt: NOW - s.pendingAgeMs });
    store.tag(s.name, s.tags, s.type ? { type: s.type } : {});
  }
  return store;
}

describe('discover', () => {
  it('finds the secrets whose ACSCurrent is older than their own interval, and no others', async () => {
    const store = storeWith(
      { name: 'old', ageDays: 31, tags: { [TAG]: '30d' } },
      { name: 'young', ageDays: 29, tags: { [TAG]: '30d' } },
      { name: 'hourly', ageDays: 1, tags: { [TAG]: '12h' } },
      { name: 'untagged', ageDays: 400, tags: { other: '1d' } },
    );
    const result = await discover(store, input, log);
    expect(result.Secrets.map((s) => s.SecretName).sort()).toEqual(['hourly', 'old']);
    expect(result).toMatchObject({ Due: 2, NotDue: 1, Problems: [] });
    expect(result.Secrets[0]).toEqual({ SecretName: 'old', RegionId: 'cn-hangzhou' });
  });

  it('counts a version made just after yesterday’s run as due at today’s run, so a daily schedule keeps a 1d interval', async () => {
    const store = new MemorySecretStore();
    // Rotated by yesterday's 03:00:00 run at 03:00:02; today's run starts at 03:00:01.
    store.seed('daily', {}, { createdAt: NOW - DAY + 1_000 });
    store.tag('daily', { [TAG]: '1d' });
    store.seed('weekly', {}, { createdAt: NOW - 7 * DAY + 1_000 });
    store.tag('weekly', { [TAG]: '7d' });
    // Two hours short of its interval: not due yet.
    store.seed('early', {}, { createdAt: NOW - 7 * DAY + 2 * 3_600_000 });
    store.tag('early', { [TAG]: '7d' });
    const due = (await discover(store, input, log)).Secrets.map((s) => s.SecretName).sort();
    expect(due).toEqual(['daily', 'weekly']);
  });

  it('reports an ACSPending without a creation time rather than race a rotation that may be under way', async () => {
    const store = storeWith({ name: 'unknown-age', ageDays: 40, tags: { [TAG]: '30d' } });
    store.seed('unknown-age', {}, { stages: [Stage.Pending], createdAt: undefined });
    const result = await discover(store, input, log);
    expect(result.Secrets).toEqual([]);
    expect(result.Problems).toEqual([{ SecretName: 'unknown-age', Reason: 'KMS reported no creation time for its ACSPending version' }]);
  });

  it('puts the most overdue first', async () => {
    const store = storeWith({ name: 'a', ageDays: 31, tags: { [TAG]: '30d' } }, { name: 'b', ageDays: 100, tags: { [TAG]: '30d' } });
    expect((await discover(store, input, log)).Secrets.map((s) => s.SecretName)).toEqual(['b', 'a']);
  });

  it('is due when an ACSPending has been left for over an hour, and leaves a younger one (a rotation under way) alone', async () => {
    const store = storeWith(
      { name: 'stale', ageDays: 1, tags: { [TAG]: '30d' }, pendingAgeMs: STALE_PENDING_MS + 1 },
      { name: 'running', ageDays: 40, tags: { [TAG]: '30d' }, pendingAgeMs: 60_000 },
    );
    const result = await discover(store, input, log);
    expect(result.Secrets.map((s) => s.SecretName)).toEqual(['stale']);
    expect(result.NotDue).toBe(1);
  });

  it('names the RDS instance from the <TagKey>-instance tag', async () => {
    const store = storeWith({ name: 'rds', ageDays: 31, tags: { [TAG]: '30d', [`${TAG}-instance`]: 'rm-bp1abc' } });
    expect((await discover(store, input, log)).Secrets).toEqual([{ SecretName: 'rds', RegionId: 'cn-hangzhou', InstanceId: 'rm-bp1abc' }]);
  });

  it('reports a malformed interval, a malformed instance id and a secret that is not Generic, never guessing', async () => {
    const store = storeWith(
      { name: 'bad-interval', ageDays: 400, tags: { [TAG]: 'monthly' } },
      { name: 'bad-instance', ageDays: 400, tags: { [TAG]: '30d', [`${TAG}-instance`]: 'rm 1;' } },
      { name: 'rds-managed', ageDays: 400, tags: { [TAG]: '30d' }, type: 'Rds' },
    );
    const result = await discover(store, input, log);
    expect(result.Secrets).toEqual([]);
    expect(result.Problems).toEqual([
      { SecretName: 'bad-interval', Reason: 'the value of tag fc-rotation is not an interval such as 30d or 12h' },
      { SecretName: 'bad-instance', Reason: 'the value of tag fc-rotation-instance is not an RDS instance id such as rm-...' },
      { SecretName: 'rds-managed', Reason: 'SecretType is Rds; only Generic secrets are rotated' },
    ]);
  });

  it('skips a secret waiting out its deletion window', async () => {
    const store = storeWith({ name: 'leaving', ageDays: 400, tags: { [TAG]: '1d' } });
    store.tag('leaving', { [TAG]: '1d' }, { plannedDeletion: true });
    expect(await discover(store, input, log)).toMatchObject({ Secrets: [], Due: 0, NotDue: 1 });
  });

  it('uses the tag key it is given', async () => {
    const store = storeWith({ name: 'team', ageDays: 10, tags: { 'team-rotation': '7d' } });
    expect((await discover(store, { ...input, tagKey: 'team-rotation' }, log)).Secrets.map((s) => s.SecretName)).toEqual(['team']);
    expect((await discover(store, input, log)).Secrets).toEqual([]);
  });

  it('caps the answer, counting the due secrets it left out for the next run', async () => {
    const many = Array.from({ length: MAX_DUE_PER_RUN + 7 }, (_, i) => ({ name: `s-${i}`, ageDays: 40 + i, tags: { [TAG]: '30d' } }));
    const result = await discover(storeWith(...many), input, log);
    expect(result.Secrets).toHaveLength(MAX_DUE_PER_RUN);
    expect(result.Due).toBe(MAX_DUE_PER_RUN + 7);
    expect(result.Truncated).toEqual({ Secrets: 7, Problems: 0 });
    // The most overdue are the ones kept.
    expect(result.Secrets[0]?.SecretName).toBe(`s-${MAX_DUE_PER_RUN + 6}`);
    expect(Buffer.byteLength(JSON.stringify(result))).toBeLessThan(64 * 1024);
  });

  it('changes nothing and never reads a SecretData', async () => {
    const store = storeWith({ name: 'old', ageDays: 31, tags: { [TAG]: '30d' } });
    await discover(store, input, log);
    expect(store.writes).toEqual([]);
    expect(store.reads.filter((r) => r.startsWith('find'))).toEqual([]);
  });
});
