// Drives the local KMS emulator through both real Alibaba SDK clients, so its wire format and its KMS rules are checked together.
import KmsModule, * as $Kms from '@alicloud/kms20160120';
import OpenApiModule, * as $OpenApi from '@alicloud/openapi-client';
// The option classes the two clients' signatures name (both are direct dependencies now).
import * as $Rpc from '@alicloud/rpc-client';
import * as $Util from '@alicloud/tea-util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { failure as failOn } from '../../../support/failure.js';
import { startKmsEmulator, type KmsCall, type KmsEmulator } from '../../../../src/local/emulators/kms/emulator.js';
import type { Fault } from '../../../../src/local/emulators/faults.js';
import { PUNCTUATION } from '../../../../src/local/emulators/kms/random-password.js';
import { kmsRpcParams } from '../../../../src/secrets/kms-store.js';
import { sdkClass } from '../../../../src/alibaba/interop.js';

type KmsClient = InstanceType<typeof KmsModule.default>;
type OpenApiClient = InstanceType<typeof OpenApiModule.default>;
const KmsClass = sdkClass($Kms);
const OpenApiClass = sdkClass($OpenApi);

const REGION = 'cn-hangzhou';
const ACCESS_KEY_ID = 'LTAI-emulator-test';
const ACCESS_KEY_SECRET = 'right-secret';

function sdkEndpoint(emulator: KmsEmulator): string {
  return `127.0.0.1:${emulator.port}`;
}

function rpcClient(emulator: KmsEmulator, accessKeyId = ACCESS_KEY_ID, accessKeySecret = ACCESS_KEY_SECRET): KmsClient {
  return new KmsClass(
    new $Rpc.Config({ endpoint: sdkEndpoint(emulator), protocol: 'http', regionId: REGION, accessKeyId, accessKeySecret }),
  );
}

function openApiClient(emulator: KmsEmulator, options: { accessKeySecret?: string; signatureAlgorithm?: 'v2' } = {}): OpenApiClient {
  return new OpenApiClass(
    new $OpenApi.Config({
      endpoint: sdkEndpoint(emulator),
      protocol: 'http',
      regionId: REGION,
      accessKeyId: ACCESS_KEY_ID,
      accessKeySecret: options.accessKeySecret ?? ACCESS_KEY_SECRET,
      signatureAlgorithm: options.signatureAlgorithm,
    }),
  );
}

const OpenApiResponse = z.object({ statusCode: z.number(), body: z.record(z.string(), z.unknown()) });

/** `where` decides whether parameters travel in the query string or in a form body. */
async function callApi(
  client: OpenApiClient,
  action: string,
  params: Record<string, string>,
  where: 'query' | 'body' = 'query',
): Promise<Record<string, unknown>> {
  const request = new $OpenApi.OpenApiRequest(where === 'query' ? { query: params } : { body: params });
  const result: unknown = await client.callApi(kmsRpcParams(action, 'HTTP'), request, new $Util.RuntimeOptions({}));
  return OpenApiResponse.parse(result).body;
}

const SdkError = z.object({
  code: z.string(),
  message: z.string(),
  statusCode: z.number().optional(),
  data: z.object({ Code: z.string(), Message: z.string() }).passthrough().optional(),
});
type SdkError = z.infer<typeof SdkError>;

const failure = (promise: Promise<unknown>): Promise<SdkError> => failOn(promise, SdkError);

const Stages = z.object({ VersionStage: z.array(z.string()) });
const SecretValueBody = z.object({
  RequestId: z.string(),
  SecretName: z.string(),
  SecretType: z.string(),
  SecretData: z.string(),
  SecretDataType: z.string(),
  VersionId: z.string(),
  CreateTime: z.string(),
  VersionStages: Stages,
});
const VersionListBody = z.object({
  TotalCount: z.number(),
  PageNumber: z.number(),
  PageSize: z.number(),
  VersionIds: z.object({
    VersionId: z.array(z.object({ VersionId: z.string(), CreateTime: z.string(), VersionStages: Stages })),
  }),
});
const DescribeBody = z.object({
  Arn: z.string(),
  SecretName: z.string(),
  SecretType: z.string(),
  CreateTime: z.string(),
  UpdateTime: z.string(),
  EncryptionKeyId: z.string(),
  Description: z.string().optional(),
  PlannedDeleteTime: z.string().optional(),
});

let counter = 0;
function uniqueName(label: string): string {
  counter += 1;
  return `${label}-${counter}`;
}

/** Every SecretData value sent, so the last test can prove none of them reached `calls`. */
const sentData = new Set<string>();
function data(label: string): string {
  const value = JSON.stringify({ AccountName: 'app', AccountPassword: `pw-${label}-${counter}-Zq9!` });
  sentData.add(value);
  return value;
}

