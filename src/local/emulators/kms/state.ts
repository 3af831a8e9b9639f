/**
 * The KMS Secrets Manager state behind the local emulator: Alibaba's secret, version and stage
 * rules, applied to wire parameters, plus tags and ListSecrets (tags.ts, list-secrets.ts). No I/O. It must never
 * put SecretData into an error message.
 * (Not the function's SecretStore port: this is the far side of the API the port's adapter calls.)
 */
import { AcsApiError, optionalParam, requireParam, type AcsParams, type AcsResult } from '../acs-rpc/params.js';
import { listSecrets } from './list-secrets.js';
import {
  booleanParam,
  dataTypeParam,
  formatTime,
  integerParam,
  invalid,
  MAX_STAGES,
  MAX_VERSIONS,
  notFound,
  parseStageList,
  secretDataParam,
  secretNameParam,
  versionIdParam,
} from './params.js';
import { mergeTags, parseTags, parseTagKeys, tagsAnswer, tagTargetSecretName, type TagMap } from './tags.js';

export { formatTime } from './params.js';

export const ACS_CURRENT = 'ACSCurrent';
export const ACS_PREVIOUS = 'ACSPrevious';

export const SECRET_TYPES = ['Generic', 'Rds', 'RAMCredentials', 'ECS'] as const;
export type SecretType = (typeof SECRET_TYPES)[number];

interface StoredVersion {
  readonly versionId: string;
  readonly data: string;
  readonly dataType: 'text' | 'binary';
  readonly createdAt: number;
  readonly stages: Set<string>;
}

interface StoredSecret {
  readonly name: string;
  readonly type: SecretType;
  readonly description: string | undefined;
  readonly encryptionKeyId: string;
  readonly createdAt: number;
  updatedAt: number;
  plannedDeleteAt: number | undefined;
  /** In the order keys were first set; TagResource overwrites a value in place. */
  readonly tags: TagMap;
  /** Oldest first; the 10-version limit drops from the front. */
  versions: StoredVersion[];
}

export interface VersionSnapshot {
  versionId: string;
  secretData: string;
  secretDataType: 'text' | 'binary';
  createTime: string;
  /** Sorted, so snapshots compare equal whatever order stages were attached in. */
  stages: string[];
}

export interface SecretSnapshot {
  secretName: string;
  secretType: SecretType;
  plannedDeleteTime?: string;
  /** Key order sorted; absent when the secret has no tags, so untagged snapshots keep their old shape. */
  tags?: Record<string, string>;
  versions: VersionSnapshot[];
}

/** Keyed by secret name, in name order. */
export type StateSnapshot = Record<string, SecretSnapshot>;

export interface KmsStateOptions {
  /** Injectable clock so tests can step past a recovery window. */
  now?: () => number;
  regionId?: string;
  accountId?: string;
}

/** Test-only: the suite's leak guard (test/setup/secret-guard.ts) sets this hook to learn stored passwords; unset, a no-op. */
const SECRET_SEEN = Symbol.for('fc-secret-rotation.test.secret-seen');

export class KmsState {
  private readonly secrets = new Map<string, StoredSecret>();
  private readonly now: () => number;
  private readonly regionId: string;
  private readonly accountId: string;

  constructor(options: KmsStateOptions = {}) {
    this.now = options.now ?? Date.now;
    this.regionId = options.regionId ?? 'cn-hangzhou';
    this.accountId = options.accountId ?? '1234567890123456';
  }

