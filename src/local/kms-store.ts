// The KMS Secrets Manager state machine behind the local emulator: Alibaba's secret, version and stage rules, no I/O.
import { randomInt } from 'node:crypto';
import { AcsApiError, optionalParam, requireParam, type AcsParams, type AcsResult } from './acs-rpc-server.js';

export const ACS_CURRENT = 'ACSCurrent';
export const ACS_PREVIOUS = 'ACSPrevious';

export const SECRET_TYPES = ['Generic', 'Rds', 'RAMCredentials', 'ECS'] as const;
export type SecretType = (typeof SECRET_TYPES)[number];

export const MAX_VERSIONS = 10;
export const MAX_STAGES = 8;
export const MAX_SECRET_DATA_BYTES = 30_720;
export const MAX_VERSION_ID_LENGTH = 64;

const LOWER = 'abcdefghijklmnopqrstuvwxyz';
const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const DIGITS = '0123456789';
/** The 32 printable ASCII punctuation characters: the set GetRandomPassword's documentation lists. */
export const PUNCTUATION = '!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~';

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
  versions: VersionSnapshot[];
}

/** Keyed by secret name, in name order. */
export type StoreSnapshot = Record<string, SecretSnapshot>;

export interface SecretStoreOptions {
  /** Injectable clock so tests can step past a recovery window. */
  now?: () => number;
  regionId?: string;
  accountId?: string;
}

/** Alibaba's timestamps carry no fraction: 2020-02-21T15:39:26Z. */
export function formatTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function invalid(message: string): AcsApiError {
  return new AcsApiError(400, 'InvalidParameter', message);
}

function notFound(message = 'The resource is not found.'): AcsApiError {
  return new AcsApiError(404, 'Forbidden.ResourceNotFound', message);
}

function booleanParam(params: AcsParams, name: string, fallback: boolean): boolean {
  const value = optionalParam(params, name);
  if (value === undefined) return fallback;
  if (value === 'true') return true;
  if (value === 'false') return false;
  throw invalid(`${name} must be "true" or "false".`);
}

function integerParam(params: AcsParams, name: string, fallback: number, min: number, max: number): number {
  const value = optionalParam(params, name);
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value)) throw invalid(`${name} must be an integer.`);
  const n = Number(value);
  if (n < min || n > max) throw invalid(`${name} must be between ${min} and ${max}.`);
  return n;
}

function dataTypeParam(params: AcsParams): 'text' | 'binary' {
  const value = optionalParam(params, 'SecretDataType') ?? 'text';
  if (value !== 'text' && value !== 'binary') throw invalid('SecretDataType must be text or binary.');
  return value;
}

/** Messages name the limit, never the data: SecretData must not reach an error or a log. */
function secretDataParam(params: AcsParams, dataType: 'text' | 'binary'): string {
  const data = requireParam(params, 'SecretData');
  if (Buffer.byteLength(data, 'utf8') > MAX_SECRET_DATA_BYTES) {
    throw invalid(`SecretData exceeds ${MAX_SECRET_DATA_BYTES} bytes.`);
  }
  if (dataType === 'binary' && !/^[A-Za-z0-9+/]*={0,2}$/.test(data)) {
    throw invalid('SecretData of type binary must be Base64.');
  }
  return data;
}

function versionIdParam(params: AcsParams): string {
  const id = requireParam(params, 'VersionId');
  if (id.length > MAX_VERSION_ID_LENGTH) throw invalid(`VersionId exceeds ${MAX_VERSION_ID_LENGTH} characters.`);
  return id;
}

/** SecretName may be the secret's ARN (acs:kms:<region>:<account>:secret/<name>). */
function secretNameParam(params: AcsParams): string {
  const raw = requireParam(params, 'SecretName');
  const arn = /^acs:kms:[^:]*:[^:]*:secret\/(.+)$/.exec(raw);
  return arn?.[1] ?? raw;
}

function parseStageList(raw: string): string[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw invalid('VersionStages must be a JSON array of strings.');
  }
  if (!Array.isArray(parsed) || parsed.length === 0) {
    // An empty list would create a version nothing can reach; refused rather than guessed at.
    throw invalid('VersionStages must be a non-empty JSON array of strings.');
  }
  const stages: string[] = [];
  for (const item of parsed) {
    if (typeof item !== 'string' || item === '') throw invalid('VersionStages must be a JSON array of strings.');
    if (!stages.includes(item)) stages.push(item);
  }
  return stages;
}

export class SecretStore {
  private readonly secrets = new Map<string, StoredSecret>();
  private readonly now: () => number;
  private readonly regionId: string;
  private readonly accountId: string;

  constructor(options: SecretStoreOptions = {}) {
    this.now = options.now ?? Date.now;
    this.regionId = options.regionId ?? 'cn-hangzhou';
    this.accountId = options.accountId ?? '1234567890123456';
  }

  createSecret(params: AcsParams): AcsResult {
    const name = secretNameParam(params);
    const versionId = versionIdParam(params);
    const dataType = dataTypeParam(params);
    const data = secretDataParam(params, dataType);
    const typeParam = optionalParam(params, 'SecretType') ?? 'Generic';
    const type = SECRET_TYPES.find((t) => t === typeParam);
    if (type === undefined) throw invalid(`SecretType must be one of ${SECRET_TYPES.join(', ')}.`);
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
    return result;
  }

  getRandomPassword(params: AcsParams): AcsResult {
    const length = integerParam(params, 'PasswordLength', 32, 8, 128);
    const excluded = new Set(optionalParam(params, 'ExcludeCharacters') ?? '');
    const classes = [
      { chars: LOWER, skip: booleanParam(params, 'ExcludeLowercase', false) },
      { chars: UPPER, skip: booleanParam(params, 'ExcludeUppercase', false) },
      { chars: DIGITS, skip: booleanParam(params, 'ExcludeNumbers', false) },
      { chars: PUNCTUATION, skip: booleanParam(params, 'ExcludePunctuation', false) },
    ];
    const requireEach = booleanParam(params, 'RequireEachIncludedType', true);
    // A class emptied by ExcludeCharacters counts as excluded, not as an unsatisfiable requirement.
    const included = classes
      .filter((c) => !c.skip)
      .map((c) => [...c.chars].filter((ch) => !excluded.has(ch)))
      .filter((chars) => chars.length > 0);
    if (included.length === 0) throw invalid('The parameters exclude every character.');
    const pick = (chars: readonly string[]): string => chars[randomInt(chars.length)] ?? '';
    const all = included.flat();
    const chars = requireEach ? included.map(pick) : [];
    while (chars.length < length) chars.push(pick(all));
    for (let i = chars.length - 1; i > 0; i--) {
      const j = randomInt(i + 1);
      [chars[i], chars[j]] = [chars[j] ?? '', chars[i] ?? ''];
    }
    return { RandomPassword: chars.join('') };
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
  snapshot(): StoreSnapshot {
    const out: StoreSnapshot = {};
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
