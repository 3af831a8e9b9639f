/**
 * Dispatch from a parsed event to its step, and the dry run of a whole rotation (planRotation). The
 * event type guarantees a VersionId for set, test and end, so no step checks for one again. Knows
 * nothing of how the context was built.
 */
import type { RotationEvent } from '../event.js';
import { endStep } from './end.js';
import { newStep } from './new.js';
import { setStep } from './set.js';
import { testStep } from './test.js';
import type { StepContext, StepResult } from './types.js';

export type { StepContext, StepResult } from './types.js';
export { planRotation, type KmsCall, type PlanContext, type RotationPreview } from './plan.js';
export type { PlannedChange } from '../backends/backend.js';

/** Everything a step needs but the VersionId, which comes from the event. */
export type StepServices = Omit<StepContext, 'versionId'>;

export function runStep(event: RotationEvent, services: StepServices): Promise<StepResult> {
  switch (event.Step) {
    case 'new':
      return newStep({ ...services, versionId: event.VersionId });
    case 'set':
      return setStep({ ...services, versionId: event.VersionId });
    case 'test':
      return testStep({ ...services, versionId: event.VersionId });
    case 'end':
      return endStep({ ...services, versionId: event.VersionId });
  }
}
