// Tags (CreateSecret Tags, TagResource, UntagResource, DescribeSecret FetchTags) and ListSecrets on the local KMS
// emulator, driven over the wire by openapi-client's callApi, the KMS SDK (rpc-client) and the kmsAdmin fixture.
import KmsModule, * as $Kms from '@alicloud/kms20160120';
import OpenApiModule, * as $OpenApi from '@alicloud/openapi-client';
import * as $Rpc from '@alicloud/rpc-client';
import * as $Util from '@alicloud/tea-util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { failure as failOn } from '../../../support/failure.js';
import { startKmsEmulator, type KmsEmulator } from '../../../../src/local/emulators/kms/emulator.js';
import type { StateSnapshot } from '../../../../src/local/emulators/kms/state.js';
import { kmsAdmin } from '../../../../src/local/fixtures/kms-admin.js';
import { kmsRpcParams } from '../../../../src/secrets/kms-store.js';
import { sdkClass } from '../../../../src/alibaba/interop.js';

type KmsClient = InstanceType<typeof KmsModule.default>;
type OpenApiClient = InstanceType<typeof OpenApiModule.default>;
const KmsClass = sdkClass($Kms);
const OpenApiClass = sdkClass($OpenApi);

const REGION = 'cn-hangzhou';
const CREDENTIALS = { accessKeyId: 'LTAI-tags-test', accessKeySecret: 'tags-secret' };

function rpcClient(emulator: KmsEmulator): KmsClient {
  return new KmsClass(new $Rpc.Config({ endpoint: `127.0.0.1:${emulator.port}`, protocol: 'http', regionId: REGION, ...CREDENTIALS }));
}

function openApiClient(emulator: KmsEmulator): OpenApiClient {
  return new OpenApiClass(
    new $OpenApi.Config({ endpoint: `127.0.0.1:${emulator.port}`, protocol: 'http', regionId: REGION, ...CREDENTIALS }),
  );
}

const OpenApiResponse = z.object({ statusCode: z.number(), body: z.record(z.string(), z.unknown()) });

async function callApi(client: OpenApiClient, action: string, params: Record<string, string>): Promise<Record<string, unknown>> {
  const request = new $OpenApi.OpenApiRequest({ body: params });
  const result: unknown = await client.callApi(kmsRpcParams(action, 'HTTP'), request, new $Util.RuntimeOptions({}));
  return OpenApiResponse.parse(result).body;
}

const SdkError = z.object({ code: z.string(), message: z.string(), statusCode: z.number().optional() });
type SdkError = z.infer<typeof SdkError>;
const failure = (promise: Promise<unknown>): Promise<SdkError> => failOn(promise, SdkError);

const TagList = z.object({ Tag: z.array(z.object({ TagKey: z.string(), TagValue: z.string() })) });
const DescribeBody = z.object({ SecretName: z.string(), CreateTime: z.string(), UpdateTime: z.string(), Tags: TagList.optional() });
const ListBody = z.object({
  RequestId: z.string(),
  PageNumber: z.number(),
  PageSize: z.number(),
  TotalCount: z.number(),
  SecretList: z.object({
    Secret: z.array(
      z
        .object({
          SecretName: z.string(),
          SecretType: z.string(),
          CreateTime: z.string(),
          UpdateTime: z.string(),
          PlannedDeleteTime: z.string().optional(),
          Tags: TagList.optional(),
        })
        .strict(),
    ),
  }),
});
type ListBody = z.infer<typeof ListBody>;

/** KMS's documented Tags shape. */
function tagsParam(tags: Record<string, string>): string {
  return JSON.stringify(Object.entries(tags).map(([TagKey, TagValue]) => ({ TagKey, TagValue })));
}

const names = (body: ListBody): string[] => body.SecretList.Secret.map((s) => s.SecretName);

