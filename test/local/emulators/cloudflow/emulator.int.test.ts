// The CloudFlow emulator driven through the CLI's client (the real openapi-client): the shipped flows it
// hosts, rotate-secret run end to end against the KMS emulator and the real MariaDB with the handler
// in-process, a failing input, ExecutionAlreadyExists, ListExecutions, signatures, and serve.ts.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CloudFlowClient,
  CloudFlowNotFoundError,
  executionFailure,
  ExecutionAlreadyExistsError,
} from '../../../../src/cli/cloudflow-client.js';
import { CloudApiError } from '../../../../src/errors.js';
import { startCloudFlowEmulator, type CloudFlowEmulator } from '../../../../src/local/emulators/cloudflow/emulator.js';
import { LOCAL_CREDENTIALS } from '../../../../src/local/fixtures/kms-admin.js';
import { uniqueName } from '../../../../src/local/fixtures/mysql-sandbox.js';
import { RotationWorld, WORLD_REGION } from '../../../../src/local/fixtures/rotation-world.js';
import { SHIPPED_FLOWS, shippedFlowPath } from '../../../../src/local/runner/flow.js';
import { runServe, serveEmulator } from '../../../support/emulator-process.js';
import { rawCall } from './support.js';

let world: RotationWorld;
let emulator: CloudFlowEmulator;
let client: CloudFlowClient;
const logLines: string[] = [];

beforeAll(async () => {
  world = await RotationWorld.start();
  emulator = await startCloudFlowEmulator({ functionEnv: world.env, sink: (line) => logLines.push(line) });
  client = new CloudFlowClient({ endpoint: emulator.endpoint, regionId: WORLD_REGION, credentials: LOCAL_CREDENTIALS });
});
afterAll(async () => {
  await emulator?.close();
  await world?.close();
});

const STATES = ['CreatePending', 'SetPending', 'TestPending', 'FinishRotation'];
const TASK_STATE_EVENTS = ['StepEntered', 'TaskScheduled', 'TaskStarted', 'TaskSucceeded', 'StepSucceeded'];

describe('CloudFlow emulator: flows', () => {
  it('hosts the shipped flows under their names, each with its file as Definition, Standard mode', async () => {
    const flows = await client.listFlows();
    expect(flows.map((f) => f.Name)).toEqual([...SHIPPED_FLOWS]);
    const described = await client.describeFlow('rotate-secret');
    expect(described).toMatchObject({ Name: 'rotate-secret', Type: 'FDL', ExecutionMode: 'Standard' });
    expect(described.Definition).toBe(readFileSync(shippedFlowPath('rotate-secret'), 'utf8'));
    expect(described.Description).toMatch(/new, set, test, end/);
    expect(described.Id).toBe(flows[0]?.Id);
  });

  it('answers an unknown flow with FlowNotExists (404), which the client names', async () => {
    const raw = await rawCall(emulator.endpoint, 'DescribeFlow', { Name: 'no-such-flow' });
    expect(raw).toEqual({ ok: false, status: 404, code: 'FlowNotExists', message: 'Flow no-such-flow does not exist.' });
    const start = rawCall(emulator.endpoint, 'StartExecution', { FlowName: 'no-such-flow', Input: '{}' });
    expect(await start).toMatchObject({ ok: false, status: 404, code: 'FlowNotExists' });
    const err = await client.describeFlow('no-such-flow').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CloudFlowNotFoundError);
    expect((err as Error).message).toBe(
      'CloudFlow DescribeFlow: flow no-such-flow does not exist in cn-hangzhou (FlowNotExists, HTTP 404)',
    );
    await expect(client.listExecutions('no-such-flow')).rejects.toThrow(CloudFlowNotFoundError);
  });
});