  createSecret(params: AcsParams): AcsResult {
    const name = secretNameParam(params);
    const versionId = versionIdParam(params);
    const dataType = dataTypeParam(params);
    const data = secretDataParam(params, dataType);
    (globalThis as { [SECRET_SEEN]?: (kind: 'secret-data', data: string) => void })[SECRET_SEEN]?.('secret-data', data);
    const typeParam = optionalParam(params, 'SecretType') ?? 'Generic';
    const type = SECRET_TYPES.find((t) => t === typeParam);
    if (type === undefined) throw invalid(`SecretType must be one of ${SECRET_TYPES.join(', ')}.`);
    const tagsRaw = optionalParam(params, 'Tags');
    const tags = tagsRaw === undefined ? new Map<string, string>() : parseTags(tagsRaw, true);
    const existing = this.lookup(name);
    if (existing?.plannedDeleteAt !== undefined) throw this.inDeleteWindow();
    if (existing) throw new AcsApiError(409, 'Rejected.ResourceExist', 'The resource already exists.');
    const now = this.now();
    const secret: StoredSecret = {
      name,
      type,
      description: optionalParam(params, 'Description'),
      // Without EncryptionKeyId KMS encrypts with a service-managed key; DescribeSecret still names one.
      encryptionKeyId: optionalParam(params, 'EncryptionKeyId') ?? 'kms-emulator-default-key',
      createdAt: now,
      updatedAt: now,
      plannedDeleteAt: undefined,
      tags,
      versions: [{ versionId, data, dataType, createdAt: now, stages: new Set([ACS_CURRENT]) }],
    };
    this.secrets.set(name, secret);
    return { Arn: this.arn(name), SecretName: name, VersionId: versionId, SecretType: type };
  }

  getSecretValue(params: AcsParams): AcsResult {
    const secret = this.live(secretNameParam(params));
    const versionId = optionalParam(params, 'VersionId');
    const stage = optionalParam(params, 'VersionStage');
    let version: StoredVersion | undefined;
    if (versionId !== undefined) {
      version = secret.versions.find((v) => v.versionId === versionId);
      if (version && stage !== undefined && !version.stages.has(stage)) version = undefined;
    } else {
      version = this.holder(secret, stage ?? ACS_CURRENT);
    }
    if (!version) throw notFound();
    return {
      SecretName: secret.name,
      SecretType: secret.type,
      SecretData: version.data,
      SecretDataType: version.dataType,
      VersionId: version.versionId,
      CreateTime: formatTime(version.createdAt),
      VersionStages: { VersionStage: [...version.stages] },
    };
  }

  putSecretValue(params: AcsParams): AcsResult {
    const secret = this.live(secretNameParam(params));
    const versionId = versionIdParam(params);
    const dataType = dataTypeParam(params);
    const data = secretDataParam(params, dataType);
    (globalThis as { [SECRET_SEEN]?: (kind: 'secret-data', data: string) => void })[SECRET_SEEN]?.('secret-data', data);
    const stagesRaw = optionalParam(params, 'VersionStages');
    const stages = stagesRaw === undefined ? [ACS_CURRENT] : parseStageList(stagesRaw);
    this.requireGeneric(secret, 'PutSecretValue');

    const existing = secret.versions.find((v) => v.versionId === versionId);
    if (existing) {
      // A retried PutSecretValue with the same id and data succeeds without moving stages again.
      if (existing.data !== data || existing.dataType !== dataType) {
        throw new AcsApiError(409, 'Rejected.ResourceExist', 'The resource already exists.');
      }
      return this.versionResult(secret, existing);
    }

    this.requireStageRoom(secret, stages);
    const version: StoredVersion = { versionId, data, dataType, createdAt: this.now(), stages: new Set() };
    const oldCurrent = this.holder(secret, ACS_CURRENT);
    secret.versions.push(version);
    for (const stage of stages) this.attach(secret, stage, version);
    if (stages.includes(ACS_CURRENT) && !stages.includes(ACS_PREVIOUS) && oldCurrent) {
      this.attach(secret, ACS_PREVIOUS, oldCurrent);
    }
    this.enforceVersionLimit(secret);
    secret.updatedAt = this.now();
    return this.versionResult(secret, version);
  }

  updateSecretVersionStage(params: AcsParams): AcsResult {
    const secret = this.live(secretNameParam(params));
    const stage = requireParam(params, 'VersionStage');
    const removeFrom = optionalParam(params, 'RemoveFromVersion');
    const moveTo = optionalParam(params, 'MoveToVersion');
    this.requireGeneric(secret, 'UpdateSecretVersionStage');
    if (removeFrom === undefined && moveTo === undefined) {
      throw invalid('Specify RemoveFromVersion, MoveToVersion or both.');
    }
    const systemStage = stage === ACS_CURRENT || stage === ACS_PREVIOUS;
    if (systemStage && moveTo === undefined) {
      throw invalid(`${stage} cannot be removed, only moved to another version with MoveToVersion.`);
    }
    const source = removeFrom === undefined ? undefined : this.version(secret, removeFrom);
    const target = moveTo === undefined ? undefined : this.version(secret, moveTo);
    if (source && !source.stages.has(stage)) {
      throw invalid(`Version ${source.versionId} does not hold stage ${stage}.`);
    }

    if (!target) {
      source?.stages.delete(stage);
    } else if (!target.stages.has(stage)) {
      this.requireStageRoom(secret, [stage]);
      const oldHolder = this.holder(secret, stage);
      this.attach(secret, stage, target);
      if (stage === ACS_CURRENT && oldHolder) this.attach(secret, ACS_PREVIOUS, oldHolder);
    }
    secret.updatedAt = this.now();
    return { SecretName: secret.name };
  }

