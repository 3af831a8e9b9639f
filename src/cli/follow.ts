/**
 * `rotate` through CloudFlow: starts an execution of the deployed flow and follows its history
 * until it ends, reporting each task state as it finishes. Only the history's documented fields are
 * relied on (Type, StepName, Time): a step's duration is the time between its StepEntered and its
 * StepSucceeded or StepFailed, its Step the flow's state name read as the rotation step it runs.
 * EventDetail's content is undocumented, so an error name is read from it only where present.
 */
import { randomBytes } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { TransientError } from '../errors.js';
import { executionFailure, type HistoryEvent } from './cloudflow-client.js';
import type { CliContext } from './context.js';
import { spinner, type StepSummary } from './progress.js';
import type { RotateReport } from './commands/rotate.js';

/** The shipped flows' task states, by the function step each runs. */
const STEP_OF_STATE: Record<string, string> = {
  CreatePending: 'new',
  SetPending: 'set',
  TestPending: 'test',
  FinishRotation: 'end',
  FindDueSecrets: 'discover',
  Report: 'report',
};
const TASK_STATES = new Set(Object.keys(STEP_OF_STATE));
/** DescribeExecution long-polls this long (it answers at once when the execution ends). */
const WAIT_SECONDS = 2;
/** A throttled or failed poll is retried this many times, 1 s, 2 s, 4 s ... apart, before giving up. */
const POLL_ATTEMPTS = 6;

/** One poll, retried on TransientError: a blip must not end the command while the rotation goes on. */
async function retried<T>(call: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (err) {
      if (!(err instanceof TransientError) || attempt >= POLL_ATTEMPTS) throw err;
      await delay(1000 * 2 ** (attempt - 1));
    }
  }
}

/** CloudFlow execution names: letters, digits, - and _, at most 128 characters. */
function executionName(secretName: string): string {
  const readable = secretName.replace(/[^A-Za-z0-9_-]/g, '-').slice(0, 80);
  return `rotate-${readable}-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
}

/** Turns history events into step summaries, one per task state that ended, in order. */
export class HistoryTracker {
  readonly steps: StepSummary[] = [];
  running: string | undefined;
  private seen = 0;
  private readonly entered = new Map<string, number>();
  private readonly lastError = new Map<string, string>();

  /** The steps that `events` (the whole history so far) ended since the last call. */
  update(events: readonly HistoryEvent[]): StepSummary[] {
    const finished: StepSummary[] = [];
    for (const event of events.slice(this.seen)) {
      const name = event.StepName;
      if (!TASK_STATES.has(name)) continue;
      const key = typeof event.Detail['path'] === 'string' ? event.Detail['path'] : name;
      if (event.Type === 'StepEntered') {
        this.entered.set(key, Date.parse(event.Time));
        this.running = STEP_OF_STATE[name];
      } else if (event.Type === 'TaskFailed') {
        const error = event.Detail['error'] ?? event.Detail['Error'];
        if (typeof error === 'string') this.lastError.set(key, error);
      } else if (event.Type === 'StepSucceeded' || event.Type === 'StepFailed') {
        const started = this.entered.get(key);
        const ended = Date.parse(event.Time);
        const error = this.lastError.get(key);
        const summary: StepSummary = {
          Step: STEP_OF_STATE[name] ?? name,
          Status: event.Type === 'StepSucceeded' ? 'Succeeded' : 'Failed',
          DurationMs: started !== undefined && Number.isFinite(ended) ? Math.max(0, ended - started) : 0,
          ...(event.Type === 'StepFailed' && error ? { Error: error } : {}),
        };
        this.steps.push(summary);
        finished.push(summary);
      }
    }
    this.seen = events.length;
    return finished;
  }
}

export async function followExecution(
  context: CliContext,
  flowName: string,
  input: Record<string, string>,
  onStep: (step: StepSummary) => void,
): Promise<RotateReport> {
  const client = context.cloudflow();
  const name = executionName(input['SecretName'] ?? 'secret');
  await client.startExecution(flowName, input, name);
  context.output.err(`execution ${name} of flow ${flowName} started`);
  const tracker = new HistoryTracker();
  const spin = spinner(context.output, () => `${tracker.running ?? 'starting'} ...`);
  try {
    for (;;) {
      let execution: Awaited<ReturnType<typeof client.describeExecution>>;
      let history: HistoryEvent[];
      try {
        execution = await retried(() => client.describeExecution(flowName, name, { waitSeconds: WAIT_SECONDS }));
        history = await retried(() => client.getExecutionHistory(flowName, name));
      } catch (err) {
        if (!(err instanceof TransientError)) throw err;
        throw new TransientError(
          `${err.message}; execution ${name} of flow ${flowName} goes on: follow it with fc-secret-rotation status ${input['SecretName'] ?? ''}`,
        );
      }
      for (const step of tracker.update(history)) {
        spin.pause();
        onStep(step);
      }
      if (execution.Status !== 'Running' && execution.Status !== 'Starting') {
        const failure = execution.Status === 'Succeeded' ? undefined : executionFailure(history);
        const version = execution.Output?.['VersionId'];
        return {
          SecretName: input['SecretName'] ?? '',
          VersionId: typeof version === 'string' ? version : null,
          Status: execution.Status,
          Steps: tracker.steps,
          Execution: {
            FlowName: flowName,
            Name: name,
            ...(failure?.error ? { Error: failure.error } : {}),
            ...(failure?.cause ? { Cause: failure.cause } : {}),
          },
          ...(failure?.error ? { Error: failure.error } : {}),
          ...(failure?.cause ? { Cause: failure.cause } : {}),
        };
      }
    }
  } finally {
    spin.stop();
  }
}