describe('KMS emulator without signature checks', () => {
  let emulator: KmsEmulator;
  let kms: KmsClient;
  let api: OpenApiClient;

  beforeAll(async () => {
    emulator = await startKmsEmulator();
    kms = rpcClient(emulator);
    api = openApiClient(emulator);
  });
  afterAll(async () => {
    await emulator.close();
  });

  async function create(name: string, secretData = data(name), versionId = 'v1'): Promise<string> {
    await kms.createSecret(new $Kms.CreateSecretRequest({ secretName: name, secretData, versionId }));
    return secretData;
  }

  async function put(name: string, versionId: string, secretData: string, versionStages?: string): Promise<string[]> {
    const r = await kms.putSecretValue(new $Kms.PutSecretValueRequest({ secretName: name, versionId, secretData, versionStages }));
    return r.versionStages.versionStage;
  }

  async function stagesById(name: string): Promise<Record<string, string[]>> {
    const r = await kms.listSecretVersionIds(
      new $Kms.ListSecretVersionIdsRequest({ secretName: name, includeDeprecated: 'true', pageSize: 100 }),
    );
    return Object.fromEntries(r.versionIds.versionId.map((v) => [v.versionId, [...v.versionStages.versionStage].sort()]));
  }

  it('creates a secret whose first version holds ACSCurrent, readable by stage and by id', async () => {
    const name = uniqueName('create');
    const secretData = await create(name);

    const byStage = await kms.getSecretValue(new $Kms.GetSecretValueRequest({ secretName: name }));
    expect(byStage.secretData).toBe(secretData);
    expect(byStage.versionId).toBe('v1');
    expect(byStage.secretDataType).toBe('text');
    expect(byStage.versionStages.versionStage).toEqual(['ACSCurrent']);
    expect(byStage.createTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);

    const byId = await kms.getSecretValue(new $Kms.GetSecretValueRequest({ secretName: name, versionId: 'v1' }));
    expect(byId.secretData).toBe(secretData);

    // rpc-client's response model drops SecretType; openapi-client returns the raw body with it.
    const raw = SecretValueBody.parse(await callApi(api, 'GetSecretValue', { SecretName: name, VersionStage: 'ACSCurrent' }));
    expect(raw.SecretType).toBe('Generic');
    expect(raw.SecretData).toBe(secretData);
  });

  it('answers 404 Forbidden.ResourceNotFound when VersionId and VersionStage disagree, as each SDK reports it', async () => {
    const name = uniqueName('mismatch');
    await create(name);
    await put(name, 'v2', data('v2'), '["ACSPending"]');

    const rpc = await failure(
      kms.getSecretValue(new $Kms.GetSecretValueRequest({ secretName: name, versionId: 'v1', versionStage: 'ACSPending' })),
    );
    expect(rpc.code).toBe('Forbidden.ResourceNotFoundError');
    expect(rpc.data?.Code).toBe('Forbidden.ResourceNotFound');
    expect(rpc.message).toContain('code: 404');

    const open = await failure(callApi(api, 'GetSecretValue', { SecretName: name, VersionId: 'v2', VersionStage: 'ACSCurrent' }));
    expect(open.code).toBe('Forbidden.ResourceNotFound');
    expect(open.statusCode).toBe(404);

    const missing = await failure(callApi(api, 'GetSecretValue', { SecretName: uniqueName('absent') }));
    expect(missing.code).toBe('Forbidden.ResourceNotFound');
  });

  it('refuses a second CreateSecret with the same name and names a missing parameter', async () => {
    const name = uniqueName('dup');
    await create(name);
    const dup = await failure(create(name));
    expect(dup.code).toBe('Rejected.ResourceExistError');
    expect(dup.message).toContain('code: 409');

    const noName = await failure(callApi(api, 'CreateSecret', { SecretData: data('x'), VersionId: 'v1' }, 'body'));
    expect(noName.code).toBe('MissingSecretName');
    expect(noName.statusCode).toBe(400);
    const noVersion = await failure(kms.createSecret(new $Kms.CreateSecretRequest({ secretName: name, secretData: 'x' })));
    expect(noVersion.code).toBe('MissingVersionIdError');
  });

  it('answers an unknown action with InvalidAction.NotFound', async () => {
    const err = await failure(callApi(api, 'RotateEverything', {}));
    expect(err.code).toBe('InvalidAction.NotFound');
    expect(err.statusCode).toBe(404);
  });

  it('stages a pending version without touching ACSCurrent', async () => {
    const name = uniqueName('pending');
    const current = await create(name);
    const pending = data('pending');
    expect(await put(name, 'v2', pending, '["ACSPending"]')).toEqual(['ACSPending']);

    const cur = await kms.getSecretValue(new $Kms.GetSecretValueRequest({ secretName: name }));
    expect(cur.secretData).toBe(current);
    const pend = await kms.getSecretValue(new $Kms.GetSecretValueRequest({ secretName: name, versionStage: 'ACSPending' }));
    expect(pend.secretData).toBe(pending);
    expect(pend.versionId).toBe('v2');
    expect(await stagesById(name)).toEqual({ v1: ['ACSCurrent'], v2: ['ACSPending'] });
  });

  it('accepts a repeated PutSecretValue with the same id and data without moving stages, and refuses other data', async () => {
    const name = uniqueName('idempotent');
    await create(name);
    const pending = data('pending');
    await put(name, 'v2', pending, '["ACSPending"]');

    // Same id and data, but asking for ACSCurrent: the retry must not promote the version.
    expect(await put(name, 'v2', pending)).toEqual(['ACSPending']);
    expect(await stagesById(name)).toEqual({ v1: ['ACSCurrent'], v2: ['ACSPending'] });

    const other = await failure(put(name, 'v2', data('other'), '["ACSPending"]'));
    expect(other.code).toBe('Rejected.ResourceExistError');
    const stillPending = await kms.getSecretValue(new $Kms.GetSecretValueRequest({ secretName: name, versionId: 'v2' }));
    expect(stillPending.secretData).toBe(pending);
  });

  it('refuses malformed VersionStages with InvalidParameter and changes nothing', async () => {
    const name = uniqueName('malformed');
    await create(name);
    const before = emulator.snapshot();
    for (const versionStages of ['ACSPending', '{"ACSPending":true}', '[1]', '[]', '["ACSPending"']) {
      const err = await failure(
        callApi(api, 'PutSecretValue', { SecretName: name, VersionId: 'v2', SecretData: data('m'), VersionStages: versionStages }, 'body'),
      );
      expect(err.code).toBe('InvalidParameter');
      expect(err.statusCode).toBe(400);
    }
    expect(emulator.snapshot()).toEqual(before);
  });

  it('puts a version without stages as ACSCurrent and hands the old current ACSPrevious', async () => {
    const name = uniqueName('promote');
    await create(name);
    expect(await put(name, 'v2', data('v2'))).toEqual(['ACSCurrent']);
    expect(await stagesById(name)).toEqual({ v1: ['ACSPrevious'], v2: ['ACSCurrent'] });
    await put(name, 'v3', data('v3'));
    expect(await stagesById(name)).toEqual({ v1: [], v2: ['ACSPrevious'], v3: ['ACSCurrent'] });
  });

  it('moves ACSCurrent so the old holder gets ACSPrevious, then removes ACSPending', async () => {
    const name = uniqueName('move');
    await create(name, data('v1'), 'v1');
    await put(name, 'v2', data('v2'));
    await put(name, 'v3', data('v3'), '["ACSPending"]');
    expect(await stagesById(name)).toEqual({ v1: ['ACSPrevious'], v2: ['ACSCurrent'], v3: ['ACSPending'] });

    await kms.updateSecretVersionStage(
      new $Kms.UpdateSecretVersionStageRequest({
        secretName: name,
        versionStage: 'ACSCurrent',
        removeFromVersion: 'v2',
        moveToVersion: 'v3',
      }),
    );
    expect(await stagesById(name)).toEqual({ v1: [], v2: ['ACSPrevious'], v3: ['ACSCurrent', 'ACSPending'] });

    await callApi(api, 'UpdateSecretVersionStage', { SecretName: name, VersionStage: 'ACSPending', RemoveFromVersion: 'v3' });
    expect(await stagesById(name)).toEqual({ v1: [], v2: ['ACSPrevious'], v3: ['ACSCurrent'] });

    // The documented Scenario 1: MoveToVersion alone moves the stage too.
    await callApi(api, 'UpdateSecretVersionStage', { SecretName: name, VersionStage: 'ACSCurrent', MoveToVersion: 'v1' }, 'body');
    expect(await stagesById(name)).toEqual({ v1: ['ACSCurrent'], v2: [], v3: ['ACSPrevious'] });
  });

  it('refuses to remove ACSCurrent, to remove a stage a version lacks, and to touch an unknown version', async () => {
    const name = uniqueName('refuse');
    await create(name);
    await put(name, 'v2', data('v2'), '["ACSPending"]');
    const before = emulator.snapshot();

    const removeCurrent = await failure(
      kms.updateSecretVersionStage(
        new $Kms.UpdateSecretVersionStageRequest({ secretName: name, versionStage: 'ACSCurrent', removeFromVersion: 'v1' }),
      ),
    );
    expect(removeCurrent.code).toBe('InvalidParameterError');

    const notHeld = await failure(
      callApi(api, 'UpdateSecretVersionStage', { SecretName: name, VersionStage: 'ACSPending', RemoveFromVersion: 'v1' }),
    );
    expect(notHeld.code).toBe('InvalidParameter');

    const wrongHolder = await failure(
      callApi(api, 'UpdateSecretVersionStage', {
        SecretName: name,
        VersionStage: 'ACSCurrent',
        RemoveFromVersion: 'v2',
        MoveToVersion: 'v2',
      }),
    );
    expect(wrongHolder.code).toBe('InvalidParameter');

    const unknown = await failure(
      callApi(api, 'UpdateSecretVersionStage', { SecretName: name, VersionStage: 'ACSPending', MoveToVersion: 'v9' }),
    );
    expect(unknown.code).toBe('Forbidden.ResourceNotFound');
    expect(unknown.statusCode).toBe(404);

    expect(emulator.snapshot()).toEqual(before);
  });

  it('allows at most 8 distinct stages per secret', async () => {
    const name = uniqueName('stages');
    await create(name);
    for (let i = 1; i <= 7; i++) {
      await callApi(api, 'UpdateSecretVersionStage', { SecretName: name, VersionStage: `Custom${i}`, MoveToVersion: 'v1' });
    }
    const err = await failure(callApi(api, 'UpdateSecretVersionStage', { SecretName: name, VersionStage: 'Custom8', MoveToVersion: 'v1' }));
    expect(err.code).toBe('Rejected.LimitExceeded');
    expect(err.statusCode).toBe(400);
    // Moving a stage that already exists adds none, so it stays allowed at the limit.
    await put(name, 'v2', data('v2'), '["Custom1"]');
    expect((await stagesById(name))['v2']).toEqual(['Custom1']);
  });

  it('lists versions with and without deprecated ones, page by page', async () => {
    const name = uniqueName('list');
    await create(name);
    await put(name, 'v2', data('v2'));
    await put(name, 'v3', data('v3'));

    const current = await kms.listSecretVersionIds(new $Kms.ListSecretVersionIdsRequest({ secretName: name }));
    expect(current.versionIds.versionId.map((v) => v.versionId)).toEqual(['v2', 'v3']);
    expect(current.totalCount).toBe(2);

    const all = VersionListBody.parse(await callApi(api, 'ListSecretVersionIds', { SecretName: name, IncludeDeprecated: 'true' }));
    expect(all.VersionIds.VersionId.map((v) => v.VersionId)).toEqual(['v1', 'v2', 'v3']);
    expect(all.VersionIds.VersionId[0]?.VersionStages.VersionStage).toEqual([]);
    expect(all.TotalCount).toBe(3);

    const page2 = await kms.listSecretVersionIds(
      new $Kms.ListSecretVersionIdsRequest({ secretName: name, includeDeprecated: 'true', pageNumber: 2, pageSize: 2 }),
    );
    expect(page2.versionIds.versionId.map((v) => v.versionId)).toEqual(['v3']);
    expect(page2.pageNumber).toBe(2);
    expect(page2.totalCount).toBe(3);

    const bad = await failure(callApi(api, 'ListSecretVersionIds', { SecretName: name, IncludeDeprecated: 'yes' }));
    expect(bad.code).toBe('InvalidParameter');
  });

  it('keeps at most 10 versions, dropping the oldest one that holds no stage', async () => {
    const name = uniqueName('ten');
    await create(name, data('v0'), 'v0');
    await put(name, 'v1', data('v1'), '["Keep"]');
    for (let i = 2; i <= 10; i++) await put(name, `v${i}`, data(`v${i}`));
    // v0..v10 would be 11; v0 is the oldest without a stage.
    let ids = Object.keys(await stagesById(name));
    expect(ids).toHaveLength(10);
    expect(ids).not.toContain('v0');
    expect(ids).toContain('v1');

    await put(name, 'v11', data('v11'));
    ids = Object.keys(await stagesById(name));
    expect(ids).toHaveLength(10);
    // v1 holds the custom stage, so v2 goes instead.
    expect(ids).toContain('v1');
    expect(ids).not.toContain('v2');
    const gone = await failure(kms.getSecretValue(new $Kms.GetSecretValueRequest({ secretName: name, versionId: 'v2' })));
    expect(gone.code).toBe('Forbidden.ResourceNotFoundError');
  });

  it('describes a secret with its ARN, type, times and key', async () => {
    const name = uniqueName('describe');
    await callApi(
      api,
      'CreateSecret',
      { SecretName: name, SecretData: data('d'), VersionId: 'v1', Description: 'app db', EncryptionKeyId: 'key-123' },
      'body',
    );
    const d = DescribeBody.parse(await callApi(api, 'DescribeSecret', { SecretName: name }));
    expect(d.Arn).toBe(`acs:kms:cn-hangzhou:1234567890123456:secret/${name}`);
    expect(d.SecretType).toBe('Generic');
    expect(d.Description).toBe('app db');
    expect(d.EncryptionKeyId).toBe('key-123');
    expect(d.PlannedDeleteTime).toBeUndefined();
    const viaRpc = await kms.describeSecret(new $Kms.DescribeSecretRequest({ secretName: name }));
    expect(viaRpc.arn).toBe(d.Arn);
  });

  it('creates wrong-type secrets for tests and reports their type', async () => {
    const name = uniqueName('rds');
    await callApi(api, 'CreateSecret', { SecretName: name, SecretData: data('r'), VersionId: 'v1', SecretType: 'Rds' });
    const v = SecretValueBody.parse(await callApi(api, 'GetSecretValue', { SecretName: name }));
    expect(v.SecretType).toBe('Rds');
    const err = await failure(callApi(api, 'PutSecretValue', { SecretName: name, VersionId: 'v2', SecretData: data('r2') }));
    expect(err.code).toBe('InvalidParameter');
  });

  describe('GetRandomPassword', () => {
    async function password(request: Partial<Record<string, string>> = {}): Promise<string> {
      const r = await kms.getRandomPassword(new $Kms.GetRandomPasswordRequest(request));
      return r.randomPassword;
    }
    const classes = {
      lower: /[a-z]/,
      upper: /[A-Z]/,
      digit: /[0-9]/,
      punct: new RegExp(`[${PUNCTUATION.replace(/[\\\]^-]/g, '\\$&')}]`),
    };

    it('honours the length bounds and default', async () => {
      expect(await password()).toHaveLength(32);
      expect(await password({ passwordLength: '8' })).toHaveLength(8);
      expect(await password({ passwordLength: '128' })).toHaveLength(128);
      for (const passwordLength of ['7', '129', 'ten']) {
        const err = await failure(password({ passwordLength }));
        expect(err.code).toBe('InvalidParameterError');
      }
    });

    it('uses only the documented character set and leaves out excluded characters', async () => {
      const allowed = new RegExp(`^[a-zA-Z0-9${PUNCTUATION.replace(/[\\\]^-]/g, '\\$&')}]+$`);
      const excluded = '/@"\'\\`';
      for (let i = 0; i < 50; i++) {
        const pw = await password({ passwordLength: '128', excludeCharacters: excluded });
        expect(pw).toMatch(allowed);
        for (const ch of excluded) expect(pw).not.toContain(ch);
      }
      for (let i = 0; i < 20; i++) {
        const pw = await password({ passwordLength: '64', excludePunctuation: 'true', excludeNumbers: 'true' });
        expect(pw).toMatch(/^[a-zA-Z]{64}$/);
      }
      const onlyDigits = await password({ excludeLowercase: 'true', excludeUppercase: 'true', excludePunctuation: 'true' });
      expect(onlyDigits).toMatch(/^[0-9]{32}$/);
    });

    it('includes every included type in each password by default', async () => {
      // At length 8 a uniform draw misses some class often (punctuation alone ~1 in 4), so this can fail.
      for (let i = 0; i < 200; i++) {
        const pw = await password({ passwordLength: '8' });
        for (const re of Object.values(classes)) expect(pw).toMatch(re);
      }
      for (let i = 0; i < 50; i++) {
        const pw = await password({ passwordLength: '8', excludePunctuation: 'true' });
        expect(pw).not.toMatch(classes.punct);
        for (const re of [classes.lower, classes.upper, classes.digit]) expect(pw).toMatch(re);
      }
    });

    it('refuses impossible and malformed combinations', async () => {
      const none = await failure(
        password({ excludeLowercase: 'true', excludeUppercase: 'true', excludeNumbers: 'true', excludePunctuation: 'true' }),
      );
      expect(none.code).toBe('InvalidParameterError');
      const allDigitsExcluded = await failure(
        password({ excludeLowercase: 'true', excludeUppercase: 'true', excludePunctuation: 'true', excludeCharacters: '0123456789' }),
      );
      expect(allDigitsExcluded.code).toBe('InvalidParameterError');
      const notBoolean = await failure(callApi(api, 'GetRandomPassword', { ExcludeNumbers: 'yes' }));
      expect(notBoolean.code).toBe('InvalidParameter');
    });
  });

  describe('DeleteSecret', () => {
    it('deletes at once with ForceDeleteWithoutRecovery, freeing the name', async () => {
      const name = uniqueName('force');
      await create(name);
      await kms.deleteSecret(new $Kms.DeleteSecretRequest({ secretName: name, forceDeleteWithoutRecovery: 'true' }));
      const err = await failure(kms.getSecretValue(new $Kms.GetSecretValueRequest({ secretName: name })));
      expect(err.code).toBe('Forbidden.ResourceNotFoundError');
      await create(name, data('again'));
      expect((await kms.getSecretValue(new $Kms.GetSecretValueRequest({ secretName: name }))).versionId).toBe('v1');
    });

    it('schedules deletion: reads and writes answer ResourceInDeleteWindow, DescribeSecret shows the date', async () => {
      const name = uniqueName('scheduled');
      await create(name);
      const start = Date.now();
      const r = await kms.deleteSecret(new $Kms.DeleteSecretRequest({ secretName: name, recoveryWindowInDays: '7' }));
      const planned = Date.parse(r.plannedDeleteTime);
      expect(planned).toBeGreaterThanOrEqual(start - 1000 + 7 * 86_400_000);
      expect(planned).toBeLessThanOrEqual(Date.now() + 7 * 86_400_000);

      const d = DescribeBody.parse(await callApi(api, 'DescribeSecret', { SecretName: name }));
      expect(d.PlannedDeleteTime).toBe(r.plannedDeleteTime);

      const read = await failure(kms.getSecretValue(new $Kms.GetSecretValueRequest({ secretName: name })));
      expect(read.code).toBe('Rejected.ResourceInDeleteWindowError');
      expect(read.message).toContain('code: 409');
      const write = await failure(callApi(api, 'PutSecretValue', { SecretName: name, VersionId: 'v2', SecretData: data('w') }));
      expect(write.code).toBe('Rejected.ResourceInDeleteWindow');
      expect(write.statusCode).toBe(409);
      const recreate = await failure(create(name));
      expect(recreate.code).toBe('Rejected.ResourceInDeleteWindowError');
    });

    it('refuses a recovery window outside 7 to 30 days', async () => {
      const name = uniqueName('window');
      await create(name);
      for (const recoveryWindowInDays of ['6', '31']) {
        const err = await failure(kms.deleteSecret(new $Kms.DeleteSecretRequest({ secretName: name, recoveryWindowInDays })));
        expect(err.code).toBe('InvalidParameterError');
      }
      expect((await kms.getSecretValue(new $Kms.GetSecretValueRequest({ secretName: name }))).versionId).toBe('v1');
    });
  });

  it('records every call with its action and secret name', async () => {
    const name = uniqueName('calls');
    const from = emulator.calls.length;
    await create(name);
    await kms.getSecretValue(new $Kms.GetSecretValueRequest({ secretName: name }));
    await callApi(api, 'PutSecretValue', { SecretName: name, VersionId: 'v2', SecretData: data('c') }, 'body');
    const mine = emulator.calls.slice(from).map((c: KmsCall) => [c.action, c.secretName]);
    expect(mine).toEqual([
      ['CreateSecret', name],
      ['GetSecretValue', name],
      ['PutSecretValue', name],
    ]);
  });

  // Last on purpose: it checks every SecretData the tests above sent.
  it('never keeps SecretData in calls', () => {
    expect(sentData.size).toBeGreaterThan(20);
    expect(emulator.calls.length).toBeGreaterThan(20);
    const recorded = JSON.stringify(emulator.calls);
    for (const value of sentData) expect(recorded).not.toContain(value);
    // A field added to KmsCall later must not become a way for data to slip in.
    for (const call of emulator.calls) {
      expect(Object.keys(call).filter((k) => !['action', 'secretName', 'at'].includes(k))).toEqual([]);
    }
  });
});