  listSecretVersionIds(params: AcsParams): AcsResult {
    const secret = this.live(secretNameParam(params));
    const includeDeprecated = booleanParam(params, 'IncludeDeprecated', false);
    const pageNumber = integerParam(params, 'PageNumber', 1, 1, Number.MAX_SAFE_INTEGER);
    const pageSize = integerParam(params, 'PageSize', 10, 1, 100);
    const versions = secret.versions.filter((v) => includeDeprecated || v.stages.size > 0);
    const page = versions.slice((pageNumber - 1) * pageSize, pageNumber * pageSize);
    return {
      SecretName: secret.name,
      PageNumber: pageNumber,
      PageSize: pageSize,
      TotalCount: versions.length,
      VersionIds: {
        VersionId: page.map((v) => ({
          VersionId: v.versionId,
          CreateTime: formatTime(v.createdAt),
          VersionStages: { VersionStage: [...v.stages] },
        })),
      },
    };
  }

  /** Answers during the recovery window too: that is how a caller learns PlannedDeleteTime. */
  describeSecret(params: AcsParams): AcsResult {
    const secret = this.lookup(secretNameParam(params));
    if (!secret) throw notFound();
    const fetchTags = booleanParam(params, 'FetchTags', false);
    const result: AcsResult = {
      Arn: this.arn(secret.name),
      SecretName: secret.name,
      SecretType: secret.type,
      CreateTime: formatTime(secret.createdAt),
      UpdateTime: formatTime(secret.updatedAt),
      EncryptionKeyId: secret.encryptionKeyId,
    };
    if (secret.description !== undefined) result['Description'] = secret.description;
    if (secret.plannedDeleteAt !== undefined) result['PlannedDeleteTime'] = formatTime(secret.plannedDeleteAt);
    if (fetchTags) result['Tags'] = tagsAnswer(secret.tags);
    return result;
  }

  /** Every secret, recovery window included, in creation order: a secret deleted and created again moves last. */
  listSecrets(params: AcsParams): AcsResult {
    const secrets = [...this.secrets.keys()].flatMap((name) => this.lookup(name) ?? []);
    return listSecrets(params, secrets);
  }

  /** Adds or overwrites. Tags are metadata beside the versions, so UpdateTime stays (unconfirmed on KMS). */
  tagResource(params: AcsParams): AcsResult {
    const name = tagTargetSecretName(params);
    const tags = parseTags(requireParam(params, 'Tags'), false);
    const secret = this.live(name);
    mergeTags(secret.tags, tags);
    return {};
  }

  /** Keys the secret does not carry are ignored, so a retried UntagResource succeeds. */
  untagResource(params: AcsParams): AcsResult {
    const name = tagTargetSecretName(params);
    const keys = parseTagKeys(requireParam(params, 'TagKeys'));
    const secret = this.live(name);
    for (const key of keys) secret.tags.delete(key);
    return {};
  }

  deleteSecret(params: AcsParams): AcsResult {
    const name = secretNameParam(params);
    const secret = this.lookup(name);
    if (!secret) throw notFound();
    const force = booleanParam(params, 'ForceDeleteWithoutRecovery', false);
    const windowDays = integerParam(params, 'RecoveryWindowInDays', 30, 7, 30);
    const now = this.now();
    if (force) {
      this.secrets.delete(name);
      return { SecretName: name, PlannedDeleteTime: formatTime(now) };
    }
    if (secret.plannedDeleteAt !== undefined) throw this.inDeleteWindow();
    secret.plannedDeleteAt = now + windowDays * 86_400_000;
    return { SecretName: name, PlannedDeleteTime: formatTime(secret.plannedDeleteAt) };
  }