describe('KMS emulator tags', () => {
  let emulator: KmsEmulator;
  let api: OpenApiClient;
  let kms: KmsClient;
  let counter = 0;
  const uniqueName = (label: string): string => `${label}-${++counter}`;

  beforeAll(async () => {
    emulator = await startKmsEmulator();
    api = openApiClient(emulator);
    kms = rpcClient(emulator);
  });
  afterAll(async () => {
    await emulator.close();
  });

  async function create(name: string, tags?: Record<string, string>): Promise<void> {
    await callApi(api, 'CreateSecret', {
      SecretName: name,
      SecretData: '{"AccountName":"app","AccountPassword":"pw-Zq9!"}',
      VersionId: 'v1',
      ...(tags ? { Tags: tagsParam(tags) } : {}),
    });
  }

  async function describeTags(name: string): Promise<[string, string][]> {
    const body = DescribeBody.parse(await callApi(api, 'DescribeSecret', { SecretName: name, FetchTags: 'true' }));
    return (body.Tags?.Tag ?? []).map((t) => [t.TagKey, t.TagValue]);
  }

  it('keeps CreateSecret tags and returns them from DescribeSecret only with FetchTags true', async () => {
    const name = uniqueName('created');
    await create(name, { 'fc-rotation': 'mysql', owner: 'team-a' });

    const without = DescribeBody.parse(await callApi(api, 'DescribeSecret', { SecretName: name }));
    expect(without.Tags).toBeUndefined();
    const explicitFalse = DescribeBody.parse(await callApi(api, 'DescribeSecret', { SecretName: name, FetchTags: 'false' }));
    expect(explicitFalse.Tags).toBeUndefined();
    expect(await describeTags(name)).toEqual([
      ['fc-rotation', 'mysql'],
      ['owner', 'team-a'],
    ]);

    // The generated SDK parses the same shape.
    const sdk = await kms.describeSecret(new $Kms.DescribeSecretRequest({ secretName: name, fetchTags: 'true' }));
    expect(sdk.tags.tag.map((t) => [t.tagKey, t.tagValue])).toEqual([
      ['fc-rotation', 'mysql'],
      ['owner', 'team-a'],
    ]);
  });

  it('answers an untagged secret with an empty tag list when tags are asked for', async () => {
    const name = uniqueName('untagged');
    await create(name);
    const body = DescribeBody.parse(await callApi(api, 'DescribeSecret', { SecretName: name, FetchTags: 'true' }));
    expect(body.Tags).toEqual({ Tag: [] });
  });

  it('accepts tags from the rpc-client SDK: CreateSecretRequest.tags and TagResource', async () => {
    const name = uniqueName('sdk');
    await kms.createSecret(
      new $Kms.CreateSecretRequest({ secretName: name, secretData: 'x', versionId: 'v1', tags: tagsParam({ a: '1' }) }),
    );
    await kms.tagResource(new $Kms.TagResourceRequest({ secretName: name, tags: tagsParam({ b: '2' }) }));
    await kms.untagResource(new $Kms.UntagResourceRequest({ secretName: name, tagKeys: '["a"]' }));
    expect(await describeTags(name)).toEqual([['b', '2']]);
  });

  it('adds and overwrites with TagResource and removes with UntagResource, ignoring keys it does not carry', async () => {
    const name = uniqueName('tagged');
    await create(name, { env: 'dev', keep: 'yes' });

    await callApi(api, 'TagResource', { SecretName: name, Tags: tagsParam({ env: 'prod', 'fc-rotation': '' }) });
    expect(await describeTags(name)).toEqual([
      ['env', 'prod'],
      ['keep', 'yes'],
      ['fc-rotation', ''],
    ]);

    await callApi(api, 'UntagResource', { SecretName: name, TagKeys: JSON.stringify(['env', 'never-set']) });
    expect(await describeTags(name)).toEqual([
      ['keep', 'yes'],
      ['fc-rotation', ''],
    ]);
    // Retried: the same answer, nothing more removed.
    await callApi(api, 'UntagResource', { SecretName: name, TagKeys: JSON.stringify(['env']) });
    expect((await describeTags(name)).length).toBe(2);
  });

  it('accepts the secret ARN as SecretName', async () => {
    const name = uniqueName('arn');
    await create(name);
    await callApi(api, 'TagResource', { SecretName: `acs:kms:${REGION}:1234567890123456:secret/${name}`, Tags: tagsParam({ k: 'v' }) });
    expect(await describeTags(name)).toEqual([['k', 'v']]);
  });

  it('shows a tag change in the snapshot while versions stay the same', async () => {
    const name = uniqueName('snap');
    await create(name);
    const before = emulator.snapshot() as StateSnapshot;
    expect(before[name]?.tags).toBeUndefined();

    await callApi(api, 'TagResource', { SecretName: name, Tags: tagsParam({ z: '1', a: '2' }) });
    const tagged = emulator.snapshot() as StateSnapshot;
    expect(tagged).not.toEqual(before);
    expect(tagged[name]?.tags).toEqual({ a: '2', z: '1' });
    expect(tagged[name]?.versions).toEqual(before[name]?.versions);

    await callApi(api, 'TagResource', { SecretName: name, Tags: tagsParam({ a: '3' }) });
    expect(emulator.snapshot()).not.toEqual(tagged);

    await callApi(api, 'UntagResource', { SecretName: name, TagKeys: '["a","z"]' });
    expect(emulator.snapshot()).toEqual(before);
  });

  it('answers 404 Forbidden.ResourceNotFound for tags on an unknown secret, a key or a certificate', async () => {
    const missing = uniqueName('absent');
    const tag = await failure(callApi(api, 'TagResource', { SecretName: missing, Tags: tagsParam({ k: 'v' }) }));
    expect([tag.code, tag.statusCode]).toEqual(['Forbidden.ResourceNotFound', 404]);
    const untag = await failure(callApi(api, 'UntagResource', { SecretName: missing, TagKeys: '["k"]' }));
    expect([untag.code, untag.statusCode]).toEqual(['Forbidden.ResourceNotFound', 404]);
    const key = await failure(callApi(api, 'TagResource', { KeyId: 'key-abc', Tags: tagsParam({ k: 'v' }) }));
    expect([key.code, key.statusCode]).toEqual(['Forbidden.ResourceNotFound', 404]);
    const sdk = await failure(kms.tagResource(new $Kms.TagResourceRequest({ secretName: missing, tags: tagsParam({ k: 'v' }) })));
    expect(sdk.code).toBe('Forbidden.ResourceNotFoundError');
    expect(sdk.message).toContain('code: 404');
  });

  it('needs exactly one of KeyId, SecretName and CertificateId', async () => {
    const name = uniqueName('target');
    await create(name);
    const none = await failure(callApi(api, 'TagResource', { Tags: tagsParam({ k: 'v' }) }));
    expect([none.code, none.statusCode]).toEqual(['InvalidParameter', 400]);
    const both = await failure(callApi(api, 'UntagResource', { SecretName: name, KeyId: 'key-abc', TagKeys: '["k"]' }));
    expect([both.code, both.statusCode]).toEqual(['InvalidParameter', 400]);
    const noTags = await failure(callApi(api, 'TagResource', { SecretName: name }));
    expect([noTags.code, noTags.statusCode]).toEqual(['MissingTags', 400]);
  });

  it('refuses tags KMS refuses, as InvalidParameter 400, without quoting them or changing anything', async () => {
    const name = uniqueName('invalid');
    await create(name, { keep: 'me' });
    const before = emulator.snapshot();
    const cases: { label: string; tags: string; quoted?: string }[] = [
      { label: 'not JSON', tags: '[{"TagKey":"zz9-broken', quoted: 'zz9-broken' },
      { label: 'an object, not an array', tags: '{"TagKey":"k","TagValue":"v"}' },
      { label: "AWS's Key/Value shape", tags: '[{"Key":"env","Value":"secret-value-1"}]', quoted: 'secret-value-1' },
      { label: 'a number value', tags: '[{"TagKey":"k","TagValue":5}]' },
      { label: 'an empty list', tags: '[]' },
      { label: 'an empty key', tags: tagsParam({ '': 'v' }) },
      { label: 'a key over 128 characters', tags: tagsParam({ ['k'.repeat(129)]: 'v' }) },
      { label: 'a value over 128 characters', tags: tagsParam({ k: `${'q'.repeat(120)}-value-xyz` }), quoted: 'value-xyz' },
      { label: 'the aliyun prefix', tags: tagsParam({ 'aliyun-owner': 'v' }), quoted: 'aliyun-owner' },
      { label: 'the acs: prefix', tags: tagsParam({ 'acs:rotation': 'v' }), quoted: 'acs:rotation' },
      { label: 'a space in a value', tags: tagsParam({ k: 'two words-zz' }), quoted: 'two words-zz' },
      { label: 'a character outside the set in a key', tags: tagsParam({ 'k#hash': 'v' }), quoted: 'k#hash' },
    ];
    for (const c of cases) {
      const err = await failure(callApi(api, 'TagResource', { SecretName: name, Tags: c.tags }));
      expect([c.label, err.code, err.statusCode]).toEqual([c.label, 'InvalidParameter', 400]);
      if (c.quoted) expect(err.message).not.toContain(c.quoted);
    }
    // 128 characters and the allowed specials are fine.
    await callApi(api, 'TagResource', { SecretName: name, Tags: tagsParam({ ['k'.repeat(128)]: 'a/b\\c_d-e.f+g=h:i@j' }) });
    expect((await describeTags(name)).length).toBe(2);
    await callApi(api, 'UntagResource', { SecretName: name, TagKeys: JSON.stringify(['k'.repeat(128)]) });
    expect(emulator.snapshot()).toEqual(before);

    for (const tagKeys of ['k', '[]', '[5]', '"k"', JSON.stringify(['k'.repeat(129)])]) {
      const err = await failure(callApi(api, 'UntagResource', { SecretName: name, TagKeys: tagKeys }));
      expect([tagKeys, err.code, err.statusCode]).toEqual([tagKeys, 'InvalidParameter', 400]);
    }
    expect(emulator.snapshot()).toEqual(before);
  });

  it('refuses a CreateSecret with invalid tags without creating the secret', async () => {
    const name = uniqueName('create-invalid');
    const err = await failure(
      callApi(api, 'CreateSecret', { SecretName: name, SecretData: 'x', VersionId: 'v1', Tags: tagsParam({ 'acs:x': 'v' }) }),
    );
    expect([err.code, err.statusCode]).toEqual(['InvalidParameter', 400]);
    const missing = await failure(callApi(api, 'DescribeSecret', { SecretName: name }));
    expect(missing.code).toBe('Forbidden.ResourceNotFound');
    // An empty list is no tags at all on CreateSecret.
    await callApi(api, 'CreateSecret', { SecretName: name, SecretData: 'x', VersionId: 'v1', Tags: '[]' });
    expect(await describeTags(name)).toEqual([]);
  });

  it('holds at most 10 tags per secret and refuses more as Rejected.LimitExceeded, all or nothing', async () => {
    const ten = Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`k${i}`, `v${i}`]));
    const name = uniqueName('limit');
    await create(name, ten);
    expect((await describeTags(name)).length).toBe(10);
    const before = emulator.snapshot();
    // Overwriting existing keys stays within the limit.
    await callApi(api, 'TagResource', { SecretName: name, Tags: tagsParam({ k0: 'new' }) });
    const more = await failure(callApi(api, 'TagResource', { SecretName: name, Tags: tagsParam({ k1: 'changed', k10: 'v' }) }));
    expect([more.code, more.statusCode]).toEqual(['Rejected.LimitExceeded', 400]);
    expect(await describeTags(name)).toContainEqual(['k1', 'v1']);
    expect(emulator.snapshot()).not.toEqual(before);

    const overCreate = await failure(create(uniqueName('limit-create'), { ...ten, k10: 'v' }));
    expect(overCreate.code).toBe('Rejected.LimitExceeded');
  });

  it('refuses tag changes on a secret in its recovery window, and still describes its tags', async () => {
    const name = uniqueName('window');
    await create(name, { env: 'dev' });
    await callApi(api, 'DeleteSecret', { SecretName: name, RecoveryWindowInDays: '7' });
    const tag = await failure(callApi(api, 'TagResource', { SecretName: name, Tags: tagsParam({ k: 'v' }) }));
    expect([tag.code, tag.statusCode]).toEqual(['Rejected.ResourceInDeleteWindow', 409]);
    const untag = await failure(callApi(api, 'UntagResource', { SecretName: name, TagKeys: '["env"]' }));
    expect(untag.code).toBe('Rejected.ResourceInDeleteWindow');
    expect(await describeTags(name)).toEqual([['env', 'dev']]);
  });

  it('grows the kmsAdmin fixture: createSecret with tags, tagSecret, untagSecret', async () => {
    const admin = kmsAdmin(emulator.endpoint, REGION);
    const name = uniqueName('admin');
    await admin.createSecret({ name, data: '{"AccountName":"a","AccountPassword":"p"}', tags: { 'fc-rotation': 'mysql' } });
    expect((emulator.snapshot() as StateSnapshot)[name]?.tags).toEqual({ 'fc-rotation': 'mysql' });
    await admin.tagSecret(name, { owner: 'ops', 'fc-rotation': 'pg' });
    expect((emulator.snapshot() as StateSnapshot)[name]?.tags).toEqual({ 'fc-rotation': 'pg', owner: 'ops' });
    await admin.untagSecret(name, ['fc-rotation']);
    expect((emulator.snapshot() as StateSnapshot)[name]?.tags).toEqual({ owner: 'ops' });
    await expect(admin.tagSecret(uniqueName('absent'), { k: 'v' })).rejects.toMatchObject({ code: 'Forbidden.ResourceNotFound' });
  });
});

