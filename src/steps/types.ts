/**
 * What every step receives and returns. Steps orchestrate through the SecretStore and Backend ports
 * only: no SDK, no SQL, no environment. A step is handed the VersionId its event carries: always one
 * for set, test and end (the event schema requires it), possibly none for new.
 */
import type { Backend, BackendKind } from '../backends/backend.js';
import type { Step } from '../event.js';
import type { Logger, SecretMask } from '../log.js';
import type { SecretStore } from '../secrets/store.js';

export interface StepContext<VersionId extends string | undefined = string> {
  secretName: string;
  /** The event's VersionId; for `new` it may be absent, and FC's requestId is used instead. */
  versionId: VersionId;
  requestId: string;
  store: SecretStore;
  backend: Backend;
  passwordConfig: { passwordLength: number; excludeCharacters: string };
  log: Logger;
  /** Every password a step reads or generates is registered here, so no output can carry it. */
  mask: SecretMask;
}

export interface StepResult {
  VersionId: string;
  Step: Step;
  Backend: BackendKind;
  AccountName?: string;
  /** Why the step had nothing to do (a retry, or a rotation already finished). */
  Skipped?: string;
  /** What the test step checked. */
  Check?: string;
}
