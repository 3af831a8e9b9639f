// The container's memory of version data (src/secrets/version-cache.ts) as KmsSecretStore uses it,
// through the real SDK clients against the KMS emulator: findEach and withData answer exactly as
// find does, with fewer calls only where the data is already known; stages are always read afresh.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseEndpoint } from '../../src/config.js';
import { startKmsEmulator, type KmsEmulator } from '../../src/local/emulators/kms/emulator.js';
import { kmsAdmin, LOCAL_CREDENTIALS } from '../../src/local/fixtures/kms-admin.js';
import { KmsSecretStore } from '../../src/secrets/kms-store.js';
import {
  VERSION_DATA_MAX_ENTRIES,
  VERSION_DATA_TTL_MS,
  forgetVersionData,
  knownVersion,
  knowsSecret,
  rememberVersion,
} from '../../src/secrets/version-cache.js';

let kms: KmsEmulator | undefined;
beforeEach(() => forgetVersionData());
afterEach(async () => {
  await kms?.close();
  kms = undefined;
  forgetVersionData();
});

async function start() {
  kms = await startKmsEmulator();
  const endpoint = parseEndpoint(kms.endpoint, 'KMS_ENDPOINT');
  const store = new KmsSecretStore({ endpoint, regionId: 'cn-hangzhou', credentials: LOCAL_CREDENTIALS });
  const other = new KmsSecretStore({
    endpoint,
    regionId: 'cn-hangzhou',
    credentials: { ...LOCAL_CREDENTIALS, accessKeyId: 'another-key' },
  });
  const admin = kmsAdmin(kms.endpoint);
  await admin.createSecret({ name: 's', versionId: 'v1', data: '{"n":1}' });
  await admin.putSecretValue({ name: 's', versionId: 'v2', data: '{"n":2}', stages: ['ACSPending'] });
  const from = () => kms!.calls.length;
  const actionsSince = (mark: number) => kms!.calls.slice(mark).map((c) => c.action);
  return { store, other, admin, from, actionsSince };
}

