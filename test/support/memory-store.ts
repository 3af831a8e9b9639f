/**
 * An in-memory SecretStore with KMS's stage rules, for fast step tests: a stage marks one version at
 * most, ACSCurrent and ACSPrevious can only be moved, a VersionId reused with other data is refused.
 * Where KMS's behaviour is not documented (does a stage leave its old holder on PutSecretValue; does
 * ACSPrevious follow ACSCurrent on its own), the store does it one way or the other as told, so a test
 * can show a step is right either way. Every write is recorded; nothing is ever logged.
 */
import { CloudApiError, PreconditionError, SecretNotFoundError } from '../../src/errors.js';
import { Stage, type StageName } from '../../src/secrets/schema.js';
import type { SecretStore, SecretValue, TaggedSecret, VersionInfo } from '../../src/secrets/store.js';

export interface MemoryStoreOptions {
  /** PutSecretValue takes ACSPending off the version that held it (the emulator does; KMS does not document it). Default true. */
  pendingLeavesOldHolder?: boolean;
  /** Moving ACSCurrent gives its old holder ACSPrevious (KMS does not document it). Default false. */
  previousFollowsCurrent?: boolean;
}

export type StoreWrite =
  | { op: 'putPending'; secretName: string; versionId: string }
  | { op: 'moveStage'; secretName: string; stage: StageName; toVersion: string; fromVersion: string | undefined }
  | { op: 'removeStage'; secretName: string; stage: StageName; fromVersion: string };

interface StoredVersion {
  versionId: string;
  data: string;
  dataType: 'text' | 'binary';
  stages: Set<string>;
  createdAt: number | undefined;
}

/** What ListSecrets knows of a secret besides its versions. */
interface SecretMeta {
  type: string;
  tags: Record<string, string>;
  plannedDeletion: boolean;
}

export class MemorySecretStore implements SecretStore {
  /** Every write, in order: a refused step must leave this empty. */
  readonly writes: StoreWrite[] = [];
  /** Every read, in order, as `find secret` or `list secret`. */
  readonly reads: string[] = [];
  private readonly secrets = new Map<string, StoredVersion[]>();
  private readonly meta = new Map<string, SecretMeta>();
  /** The clock a seeded or put version is created at. */
  now: () => number = Date.now;
  private readonly pendingLeavesOldHolder: boolean;
  private readonly previousFollowsCurrent: boolean;

  constructor(options: MemoryStoreOptions = {}) {
    this.pendingLeavesOldHolder = options.pendingLeavesOldHolder ?? true;
    this.previousFollowsCurrent = options.previousFollowsCurrent ?? false;
  }

  /** Adds a version directly (not recorded as a write): ACSCurrent unless other stages are given. */
  seed(
    secretName: string,
    data: unknown,
    options: { versionId?: string; stages?: string[]; dataType?: 'text' | 'binary'; createdAt?: number } = {},
  ): this {
    const versions = this.secrets.get(secretName) ?? [];
    this.secrets.set(secretName, versions);
    const stages = options.stages ?? [Stage.Current];
    for (const v of versions) for (const stage of stages) v.stages.delete(stage);
    versions.push({
      versionId: options.versionId ?? `v${versions.length + 1}`,
      data: typeof data === 'string' ? data : JSON.stringify(data),
      dataType: options.dataType ?? 'text',
      stages: new Set(stages),
      createdAt: 'createdAt' in options ? options.createdAt : this.now(),
    });
    return this;
  }

  /** Sets a secret's tags (and, for discovery tests, its type and deletion state). */
  tag(secretName: string, tags: Record<string, string>, meta: { type?: string; plannedDeletion?: boolean } = {}): this {
    this.meta.set(secretName, { type: meta.type ?? 'Generic', tags, plannedDeletion: meta.plannedDeletion ?? false });
    return this;
  }

  async listTagged(tagKey: string): Promise<TaggedSecret[]> {
    this.reads.push(`listTagged ${tagKey}`);
    return [...this.meta]
      .filter(([, meta]) => tagKey in meta.tags)
      .map(([secretName, meta]) => ({ secretName, secretType: meta.type, tags: { ...meta.tags }, plannedDeletion: meta.plannedDeletion }));
  }

  /** Stages by version, each list sorted: `{v1: ['ACSPrevious'], v2: ['ACSCurrent']}`. */
  stagesOf(secretName: string): Record<string, string[]> {
    return Object.fromEntries((this.secrets.get(secretName) ?? []).map((v) => [v.versionId, [...v.stages].sort()]));
  }