describe('CloudFlow emulator: rotate-secret', () => {
  it('starts at once (Running), rotates the secret, and records each state in order', async () => {
    const secret = await world.addMysqlSecret();
    const before = await world.currentVersion(secret.secretName);
    const name = uniqueName('rot-');
    const started = await client.startExecution('rotate-secret', world.inputFor(secret), name);
    expect(started).toMatchObject({ Name: name, FlowName: 'rotate-secret', Status: 'Running', Input: world.inputFor(secret) });
    expect(started.StoppedTime).toBeUndefined();

    const done = await client.describeExecution('rotate-secret', name, { waitSeconds: 20 });
    expect(done.Status).toBe('Succeeded');
    const after = await world.currentVersion(secret.secretName);
    expect(after).not.toBe(before);
    expect(done.Output).toEqual({ SecretName: secret.secretName, Status: 'Rotated', VersionId: after });
    expect(Date.parse(done.StoppedTime ?? '')).toBeGreaterThanOrEqual(Date.parse(done.StartedTime));
    expect(done.FlowDefinition).toBe(readFileSync(shippedFlowPath('rotate-secret'), 'utf8'));

    const history = await client.getExecutionHistory('rotate-secret', name);
    expect(history.map((e) => e.EventId)).toEqual(history.map((_, i) => i + 1));
    expect(history[0]).toMatchObject({
      Type: 'ExecutionStarted',
      StepName: '',
      ScheduleEventId: 0,
      Detail: { input: world.inputFor(secret) },
    });
    expect(history.at(-1)).toMatchObject({ Type: 'ExecutionSucceeded', Detail: { output: done.Output } });
    const middle = history.slice(1, -1);
    expect(middle.map((e) => [e.StepName, e.Type])).toEqual(STATES.flatMap((s) => TASK_STATE_EVENTS.map((t) => [s, t])));
    // Each task event points at the event that scheduled it, each state's StepEntered at the state before it.
    for (const [i, state] of STATES.entries()) {
      const [entered, scheduled, taskStarted, succeeded, stepSucceeded] = middle.slice(i * 5, i * 5 + 5);
      expect(entered?.ScheduleEventId).toBe(i === 0 ? 1 : (middle[i * 5 - 1]?.EventId ?? -1));
      expect([scheduled?.ScheduleEventId, taskStarted?.ScheduleEventId, succeeded?.ScheduleEventId]).toEqual([
        entered?.EventId,
        scheduled?.EventId,
        scheduled?.EventId,
      ]);
      expect(stepSucceeded?.ScheduleEventId).toBe(entered?.EventId);
      expect(scheduled?.Detail).toMatchObject({
        attempt: 1,
        input: { Step: ['new', 'set', 'test', 'end'][i], SecretName: secret.secretName },
      });
      expect(succeeded?.Detail['output']).toMatchObject({ VersionId: after });
      expect(state).toBe(entered?.StepName);
    }
    // The function's logs went to the sink given, not to stdout.
    expect(logLines.some((line) => line.includes(secret.secretName))).toBe(true);
  });

  it('ends Failed when the function refuses, the error visible in the history', async () => {
    const name = uniqueName('bad-');
    await client.startExecution('rotate-secret', { SecretName: 'no-such-secret', RegionId: WORLD_REGION }, name);
    const done = await client.describeExecution('rotate-secret', name, { waitSeconds: 20 });
    expect(done.Status).toBe('Failed');
    expect(done.Output).toBeUndefined();
    expect(done.StoppedTime).toBeDefined();
    const history = await client.getExecutionHistory('rotate-secret', name);
    // The flow may end through a Fail state or with the function's own error: either way the error is in the history.
    expect(history.slice(0, 6).map((e) => `${e.StepName}:${e.Type}`)).toEqual([
      ':ExecutionStarted',
      'CreatePending:StepEntered',
      'CreatePending:TaskScheduled',
      'CreatePending:TaskStarted',
      'CreatePending:TaskFailed',
      'CreatePending:StepFailed',
    ]);
    expect(history[4]?.Detail).toMatchObject({ error: 'SecretNotFoundError', cause: expect.stringContaining('no-such-secret') });
    expect(history.at(-1)?.Type).toBe('ExecutionFailed');
    expect(history.slice(6).some((e) => e.EventDetail.includes('SecretNotFoundError'))).toBe(true);
    expect(executionFailure(history)?.error).toMatch(/^(SecretNotFoundError|RotationFailed)$/);
  });

  it('refuses a name whose execution has ended (ExecutionAlreadyExists), and lists both executions', async () => {
    const secret = await world.addMysqlSecret();
    const ok = uniqueName('one-');
    const bad = uniqueName('two-');
    await client.startExecution('rotate-secret', world.inputFor(secret), ok);
    await client.startExecution('rotate-secret', { SecretName: 'no-such-secret', RegionId: WORLD_REGION }, bad);
    await emulator.idle();
    const again = await client.startExecution('rotate-secret', world.inputFor(secret), ok).catch((e: unknown) => e);
    expect(again).toBeInstanceOf(ExecutionAlreadyExistsError);
    expect(await rawCall(emulator.endpoint, 'StartExecution', { FlowName: 'rotate-secret', ExecutionName: bad, Input: '{}' })).toEqual({
      ok: false,
      status: 400,
      code: 'ExecutionAlreadyExists',
      message: `Execution ${bad} for flow rotate-secret already exists.`,
    });

    const listed = await client.listExecutions('rotate-secret');
    const mine = listed.filter((e) => e.Name === ok || e.Name === bad);
    expect(mine.map((e) => [e.Name, e.Status])).toEqual([
      [ok, 'Succeeded'],
      [bad, 'Failed'],
    ]);
    const failed = await client.listExecutions('rotate-secret', { status: 'Failed' });
    expect(failed.map((e) => e.Name)).toContain(bad);
    expect(failed.map((e) => e.Name)).not.toContain(ok);
    expect(failed.every((e) => e.Status === 'Failed')).toBe(true);
  });

  it('makes up a name when none is given', async () => {
    const started = await client.startExecution('rotate-secret', { SecretName: 'no-such-secret', RegionId: WORLD_REGION });
    expect(started.Name).toMatch(/^[0-9a-f-]{36}$/);
    expect((await client.describeExecution('rotate-secret', started.Name)).Name).toBe(started.Name);
    await emulator.idle();
  });
});

