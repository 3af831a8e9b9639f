// Inline Map: items through the Processor at most MaxConcurrency at a time, outputs in input order,
// the first failing item fails the Map (no new item starts, those in flight finish), Retry and
// Catch on the Map as on a Task.
import { describe, expect, it } from 'vitest';
import { runExecution, type FunctionInvoker } from '../../../src/local/cloudflow/index.js';
import { mapWithConcurrency } from '../../../src/local/cloudflow/map.js';
import { catchRule, deferred, flow, namedError, pass, recordingInvoker, retryRule, settle, task } from './support.js';

function mapOf(states: Record<string, unknown>[], extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    Type: 'Map',
    Name: 'M',
    ItemsPath: '$Input.Items',
    Processor: { StartAt: states[0]?.Name, States: states },
    End: true,
    ...extra,
  };
}

const work = task('Work', { OutputConstructor: { 'Id.$': '$Input.Id', 'Result.$': '$Output.Body.Result' } }, { 'Id.$': '$Input.Id' });

/** An invoker whose every call waits until the test settles it; counts calls in flight. */
function controlledInvoker() {
  const calls: { id: unknown; settle: ReturnType<typeof deferred<unknown>>; done: boolean }[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const invoke: FunctionInvoker = async (request) => {
    const id = (JSON.parse(request.body.toString('utf8')) as { Id: unknown }).Id;
    const settleCall = deferred<unknown>();
    calls.push({ id, settle: settleCall, done: false });
    maxInFlight = Math.max(maxInFlight, ++inFlight);
    try {
      return await settleCall.promise;
    } finally {
      inFlight--;
    }
  };
  return { invoke, calls, pending: () => calls.filter((c) => !c.done), inFlight: () => inFlight, maxInFlight: () => maxInFlight };
}

const items = (n: number) => ({ Items: Array.from({ length: n }, (_, i) => ({ Id: i })) });

describe('a Map state', () => {
  it('never has more than MaxConcurrency items in flight, and returns the outputs in input order', async () => {
    const fake = controlledInvoker();
    const running = runExecution(flow([mapOf([work], { MaxConcurrency: 3 })]), items(7), { invoke: fake.invoke });
    for (let settled = 0; settled < 7; settled++) {
      await settle();
      expect(fake.inFlight()).toBe(Math.min(3, 7 - settled));
      // Finish the newest call first, so completion order differs from input order.
      const newest = fake.pending().at(-1);
      if (!newest) throw new Error('expected a call in flight');
      newest.done = true;
      newest.settle.resolve({ Result: `r${String(newest.id)}` });
    }
    const result = await running;
    expect(fake.maxInFlight()).toBe(3);
    expect(result.status).toBe('Succeeded');
    expect(result.output).toEqual({ Items: Array.from({ length: 7 }, (_, i) => ({ Id: i, Result: `r${i}` })) });
  });

  it('runs up to 40 items at once when the definition sets no MaxConcurrency', async () => {
    const fake = controlledInvoker();
    const running = runExecution(flow([mapOf([work])]), items(45), { invoke: fake.invoke });
    await settle();
    expect(fake.inFlight()).toBe(40);
    for (let i = 0; i < 45; i++) {
      await settle();
      fake.calls[i]?.settle.resolve({ Result: i });
    }
    expect((await running).status).toBe('Succeeded');
    expect(fake.maxInFlight()).toBe(40);
  });

  it('fails with the first failing item’s error: no new item starts, and those in flight finish', async () => {
    const fake = controlledInvoker();
    const running = runExecution(flow([mapOf([work], { MaxConcurrency: 2 })]), items(5), { invoke: fake.invoke });
    await settle();
    expect(fake.calls.map((c) => c.id)).toEqual([0, 1]);
    fake.calls[1]?.settle.reject(namedError('PreconditionError', 'item 1 refused'));
    await settle();
    // Item 0 is still in flight and nothing new started.
    expect(fake.inFlight()).toBe(1);
    expect(fake.calls).toHaveLength(2);
    fake.calls[0]?.settle.resolve({ Result: 'ok' });
    const result = await running;
    expect(fake.calls).toHaveLength(2);
    expect(result).toMatchObject({
      status: 'Failed',
      error: { Code: 'PreconditionError', Detail: 'item 1 refused' },
      failedState: 'M[1]/Work',
    });
    expect(result.events.some((e) => e.type === 'StateSucceeded' && e.path === 'M[0]/Work')).toBe(true);
    expect(result.events.filter((e) => e.type === 'StateFailed').map((e) => e.path)).toEqual(['M[1]/Work', 'M']);
  });

  it('fails when a Fail state ends an item, and a Catch on the Map handles it', async () => {
    const processor = [
      { Type: 'Choice', Name: 'Check', Branches: [{ Condition: '$Input.Id == 2', Next: 'Bad' }], Default: 'Good' },
      { Type: 'Fail', Name: 'Bad', Code: 'ItemRefused', Detail: 'two is refused' },
      { Type: 'Succeed', Name: 'Good' },
    ];
    const uncaught = await runExecution(flow([mapOf(processor)]), items(3), { invoke: recordingInvoker().invoke });
    expect(uncaught).toMatchObject({
      status: 'Failed',
      error: { Code: 'ItemRefused', Detail: 'two is refused' },
      failedState: 'M[2]/Bad',
      failedStateInput: { Id: 2 },
    });
    const caught = await runExecution(
      flow([
        mapOf(processor, {
          Catch: [catchRule(['ItemRefused'], 'After', { OutputConstructor: { 'Error.$': '$Context.Current.Error.Code' } })],
          End: undefined,
          Next: 'After',
        }),
        pass('After'),
      ]),
      items(3),
      { invoke: recordingInvoker().invoke },
    );
    expect(caught).toMatchObject({ status: 'Succeeded', output: { Error: 'ItemRefused' } });
  });

  it('names each item state M[i]/State in the events', async () => {
    const result = await runExecution(flow([mapOf([pass('Only')])]), items(2), { invoke: recordingInvoker().invoke });
    expect(result.events.filter((e) => e.type === 'StateEntered').map((e) => e.path)).toEqual(['M', 'M[0]/Only', 'M[1]/Only']);
  });

  it('outputs {Items} without an OutputConstructor, and gives $Output.Items and $Input to one', async () => {
    const plain = await runExecution(flow([mapOf([pass('Only')])]), items(2), { invoke: recordingInvoker().invoke });
    expect(plain.output).toEqual({ Items: [{ Id: 0 }, { Id: 1 }] });
    const shaped = await runExecution(
      flow([
        mapOf([pass('Only')], {
          InputConstructor: { 'Items.$': '$Input.List', Tag: 't' },
          OutputConstructor: { 'Results.$': '$Output.Items', 'Tag.$': '$Input.Tag' },
        }),
      ]),
      { List: [{ Id: 9 }] },
      { invoke: recordingInvoker().invoke },
    );
    expect(shaped.output).toEqual({ Results: [{ Id: 9 }], Tag: 't' });
  });

  it('fails with FnF.InvalidItemsPath when ItemsPath yields no array, and FnF.InvalidInput for an item that is no object', async () => {
    const notArray = await runExecution(flow([mapOf([pass('Only')])]), { Items: { Id: 1 } }, { invoke: recordingInvoker().invoke });
    expect(notArray).toMatchObject({
      status: 'Failed',
      failedState: 'M',
      error: { Code: 'FnF.InvalidItemsPath', Detail: expect.stringMatching(/\$Input\.Items yields object/) },
    });
    const scalar = await runExecution(flow([mapOf([pass('Only')])]), { Items: [{ Id: 0 }, 'two'] }, { invoke: recordingInvoker().invoke });
    expect(scalar).toMatchObject({ status: 'Failed', failedState: 'M[1]/Only', error: { Code: 'FnF.InvalidInput' } });
  });

  it('retries the whole Map under its Retry rule', async () => {
    let failures = 1;
    const fake = recordingInvoker((body) => {
      if (body.Id === 1 && failures-- > 0) throw namedError('TransientError', 'x');
      return { Result: body.Id };
    });
    const result = await runExecution(
      flow([mapOf([work], { MaxConcurrency: 1, Retry: [retryRule(['TransientError'], { MaxAttempts: 1 })] })]),
      items(2),
      {
        invoke: fake.invoke,
        timeScale: 0,
      },
    );
    expect(result.status).toBe('Succeeded');
    expect(fake.bodies.map((b) => b.Id)).toEqual([0, 1, 0, 1]);
    expect(result.events.filter((e) => e.type === 'RetryScheduled').map((e) => [e.path, e.attempt])).toEqual([['M', 2]]);
  });
});

describe('mapWithConcurrency', () => {
  it('returns results by index and handles an empty list', async () => {
    expect(await mapWithConcurrency([3, 1, 2], 2, async (n) => n * 10)).toEqual([30, 10, 20]);
    expect(await mapWithConcurrency([], 5, async () => 1)).toEqual([]);
  });
});
