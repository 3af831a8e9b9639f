// KmsSecretStore's listing for discovery, through the real SDK clients against the KMS emulator:
// every page, tags re-checked on our side, creation times read, and a malformed answer refused.
import { afterEach, describe, expect, it } from 'vitest';
import { parseEndpoint } from '../../src/config.js';
import { TransientError } from '../../src/errors.js';
import { startKmsEmulator, type KmsEmulator, type KmsEmulatorOptions } from '../../src/local/emulators/kms/emulator.js';
import { kmsAdmin, LOCAL_CREDENTIALS } from '../../src/local/fixtures/kms-admin.js';
import { KmsSecretStore } from '../../src/secrets/kms-store.js';

let kms: KmsEmulator | undefined;
afterEach(async () => {
  await kms?.close();
  kms = undefined;
});

async function start(options: KmsEmulatorOptions = {}) {
  kms = await startKmsEmulator(options);
  const store = new KmsSecretStore({
    endpoint: parseEndpoint(kms.endpoint, 'KMS_ENDPOINT'),
    regionId: 'cn-hangzhou',
    credentials: LOCAL_CREDENTIALS,
  });
  return { store, admin: kmsAdmin(kms.endpoint), calls: () => kms?.calls ?? [] };
}

describe('KmsSecretStore.listTagged', () => {
  it('lists every secret with the tag key across pages, with its tags and type, and none without it', async () => {
    const { store, admin, calls } = await start();
    for (let i = 0; i < 105; i++) await admin.createSecret({ name: `tagged-${i}`, data: '{}', tags: { 'fc-rotation': '30d' } });
    await admin.createSecret({ name: 'other', data: '{}', tags: { 'fc-rotation-x': '1d' } });
    await admin.createSecret({ name: 'rds-one', data: '{}', tags: { 'fc-rotation': '7d', 'fc-rotation-instance': 'rm-1' } });
    const listed = await store.listTagged('fc-rotation');
    expect(listed).toHaveLength(106);
    expect(listed.map((s) => s.secretName)).not.toContain('other');
    expect(listed.find((s) => s.secretName === 'rds-one')).toEqual({
      secretName: 'rds-one',
      secretType: 'Generic',
      tags: { 'fc-rotation': '7d', 'fc-rotation-instance': 'rm-1' },
      plannedDeletion: false,
    });
    expect(calls().filter((c) => c.action === 'ListSecrets')).toHaveLength(2);
  });

  it('reads each version creation time from ListSecretVersionIds', async () => {
    let clock = Date.parse('2026-10-01T00:00:00Z');
    const { store, admin } = await start({ now: () => clock });
    await admin.createSecret({ name: 'aged', data: '{}' });
    clock += 86_400_000;
    await admin.putSecretValue({ name: 'aged', versionId: 'v2', data: '{"a":1}', stages: ['ACSPending'] });
    const versions = await store.listVersions('aged');
    expect(versions.map((v) => [v.versionId, v.createdAt])).toEqual([
      ['v1', Date.parse('2026-10-01T00:00:00Z')],
      ['v2', Date.parse('2026-10-02T00:00:00Z')],
    ]);
  });

  it('treats a listing without its list before TotalCount is reached as a TransientError, naming the tag', async () => {
    const { store, admin } = await start({
      faults: { respond: (call, body) => (call.action === 'ListSecrets' ? { TotalCount: 3, RequestId: body['RequestId'] } : undefined) },
    });
    await admin.createSecret({ name: 'a', data: '{}', tags: { 'fc-rotation': '1d' } });
    const failure = await store.listTagged('fc-rotation').then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(failure).toBeInstanceOf(TransientError);
    expect(failure?.message).toBe('KMS ListSecrets for tag fc-rotation answered without the expected fields');
  });
});
