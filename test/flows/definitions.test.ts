// The shipped flow files as definitions: valid for the runner, retrying only what is worth retrying,
// catching only inside a Map item (any other failure is the execution's own error, the function's
// name and message), one Map shared by the two many-secret flows, and state data that stays well
// under CloudFlow's 64 KiB at discover's caps with the longest names the function accepts.
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { MAX_DUE_PER_RUN, MAX_PROBLEMS_PER_RUN } from '../../src/batch/discover.js';
import { loadFlowFile, runExecution, type InvokeRequest } from '../../src/local/cloudflow/index.js';
import { FLOWS_DIR, SHIPPED_FLOWS, shippedFlowPath, type ShippedFlow } from '../../src/local/runner/flow.js';

const TRANSIENT = ['TransientError', 'FC.ResourceThrottled', 'FC.ResourceExhausted', 'FC.InternalServerError'];
type AnyState = Record<string, unknown> & { Name: string; Type: string };

function statesOf(states: AnyState[]): AnyState[] {
  return states.flatMap((s) => [s, ...(s.Type === 'Map' ? statesOf((s['Processor'] as { States: AnyState[] }).States) : [])]);
}
const raw = (name: ShippedFlow) => parse(readFileSync(shippedFlowPath(name), 'utf8')) as { States: AnyState[] };

describe('flows/', () => {
  it('holds exactly the three shipped flows, each valid for the runner', async () => {
    expect(readdirSync(FLOWS_DIR).sort()).toEqual(SHIPPED_FLOWS.map((f) => `${f}.yaml`).sort());
    for (const flow of SHIPPED_FLOWS) {
      const definition = await loadFlowFile(shippedFlowPath(flow));
      expect(definition.Name).toBe(flow);
      expect(definition.SpecVersion).toBe('v1');
    }
  });

  it.each(SHIPPED_FLOWS)('%s: every task invokes the function synchronously and retries only transient errors', (flow) => {
    const tasks = statesOf(raw(flow).States).filter((s) => s.Type === 'Task');
    expect(tasks.length).toBeGreaterThanOrEqual(4);
    for (const task of tasks) {
      expect(task['Action']).toBe('FC:InvokeFunction');
      const parameters = task['Parameters'] as Record<string, unknown>;
      expect(parameters['invocationType']).toBe('Sync');
      expect(parameters['resourceArn']).toBe('acs:fc:REGION:ACCOUNT_ID:functions/fc-secret-rotation');
      const retry = task['Retry'] as Record<string, unknown>[];
      expect(retry, task.Name).toHaveLength(1);
      expect(retry[0]).toMatchObject({ Errors: TRANSIENT, BackoffRate: 2, MaxAttempts: 5, IntervalSeconds: 2, MaxBackoffSeconds: 60 });
    }
  });

  it.each(SHIPPED_FLOWS)("%s: only a Map item catches, so any other failure ends the execution with the function's error", (flow) => {
    const top = raw(flow).States;
    expect(top.filter((s) => s.Type === 'Fail')).toEqual([]);
    for (const state of top) expect(state['Catch'], state.Name).toBeUndefined();
    const processor = top.find((s) => s.Type === 'Map')?.['Processor'] as { States: AnyState[] } | undefined;
    for (const task of processor?.States.filter((s) => s.Type === 'Task') ?? []) {
      const catches = task['Catch'] as Record<string, unknown>[];
      expect(
        catches.map((c) => [c['Errors'], c['Next']]),
        task.Name,
      ).toEqual([[['FnF.ALL'], 'RecordFailure']]);
    }
  });

  it("retries FC's own throttling and TransientError, never another FC error or a refusal", async () => {
    const definition = await loadFlowFile(shippedFlowPath('rotate-secret'));
    const attempts = async (errorName: string) => {
      let calls = 0;
      const invoke = async (): Promise<unknown> => {
        calls++;
        throw Object.assign(new Error('refused'), { name: errorName });
      };
      const result = await runExecution(definition, { SecretName: 'a', RegionId: 'cn-hangzhou' }, { invoke, timeScale: 0 });
      expect(result.error?.Code).toBe(errorName);
      return calls;
    };
    expect(await attempts('FC.ResourceThrottled')).toBe(6);
    expect(await attempts('TransientError')).toBe(6);
    expect(await attempts('FC.FunctionNotFound')).toBe(1);
    expect(await attempts('PreconditionError')).toBe(1);
  });

  it('shares one Map between rotate-many and rotate-due, at most 40 items at a time', () => {
    const mapOf = (flow: ShippedFlow) => raw(flow).States.find((s) => s.Type === 'Map') as AnyState;
    expect(mapOf('rotate-due')['Processor']).toEqual(mapOf('rotate-many')['Processor']);
    expect(mapOf('rotate-many')['MaxConcurrency']).toBeLessThanOrEqual(40);
    expect(mapOf('rotate-due')['MaxConcurrency']).toBe(mapOf('rotate-many')['MaxConcurrency']);
  });

  it('keeps every state under 48 KiB at discover’s caps, with the longest names and reasons, half the secrets failing', async () => {
    const longName = (i: number) => `${String(i).padStart(3, '0')}${'n'.repeat(189)}`;
    const secrets = Array.from({ length: MAX_DUE_PER_RUN }, (_, i) => ({
      SecretName: longName(i),
      RegionId: 'ap-southeast-1',
      InstanceId: `rm-${'x'.repeat(60)}`,
    }));
    const tagKey = 't'.repeat(119);
    const problems = Array.from({ length: MAX_PROBLEMS_PER_RUN }, (_, i) => ({
      SecretName: longName(500 + i),
      Reason: `the value of tag ${tagKey}-instance is not an RDS instance id such as rm-...`,
    }));
    const invoke = async (request: InvokeRequest): Promise<unknown> => {
      const body = JSON.parse(request.body.toString('utf8')) as Record<string, unknown>;
      if (body['Step'] === 'discover')
        return { Secrets: secrets, Due: 500, NotDue: 0, Problems: problems, Truncated: { Secrets: 450, Problems: 3 } };
      if (body['Step'] === 'report')
        return { Rotated: 25, Failed: 0, Problems: 0, Deferred: 450, Secrets: secrets.slice(0, 25).map((s) => s.SecretName) };
      if (body['Step'] === 'set' && Number(String(body['SecretName']).slice(0, 3)) % 2 === 1) {
        throw Object.assign(new Error('m'.repeat(1000)), { name: 'PreconditionErrorWithAVeryLongNameIndeedToFillTheRecordUpToItsLimit' });
      }
      return { VersionId: 'f'.repeat(64), Step: body['Step'], Backend: 'rds-api', AccountName: 'a'.repeat(32) };
    };
    for (const flow of ['rotate-many', 'rotate-due'] as const) {
      const definition = await loadFlowFile(shippedFlowPath(flow));
      const result = await runExecution(definition, { RegionId: 'ap-southeast-1', Secrets: secrets }, { invoke, timeScale: 0 });
      const sizes = result.events.flatMap((e) =>
        [e.input, e.output].filter((d) => d !== undefined).map((d) => Buffer.byteLength(JSON.stringify(d))),
      );
      expect(result.status, flow).toBe('Succeeded');
      expect(Math.max(...sizes), flow).toBeLessThan(48 * 1024);
      // The event budget (5,000) leaves room for retries: each adds a few events.
      expect(result.events.length, flow).toBeLessThan(1_500);
    }
  });
});
