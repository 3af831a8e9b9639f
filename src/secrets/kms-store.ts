/**
 * SecretStore over KMS Secrets Manager (API 2016-01-20), every action through @alicloud/openapi-client's
 * generic callApi (RPC style, form body, the raw JSON answer). Not the generated @alicloud/kms20160120:
 * its response model drops SecretType, its older rpc-client puts every parameter (SecretData too) in
 * the URL query, its request model for ListSecrets has no Filters, and loading it and its models
 * costs every cold start for the two actions it would still serve.
 * Every answer the steps rely on is checked with zod for the fields they use; one without them (a
 * success that is not one) is a TransientError naming the action and the secret, never a value.
 * A call answered with throttling is retried a few times first (src/alibaba/throttle.ts).
 * Must never log or echo SecretData.
 */
import * as openapiSdk from '@alicloud/openapi-client';
import * as teaUtil from '@alicloud/tea-util';
import { z } from 'zod';
import { cloudErrorInfo, isSdkCastError, toRotationError } from '../alibaba/errors.js';
import { sdkClass } from '../alibaba/interop.js';
import { rpcParams } from '../alibaba/rpc-params.js';
import { retryThrottled } from '../alibaba/throttle.js';
import { InvalidSecretError, PreconditionError, SecretNotFoundError, TransientError } from '../errors.js';
import type { Endpoint } from '../config.js';
import type { CloudCredentials } from '../alibaba/credentials.js';
import { Stage, type StageName } from './schema.js';
import type { SecretStore, SecretValue, TaggedSecret, VersionInfo, VersionSelector } from './store.js';
import { knownVersion, knowsSecret, rememberVersion } from './version-cache.js';

export interface KmsStoreOptions {
  endpoint: Endpoint;
  regionId: string;
  credentials: CloudCredentials;
}

const API_VERSION = '2016-01-20';
const CONNECT_TIMEOUT_MS = 5_000;
const READ_TIMEOUT_MS = 10_000;

const GetSecretValueBody = z.object({
  SecretName: z.string(),
  VersionId: z.string(),
  SecretData: z.string(),
  SecretDataType: z.enum(['text', 'binary']).optional(),
  SecretType: z.string().optional(),
  VersionStages: z.object({ VersionStage: z.array(z.string()) }).optional(),
});

/** PutSecretValue documents SecretName, VersionId and VersionStages; the version it stored must be the one sent. */
const PutSecretValueBody = z.object({
  SecretName: z.string(),
  VersionId: z.string(),
});

/** ListSecretVersionIds: every field the store uses is required. */
const ListVersionsBody = z.object({
  TotalCount: z.coerce.number(),
  // A page past the last may come without the list; a missing list before TotalCount is reached is malformed (below).
  VersionIds: z
    .object({
      VersionId: z.array(
        z.object({
          VersionId: z.string(),
          CreateTime: z.string().optional(),
          VersionStages: z.object({ VersionStage: z.array(z.string()).optional() }).optional(),
        }),
      ),
    })
    .default({ VersionId: [] }),
});

/** ListSecrets with FetchTags: the fields discovery reads. A page past the last may come without the list. */
const ListSecretsBody = z.object({
  TotalCount: z.coerce.number(),
  SecretList: z
    .object({
      Secret: z.array(
        z.object({
          SecretName: z.string(),
          SecretType: z.string().optional(),
          PlannedDeleteTime: z.string().optional(),
          Tags: z.object({ Tag: z.array(z.object({ TagKey: z.string(), TagValue: z.string().optional() })).optional() }).optional(),
        }),
      ),
    })
    .default({ Secret: [] }),
});

/** KMS writes times as 2020-02-21T15:39:26Z; anything else is treated as unknown rather than guessed. */
function parseKmsTime(text: string | undefined): number | undefined {
  // Date.parse reads a time without an offset as local time: only an explicit Z or offset is a time.
  if (text === undefined || !/(?:Z|[+-]\d{2}:?\d{2})$/.test(text)) return undefined;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? undefined : ms;
}

/** UpdateSecretVersionStage documents SecretName and RequestId. */
const UpdateStageBody = z.object({ SecretName: z.string() });

/** A success that is not one: worth retrying, as a proxy's error page is. Names the action and secret, never a value. */
function malformedAnswer(action: string, subject: string): TransientError {
  return new TransientError(`KMS ${action} for ${subject} answered without the expected fields`);
}

/** How openapi-client's generic callApi reaches a KMS action: RPC style, form body, JSON answer. */
export function kmsRpcParams(action: string, protocol: string): InstanceType<typeof openapiSdk.Params> {
  return rpcParams({ action, version: API_VERSION, protocol });
}

const NOT_FOUND = 'Forbidden.ResourceNotFound';
const RESOURCE_EXIST = 'Rejected.ResourceExist';
const PAGE_SIZE = 50;
/** ListSecrets' largest page. */
const LIST_PAGE_SIZE = 100;

