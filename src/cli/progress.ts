/**
 * How a running rotation is shown: on a terminal, one line per finished step and a spinner on stderr
 * while a step runs; otherwise plain lines, nothing redrawn. And the step summary `rotate --json`
 * reports, built from the runner's events (a Task's body names its Step). Never a value.
 */
import { formatEvent, type ExecutionEvent } from '../local/cloudflow/index.js';
import type { CliOutput } from './context.js';

export interface StepSummary {
  Step: string;
  Status: 'Succeeded' | 'Failed';
  DurationMs: number;
  Error?: string;
}

/** Every event as the console shows it, on stderr. */
export function executionPrinter(output: CliOutput): (event: ExecutionEvent) => void {
  let startedAt: number | undefined;
  return (event) => {
    startedAt ??= event.at;
    output.err(formatEvent(event, { startedAt }));
  };
}

/**
 * Follows a local execution's events and reports each task state when it ends: the Step its body
 * named, its outcome, its duration and, if it failed, the last error name it saw.
 */
export class StepTracker {
  readonly steps: StepSummary[] = [];
  /** The step running now, for a spinner. */
  running: string | undefined;
  private readonly open = new Map<string, { step: string; error?: string }>();

  /** The step this event finished, if it finished one. */
  add(event: ExecutionEvent): StepSummary | undefined {
    if (event.type === 'TaskAttemptStarted') {
      const body = event.input as { Step?: unknown } | undefined;
      const step = typeof body?.Step === 'string' ? body.Step : event.path;
      this.running = step;
      this.open.set(event.path, { ...this.open.get(event.path), step });
    } else if (event.type === 'TaskAttemptFailed') {
      const entry = this.open.get(event.path);
      if (entry && event.error) entry.error = event.error.Code;
    } else if (event.type === 'StateSucceeded' || event.type === 'StateFailed') {
      const entry = this.open.get(event.path);
      if (!entry) return undefined;
      this.open.delete(event.path);
      const summary: StepSummary = {
        Step: entry.step,
        Status: event.type === 'StateSucceeded' ? 'Succeeded' : 'Failed',
        DurationMs: event.durationMs ?? 0,
        ...(event.type === 'StateFailed' && entry.error ? { Error: entry.error } : {}),
      };
      this.steps.push(summary);
      return summary;
    }
    return undefined;
  }
}

/** Steps in order from a local execution's events. */
export function stepsFromEvents(events: readonly ExecutionEvent[]): StepSummary[] {
  const tracker = new StepTracker();
  for (const event of events) tracker.add(event);
  return tracker.steps;
}

/**
 * On a terminal: a spinner line on stderr, redrawn every 100 ms; `pause` clears it so a line can be
 * printed (the next tick draws it again below), `stop` ends it. Elsewhere: nothing at all.
 */
export function spinner(output: CliOutput, text: () => string): { pause(): void; stop(): void } {
  if (!output.isTTY) return { pause() {}, stop() {} };
  const frames = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
  let i = 0;
  const clear = (): void => void process.stderr.write('\r\x1b[K');
  const timer = setInterval(() => process.stderr.write(`\r${frames[i++ % frames.length]} ${text()}\x1b[K`), 100);
  return {
    pause: clear,
    stop() {
      clearInterval(timer);
      clear();
    },
  };
}
