/**
 * Issue 15, item 4: does moving ACSCurrent alone leave ACSPrevious on the version it left? KMS does
 * not document it, so `end` moves ACSPrevious itself (one UpdateSecretVersionStage per rotation).
 * Measured here against the emulator through the real KMS client; on real KMS the same probe would
 * say whether that call can go.
 */
import type { RotationWorld } from '../fixtures/rotation-world.js';
import { uniqueName } from '../fixtures/mysql-sandbox.js';

export interface StageProbe {
  /** After UpdateSecretVersionStage ACSCurrent → the new version alone, the old one holds ACSPrevious. */
  previousFollowsCurrent: boolean;
  /** What `end` could leave out per rotation if real KMS behaves so. */
  callSavedIfConfirmed: string;
}

export async function probeStageMoves(world: RotationWorld): Promise<StageProbe> {
  const name = uniqueName('bench-stages-');
  await world.admin.createSecret({ name, data: '{"probe":1}' });
  await world.admin.putSecretValue({ name, versionId: 'v2', data: '{"probe":2}', stages: ['ACSPending'] });
  await world.store.moveStage(name, 'ACSCurrent', 'v2', 'v1');
  const v1 = (await world.store.listVersions(name)).find((v) => v.versionId === 'v1');
  await world.admin.deleteSecret(name);
  return {
    previousFollowsCurrent: v1?.stages.includes('ACSPrevious') ?? false,
    callSavedIfConfirmed: "end's explicit ACSPrevious move: 1 UpdateSecretVersionStage per rotation",
  };
}
