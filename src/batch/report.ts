/**
 * `Step: report`: the verdict of a rotation Map. The shipped many-secret flows record each item's
 * outcome (a caught failure keeps the secret, the step and the error name), then ask this step,
 * because the definition language has no way to fail an execution with a message built from data.
 * Any failed item or discovery problem fails the invocation with RotationFailedError naming them,
 * so the execution fails and the failed-executions alarm fires; otherwise it resolves to a summary.
 */
import { SecretNameSchema, STEPS, type ReportEvent } from '../event.js';
import { RotationFailedError } from '../errors.js';
import type { Logger } from '../log.js';

export interface ReportResult {
  Rotated: number;
  Failed: number;
  Problems: number;
  /** Due secrets discover left for the next run (its cap). */
  Deferred: number;
  /** The secrets rotated, in the Map's order. */
  Secrets: string[];
}

/** Names beyond this are counted, not listed: the message stays readable and within FC's limits. */
const MAX_NAMED = 20;

/** Only what a flow legitimately writes is repeated in the message: a name of letters and dots. */
const ERROR_NAME = /^[A-Za-z][A-Za-z0-9_.]{0,127}$/;
/** discover's reasons are plain sentences; anything else is not repeated. */
const REASON = /^[ -~]{1,300}$/;

export function report(event: ReportEvent, log: Logger): ReportResult {
  const label = (name: unknown, fallback: string): string => (SecretNameSchema.safeParse(name).success ? String(name) : fallback);
  const rotated: string[] = [];
  const failed: string[] = [];
  event.Results.forEach((item, index) => {
    if (item.Status === 'Rotated') {
      rotated.push(label(item.SecretName, `item ${index + 1}`));
      return;
    }
    const step = STEPS.find((s) => s === item.Step) ?? 'an unknown step';
    const error = item.Error !== undefined && ERROR_NAME.test(item.Error) ? item.Error : 'an unnamed error';
    failed.push(`${label(item.SecretName, `item ${index + 1}`)} (${step}: ${error})`);
  });
  const problems = (event.Problems ?? []).map(
    (p) => `${label(p.SecretName, 'a secret')}: ${REASON.test(p.Reason) ? p.Reason : 'a problem'}`,
  );
  const summary = { Rotated: rotated.length, Failed: failed.length, Problems: problems.length, Deferred: event.Truncated?.Secrets ?? 0 };
  log.info('rotations reported', { rotated: summary.Rotated, failed: summary.Failed, problems: summary.Problems });
  if (failed.length === 0 && problems.length === 0) return { ...summary, Secrets: rotated };

  const parts: string[] = [];
  if (failed.length > 0) parts.push(`${failed.length} of ${event.Results.length} secrets failed: ${listed(failed)}`);
  if (problems.length > 0)
    parts.push(`${problems.length} tagged ${problems.length === 1 ? 'secret' : 'secrets'} could not be judged: ${listed(problems)}`);
  if (summary.Deferred > 0) parts.push(`${summary.Deferred} more due secrets wait for the next run`);
  throw new RotationFailedError(parts.join('; '));
}

function listed(items: string[]): string {
  const named = items.slice(0, MAX_NAMED).join(', ');
  return items.length > MAX_NAMED ? `${named} and ${items.length - MAX_NAMED} more` : named;
}