describe('KMS emulator with signature checks', () => {
  let emulator: KmsEmulator;

  beforeAll(async () => {
    emulator = await startKmsEmulator({ accessKeys: { [ACCESS_KEY_ID]: ACCESS_KEY_SECRET } });
  });
  afterAll(async () => {
    await emulator.close();
  });

  it('accepts rpc-client requests signed with the right secret and refuses a wrong one', async () => {
    const name = uniqueName('signed-rpc');
    const wrong = await failure(
      rpcClient(emulator, ACCESS_KEY_ID, 'wrong-secret').createSecret(
        new $Kms.CreateSecretRequest({ secretName: name, secretData: data('s'), versionId: 'v1' }),
      ),
    );
    expect(wrong.code).toBe('SignatureDoesNotMatchError');
    // The refused call must not have been applied, or this create would answer ResourceExist.
    await rpcClient(emulator).createSecret(new $Kms.CreateSecretRequest({ secretName: name, secretData: data('s'), versionId: 'v1' }));
    const got = await rpcClient(emulator).getSecretValue(new $Kms.GetSecretValueRequest({ secretName: name }));
    expect(got.versionId).toBe('v1');

    const unknownKey = await failure(
      rpcClient(emulator, 'LTAI-unknown', ACCESS_KEY_SECRET).getSecretValue(new $Kms.GetSecretValueRequest({ secretName: name })),
    );
    expect(unknownKey.code).toBe('InvalidAccessKeyId.NotFoundError');
  });

  it('accepts openapi-client ACS3-HMAC-SHA256 requests with the right secret, query or body, and refuses a wrong one', async () => {
    const name = uniqueName('signed-acs3');
    await callApi(openApiClient(emulator), 'CreateSecret', { SecretName: name, SecretData: data('a'), VersionId: 'v1' }, 'body');
    const v = SecretValueBody.parse(await callApi(openApiClient(emulator), 'GetSecretValue', { SecretName: name }));
    expect(v.VersionId).toBe('v1');

    for (const where of ['query', 'body'] as const) {
      const err = await failure(
        callApi(openApiClient(emulator, { accessKeySecret: 'wrong-secret' }), 'GetSecretValue', { SecretName: name }, where),
      );
      expect(err.code).toBe('SignatureDoesNotMatch');
      expect(err.statusCode).toBe(400);
    }
  });

  it('accepts openapi-client signature v1 requests (query plus form body) with the right secret and refuses a wrong one', async () => {
    const name = uniqueName('signed-v1');
    const client = openApiClient(emulator, { signatureAlgorithm: 'v2' });
    await callApi(client, 'CreateSecret', { SecretName: name, SecretData: `${data('b')} +&=%`, VersionId: 'v1' }, 'body');
    const v = SecretValueBody.parse(await callApi(client, 'GetSecretValue', { SecretName: name }));
    expect(v.SecretData.endsWith(' +&=%')).toBe(true);

    const err = await failure(
      callApi(
        openApiClient(emulator, { accessKeySecret: 'wrong-secret', signatureAlgorithm: 'v2' }),
        'PutSecretValue',
        {
          SecretName: name,
          VersionId: 'v2',
          SecretData: data('b2'),
        },
        'body',
      ),
    );
    expect(err.code).toBe('SignatureDoesNotMatch');
    const list = VersionListBody.parse(await callApi(client, 'ListSecretVersionIds', { SecretName: name, IncludeDeprecated: 'true' }));
    expect(list.TotalCount).toBe(1);
  });
});