  /** A version's SecretData parsed, or undefined. */
  dataOf(secretName: string, versionId: string): Record<string, unknown> | undefined {
    const version = this.secrets.get(secretName)?.find((v) => v.versionId === versionId);
    return version ? (JSON.parse(version.data) as Record<string, unknown>) : undefined;
  }

  async find(secretName: string, selector: { stage?: StageName; versionId?: string }): Promise<SecretValue | undefined> {
    this.reads.push(`find ${secretName}`);
    const versions = this.secrets.get(secretName);
    // As KmsSecretStore: a missing secret is an error only where the caller asked for ACSCurrent alone.
    if (!versions) {
      if (selector.versionId === undefined && selector.stage === Stage.Current)
        throw new SecretNotFoundError(`secret ${secretName} does not exist`);
      return undefined;
    }
    const version =
      selector.versionId !== undefined
        ? versions.find((v) => v.versionId === selector.versionId && (selector.stage === undefined || v.stages.has(selector.stage)))
        : versions.find((v) => v.stages.has(selector.stage ?? Stage.Current));
    return version
      ? { secretName, versionId: version.versionId, stages: [...version.stages], data: version.data, dataType: version.dataType }
      : undefined;
  }

  async putPending(secretName: string, versionId: string, data: string): Promise<void> {
    const versions = this.existing(secretName);
    const same = versions.find((v) => v.versionId === versionId);
    if (same) {
      if (same.data !== data) throw new PreconditionError(`secret ${secretName} already has this VersionId with other SecretData`);
      return;
    }
    this.writes.push({ op: 'putPending', secretName, versionId });
    if (this.pendingLeavesOldHolder) for (const v of versions) v.stages.delete(Stage.Pending);
    versions.push({ versionId, data, dataType: 'text', stages: new Set([Stage.Pending]), createdAt: this.now() });
  }

  /** One read per selector: this store keeps no data between steps, as a new container would not. */
  async findEach(
    secretName: string,
    selectors: readonly { stage?: StageName; versionId?: string }[],
  ): Promise<(SecretValue | undefined)[]> {
    const found: (SecretValue | undefined)[] = [];
    for (const selector of selectors) found.push(await this.find(secretName, selector));
    return found;
  }

  async withData(secretName: string, version: VersionInfo): Promise<SecretValue | undefined> {
    return this.find(secretName, { versionId: version.versionId });
  }

  async listVersions(secretName: string): Promise<VersionInfo[]> {
    this.reads.push(`list ${secretName}`);
    return this.existing(secretName).map((v) => ({ versionId: v.versionId, stages: [...v.stages], createdAt: v.createdAt }));
  }

  async moveStage(secretName: string, stage: StageName, toVersion: string, fromVersion?: string): Promise<void> {
    const versions = this.existing(secretName);
    const target = this.version(versions, secretName, toVersion);
    const source = fromVersion === undefined ? undefined : this.version(versions, secretName, fromVersion);
    if (source && !source.stages.has(stage)) throw new CloudApiError(`version ${fromVersion} does not hold ${stage}`);
    this.writes.push({ op: 'moveStage', secretName, stage, toVersion, fromVersion });
    const oldHolder = versions.find((v) => v.stages.has(stage));
    for (const v of versions) v.stages.delete(stage);
    target.stages.add(stage);
    if (stage === Stage.Current && this.previousFollowsCurrent && oldHolder && oldHolder !== target) {
      for (const v of versions) v.stages.delete(Stage.Previous);
      oldHolder.stages.add(Stage.Previous);
    }
  }

  async removeStage(secretName: string, stage: StageName, fromVersion: string): Promise<void> {
    if (stage === Stage.Current || stage === Stage.Previous) throw new CloudApiError(`${stage} can only be moved`);
    const source = this.version(this.existing(secretName), secretName, fromVersion);
    if (!source.stages.has(stage)) throw new CloudApiError(`version ${fromVersion} does not hold ${stage}`);
    this.writes.push({ op: 'removeStage', secretName, stage, fromVersion });
    source.stages.delete(stage);
  }

  private existing(secretName: string): StoredVersion[] {
    const versions = this.secrets.get(secretName);
    if (!versions) throw new SecretNotFoundError(`secret ${secretName} does not exist`);
    return versions;
  }

  private version(versions: StoredVersion[], secretName: string, versionId: string): StoredVersion {
    const version = versions.find((v) => v.versionId === versionId);
    if (!version) throw new SecretNotFoundError(`secret ${secretName} has no version ${versionId}`);
    return version;
  }
}
