/**
 * Dev/test tooling: runs the four steps of one rotation in-process, threading VersionId the way
 * the CloudFlow flow does, with a fresh requestId per invocation as FC gives.
 */
import { randomUUID } from 'node:crypto';
import { handle, type FcContext, type HandlerOptions } from '../handler.js';
import { STEPS, type Step } from '../event.js';
import type { StepResult } from '../steps/context.js';

export interface RotationInput {
  SecretName: string;
  RegionId: string;
  InstanceId?: string;
}

export interface StepRun {
  step: Step;
  durationMs: number;
  result: StepResult;
}

export async function invokeStep(
  input: RotationInput,
  step: Step,
  versionId: string | undefined,
  options: HandlerOptions & { context?: FcContext } = {},
): Promise<StepResult> {
  const event = { ...input, Step: step, ...(versionId ? { VersionId: versionId } : {}) };
  const context: FcContext = { requestId: randomUUID(), ...options.context };
  // FC hands the event over as a Buffer of JSON.
  return handle(Buffer.from(JSON.stringify(event)), context, options);
}

export async function runRotation(
  input: RotationInput,
  options: HandlerOptions & { context?: FcContext; onStep?: (run: StepRun) => void } = {},
): Promise<StepRun[]> {
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