describe('KMS emulator fault hooks', () => {
  let emulator: KmsEmulator;
  let kms: KmsClient;
  let api: OpenApiClient;
  let before: ((call: KmsCall) => Fault | undefined) | undefined;
  let after: ((call: KmsCall) => Fault | undefined) | undefined;
  let latency = 0;

  beforeAll(async () => {
    emulator = await startKmsEmulator({
      faults: {
        before: (call) => before?.(call),
        after: (call) => after?.(call),
        latencyMs: () => latency,
      },
    });
    kms = rpcClient(emulator);
    api = openApiClient(emulator);
  });
  afterAll(async () => {
    await emulator.close();
  });

  it('answers a before fault without applying the call', async () => {
    const name = uniqueName('before');
    await kms.createSecret(new $Kms.CreateSecretRequest({ secretName: name, secretData: data('f'), versionId: 'v1' }));
    const snapshot = emulator.snapshot();
    before = (call) => (call.action === 'PutSecretValue' ? { status: 503, code: 'ServiceUnavailable', message: 'injected' } : undefined);
    try {
      const rpc = await failure(
        kms.putSecretValue(new $Kms.PutSecretValueRequest({ secretName: name, versionId: 'v2', secretData: data('f2') })),
      );
      expect(rpc.code).toBe('ServiceUnavailableError');
      expect(rpc.message).toContain('code: 503');
      const open = await failure(callApi(api, 'PutSecretValue', { SecretName: name, VersionId: 'v2', SecretData: data('f3') }));
      expect(open.statusCode).toBe(503);
      expect(open.code).toBe('ServiceUnavailable');
    } finally {
      before = undefined;
    }
    expect(emulator.snapshot()).toEqual(snapshot);
    // Only the targeted action was faulted.
    expect((await kms.getSecretValue(new $Kms.GetSecretValueRequest({ secretName: name }))).versionId).toBe('v1');
  });

  it('applies the call behind an after fault while the client sees an error', async () => {
    const name = uniqueName('after');
    await kms.createSecret(new $Kms.CreateSecretRequest({ secretName: name, secretData: data('g'), versionId: 'v1' }));
    const pending = data('g2');
    after = (call) => (call.action === 'PutSecretValue' ? { status: 500, code: 'InternalFailure' } : undefined);
    try {
      const err = await failure(
        kms.putSecretValue(
          new $Kms.PutSecretValueRequest({ secretName: name, versionId: 'v2', secretData: pending, versionStages: '["ACSPending"]' }),
        ),
      );
      expect(err.code).toBe('InternalFailureError');
    } finally {
      after = undefined;
    }
    const applied = await kms.getSecretValue(new $Kms.GetSecretValueRequest({ secretName: name, versionStage: 'ACSPending' }));
    expect(applied.versionId).toBe('v2');
    expect(applied.secretData).toBe(pending);
    // What a client does after a lost response: retry, which the idempotent PutSecretValue accepts.
    const retry = await kms.putSecretValue(
      new $Kms.PutSecretValueRequest({ secretName: name, versionId: 'v2', secretData: pending, versionStages: '["ACSPending"]' }),
    );
    expect(retry.versionStages.versionStage).toEqual(['ACSPending']);
  });

  it('delays answers by latencyMs', async () => {
    latency = 150;
    const started = performance.now();
    try {
      await kms.getRandomPassword(new $Kms.GetRandomPasswordRequest({}));
    } finally {
      latency = 0;
    }
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
  });
});