describe('KMS emulator ListSecrets', () => {
  let emulator: KmsEmulator;
  let api: OpenApiClient;
  let kms: KmsClient;
  let clock = Date.parse('2030-03-01T00:00:00Z');
  const DAY = 86_400_000;

  const list = async (params: Record<string, string> = {}): Promise<ListBody> => ListBody.parse(await callApi(api, 'ListSecrets', params));
  const filters = (...pairs: [string, string[]][]): string => JSON.stringify(pairs.map(([Key, Values]) => ({ Key, Values })));

  beforeAll(async () => {
    emulator = await startKmsEmulator({
      now: () => clock,
      seed: [{ SecretName: 'seeded', SecretData: 'x', Tags: { 'fc-rotation': 'seed', team: 'a' } }],
    });
    api = openApiClient(emulator);
    kms = rpcClient(emulator);
    const admin = kmsAdmin(emulator.endpoint, REGION);
    // Created 40 days apart from "now", one day apart from each other, in this order.
    clock -= 40 * DAY;
    const secrets: [string, Record<string, string> | undefined][] = [
      ['db-orders', { 'fc-rotation': 'mysql', team: 'a' }],
      ['db-users', { 'fc-rotation': 'pg' }],
      ['plain', undefined],
      ['team-b-only', { team: 'b' }],
      ['db-audit', { 'fc-rotation': 'mysql', team: 'b', extra: 'x' }],
    ];
    for (const [name, tags] of secrets) {
      await admin.createSecret({ name, data: '{"AccountName":"a","AccountPassword":"p"}', ...(tags ? { tags } : {}) });
      clock += DAY;
    }
    clock = Date.parse('2030-03-01T00:00:00Z');
  });
  afterAll(async () => {
    await emulator.close();
  });

  it('lists every secret in creation order without tags by default, with the documented defaults', async () => {
    const body = await list();
    expect(names(body)).toEqual(['seeded', 'db-orders', 'db-users', 'plain', 'team-b-only', 'db-audit']);
    expect([body.PageNumber, body.PageSize, body.TotalCount]).toEqual([1, 10, 6]);
    expect(body.SecretList.Secret.every((s) => s.Tags === undefined && s.SecretType === 'Generic')).toBe(true);
    // The injected clock set CreateTime: db-orders 40 days before "now", db-audit 36.
    const created = Object.fromEntries(body.SecretList.Secret.map((s) => [s.SecretName, s.CreateTime]));
    expect(created['seeded']).toBe('2030-03-01T00:00:00Z');
    expect(created['db-orders']).toBe('2030-01-20T00:00:00Z');
    expect(created['db-audit']).toBe('2030-01-24T00:00:00Z');
  });

  it('returns each secret with its tags when FetchTags is true', async () => {
    const body = await list({ FetchTags: 'true' });
    const tags = Object.fromEntries(body.SecretList.Secret.map((s) => [s.SecretName, s.Tags?.Tag.map((t) => `${t.TagKey}=${t.TagValue}`)]));
    expect(tags).toEqual({
      seeded: ['fc-rotation=seed', 'team=a'],
      'db-orders': ['fc-rotation=mysql', 'team=a'],
      'db-users': ['fc-rotation=pg'],
      plain: [],
      'team-b-only': ['team=b'],
      'db-audit': ['fc-rotation=mysql', 'team=b', 'extra=x'],
    });
  });

  it('filters by TagKey, ORs the values of one filter and ANDs filters', async () => {
    const byKey = await list({ Filters: filters(['TagKey', ['fc-rotation']]), FetchTags: 'true' });
    expect(names(byKey)).toEqual(['seeded', 'db-orders', 'db-users', 'db-audit']);
    expect(byKey.TotalCount).toBe(4);

    const either = await list({ Filters: filters(['TagKey', ['extra', 'team']]) });
    expect(names(either)).toEqual(['seeded', 'db-orders', 'team-b-only', 'db-audit']);

    const both = await list({ Filters: filters(['TagKey', ['fc-rotation']], ['TagKey', ['team']]) });
    expect(names(both)).toEqual(['seeded', 'db-orders', 'db-audit']);

    const withValue = await list({ Filters: filters(['TagKey', ['fc-rotation']], ['TagValue', ['b']]) });
    expect(names(withValue)).toEqual(['db-audit']);

    const none = await list({ Filters: filters(['TagKey', ['no-such-key']]) });
    expect([none.TotalCount, names(none)]).toEqual([0, []]);
  });

  it('filters by SecretName, SecretType and Description as documented equality', async () => {
    expect(names(await list({ Filters: filters(['SecretName', ['db-users', 'plain']]) }))).toEqual(['db-users', 'plain']);
    // Equality, not a prefix match.
    expect(names(await list({ Filters: filters(['SecretName', ['db']]) }))).toEqual([]);
    expect((await list({ Filters: filters(['SecretType', ['Generic']]) })).TotalCount).toBe(6);
    expect((await list({ Filters: filters(['SecretType', ['Rds']]) })).TotalCount).toBe(0);
    expect((await list({ Filters: filters(['Description', ['anything']]) })).TotalCount).toBe(0);
    // A filter with no values constrains nothing; an empty Filters array neither.
    expect((await list({ Filters: filters(['TagKey', []]) })).TotalCount).toBe(6);
    expect((await list({ Filters: '[]' })).TotalCount).toBe(6);
  });

  it('pages: TotalCount counts every match, page 2 holds the rest, a page past the end is empty', async () => {
    const first = await list({ PageSize: '4' });
    expect([first.PageNumber, first.PageSize, first.TotalCount, names(first)]).toEqual([
      1,
      4,
      6,
      ['seeded', 'db-orders', 'db-users', 'plain'],
    ]);
    const second = await list({ PageSize: '4', PageNumber: '2' });
    expect([second.PageNumber, second.TotalCount, names(second)]).toEqual([2, 6, ['team-b-only', 'db-audit']]);
    const past = await list({ PageSize: '4', PageNumber: '3' });
    expect([past.PageNumber, past.TotalCount, names(past)]).toEqual([3, 6, []]);
    const filtered = await list({ PageSize: '1', PageNumber: '2', Filters: filters(['TagKey', ['fc-rotation']]) });
    expect([filtered.TotalCount, names(filtered)]).toEqual([4, ['db-orders']]);
    expect((await list({ PageSize: '100' })).SecretList.Secret.length).toBe(6);
  });

  it('refuses PageSize outside 1 to 100 and PageNumber below 1 as InvalidParameter 400', async () => {
    const refused: Record<string, string>[] = [
      { PageSize: '0' },
      { PageSize: '101' },
      { PageSize: 'ten' },
      { PageNumber: '0' },
      { PageNumber: '-1' },
      { FetchTags: 'yes' },
    ];
    for (const params of refused) {
      const err = await failure(callApi(api, 'ListSecrets', params));
      expect([params, err.code, err.statusCode]).toEqual([params, 'InvalidParameter', 400]);
    }
  });

  it('refuses a malformed Filters as InvalidParameter 400 without quoting it', async () => {
    const cases = [
      'not-json-zz9',
      '{"Key":"TagKey","Values":["a"]}',
      '[{"Key":"Owner","Values":["zz9"]}]',
      '[{"Key":"TagKey","Values":"zz9"}]',
      '[{"Key":"TagKey"}]',
      '[{"Values":["zz9"]}]',
      '[{"Key":"TagKey","Values":[7]}]',
      '["zz9"]',
      filters(['TagKey', ['']]),
      filters(['TagKey', ['bad zz9']]),
      filters(['TagKey', ['k'.repeat(257)]]),
      filters(['SecretName', ['s'.repeat(193)]]),
      filters(['SecretType', ['Vault-zz9']]),
      filters(['TagKey', Array.from({ length: 11 }, (_, i) => `k${i}`)]),
      JSON.stringify(Array.from({ length: 11 }, () => ({ Key: 'TagKey', Values: ['k'] }))),
    ];
    for (const raw of cases) {
      const err = await failure(callApi(api, 'ListSecrets', { Filters: raw }));
      expect([raw, err.code, err.statusCode]).toEqual([raw, 'InvalidParameter', 400]);
      expect(err.message).not.toContain('zz9');
    }
    // The limits themselves are accepted.
    const ten = JSON.stringify(
      Array.from({ length: 10 }, () => ({ Key: 'TagKey', Values: Array.from({ length: 10 }, (_, i) => `k${i}`) })),
    );
    expect((await list({ Filters: ten })).TotalCount).toBe(0);
  });

  it('parses with the generated SDK (rpc-client), paging and tags included', async () => {
    const r = await kms.listSecrets(new $Kms.ListSecretsRequest({ fetchTags: 'true', pageNumber: 2, pageSize: 2 }));
    expect([r.pageNumber, r.pageSize, r.totalCount]).toEqual([2, 2, 6]);
    expect(r.secretList.secret.map((s) => s.secretName)).toEqual(['db-users', 'plain']);
    expect(r.secretList.secret[0]?.tags.tag.map((t) => [t.tagKey, t.tagValue])).toEqual([['fc-rotation', 'pg']]);
    expect(r.secretList.secret[0]?.createTime).toBe('2030-01-21T00:00:00Z');
    const err = await failure(kms.listSecrets(new $Kms.ListSecretsRequest({ pageSize: 101 })));
    expect(err.code).toBe('InvalidParameterError');
  });

  it('lists a secret in its recovery window with PlannedDeleteTime and keeps UpdateTime on tag changes', async () => {
    await callApi(api, 'TagResource', { SecretName: 'plain', Tags: tagsParam({ later: 'yes' }) });
    await callApi(api, 'DeleteSecret', { SecretName: 'team-b-only', RecoveryWindowInDays: '7' });
    try {
      const body = await list({ Filters: filters(['SecretName', ['plain', 'team-b-only']]), FetchTags: 'true' });
      const [plain, pending] = body.SecretList.Secret;
      expect(plain?.Tags?.Tag).toEqual([{ TagKey: 'later', TagValue: 'yes' }]);
      expect(plain?.UpdateTime).toBe('2030-01-22T00:00:00Z');
      expect(plain?.PlannedDeleteTime).toBeUndefined();
      expect(pending?.PlannedDeleteTime).toBe('2030-03-08T00:00:00Z');
      // Once the window has passed the secret is gone from the list.
      clock += 7 * DAY;
      expect(names(await list())).not.toContain('team-b-only');
    } finally {
      clock = Date.parse('2030-03-01T00:00:00Z');
      await callApi(api, 'UntagResource', { SecretName: 'plain', TagKeys: '["later"]' });
    }
  });
});