export class KmsSecretStore implements SecretStore {
  private readonly api: InstanceType<typeof openapiSdk.default.default>;
  /** Whose versions these are, for the container's cache of version data (version-cache.ts). */
  private readonly scope: string;

  constructor(options: KmsStoreOptions) {
    const identity = 'accessKeyId' in options.credentials ? options.credentials.accessKeyId : 'default-chain';
    this.scope = `${options.endpoint.protocol}://${options.endpoint.host}|${options.regionId}|${identity}`;
    const common = {
      endpoint: options.endpoint.host,
      protocol: options.endpoint.protocol,
      regionId: options.regionId,
      connectTimeout: CONNECT_TIMEOUT_MS,
      readTimeout: READ_TIMEOUT_MS,
      ...options.credentials,
    };
    this.api = new (sdkClass(openapiSdk))(new openapiSdk.Config(common));
  }

  /** `subject` says what the call was about in an error message: `secret <name>` or `tag <key>`. */
  private async callApi(action: string, subject: string, body: Record<string, string>): Promise<unknown> {
    const params = kmsRpcParams(action, this.api._protocol ?? 'https');
    const request = new openapiSdk.OpenApiRequest({ body });
    const runtime = new teaUtil.RuntimeOptions({ connectTimeout: CONNECT_TIMEOUT_MS, readTimeout: READ_TIMEOUT_MS });
    try {
      // Throttled answers are retried here (refused before being applied, so safe for PutSecretValue too).
      const response: unknown = await retryThrottled(`KMS ${action}`, () => this.api.callApi(params, request, runtime));
      return (response as { body?: unknown }).body;
    } catch (err) {
      throw this.mapError(err, action, subject);
    }
  }

  private mapError(err: unknown, action: string, subject: string): Error {
    if (isSdkCastError(err)) return malformedAnswer(action, subject);
    const info = cloudErrorInfo(err);
    if (info.code === NOT_FOUND) return new SecretNotFoundError(`KMS ${action}: ${subject} or the version asked for does not exist`);
    if (info.code === RESOURCE_EXIST) {
      return new PreconditionError(`KMS ${action}: ${subject} already has this VersionId with other SecretData`);
    }
    return toRotationError(err, `KMS ${action} for ${subject}`);
  }

  async find(secretName: string, selector: VersionSelector): Promise<SecretValue | undefined> {
    const body: Record<string, string> = { SecretName: secretName };
    if (selector.versionId !== undefined) body['VersionId'] = selector.versionId;
    if (selector.stage !== undefined) body['VersionStage'] = selector.stage;
    let raw: unknown;
    try {
      raw = await this.callApi('GetSecretValue', `secret ${secretName}`, body);
    } catch (err) {
      if (err instanceof SecretNotFoundError && (selector.versionId !== undefined || selector.stage !== Stage.Current)) {
        // The secret may exist without this version or stage; tell the two apart only when asked for ACSCurrent.
        return undefined;
      }
      throw err;
    }
    const parsed = GetSecretValueBody.safeParse(raw);
    // A version other than the one asked for is no answer to the question either.
    if (!parsed.success || (selector.versionId !== undefined && parsed.data.VersionId !== selector.versionId)) {
      throw malformedAnswer('GetSecretValue', `secret ${secretName}`);
    }
    const value = parsed.data;
    if (value.SecretType !== 'Generic') {
      throw new InvalidSecretError(
        `secret ${secretName}: SecretType is ${value.SecretType ?? 'missing'}; only Generic secrets are rotated by this function`,
      );
    }
    const found: SecretValue = {
      secretName: value.SecretName,
      versionId: value.VersionId,
      stages: value.VersionStages?.VersionStage ?? [],
      data: value.SecretData,
      // Absent means text: KMS documents text as the default.
      dataType: value.SecretDataType ?? 'text',
    };
    rememberVersion(this.scope, secretName, found.versionId, found);
    return found;
  }

  /**
   * Where this container already holds the secret's data (the rotation's earlier steps ran here:
   * every version named by id is known, or with none named, some version), one ListSecretVersionIds
   * gives every selector's version and the data comes from memory; otherwise one GetSecretValue
   * each, as `find`.
   */
  async findEach(secretName: string, selectors: readonly VersionSelector[]): Promise<(SecretValue | undefined)[]> {
    const found: (SecretValue | undefined)[] = [];
    const named = selectors.flatMap((s) => (s.versionId === undefined ? [] : [s.versionId]));
    const known = named.length > 0 ? named.every((id) => knownVersion(this.scope, secretName, id)) : knowsSecret(this.scope, secretName);
    if (!known) {
      for (const selector of selectors) found.push(await this.find(secretName, selector));
      return found;
    }
    const listing = await this.listVersions(secretName);
    for (const { stage, versionId } of selectors) {
      const version = listing.find(
        (v) => (versionId === undefined || v.versionId === versionId) && (stage === undefined || v.stages.includes(stage)),
      );
      found.push(version && (await this.withData(secretName, version)));
    }
    return found;
  }