describe('KMS emulator recovery window expiry', () => {
  let emulator: KmsEmulator;
  let clock = Date.parse('2030-01-01T00:00:00Z');

  beforeAll(async () => {
    emulator = await startKmsEmulator({ now: () => clock });
  });
  afterAll(async () => {
    await emulator.close();
  });

  it('deletes a scheduled secret once its recovery window has passed', async () => {
    const kms = rpcClient(emulator);
    const name = uniqueName('expiry');
    await kms.createSecret(new $Kms.CreateSecretRequest({ secretName: name, secretData: data('e'), versionId: 'v1' }));
    const r = await kms.deleteSecret(new $Kms.DeleteSecretRequest({ secretName: name, recoveryWindowInDays: '7' }));
    expect(r.plannedDeleteTime).toBe('2030-01-08T00:00:00Z');

    clock += 7 * 86_400_000 - 1000;
    expect((await failure(kms.getSecretValue(new $Kms.GetSecretValueRequest({ secretName: name })))).code).toBe(
      'Rejected.ResourceInDeleteWindowError',
    );
    clock += 1000;
    expect((await failure(kms.getSecretValue(new $Kms.GetSecretValueRequest({ secretName: name })))).code).toBe(
      'Forbidden.ResourceNotFoundError',
    );
    expect(emulator.snapshot()).toEqual({});
  });
});

