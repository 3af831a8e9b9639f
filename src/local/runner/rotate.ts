/**
 * Runs the four steps of one rotation in-process through the real handler, threading VersionId the
 * way the CloudFlow flow does, with a fresh requestId per invocation as FC gives. The caller passes
 * the function's environment; this never reads or writes process.env. Dev and test tooling only.
 */
import { randomUUID } from 'node:crypto';
import { handle, type FcContext, type HandlerOptions } from '../../handler.js';
import { STEPS, type Step } from '../../event.js';
import type { StepResult } from '../../steps/types.js';

export interface RotationInput {
  SecretName: string;
  RegionId: string;
  InstanceId?: string;
}

/** The handler's options (its environment above all) and the FC context each invocation gets. */
export type InvokeOptions = HandlerOptions & { context?: FcContext };

export interface StepRun {
  step: Step;
  durationMs: number;
  result: StepResult;
}

export async function invokeStep(
  input: RotationInput,
  step: Step,
  versionId: string | undefined,
  options: InvokeOptions,
): Promise<StepResult> {
  const event = { ...input, Step: step, ...(versionId ? { VersionId: versionId } : {}) };
  const context: FcContext = { requestId: randomUUID(), ...options.context };
  // FC hands the event over as a Buffer of JSON.
  // A rotation event resolves to a rotation step's result.
  return (await handle(Buffer.from(JSON.stringify(event)), context, options)) as StepResult;
}

export async function runRotation(input: RotationInput, options: InvokeOptions & { onStep?: (run: StepRun) => void }): Promise<StepRun[]> {
  const runs: StepRun[] = [];
  let versionId: string | undefined;
  for (const step of STEPS) {
    const started = performance.now();
    const result = await invokeStep(input, step, versionId, options);
    versionId = result.VersionId;
    const run = { step, durationMs: Math.round(performance.now() - started), result };
    runs.push(run);
    options.onStep?.(run);
  }
  return runs;
}
