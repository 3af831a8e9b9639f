// One console-like line per event: offset, path, event, attempt, delay or duration, result or error.
import { describe, expect, it } from 'vitest';
import { formatEvent, formatEvents, runExecution, type ExecutionEvent } from '../../../src/local/cloudflow/index.js';
import { flow, namedError, recordingInvoker, retryRule, task } from './support.js';

describe('formatEvent', () => {
  it('shows the offset, path, event, attempt, duration and error as Code: Detail', () => {
    const e: ExecutionEvent = {
      type: 'TaskAttemptFailed',
      path: 'RotateEach[3]/CreatePending',
      attempt: 2,
      durationMs: 12,
      error: { Code: 'TransientError', Detail: 'connection\nreset' },
      at: 2_500,
    };
    expect(formatEvent(e, { startedAt: 1_000 })).toBe(
      '  +1.500s  RotateEach[3]/CreatePending   TaskAttemptFailed     attempt 2  12ms  TransientError: connection reset',
    );
  });

  it('shows the requested delay of a retry and the output as compact JSON, cut to the width', () => {
    expect(formatEvent({ type: 'RetryScheduled', path: 'A', attempt: 3, delayMs: 4000, at: 0 })).toMatch(
      /^ {2}\+0\.000s {2}A +RetryScheduled +attempt 3 {2}in 4000ms$/,
    );
    const line = formatEvent({ type: 'StateSucceeded', path: 'A', output: { Data: 'x'.repeat(500) }, at: 0 }, { width: 40 });
    expect(line).toMatch(/\{"Data":"x+…$/);
    expect(line.slice(line.indexOf('{')).length).toBe(40);
  });

  it('names the execution itself (execution)', () => {
    expect(formatEvent({ type: 'ExecutionStarted', path: '', input: { SecretName: 'db' }, at: 0 })).toContain(
      '(execution)                   ExecutionStarted      {"SecretName":"db"}',
    );
  });
});

describe('formatEvents', () => {
  it('gives one line per event, offsets from the first, paths in one column', async () => {
    let t = 0;
    let calls = 0;
    const fake = recordingInvoker(() => {
      t += 250;
      if (calls++ === 0) throw namedError('TransientError', 'busy');
      return { VersionId: 'v1' };
    });
    const result = await runExecution(
      flow([task('CreatePending', { Retry: [retryRule(['TransientError'])] })]),
      { SecretName: 'db' },
      { invoke: fake.invoke, now: () => t + 10_000, timeScale: 0 },
    );
    const lines = formatEvents(result.events);
    expect(lines).toHaveLength(result.events.length);
    expect(lines[0]).toMatch(/^ {2}\+0\.000s {2}\(execution\) {4}ExecutionStarted/);
    expect(lines).toContain('  +0.250s  CreatePending  TaskAttemptFailed     attempt 1  250ms  TransientError: busy');
    expect(lines).toContain('  +0.250s  CreatePending  RetryScheduled        attempt 2  in 1000ms  TransientError: busy');
    expect(lines.at(-1)).toBe('  +0.500s  (execution)    ExecutionSucceeded    500ms  {"Body":{"VersionId":"v1"}}');
  });
});
