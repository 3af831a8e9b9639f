// The CloudFlow client against the emulator's fault hooks: throttling and 5xx answers become
// TransientError, a refusal a CloudApiError, a success without the documented fields a TransientError
// naming the action; never the SDK's message. Paging reads every page whatever the page size.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CloudFlowClient, CloudFlowNotFoundError } from '../../src/cli/cloudflow-client.js';
import { CloudApiError, TransientError } from '../../src/errors.js';
import type { FaultHooks } from '../../src/local/emulators/faults.js';
import { startCloudFlowEmulator, type CloudFlowCall, type CloudFlowEmulator } from '../../src/local/emulators/cloudflow/emulator.js';
import { LOCAL_CREDENTIALS } from '../../src/local/fixtures/kms-admin.js';
import { ONE_TASK } from '../local/emulators/cloudflow/support.js';

const faults: FaultHooks<CloudFlowCall> = {};
let emulator: CloudFlowEmulator;
let client: CloudFlowClient;

beforeAll(async () => {
  emulator = await startCloudFlowEmulator({ invoke: async () => ({ ok: true }), flows: [{ definition: ONE_TASK }], faults, timeScale: 0 });
  client = new CloudFlowClient({ endpoint: emulator.endpoint, regionId: 'cn-hangzhou', credentials: LOCAL_CREDENTIALS, pageSize: 1 });
});
afterAll(async () => {
  await emulator?.close();
});

function clearFaults(): void {
  delete faults.before;
  delete faults.after;
  delete faults.respond;
}

describe('CloudFlowClient errors', () => {
  it('maps throttling (429) and server errors (5xx) to TransientError, other refusals to CloudApiError', async () => {
    try {
      faults.before = () => ({ status: 429, code: 'ResourceThrottled', message: 'The request is throttled. Please try again later.' });
      const throttled = await client.describeFlow('one-task').catch((e: unknown) => e);
      expect(throttled).toBeInstanceOf(TransientError);
      expect((throttled as Error).message).toBe('CloudFlow DescribeFlow for flow one-task failed: ResourceThrottled (HTTP 429)');

      faults.before = () => ({ status: 500, code: 'InternalServerError' });
      await expect(client.startExecution('one-task', { a: 1 }, 'e1')).rejects.toThrow(TransientError);

      faults.before = () => ({ status: 403, code: 'AccessDenied', message: "The resources doesn't belong to you." });
      const denied = await client.listExecutions('one-task').catch((e: unknown) => e);
      expect(denied).toBeInstanceOf(CloudApiError);
      expect((denied as Error).message).toBe('CloudFlow ListExecutions for flow one-task failed: AccessDenied (HTTP 403)');
    } finally {
      clearFaults();
    }
  });

  it('treats a success without the documented fields as a TransientError naming the action', async () => {
    await client.startExecution('one-task', {}, 'shape');
    await emulator.idle();
    try {
      faults.respond = (call, body) => (call.action === 'DescribeExecution' ? { RequestId: body['RequestId'] } : undefined);
      await expect(client.describeExecution('one-task', 'shape')).rejects.toThrow(
        new TransientError('CloudFlow DescribeExecution for execution shape of flow one-task answered without the expected fields'),
      );
      faults.respond = (call, body) => (call.action === 'DescribeExecution' ? { ...body, Output: 'not json' } : undefined);
      await expect(client.describeExecution('one-task', 'shape')).rejects.toThrow(TransientError);
      faults.respond = (call, body) => (call.action === 'GetExecutionHistory' ? { ...body, Events: 'none' } : undefined);
      await expect(client.getExecutionHistory('one-task', 'shape')).rejects.toThrow(
        /GetExecutionHistory .* answered without the expected fields/,
      );
    } finally {
      clearFaults();
    }
    expect((await client.describeExecution('one-task', 'shape')).Status).toBe('Succeeded');
  });

  it('refuses a NextToken answered twice rather than looping', async () => {
    try {
      faults.respond = (call, body) => (call.action === 'ListFlows' ? { ...body, NextToken: 'one-task' } : undefined);
      await expect(client.listFlows()).rejects.toThrow(/kept answering the same NextToken/);
    } finally {
      clearFaults();
    }
  });

  it('names the execution that does not exist', async () => {
    const err = await client.getExecutionHistory('one-task', 'never-started').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CloudFlowNotFoundError);
    expect((err as Error).message).toBe(
      'CloudFlow GetExecutionHistory: execution never-started of flow one-task does not exist (ExecutionNotExists, HTTP 404)',
    );
  });

  it('reads every page one item at a time', async () => {
    for (const name of ['pg1', 'pg2', 'pg3']) await client.startExecution('one-task', { name }, name);
    await emulator.idle();
    const listed = (await client.listExecutions('one-task')).map((e) => e.Name);
    expect(listed.filter((n) => n.startsWith('pg'))).toEqual(['pg1', 'pg2', 'pg3']);
    const history = await client.getExecutionHistory('one-task', 'pg2');
    expect(history.map((e) => e.Type)).toEqual([
      'ExecutionStarted',
      'StepEntered',
      'TaskScheduled',
      'TaskStarted',
      'TaskSucceeded',
      'StepSucceeded',
      'ExecutionSucceeded',
    ]);
    const pages = emulator.calls.filter((c) => c.action === 'GetExecutionHistory' && c.executionName === 'pg2');
    expect(pages).toHaveLength(7);
  });
});