describe('KMS emulator respond hook', () => {
  let emulator: KmsEmulator;
  let kms: KmsClient;
  let api: OpenApiClient;
  let respond: ((call: KmsCall, body: Record<string, unknown>) => Record<string, unknown> | undefined) | undefined;
  let after: ((call: KmsCall) => Fault | undefined) | undefined;

  beforeAll(async () => {
    emulator = await startKmsEmulator({
      faults: { respond: (call, body) => respond?.(call, body), after: (call) => after?.(call) },
    });
    kms = rpcClient(emulator);
    api = openApiClient(emulator);
  });
  afterAll(async () => {
    await emulator.close();
  });

  const RawResponse = z.object({
    statusCode: z.number(),
    headers: z.record(z.string(), z.string()),
    body: z.record(z.string(), z.unknown()),
  });

  async function raw(action: string, params: Record<string, string>): Promise<z.infer<typeof RawResponse>> {
    const request = new $OpenApi.OpenApiRequest({ body: params });
    return RawResponse.parse(await api.callApi(kmsRpcParams(action, 'HTTP'), request, new $Util.RuntimeOptions({})));
  }

  it('sends the body it returns with status 200 after applying the call, and keeps the RequestId in the header', async () => {
    const name = uniqueName('respond');
    await kms.createSecret(new $Kms.CreateSecretRequest({ secretName: name, secretData: data('r'), versionId: 'v1' }));
    const pending = data('r2');
    const seen: Record<string, unknown>[] = [];
    respond = (call, body) => {
      if (call.action !== 'PutSecretValue') return undefined;
      seen.push(body);
      return {};
    };
    let answer: z.infer<typeof RawResponse>;
    try {
      answer = await raw('PutSecretValue', { SecretName: name, VersionId: 'v2', SecretData: pending, VersionStages: '["ACSPending"]' });
    } finally {
      respond = undefined;
    }
    expect(answer.statusCode).toBe(200);
    expect(answer.body).toEqual({});
    // The hook saw the real answer, RequestId included, and the header still carries that RequestId.
    expect(seen).toEqual([
      { RequestId: expect.any(String), SecretName: name, VersionId: 'v2', VersionStages: { VersionStage: ['ACSPending'] } },
    ]);
    expect(answer.headers['x-acs-request-id']).toBe(seen[0]!['RequestId']);
    // The change stays.
    const applied = await kms.getSecretValue(new $Kms.GetSecretValueRequest({ secretName: name, versionStage: 'ACSPending' }));
    expect(applied.versionId).toBe('v2');
    expect(applied.secretData).toBe(pending);
  });

  it('sends the real body when it returns undefined, and is not consulted for an error answer or an after fault', async () => {
    const name = uniqueName('respond-skip');
    await kms.createSecret(new $Kms.CreateSecretRequest({ secretName: name, secretData: data('s'), versionId: 'v1' }));
    const consulted: string[] = [];
    respond = (call) => {
      consulted.push(call.action);
      return call.action === 'GetSecretValue' ? { RequestId: 'replaced' } : undefined;
    };
    try {
      const list = await raw('ListSecretVersionIds', { SecretName: name });
      expect(VersionListBody.parse(list.body).TotalCount).toBe(1);

      const missing = await failure(raw('GetSecretValue', { SecretName: uniqueName('absent') }));
      expect(missing.code).toBe('Forbidden.ResourceNotFound');

      after = (call) => (call.action === 'GetSecretValue' ? { status: 503, code: 'ServiceUnavailable' } : undefined);
      const lost = await failure(raw('GetSecretValue', { SecretName: name }));
      expect(lost.code).toBe('ServiceUnavailable');
    } finally {
      respond = undefined;
      after = undefined;
    }
    expect(consulted).toEqual(['ListSecretVersionIds']);
  });

  it('reaches rpc-client users too: the SDK returns the replaced body as the response', async () => {
    const name = uniqueName('respond-rpc');
    await kms.createSecret(new $Kms.CreateSecretRequest({ secretName: name, secretData: data('t'), versionId: 'v1' }));
    respond = (call, body) => (call.action === 'ListSecretVersionIds' ? { RequestId: body['RequestId'] } : undefined);
    try {
      const r = await kms.listSecretVersionIds(new $Kms.ListSecretVersionIdsRequest({ secretName: name }));
      expect(r.requestId).toEqual(expect.any(String));
      expect(r.versionIds).toBeUndefined();
      expect(r.totalCount).toBeUndefined();
    } finally {
      respond = undefined;
    }
  });
});
