/**
 * The secret-store port the steps use. Steps see versions, stages and SecretData text;
 * never an SDK, a request or a response object.
 */
import type { StageName } from './schema.js';

export interface SecretValue {
  secretName: string;
  versionId: string;
  stages: string[];
  /** SecretData as stored; JSON for the secrets this function rotates. */
  data: string;
  /** KMS's SecretDataType. Only `text` versions are rotated; a `binary` one is refused where it is read, or replaced if it is a stray ACSPending. */
  dataType: 'text' | 'binary';
}

export interface VersionInfo {
  versionId: string;
  stages: string[];
  /** When KMS created the version (ms since the epoch); undefined if KMS's answer had no usable CreateTime. */
  createdAt: number | undefined;
}

/** A secret as a listing by tag describes it: no SecretData, never. */
export interface TaggedSecret {
  secretName: string;
  /** KMS's SecretType (Generic, Rds, ...), as listed. */
  secretType: string;
  tags: Record<string, string>;
  /** Set while the secret waits out its deletion window. */
  plannedDeletion: boolean;
}

/** A version by the stage it holds, or by its id (both: it must hold the stage). */
export interface VersionSelector {
  stage?: StageName;
  versionId?: string;
}

export interface SecretStore {
  /** The version holding `stage`, or the version `versionId` (both: it must hold the stage). undefined when there is none. */
  find(secretName: string, selector: VersionSelector): Promise<SecretValue | undefined>;
  /**
   * Several versions of one secret, each as `find` answers it, in the selectors' order. A store that
   * already holds their SecretData may take the stages from one listing instead of one read each.
   */
  findEach(secretName: string, selectors: readonly VersionSelector[]): Promise<(SecretValue | undefined)[]>;
  /** A version `listVersions` just returned, with its SecretData; undefined when it has gone since. */
  withData(secretName: string, version: VersionInfo): Promise<SecretValue | undefined>;
  /** Adds a version staged ACSPending. Same id with the same data is accepted; same id with other data is refused. */
  putPending(secretName: string, versionId: string, data: string): Promise<void>;
  /** Every version KMS keeps, including those that hold no stage any more. */
  listVersions(secretName: string): Promise<VersionInfo[]>;
  /** Moves `stage` to `toVersion`, taking it from `fromVersion` when that holds it. */
  moveStage(secretName: string, stage: StageName, toVersion: string, fromVersion?: string): Promise<void>;
  /** Removes a custom stage (ACSPending) from the version holding it. */
  removeStage(secretName: string, stage: StageName, fromVersion: string): Promise<void>;
  /** Every secret carrying a tag with this key, all pages, tags included. */
  listTagged(tagKey: string): Promise<TaggedSecret[]>;
}
