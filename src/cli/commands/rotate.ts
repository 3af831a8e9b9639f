/**
 * `rotate <SecretName> [--instance-id ID] [--flow NAME] [--local] [--json]` (CONTRACT: CLI): starts
 * an execution of the deployed flow (default rotate-secret) and follows it state by state until it
 * ends; `--local` runs the same shipped flow in this process instead, through the local CloudFlow
 * runner and the real handler (for a workstation with a network path to the database). On a
 * terminal each step prints with its duration and a spinner runs while waiting; `--json` prints one
 * object at the end: {SecretName, VersionId, Status, Steps: [{Step, Status, DurationMs, Error?}], Execution?}.
 */
import { z } from 'zod';
import { runFlow, SHIPPED_FLOWS } from '../../local/runner/flow.js';
import { defineCommand, INSTANCE_ID_HELP, InstanceIdFlag, SecretNameArg, UsageError } from '../command.js';
import type { CliContext } from '../context.js';
import { functionEnvironment, functionLogSink } from '../in-process.js';
import { spinner, StepTracker, type StepSummary } from '../progress.js';
import type { ExecutionResult } from '../../local/cloudflow/index.js';
import { followExecution } from '../follow.js';
import { taggedInstance } from '../secret-view.js';

export interface RotateReport {
  SecretName: string;
  VersionId: string | null;
  Status: 'Succeeded' | 'Failed' | 'Stopped' | 'TimedOut';
  Steps: StepSummary[];
  /** The CloudFlow execution, when the rotation ran there: its name and, if it failed, why. */
  Execution?: { FlowName: string; Name: string; Error?: string; Cause?: string };
  Error?: string;
  Cause?: string;
}

const FlowName = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,128}$/, '--flow takes a flow name such as rotate-secret')
  .default('rotate-secret');

function printStep(context: CliContext, step: StepSummary): void {
  const mark = step.Status === 'Succeeded' ? 'ok    ' : 'FAILED';
  context.output.err(`${step.Step.padEnd(5)} ${mark} ${String(step.DurationMs).padStart(6)} ms${step.Error ? `  ${step.Error}` : ''}`);
}

async function rotateLocally(
  context: CliContext,
  flow: string,
  input: Record<string, string>,
  onStep: (s: StepSummary) => void,
): Promise<RotateReport> {
  const shipped = SHIPPED_FLOWS.find((f) => f === flow);
  if (!shipped) throw new UsageError(`--local runs a shipped flow: ${SHIPPED_FLOWS.join(', ')}`);
  const tracker = new StepTracker();
  const spin = spinner(context.output, () => `${tracker.running ?? 'starting'} ...`);
  let result: ExecutionResult;
  try {
    result = await runFlow(shipped, input, {
      env: functionEnvironment(context),
      sink: functionLogSink(context),
      onEvent: (event) => {
        const finished = tracker.add(event);
        if (finished) {
          spin.pause();
          onStep(finished);
        }
      },
    });
  } finally {
    spin.stop();
  }
  // The shipped flows end a failed execution with the function's own error; a Fail state's input is the fallback.
  const recorded = result.failedStateInput as { Error?: unknown; Cause?: unknown } | undefined;
  const error = result.error?.Code ?? (typeof recorded?.Error === 'string' ? recorded.Error : undefined);
  const cause = result.error?.Detail ?? (typeof recorded?.Cause === 'string' ? recorded.Cause : undefined);
  const version = (result.output as { VersionId?: unknown } | undefined)?.VersionId;
  return {
    SecretName: input['SecretName'] ?? '',
    VersionId: typeof version === 'string' ? version : null,
    Status: result.status,
    Steps: tracker.steps,
    ...(result.status !== 'Succeeded' && error ? { Error: error } : {}),
    ...(result.status !== 'Succeeded' && cause ? { Cause: cause } : {}),
  };
}

export const rotateCommand = defineCommand({
  name: 'rotate',
  usage: 'rotate <SecretName> [--instance-id ID] [--flow NAME] [--local] [--json]',
  summary: 'rotate a secret now, through the deployed flow (or --local, in this process)',
  help: [
    'Starts an execution of the deployed CloudFlow flow (CLOUDFLOW_ENDPOINT, default the region’s) and follows it',
    'step by step until it ends. --local runs the shipped flow in this process instead, the function in-process',
    '(needs a network path to KMS and the database). Exit 0 when the rotation succeeded, 1 otherwise.',
    INSTANCE_ID_HELP,
    '--flow         the flow to start (default rotate-secret)',
    '--json         one JSON object at the end: {SecretName, VersionId, Status, Steps, Execution?}',
  ].join('\n'),
  options: { 'instance-id': { type: 'string' }, flow: { type: 'string' }, local: { type: 'boolean' }, json: { type: 'boolean' } },
  positionals: ['SecretName'],
  flags: z.object({
    SecretName: SecretNameArg,
    'instance-id': InstanceIdFlag,
    flow: FlowName,
    local: z.boolean().optional(),
    json: z.boolean().optional(),
  }),
  async run(flags, context) {
    // As every command that reads a secret: --instance-id, else the secret's <ROTATION_TAG_KEY>-instance tag.
    const instanceId = flags['instance-id'] ?? (await taggedInstance(context, flags.SecretName));
    const input = { SecretName: flags.SecretName, RegionId: context.region, ...(instanceId ? { InstanceId: instanceId } : {}) };
    const report = flags.local
      ? await rotateLocally(context, flags.flow, input, (step) => printStep(context, step))
      : await followExecution(context, flags.flow, input, (step) => printStep(context, step));
    if (flags.json) context.output.out(JSON.stringify(report));
    else {
      const why = report.Error ? `: ${report.Error}${report.Cause ? ` — ${report.Cause}` : ''}` : '';
      context.output.out(
        `${report.SecretName}: ${report.Status}${report.VersionId ? `, ACSCurrent is version ${report.VersionId}` : ''}${why}`,
      );
    }
    return report.Status === 'Succeeded' ? 0 : 1;
  },
});
