// Executions of small inline flows against fake invokers: what the function receives, how Retry,
// Catch, Fail, Choice, Pass, Wait and the limits behave, and what the result and the events say.
import { describe, expect, it } from 'vitest';
import { FlowDefinitionError, MAX_EXECUTION_EVENTS, runExecution, type ExecutionEvent } from '../../../src/local/cloudflow/index.js';
import { ARN, catchRule, flow, namedError, pass, recordingInvoker, recordingSleep, retryRule, task } from './support.js';

const failed = { Type: 'Fail', Name: 'Failed', Code: 'RotationFailed', Detail: 'see the input' };

describe('a Task state', () => {
  it('invokes the function with the body as a Buffer of JSON, Sync, and a fresh UUID requestId', async () => {
    const fake = recordingInvoker(() => ({ VersionId: 'v1' }));
    await runExecution(
      flow([task('A', {}, { Step: 'new', 'SecretName.$': '$Context.Execution.Input.SecretName' })]),
      { SecretName: 'db' },
      { invoke: fake.invoke },
    );
    const request = fake.requests[0];
    expect(Buffer.isBuffer(request?.body)).toBe(true);
    expect(request?.body.toString('utf8')).toBe('{"Step":"new","SecretName":"db"}');
    expect(request).toMatchObject({ resourceArn: ARN, invocationType: 'Sync' });
    expect(request?.requestId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('puts a missing path in the body as null, keeping the key', async () => {
    const fake = recordingInvoker();
    await runExecution(
      flow([task('A', {}, { 'InstanceId.$': '$Context.Execution.Input.InstanceId', 'VersionId.$': '$Input.VersionId' })]),
      {},
      { invoke: fake.invoke },
    );
    expect(fake.requests[0]?.body.toString('utf8')).toBe('{"InstanceId":null,"VersionId":null}');
  });

  it('sends what body.$ selects', async () => {
    const fake = recordingInvoker();
    await runExecution(
      flow([{ ...task('A'), Parameters: { resourceArn: ARN, invocationType: 'Sync', 'body.$': '$Input.Event' } }]),
      { Event: { Step: 'x' } },
      { invoke: fake.invoke },
    );
    expect(fake.bodies).toEqual([{ Step: 'x' }]);
  });

  it('outputs {Body: result} without an OutputConstructor, and what the OutputConstructor builds with one', async () => {
    const fake = recordingInvoker(() => ({ VersionId: 'v7', Other: 1 }));
    const plain = await runExecution(flow([task('A')]), {}, { invoke: fake.invoke });
    expect(plain).toMatchObject({ status: 'Succeeded', output: { Body: { VersionId: 'v7', Other: 1 } } });
    const shaped = await runExecution(
      flow([
        task('A', { Next: 'B', OutputConstructor: { 'VersionId.$': '$Output.Body.VersionId', 'Kept.$': '$Input.Kept' } }),
        task('B', {}, { 'VersionId.$': '$Input.VersionId' }),
      ]),
      { Kept: 'yes' },
      { invoke: fake.invoke },
    );
    expect(shaped.output).toEqual({ Body: { VersionId: 'v7', Other: 1 } });
    expect(fake.bodies.at(-1)).toEqual({ VersionId: 'v7' });
    expect(shaped.events.find((e) => e.type === 'StateSucceeded' && e.path === 'A')?.output).toEqual({ VersionId: 'v7', Kept: 'yes' });
  });

  it('applies the InputConstructor before Parameters, and the OutputConstructor sees the constructed input', async () => {
    const fake = recordingInvoker(() => ({}));
    const result = await runExecution(
      flow([
        task(
          'A',
          { InputConstructor: { 'Name.$': '$Input.Raw' }, OutputConstructor: { 'Seen.$': '$Input' } },
          { 'N.$': '$Input.Name', 'Raw.$': '$Input.Raw' },
        ),
      ]),
      { Raw: 'r' },
      { invoke: fake.invoke },
    );
    expect(fake.bodies).toEqual([{ N: 'r', Raw: null }]);
    expect(result.output).toEqual({ Seen: { Name: 'r' } });
  });

  it('fails with FnF.InvalidOutput when the function returns something other than a JSON object', async () => {
    for (const answer of ['ok', [1], null, undefined]) {
      const result = await runExecution(flow([task('A')]), {}, { invoke: recordingInvoker(() => answer).invoke });
      expect(result, JSON.stringify(answer)).toMatchObject({ status: 'Failed', error: { Code: 'FnF.InvalidOutput' }, failedState: 'A' });
    }
  });
});

describe('Retry', () => {
  it('makes 1 + MaxAttempts invocations, each with a fresh requestId, then fails with the error name and message', async () => {
    const fake = recordingInvoker(() => {
      throw namedError('TransientError', 'connection reset');
    });
    const clock = recordingSleep();
    const result = await runExecution(
      flow([task('A', { Retry: [retryRule(['TransientError'], { MaxAttempts: 3 })] })]),
      {},
      { invoke: fake.invoke, sleep: clock.sleep },
    );
    expect(fake.requests).toHaveLength(4);
    expect(new Set(fake.requests.map((r) => r.requestId)).size).toBe(4);
    expect(result).toMatchObject({ status: 'Failed', error: { Code: 'TransientError', Detail: 'connection reset' }, failedState: 'A' });
    expect(result.events.filter((e) => e.type === 'TaskAttemptFailed').map((e) => e.attempt)).toEqual([1, 2, 3, 4]);
  });

  it('asks for delays of IntervalSeconds × BackoffRate^(n-1), capped at MaxBackoffSeconds, through the injected sleep', async () => {
    const fake = recordingInvoker(() => {
      throw namedError('TransientError', 'x');
    });
    const clock = recordingSleep();
    const rule = retryRule(['TransientError'], { MaxAttempts: 6, IntervalSeconds: 2, BackoffRate: 2, MaxBackoffSeconds: 20 });
    const result = await runExecution(flow([task('A', { Retry: [rule] })]), {}, { invoke: fake.invoke, sleep: clock.sleep });
    expect(clock.delays).toEqual([2000, 4000, 8000, 16000, 20000, 20000]);
    expect(result.events.filter((e) => e.type === 'RetryScheduled').map((e) => [e.attempt, e.delayMs])).toEqual([
      [2, 2000],
      [3, 4000],
      [4, 8000],
      [5, 16000],
      [6, 20000],
      [7, 20000],
    ]);
  });

  it('scales the delays by timeScale, and sleeps zero with timeScale 0', async () => {
    const failing = () => {
      throw namedError('E', 'x');
    };
    const definition = flow([task('A', { Retry: [retryRule(['E'], { MaxAttempts: 2, IntervalSeconds: 10 })] })]);
    const scaled = recordingSleep();
    await runExecution(definition, {}, { invoke: recordingInvoker(failing).invoke, sleep: scaled.sleep, timeScale: 0.001 });
    expect(scaled.delays).toEqual([10, 10]);
    const none = recordingSleep();
    await runExecution(definition, {}, { invoke: recordingInvoker(failing).invoke, sleep: none.sleep, timeScale: 0 });
    expect(none.delays).toEqual([0, 0]);
  });

  it('lets the first matching rule decide, even when a later rule would allow more', async () => {
    const fake = recordingInvoker(() => {
      throw namedError('TransientError', 'x');
    });
    const rules = [retryRule(['TransientError'], { MaxAttempts: 1 }), retryRule(['FnF.ALL'], { MaxAttempts: 5 })];
    await runExecution(flow([task('A', { Retry: rules })]), {}, { invoke: fake.invoke, timeScale: 0 });
    expect(fake.requests).toHaveLength(2);
  });

  it('counts retries per rule', async () => {
    let n = 0;
    const fake = recordingInvoker(() => {
      throw namedError(n++ % 2 === 0 ? 'A' : 'B', 'x');
    });
    const rules = [retryRule(['A'], { MaxAttempts: 2 }), retryRule(['B'], { MaxAttempts: 1 })];
    const result = await runExecution(flow([task('T', { Retry: rules })]), {}, { invoke: fake.invoke, timeScale: 0 });
    // A, B, A (A's second retry), B (B's retries used up): four invocations, failing with B.
    expect(fake.requests).toHaveLength(4);
    expect(result.error?.Code).toBe('B');
  });

  it('does not retry an error no rule names', async () => {
    const fake = recordingInvoker(() => {
      throw namedError('PreconditionError', 'hosts differ');
    });
    const result = await runExecution(
      flow([task('A', { Retry: [retryRule(['TransientError'])] })]),
      {},
      { invoke: fake.invoke, timeScale: 0 },
    );
    expect(fake.requests).toHaveLength(1);
    expect(result).toMatchObject({ status: 'Failed', error: { Code: 'PreconditionError', Detail: 'hosts differ' }, failedState: 'A' });
  });
});

describe('Catch', () => {
  it('after retries, builds the next input from $Input and $Context.Current.Error, and goes to its Next', async () => {
    const fake = recordingInvoker(() => {
      throw namedError('TransientError', 'still down');
    });
    const result = await runExecution(
      flow([
        task('A', {
          Retry: [retryRule(['TransientError'], { MaxAttempts: 1 })],
          Catch: [
            catchRule(['Other'], 'Failed'),
            catchRule(['FnF.ALL'], 'Failed', {
              OutputConstructor: {
                Step: 'new',
                'Name.$': '$Input.Name',
                'Error.$': '$Context.Current.Error.Code',
                'Cause.$': '$Context.Current.Error.Detail',
              },
            }),
          ],
        }),
        failed,
      ]),
      { Name: 'db' },
      { invoke: fake.invoke, timeScale: 0 },
    );
    expect(fake.requests).toHaveLength(2);
    expect(result).toEqual(
      expect.objectContaining({
        status: 'Failed',
        error: { Code: 'RotationFailed', Detail: 'see the input' },
        failedState: 'Failed',
        failedStateInput: { Step: 'new', Name: 'db', Error: 'TransientError', Cause: 'still down' },
      }),
    );
  });

  it('passes the failed state its input unchanged without an OutputConstructor', async () => {
    const result = await runExecution(
      flow([task('A', { InputConstructor: { Replaced: true }, Catch: [catchRule(['E'], 'B')] }), pass('B')]),
      { Original: 1 },
      {
        invoke: recordingInvoker(() => {
          throw namedError('E', 'x');
        }).invoke,
      },
    );
    expect(result).toMatchObject({ status: 'Succeeded', output: { Original: 1 } });
  });
});

describe('terminal and flow-control states', () => {
  it('a Fail state fails the execution with its Code and Detail and keeps its input', async () => {
    const result = await runExecution(
      flow([pass('P', { Next: 'Failed', OutputConstructor: { Why: 'because' } }), failed]),
      {},
      { invoke: recordingInvoker().invoke },
    );
    expect(result).toMatchObject({
      status: 'Failed',
      error: { Code: 'RotationFailed', Detail: 'see the input' },
      failedState: 'Failed',
      failedStateInput: { Why: 'because' },
    });
    expect(result.events.at(-1)).toMatchObject({ type: 'ExecutionFailed', error: { Code: 'RotationFailed' } });
  });

  it('a Fail state without Code fails with FnF.Failed', async () => {
    const result = await runExecution(flow([{ Type: 'Fail', Name: 'F', Detail: 'd' }]), {}, { invoke: recordingInvoker().invoke });
    expect(result.error).toEqual({ Code: 'FnF.Failed', Detail: 'd' });
  });

  it('a Succeed state ends the execution with its input', async () => {
    const result = await runExecution(
      flow([pass('P', { Next: 'Done', OutputConstructor: { X: 1 } }), { Type: 'Succeed', Name: 'Done' }]),
      {},
      { invoke: recordingInvoker().invoke },
    );
    expect(result).toMatchObject({ status: 'Succeeded', output: { X: 1 } });
  });

  it('a Pass state outputs its input, or what its OutputConstructor builds ($Output is the input)', async () => {
    const run = (state: Record<string, unknown>) => runExecution(flow([state]), { A: 1 }, { invoke: recordingInvoker().invoke });
    expect((await run(pass('P'))).output).toEqual({ A: 1 });
    expect(
      (await run(pass('P', { OutputConstructor: { 'FromInput.$': '$Input.A', 'FromOutput.$': '$Output.A', 'Missing.$': '$Input.B' } })))
        .output,
    ).toEqual({
      FromInput: 1,
      FromOutput: 1,
      Missing: null,
    });
  });

  it('a Choice state takes the first true branch, else Default, and passes its input on', async () => {
    const definition = flow([
      {
        Type: 'Choice',
        Name: 'C',
        Branches: [
          { Condition: '$Input.Failed > 0', Next: 'Bad' },
          { Condition: '$Input.Failed == 0 || $Input.Forced', Next: 'Good' },
        ],
        Default: 'Other',
      },
      pass('Bad', { OutputConstructor: { Went: 'Bad' } }),
      pass('Good', { OutputConstructor: { Went: 'Good', 'Failed.$': '$Input.Failed' } }),
      pass('Other', { OutputConstructor: { Went: 'Other' } }),
    ]);
    const run = async (input: object) => (await runExecution(definition, input, { invoke: recordingInvoker().invoke })).output;
    expect(await run({ Failed: 2 })).toEqual({ Went: 'Bad' });
    expect(await run({ Failed: 0 })).toEqual({ Went: 'Good', Failed: 0 });
    expect(await run({ Failed: -1, Forced: false })).toEqual({ Went: 'Other' });
  });

  it('a Choice condition the data makes meaningless fails with FnF.ConditionError', async () => {
    const definition = flow([
      { Type: 'Choice', Name: 'C', Branches: [{ Condition: '$Input.Failed > 0', Next: 'P' }], Default: 'P' },
      pass('P'),
    ]);
    const result = await runExecution(definition, {}, { invoke: recordingInvoker().invoke });
    expect(result).toMatchObject({
      status: 'Failed',
      failedState: 'C',
      error: { Code: 'FnF.ConditionError', Detail: expect.stringMatching(/cannot order null > number/) },
    });
  });

  it('a Wait state sleeps Seconds or Seconds.$, scaled', async () => {
    const clock = recordingSleep();
    const definition = flow([
      { Type: 'Wait', Name: 'W1', Seconds: 5, Next: 'W2' },
      { Type: 'Wait', Name: 'W2', 'Seconds.$': '$Input.Delay', End: true },
    ]);
    const result = await runExecution(definition, { Delay: 7 }, { invoke: recordingInvoker().invoke, sleep: clock.sleep, timeScale: 0.5 });
    expect(clock.delays).toEqual([2500, 3500]);
    expect(result.output).toEqual({ Delay: 7 });
  });

  it('a Wait state whose Seconds.$ is no integer from 1 to 300 fails with FnF.InvalidWaitSeconds', async () => {
    const definition = flow([{ Type: 'Wait', Name: 'W', 'Seconds.$': '$Input.Delay', End: true }]);
    for (const Delay of [0, 301, 1.5, 'ten', undefined]) {
      const result = await runExecution(definition, { Delay }, { invoke: recordingInvoker().invoke, sleep: recordingSleep().sleep });
      expect(result.error?.Code, String(Delay)).toBe('FnF.InvalidWaitSeconds');
    }
  });
});

describe('limits', () => {
  it('fails a state whose output is over 64 KiB with FnF.StateSizeExceeded, which Catch may handle', async () => {
    const big = { Data: 'x'.repeat(64 * 1024) };
    const result = await runExecution(flow([task('A')]), {}, { invoke: recordingInvoker(() => big).invoke });
    expect(result).toMatchObject({
      status: 'Failed',
      failedState: 'A',
      error: { Code: 'FnF.StateSizeExceeded', Detail: expect.stringMatching(/output is 65556 bytes serialised; CloudFlow allows 65536/) },
    });
    const caught = await runExecution(
      flow([task('A', { Catch: [catchRule(['FnF.StateSizeExceeded'], 'B')] }), pass('B')]),
      { Small: 1 },
      { invoke: recordingInvoker(() => big).invoke },
    );
    expect(caught).toMatchObject({ status: 'Succeeded', output: { Small: 1 } });
  });

  it('accepts exactly 64 KiB and refuses an execution input one byte over', async () => {
    const padding = 64 * 1024 - '{"P":""}'.length;
    const fits = await runExecution(flow([pass('P')]), { P: 'x'.repeat(padding) }, { invoke: recordingInvoker().invoke });
    expect(fits.status).toBe('Succeeded');
    const over = await runExecution(flow([pass('P')]), { P: 'x'.repeat(padding + 1) }, { invoke: recordingInvoker().invoke });
    expect(over).toMatchObject({ status: 'Failed', failedState: 'P', error: { Code: 'FnF.StateSizeExceeded' } });
  });

  it('refuses an execution input that is not a JSON object', async () => {
    const result = await runExecution(flow([pass('P')]), [1, 2], { invoke: recordingInvoker().invoke });
    expect(result).toMatchObject({ status: 'Failed', error: { Code: 'FnF.InvalidInput' } });
    expect(result.events.map((e) => e.type)).toEqual(['ExecutionStarted', 'ExecutionFailed']);
  });

  it('fails an execution that would record more than 5,000 events, whatever Catch says', async () => {
    const loop = flow([
      pass('A', { Next: 'B' }),
      { Type: 'Choice', Name: 'B', Branches: [{ Condition: '$Input.Stop == true', Next: 'End' }], Default: 'A' },
      { Type: 'Succeed', Name: 'End' },
    ]);
    const result = await runExecution(loop, {}, { invoke: recordingInvoker().invoke });
    expect(result).toMatchObject({ status: 'Failed', error: { Code: 'FnF.EventLimitExceeded' } });
    expect(result.events).toHaveLength(MAX_EXECUTION_EVENTS + 1);
    expect(result.events.at(-1)?.type).toBe('ExecutionFailed');
  });
});

describe('runExecution', () => {
  it('records the events in order, with the clock it is given, and hands each to onEvent', async () => {
    let t = 1000;
    const seen: ExecutionEvent[] = [];
    const fake = recordingInvoker(() => {
      t += 40;
      return { VersionId: 'v1' };
    });
    const result = await runExecution(
      flow([task('A', { Next: 'P' }), pass('P')]),
      { In: 1 },
      { invoke: fake.invoke, now: () => t, onEvent: (e) => seen.push(e) },
    );
    expect(result.events.map((e) => [e.type, e.path])).toEqual([
      ['ExecutionStarted', ''],
      ['StateEntered', 'A'],
      ['TaskAttemptStarted', 'A'],
      ['TaskAttemptSucceeded', 'A'],
      ['StateSucceeded', 'A'],
      ['StateEntered', 'P'],
      ['StateSucceeded', 'P'],
      ['ExecutionSucceeded', ''],
    ]);
    expect(seen).toEqual(result.events);
    expect(result.events[3]).toMatchObject({ attempt: 1, durationMs: 40, output: { VersionId: 'v1' }, at: 1040 });
    expect(result.events.at(-1)).toMatchObject({ durationMs: 40, output: { Body: { VersionId: 'v1' } } });
  });

  it('gives $Context.Execution.Name the execution name', async () => {
    const fake = recordingInvoker();
    await runExecution(
      flow([task('A', {}, { 'Name.$': '$Context.Execution.Name' })]),
      {},
      { invoke: fake.invoke, executionName: 'rotate-2024' },
    );
    expect(fake.bodies).toEqual([{ Name: 'rotate-2024' }]);
  });

  it('refuses an invalid definition before invoking anything', async () => {
    const fake = recordingInvoker();
    await expect(runExecution(flow([task('A', { Next: 'Gone' })]), {}, { invoke: fake.invoke })).rejects.toThrow(FlowDefinitionError);
    expect(fake.requests).toEqual([]);
  });

  it('refuses a negative timeScale', async () => {
    await expect(runExecution(flow([pass('P')]), {}, { invoke: recordingInvoker().invoke, timeScale: -1 })).rejects.toThrow(RangeError);
  });

  it('reports a rejection that is no Error as Code Error', async () => {
    const result = await runExecution(flow([task('A')]), {}, { invoke: () => Promise.reject('plain text') });
    expect(result.error).toEqual({ Code: 'Error', Detail: 'plain text' });
  });
});