  /** Not in the brief's list but part of the same lifecycle: cancels a scheduled deletion. */
  restoreSecret(params: AcsParams): AcsResult {
    const secret = this.lookup(secretNameParam(params));
    if (!secret) throw notFound();
    secret.plannedDeleteAt = undefined;
    return { SecretName: secret.name };
  }

  /** A deep copy, so later calls cannot change what a test captured. */
  snapshot(): StateSnapshot {
    const out: StateSnapshot = {};
    for (const name of [...this.secrets.keys()].sort()) {
      const secret = this.lookup(name);
      if (!secret) continue;
      const snap: SecretSnapshot = {
        secretName: secret.name,
        secretType: secret.type,
        versions: secret.versions.map((v) => ({
          versionId: v.versionId,
          secretData: v.data,
          secretDataType: v.dataType,
          createTime: formatTime(v.createdAt),
          stages: [...v.stages].sort(),
        })),
      };
      if (secret.plannedDeleteAt !== undefined) snap.plannedDeleteTime = formatTime(secret.plannedDeleteAt);
      if (secret.tags.size > 0) snap.tags = Object.fromEntries([...secret.tags].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
      out[name] = snap;
    }
    return out;
  }

  /** The secret, or undefined once it is gone; a recovery window that has run out deletes it here. */
  private lookup(name: string): StoredSecret | undefined {
    const secret = this.secrets.get(name);
    if (secret?.plannedDeleteAt !== undefined && secret.plannedDeleteAt <= this.now()) {
      this.secrets.delete(name);
      return undefined;
    }
    return secret;
  }

  /** A secret reads and writes may act on: it exists and is not waiting to be deleted. */
  private live(name: string): StoredSecret {
    const secret = this.lookup(name);
    if (!secret) throw notFound();
    if (secret.plannedDeleteAt !== undefined) throw this.inDeleteWindow();
    return secret;
  }

  private inDeleteWindow(): AcsApiError {
    return new AcsApiError(409, 'Rejected.ResourceInDeleteWindow', 'The secret is planned to be deleted.');
  }

  private requireGeneric(secret: StoredSecret, action: string): void {
    // Alibaba documents these operations as generic-secret only without naming the error; InvalidParameter is our choice.
    if (secret.type !== 'Generic') throw invalid(`${action} supports only Generic secrets.`);
  }

  private version(secret: StoredSecret, versionId: string): StoredVersion {
    const version = secret.versions.find((v) => v.versionId === versionId);
    if (!version) throw notFound();
    return version;
  }

  private holder(secret: StoredSecret, stage: string): StoredVersion | undefined {
    return secret.versions.find((v) => v.stages.has(stage));
  }

  /** A stage marks one version at most, so attaching it takes it from its holder. */
  private attach(secret: StoredSecret, stage: string, target: StoredVersion): void {
    for (const v of secret.versions) v.stages.delete(stage);
    target.stages.add(stage);
  }

  private requireStageRoom(secret: StoredSecret, adding: readonly string[]): void {
    const distinct = new Set(secret.versions.flatMap((v) => [...v.stages]));
    for (const stage of adding) distinct.add(stage);
    if (distinct.size > MAX_STAGES) {
      throw new AcsApiError(400, 'Rejected.LimitExceeded', `A secret can have at most ${MAX_STAGES} version stages.`);
    }
  }

  /** With at most 8 stages, an 11th version always leaves a stageless one to drop. */
  private enforceVersionLimit(secret: StoredSecret): void {
    while (secret.versions.length > MAX_VERSIONS) {
      const index = secret.versions.findIndex((v) => v.stages.size === 0);
      if (index < 0) return;
      secret.versions.splice(index, 1);
    }
  }

  private versionResult(secret: StoredSecret, version: StoredVersion): AcsResult {
    return {
      SecretName: secret.name,
      VersionId: version.versionId,
      VersionStages: { VersionStage: [...version.stages] },
    };
  }

  private arn(name: string): string {
    return `acs:kms:${this.regionId}:${this.accountId}:secret/${name}`;
  }
}