describe('CloudFlow emulator: signatures and the command line', () => {
  it('refuses a request signed with the wrong key when keys are configured, and serves the right one', async () => {
    const signed = await startCloudFlowEmulator({
      functionEnv: world.env,
      accessKeys: { 'cf-id': 'cf-secret' },
      flows: [{ path: shippedFlowPath('rotate-secret') }],
    });
    try {
      const right = new CloudFlowClient({
        endpoint: signed.endpoint,
        regionId: WORLD_REGION,
        credentials: { accessKeyId: 'cf-id', accessKeySecret: 'cf-secret' },
      });
      expect((await right.listFlows()).map((f) => f.Name)).toEqual(['rotate-secret']);
      const wrong = new CloudFlowClient({
        endpoint: signed.endpoint,
        regionId: WORLD_REGION,
        credentials: { accessKeyId: 'cf-id', accessKeySecret: 'other' },
      });
      const err = await wrong.describeFlow('rotate-secret').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(CloudApiError);
      expect((err as Error).message).toMatch(/SignatureDoesNotMatch/);
      const unknown = new CloudFlowClient({
        endpoint: signed.endpoint,
        regionId: WORLD_REGION,
        credentials: { accessKeyId: 'nobody', accessKeySecret: 'x' },
      });
      await expect(unknown.listFlows()).rejects.toThrow(/InvalidAccessKeyId/);
      expect(signed.calls.filter((c) => c.action === 'DescribeFlow').map((c) => c.flowName)).toEqual(['rotate-secret']);
    } finally {
      await signed.close();
    }
  });

  it('serve.ts cloudflow prints its endpoint, hosts the shipped flows and runs them against the endpoints given', async () => {
    const served = await serveEmulator(['cloudflow', '--port', '0', '--kms-endpoint', world.kms.endpoint, '--time-scale', '0']);
    try {
      expect(served.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const remote = new CloudFlowClient({ endpoint: served.endpoint, regionId: WORLD_REGION, credentials: LOCAL_CREDENTIALS });
      expect((await remote.listFlows()).map((f) => f.Name)).toEqual([...SHIPPED_FLOWS]);
      const secret = await world.addMysqlSecret();
      const started = await remote.startExecution('rotate-secret', world.inputFor(secret));
      const done = await remote.describeExecution('rotate-secret', started.Name, { waitSeconds: 20 });
      expect(done).toMatchObject({ Status: 'Succeeded', Output: { SecretName: secret.secretName, Status: 'Rotated' } });
    } finally {
      expect(await served.stop()).toBe(0);
    }
  });

  it('serve.ts cloudflow refuses a malformed flag before listening, naming the flag', async () => {
    const badScale = await runServe(['cloudflow', '--time-scale', 'fast']);
    expect(badScale).toMatchObject({ code: 1, stdout: '' });
    expect(badScale.stderr).toContain('--time-scale takes a number >= 0');
    const badEndpoint = await runServe(['cloudflow', '--kms-endpoint', 'ftp://kms here']);
    expect(badEndpoint).toMatchObject({ code: 1, stdout: '' });
    expect(badEndpoint.stderr).toContain('--kms-endpoint must look like http://host:port');
    const usage = await runServe(['nothing']);
    expect(usage.stderr).toMatch(/cloudflow +CloudFlow API \(2019-03-15\).*\(default port 8302\)/);
  });
});