  async withData(secretName: string, version: VersionInfo): Promise<SecretValue | undefined> {
    const known = knownVersion(this.scope, secretName, version.versionId);
    if (!known) return this.find(secretName, { versionId: version.versionId });
    return { secretName, versionId: version.versionId, stages: [...version.stages], data: known.data, dataType: known.dataType };
  }

  async putPending(secretName: string, versionId: string, data: string): Promise<void> {
    const raw = await this.callApi('PutSecretValue', `secret ${secretName}`, {
      SecretName: secretName,
      VersionId: versionId,
      SecretData: data,
      SecretDataType: 'text',
      VersionStages: JSON.stringify([Stage.Pending]),
    });
    // Without this, `new` would report a version KMS never said it stored, and every `set` would then miss it.
    const parsed = PutSecretValueBody.safeParse(raw);
    if (!parsed.success || parsed.data.VersionId !== versionId) throw malformedAnswer('PutSecretValue', `secret ${secretName}`);
    rememberVersion(this.scope, secretName, versionId, { data, dataType: 'text' });
  }

  async listVersions(secretName: string): Promise<VersionInfo[]> {
    const versions: VersionInfo[] = [];
    for (let page = 1; ; page++) {
      const raw = await this.callApi('ListSecretVersionIds', `secret ${secretName}`, {
        SecretName: secretName,
        IncludeDeprecated: 'true',
        PageNumber: String(page),
        PageSize: String(PAGE_SIZE),
      });
      const result = ListVersionsBody.safeParse(raw);
      if (!result.success) throw malformedAnswer('ListSecretVersionIds', `secret ${secretName}`);
      const parsed = result.data;
      const items = parsed.VersionIds.VersionId;
      if (items.length === 0 && versions.length < parsed.TotalCount) throw malformedAnswer('ListSecretVersionIds', `secret ${secretName}`);
      for (const item of items) {
        versions.push({
          versionId: item.VersionId,
          stages: item.VersionStages?.VersionStage ?? [],
          createdAt: parseKmsTime(item.CreateTime),
        });
      }
      if (items.length < PAGE_SIZE || versions.length >= parsed.TotalCount) return versions;
    }
  }

  async moveStage(secretName: string, stage: StageName, toVersion: string, fromVersion?: string): Promise<void> {
    await this.updateStage(secretName, { versionStage: stage, moveToVersion: toVersion, removeFromVersion: fromVersion });
  }

  async removeStage(secretName: string, stage: StageName, fromVersion: string): Promise<void> {
    await this.updateStage(secretName, { versionStage: stage, removeFromVersion: fromVersion });
  }

  async listTagged(tagKey: string): Promise<TaggedSecret[]> {
    const about = `tag ${tagKey}`;
    const secrets: TaggedSecret[] = [];
    for (let page = 1; ; page++) {
      const raw = await this.callApi('ListSecrets', about, {
        Filters: JSON.stringify([{ Key: 'TagKey', Values: [tagKey] }]),
        FetchTags: 'true',
        PageNumber: String(page),
        PageSize: String(LIST_PAGE_SIZE),
      });
      const parsed = ListSecretsBody.safeParse(raw);
      if (!parsed.success) throw malformedAnswer('ListSecrets', about);
      const items = parsed.data.SecretList.Secret;
      if (items.length === 0 && secrets.length < parsed.data.TotalCount) throw malformedAnswer('ListSecrets', about);
      for (const item of items) {
        const tags: Record<string, string> = {};
        for (const tag of item.Tags?.Tag ?? []) tags[tag.TagKey] = tag.TagValue ?? '';
        // The filter is KMS's; the tag is checked again here, so a looser filter never rotates an untagged secret.
        if (!(tagKey in tags)) continue;
        secrets.push({
          secretName: item.SecretName,
          secretType: item.SecretType ?? 'unknown',
          tags,
          plannedDeletion: Boolean(item.PlannedDeleteTime),
        });
      }
      if (items.length < LIST_PAGE_SIZE || page * LIST_PAGE_SIZE >= parsed.data.TotalCount) return secrets;
    }
  }

  private async updateStage(
    secretName: string,
    change: { versionStage: StageName; moveToVersion?: string; removeFromVersion?: string | undefined },
  ): Promise<void> {
    const body: Record<string, string> = { SecretName: secretName, VersionStage: change.versionStage };
    if (change.moveToVersion !== undefined) body['MoveToVersion'] = change.moveToVersion;
    if (change.removeFromVersion !== undefined) body['RemoveFromVersion'] = change.removeFromVersion;
    // callApi sends a throttled move again (it was refused unapplied); a lost answer is not retried here.
    const raw = await this.callApi('UpdateSecretVersionStage', `secret ${secretName}`, body);
    if (!UpdateStageBody.safeParse(raw).success) throw malformedAnswer('UpdateSecretVersionStage', `secret ${secretName}`);
  }
}
