// The CloudFlow emulator's execution semantics, over small inline flows and an invoker the test controls:
// Running until done, a running name answered again, StopExecution, DescribeExecution's long polling,
// Retry and Map in the history, paging, parameter refusals that never quote Input, and close().
import { afterEach, describe, expect, it } from 'vitest';
import { CloudFlowClient, type HistoryEvent } from '../../../../src/cli/cloudflow-client.js';
import { CloudApiError } from '../../../../src/errors.js';
import {
  startCloudFlowEmulator,
  type CloudFlowEmulator,
  type CloudFlowEmulatorOptions,
} from '../../../../src/local/emulators/cloudflow/emulator.js';
import { LOCAL_CREDENTIALS } from '../../../../src/local/fixtures/kms-admin.js';
import { EACH_ITEM, eventually, gatedInvoker, ONE_TASK, rawCall } from './support.js';

const running: CloudFlowEmulator[] = [];
const gates: (() => void)[] = [];
afterEach(async () => {
  // close() waits for invocations in flight: let any a failed test left waiting return.
  for (const open of gates.splice(0)) open();
  for (const e of running.splice(0)) await e.close();
});

async function start(options: Partial<CloudFlowEmulatorOptions> = {}) {
  const gated = gatedInvoker();
  const emulator = await startCloudFlowEmulator({
    invoke: gated.invoke,
    flows: [{ definition: ONE_TASK }, { definition: EACH_ITEM }],
    timeScale: 0,
    ...options,
  });
  running.push(emulator);
  gates.push(gated.open);
  const client = new CloudFlowClient({ endpoint: emulator.endpoint, regionId: 'cn-hangzhou', credentials: LOCAL_CREDENTIALS, pageSize: 2 });
  return { emulator, client, gated };
}

const types = (events: HistoryEvent[]) => events.map((e) => `${e.StepName}:${e.Type}`);