describe('KmsSecretStore.findEach and withData', () => {
  const selectors = [{ versionId: 'v2' }, { stage: 'ACSCurrent' as const }];

  it('reads each version when nothing of the secret is known, then takes the stages from one listing', async () => {
    const { store, from, actionsSince } = await start();
    const cold = from();
    const first = await store.findEach('s', selectors);
    expect(actionsSince(cold)).toEqual(['GetSecretValue', 'GetSecretValue']);

    const warm = from();
    const again = await store.findEach('s', selectors);
    expect(actionsSince(warm)).toEqual(['ListSecretVersionIds']);
    expect(again).toEqual(first);
    expect(first.map((v) => v && [v.versionId, v.stages, JSON.parse(v.data)])).toEqual([
      ['v2', ['ACSPending'], { n: 2 }],
      ['v1', ['ACSCurrent'], { n: 1 }],
    ]);
  });

  it('never keeps stages: a stage moved since the data was read shows in the next answer', async () => {
    const { store, from, actionsSince } = await start();
    await store.findEach('s', selectors);
    await store.moveStage('s', 'ACSCurrent', 'v2', 'v1');
    const mark = from();
    const [v2, current] = await store.findEach('s', selectors);
    expect(actionsSince(mark)).toEqual(['ListSecretVersionIds']);
    expect(v2?.stages).toContain('ACSCurrent');
    expect(current?.versionId).toBe('v2');
    // A selector no version fits any more is undefined, as find answers it.
    expect(await store.findEach('s', [{ versionId: 'v1', stage: 'ACSCurrent' }])).toEqual([undefined]);
  });

  it('reads what is not known: a version added by someone else is read once, by its id', async () => {
    const { store, admin, from, actionsSince } = await start();
    await store.findEach('s', selectors);
    await admin.putSecretValue({ name: 's', versionId: 'v3', data: '{"n":3}', stages: ['ACSPending'] });
    const mark = from();
    const [v3] = await store.findEach('s', [{ stage: 'ACSPending' }]);
    expect(actionsSince(mark)).toEqual(['ListSecretVersionIds', 'GetSecretValue']);
    expect(JSON.parse(v3!.data)).toEqual({ n: 3 });
  });

  it('reads by id when a version it names is not known, though others of the secret are: a listing would only add a call', async () => {
    const { store, from, actionsSince } = await start();
    await store.find('s', { stage: 'ACSCurrent' });
    const mark = from();
    const [v2, current] = await store.findEach('s', selectors);
    expect(actionsSince(mark)).toEqual(['GetSecretValue', 'GetSecretValue']);
    expect([v2?.versionId, current?.versionId]).toEqual(['v2', 'v1']);
  });

  it('withData takes the listed stages and the known data, or reads the version', async () => {
    const { store, from, actionsSince } = await start();
    await store.putPending('s', 'v4', '{"n":4}');
    const listing = await store.listVersions('s');
    const mark = from();
    const v4 = await store.withData(
      's',
      listing.find((v) => v.versionId === 'v4')!,
    );
    const v1 = await store.withData(
      's',
      listing.find((v) => v.versionId === 'v1')!,
    );
    expect(actionsSince(mark)).toEqual(['GetSecretValue']);
    expect(v4).toEqual({ secretName: 's', versionId: 'v4', stages: ['ACSPending'], data: '{"n":4}', dataType: 'text' });
    expect(v1?.data).toBe('{"n":1}');
  });

  it('keeps what one identity read from another, and forgets everything as a new container would', async () => {
    const { store, other, from, actionsSince } = await start();
    await store.findEach('s', selectors);
    const mark = from();
    await other.findEach('s', selectors);
    expect(actionsSince(mark)).toEqual(['GetSecretValue', 'GetSecretValue']);
    forgetVersionData();
    const after = from();
    await store.findEach('s', selectors);
    expect(actionsSince(after)).toEqual(['GetSecretValue', 'GetSecretValue']);
  });
});

describe('version-cache bounds', () => {
  it(`forgets a version ${VERSION_DATA_TTL_MS / 60_000} minutes after it was last seen`, () => {
    rememberVersion('scope', 's', 'v1', { data: 'd', dataType: 'text' }, 1_000);
    expect(knownVersion('scope', 's', 'v1', 1_000 + VERSION_DATA_TTL_MS - 1)).toEqual({ data: 'd', dataType: 'text' });
    expect(knowsSecret('scope', 's', 1_000 + VERSION_DATA_TTL_MS - 1)).toBe(true);
    expect(knowsSecret('scope', 's', 1_000 + VERSION_DATA_TTL_MS)).toBe(false);
    expect(knownVersion('scope', 's', 'v1', 1_000 + VERSION_DATA_TTL_MS)).toBeUndefined();
  });

  it(`keeps at most ${VERSION_DATA_MAX_ENTRIES} versions, dropping the oldest`, () => {
    for (let i = 0; i <= VERSION_DATA_MAX_ENTRIES; i++) rememberVersion('scope', 's', `v${i}`, { data: String(i), dataType: 'text' }, 5);
    expect(knownVersion('scope', 's', 'v0', 5)).toBeUndefined();
    expect(knownVersion('scope', 's', 'v1', 5)?.data).toBe('1');
    expect(knownVersion('scope', 's', `v${VERSION_DATA_MAX_ENTRIES}`, 5)?.data).toBe(String(VERSION_DATA_MAX_ENTRIES));
  });

  it('tells secrets apart whose names share a prefix', () => {
    rememberVersion('scope', 'app', 'v1', { data: 'd', dataType: 'text' }, 5);
    expect(knowsSecret('scope', 'app', 5)).toBe(true);
    expect(knowsSecret('scope', 'ap', 5)).toBe(false);
    expect(knowsSecret('scope', 'app-2', 5)).toBe(false);
    expect(knowsSecret('other', 'app', 5)).toBe(false);
  });
});