describe('CloudFlow emulator: executions', () => {
  it('stays Running while a task runs, answers the same name with that execution, then ends Succeeded', async () => {
    const { client, gated } = await start();
    const first = await client.startExecution('one-task', { wait: true }, 'held');
    await gated.firstStarted;
    const again = await client.startExecution('one-task', { other: 'input' }, 'held');
    expect(again).toEqual(first);
    expect(gated.bodies).toHaveLength(1);
    const described = await client.describeExecution('one-task', 'held');
    expect(described.Status).toBe('Running');
    expect(types(await client.getExecutionHistory('one-task', 'held'))).toEqual([
      ':ExecutionStarted',
      'Work:StepEntered',
      'Work:TaskScheduled',
      'Work:TaskStarted',
    ]);

    // Long polling returns as soon as the execution ends, well before the 30 s asked for.
    const polled = client.describeExecution('one-task', 'held', { waitSeconds: 30 });
    const began = Date.now();
    setTimeout(gated.open, 50);
    const done = await polled;
    expect(Date.now() - began).toBeLessThan(5_000);
    expect(done).toMatchObject({ Status: 'Succeeded', Output: { Echo: { wait: true, id: 'held' } } });
  });

  it('stops a running execution: Stopped at once, the history ending ExecutionStopped, nothing recorded after', async () => {
    const { client, gated, emulator } = await start();
    await client.startExecution('one-task', { wait: true }, 'to-stop');
    await gated.firstStarted;
    const stopped = await client.stopExecution('one-task', 'to-stop', { error: 'Operator', cause: 'changed my mind' });
    expect(stopped.Status).toBe('Stopped');
    expect(stopped.StoppedTime).toBeDefined();
    // The invocation in flight completes; its result is discarded.
    gated.open();
    await new Promise((resolve) => setTimeout(resolve, 50));
    const history = await client.getExecutionHistory('one-task', 'to-stop');
    expect(types(history)).toEqual([
      ':ExecutionStarted',
      'Work:StepEntered',
      'Work:TaskScheduled',
      'Work:TaskStarted',
      ':ExecutionStopped',
    ]);
    expect(history.at(-1)?.Detail).toEqual({ error: 'Operator', cause: 'changed my mind' });
    const described = await client.describeExecution('one-task', 'to-stop');
    expect(described).toMatchObject({ Status: 'Stopped', StoppedTime: stopped.StoppedTime });
    expect(described.Output).toBeUndefined();
    const late = await rawCall(emulator.endpoint, 'StopExecution', { FlowName: 'one-task', ExecutionName: 'to-stop' });
    expect(late).toEqual({
      ok: false,
      status: 400,
      code: 'ExecutionAlreadyCompleted',
      message: "Execution 'to-stop' for flow 'one-task' has already completed.",
    });
    await expect(client.stopExecution('one-task', 'nobody')).rejects.toThrow(
      /execution nobody of flow one-task does not exist \(ExecutionNotExists, HTTP 404\)/,
    );
  });

  it('records a retried task: TaskFailed, then a TaskScheduled carrying the retry, then TaskSucceeded', async () => {
    const { client } = await start();
    await client.startExecution('one-task', { fail: 'TransientError', failTimes: 1 }, 'retried');
    const done = await client.describeExecution('one-task', 'retried', { waitSeconds: 10 });
    expect(done.Status).toBe('Succeeded');
    const history = await client.getExecutionHistory('one-task', 'retried');
    expect(types(history)).toEqual([
      ':ExecutionStarted',
      'Work:StepEntered',
      'Work:TaskScheduled',
      'Work:TaskStarted',
      'Work:TaskFailed',
      'Work:TaskScheduled',
      'Work:TaskStarted',
      'Work:TaskSucceeded',
      'Work:StepSucceeded',
      ':ExecutionSucceeded',
    ]);
    expect(history[4]?.Detail).toMatchObject({ attempt: 1, error: 'TransientError', cause: 'failed on purpose: attempt 1' });
    expect(history[5]?.Detail).toMatchObject({ attempt: 2, retry: { delayMs: 1000, error: 'TransientError' } });
  });

  it('scales Retry delays by 0.01 unless told otherwise: a 1 s retry waits 10 ms', async () => {
    const { client } = await start({ timeScale: undefined });
    const began = Date.now();
    await client.startExecution('one-task', { fail: 'TransientError', failTimes: 2 }, 'scaled');
    const done = await client.describeExecution('one-task', 'scaled', { waitSeconds: 10 });
    expect(done.Status).toBe('Succeeded');
    expect(Date.now() - began).toBeLessThan(1_000);
    const retries = (await client.getExecutionHistory('one-task', 'scaled')).filter((e) => e.Detail['retry'] !== undefined);
    expect(retries.map((e) => e.Detail['retry'])).toEqual([
      { delayMs: 1000, error: 'TransientError', cause: 'failed on purpose: attempt 1' },
      { delayMs: 1000, error: 'TransientError', cause: 'failed on purpose: attempt 2' },
    ]);
  });

  it('brackets each Map item with IterationEntered and IterationExited, the failing one with its error', async () => {
    const { client } = await start();
    await client.startExecution('each-item', { Items: [{ n: 1 }, { n: 2, fail: 'Boom' }] }, 'mapped');
    const done = await client.describeExecution('each-item', 'mapped', { waitSeconds: 10 });
    expect(done.Status).toBe('Failed');
    const history = await client.getExecutionHistory('each-item', 'mapped');
    expect(types(history)).toEqual([
      ':ExecutionStarted',
      'Each:StepEntered',
      'Each:IterationEntered',
      'Work:StepEntered',
      'Work:TaskScheduled',
      'Work:TaskStarted',
      'Work:TaskSucceeded',
      'Work:StepSucceeded',
      'Each:IterationExited',
      'Each:IterationEntered',
      'Work:StepEntered',
      'Work:TaskScheduled',
      'Work:TaskStarted',
      'Work:TaskFailed',
      'Work:StepFailed',
      'Each:IterationExited',
      'Each:StepFailed',
      ':ExecutionFailed',
    ]);
    expect(history[2]?.Detail).toEqual({ index: 0, path: 'Each[0]', input: { n: 1 } });
    expect(history[3]?.Detail['path']).toBe('Each[0]/Work');
    expect(history[3]?.ScheduleEventId).toBe(history[2]?.EventId);
    expect(history[8]?.Detail).toMatchObject({ index: 0, output: { Body: { Echo: { n: 1, fail: null } } } });
    expect(history[15]?.Detail).toMatchObject({ index: 1, path: 'Each[1]', error: 'Boom' });
    expect(history[16]?.Detail).toMatchObject({ error: 'Boom' });
  });

  it('pages ListExecutions and GetExecutionHistory through NextToken', async () => {
    const { client, emulator } = await start();
    for (const name of ['p1', 'p2', 'p3']) await client.startExecution('one-task', {}, name);
    await emulator.idle();
    expect((await client.listExecutions('one-task')).map((e) => e.Name)).toEqual(['p1', 'p2', 'p3']);
    const firstPage = await rawCall(emulator.endpoint, 'ListExecutions', { FlowName: 'one-task', Limit: '2' });
    expect(firstPage.ok && firstPage.body['NextToken']).toBe('p3');
    const history = await client.getExecutionHistory('one-task', 'p2');
    expect(history.map((e) => e.EventId)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    const lastPage = await rawCall(emulator.endpoint, 'GetExecutionHistory', {
      FlowName: 'one-task',
      ExecutionName: 'p2',
      Limit: '5',
      NextToken: '6',
    });
    expect(lastPage.ok && lastPage.body).toMatchObject({ Events: [{ EventId: 6 }, { EventId: 7 }] });
    expect(lastPage.ok && 'NextToken' in lastPage.body).toBe(false);
    const listedFlows = await client.listFlows();
    expect(listedFlows.map((f) => f.Name)).toEqual(['one-task', 'each-item']);
  });

  it('refuses bad parameters with the documented codes, never quoting Input', async () => {
    const { emulator, client } = await start();
    const secretish = 'Sup3r-Secret-Value';
    const cases: [Record<string, string>, number, string][] = [
      [{ Input: '{}' }, 400, 'MissingRequiredParams'],
      [{ FlowName: 'one-task', Input: `["${secretish}"]` }, 400, 'InvalidArgument'],
      [{ FlowName: 'one-task', Input: `{"a": ${secretish}` }, 400, 'InvalidArgument'],
      [{ FlowName: 'one-task', Input: JSON.stringify({ big: `${secretish}${'x'.repeat(70_000)}` }) }, 400, 'EntityTooLarge'],
      [{ FlowName: 'one-task', ExecutionName: '9-starts-with-a-digit', Input: '{}' }, 400, 'InvalidArgument'],
      [{ FlowName: 'bad name!', Input: '{}' }, 400, 'InvalidArgument'],
    ];
    for (const [params, status, code] of cases) {
      const answer = await rawCall(emulator.endpoint, 'StartExecution', params);
      expect(answer, JSON.stringify(params).slice(0, 80)).toMatchObject({ ok: false, status, code });
      expect(answer.ok || answer.message.includes(secretish)).toBe(false);
    }
    expect(await rawCall(emulator.endpoint, 'StartExecution', { Input: '{}' })).toMatchObject({
      message: "The HTTP query 'FlowName' must be specified.",
    });
    const badLimit = await rawCall(emulator.endpoint, 'ListExecutions', { FlowName: 'one-task', Limit: '101' });
    expect(badLimit).toMatchObject({
      ok: false,
      status: 400,
      code: 'InvalidArgument',
      message: 'Parameter error: Limit must be an integer from 1 to 100.',
    });
    const badStatus = await rawCall(emulator.endpoint, 'ListExecutions', { FlowName: 'one-task', Status: 'Done' });
    expect(badStatus).toMatchObject({ ok: false, code: 'InvalidArgument' });
    const badWait = await rawCall(emulator.endpoint, 'DescribeExecution', {
      FlowName: 'one-task',
      ExecutionName: 'x',
      WaitTimeSeconds: '61',
    });
    expect(badWait).toMatchObject({ ok: false, code: 'InvalidArgument' });
    expect(await rawCall(emulator.endpoint, 'DescribeExecution', { FlowName: 'one-task', ExecutionName: 'nobody' })).toEqual({
      ok: false,
      status: 404,
      code: 'ExecutionNotExists',
      message: 'Execution nobody for flow one-task does not exist.',
    });
    const err = await client.startExecution('', {}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CloudApiError);
    expect(emulator.calls.map((c) => JSON.stringify(c)).join('\n')).not.toContain(secretish);
  });

  it('close() abandons a running execution cleanly: its invocation completes, nothing is left pending', async () => {
    const { emulator, client, gated } = await start({ timeScale: 1 });
    await client.startExecution('one-task', { wait: true }, 'abandoned');
    await gated.firstStarted;
    setTimeout(gated.open, 50);
    await emulator.close();
    running.splice(0);
    // close() returned only once the invocation in flight had.
    expect(gated.done.count).toBe(1);

    // A Retry delay in progress (60 s at time scale 1) is cut short as well.
    const slow = await start({ timeScale: 60 });
    await slow.client.startExecution('one-task', { fail: 'TransientError' }, 'waiting');
    await eventually(async () => (slow.gated.bodies.length > 0 ? true : undefined));
    const began = Date.now();
    await slow.emulator.close();
    running.splice(0);
    expect(Date.now() - began).toBeLessThan(5_000);
    expect(slow.gated.bodies).toHaveLength(1);
  });

  it('refuses options that give both or neither of invoke and functionEnv', async () => {
    await expect(startCloudFlowEmulator({})).rejects.toThrow(/exactly one of invoke and functionEnv/);
    await expect(startCloudFlowEmulator({ invoke: async () => ({}), functionEnv: {} })).rejects.toThrow(/exactly one/);
  });
});
