/**
 * A local CloudFlow endpoint (FnF API 2019-03-15) speaking Alibaba's RPC wire protocol, so the real
 * client (src/cli/cloudflow-client.ts) can be tested against it and an operator can try the CLI on
 * a workstation. It hosts the flows from `flows/` under their names (or given definitions) and
 * executes them with the local CloudFlow runner, FC:InvokeFunction tasks going to a FunctionInvoker:
 * the real handler in-process (`functionEnv`) or the caller's (`invoke`). Actions: StartExecution,
 * DescribeExecution (WaitTimeSeconds long polling), StopExecution, GetExecutionHistory,
 * ListExecutions, DescribeFlow, ListFlows. Retry and Wait delays are scaled by `timeScale` (0.01 by
 * default: a 2 s retry waits 20 ms). Never logs a request parameter; errors never quote Input.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { z } from 'zod';
import { parseEndpoint, type Environment } from '../../../config.js';
import { handle } from '../../../handler.js';
import type { LogSink } from '../../../log.js';
import { inProcessInvoker, type FunctionInvoker } from '../../cloudflow/index.js';
import { LOCAL_CREDENTIALS } from '../../fixtures/kms-admin.js';
import { optionalParam, type AcsParams } from '../acs-rpc/params.js';
import { listenOptions, startAcsRpcServer, type AcsAction, type ListenOptions } from '../acs-rpc/server.js';
import { emulatorCommand } from '../command.js';
import { ExecutionStore } from './executions.js';
import { describeFlow, loadHostedFlows, shippedFlowSpecs, type HostedFlow, type HostedFlowSpec } from './flows.js';
import {
  flowNotExists,
  inputParam,
  integerParam,
  invalidArgument,
  optionalName,
  page,
  requiredName,
  statusParam,
  timeParam,
} from './params.js';

export type { HostedFlowSpec } from './flows.js';
export type { HistoryEvent, HistoryEventType } from './history.js';

/** One request as the emulator saw it: the flow and execution it named, never Input. */
export interface CloudFlowCall {
  action: string;
  flowName?: string;
  executionName?: string;
  at: number;
}

export interface CloudFlowEmulatorOptions extends ListenOptions<CloudFlowCall> {
  /** The flows to host; the shipped `flows/*.yaml` under their names by default. */
  flows?: readonly HostedFlowSpec[];
  /** Where FC:InvokeFunction tasks go. Give this or `functionEnv`. */
  invoke?: FunctionInvoker;
  /** The function's environment: tasks then run the real handler in-process with the local credentials. */
  functionEnv?: Environment;
  /** Where the in-process handler's log lines go (with `functionEnv`); stderr by default, so stdout keeps only the endpoint. */
  sink?: LogSink;
  /** Multiplies Retry and Wait delays: 0.01 by default, 0 to not wait at all, 1 for real time. */
  timeScale?: number;
  now?: () => number;
}

export interface CloudFlowEmulator {
  /** 'http://127.0.0.1:PORT'. The client takes it as is (CLOUDFLOW_ENDPOINT). */
  readonly endpoint: string;
  readonly port: number;
  /** Every call received, in order. */
  readonly calls: readonly CloudFlowCall[];
  /** Resolves once no execution is running. */
  idle(): Promise<void>;
  /**
   * Stops listening, then abandons the executions still running (as StopExecution would: each stops at its
   * next event, an invocation in flight completing first) and waits until their runners have returned.
   * With `{wait: true}` it lets them run to their end instead.
   */
  close(options?: { wait?: boolean }): Promise<void>;
}

export const CLOUDFLOW_API_VERSION = '2019-03-15';
export const DEFAULT_TIME_SCALE = 0.01;
const MAX_WAIT_SECONDS = 60;

const stderrSink: LogSink = (line) => void process.stderr.write(`${line}\n`);

function invokerFor(options: CloudFlowEmulatorOptions): FunctionInvoker {
  if ((options.invoke === undefined) === (options.functionEnv === undefined)) {
    throw new TypeError('CloudFlow emulator: give exactly one of invoke and functionEnv');
  }
  if (options.invoke) return options.invoke;
  const handlerOptions = { env: options.functionEnv ?? {}, sink: options.sink ?? stderrSink };
  return inProcessInvoker((event, context) => handle(event, context, handlerOptions), { credentials: LOCAL_CREDENTIALS });
}

function describeCall(action: string, params: AcsParams, at: number): CloudFlowCall {
  const flowName = params['FlowName'] || (action === 'DescribeFlow' ? params['Name'] : undefined) || undefined;
  const executionName = params['ExecutionName'] || undefined;
  return { action, at, ...(flowName !== undefined ? { flowName } : {}), ...(executionName !== undefined ? { executionName } : {}) };
}

export async function startCloudFlowEmulator(options: CloudFlowEmulatorOptions): Promise<CloudFlowEmulator> {
  const invoke = invokerFor(options);
  const now = options.now ?? Date.now;
  const timeScale = options.timeScale ?? DEFAULT_TIME_SCALE;
  if (!(timeScale >= 0)) throw new RangeError('CloudFlow emulator: timeScale must be a number >= 0');
  const flows = await loadHostedFlows(options.flows ?? shippedFlowSpecs(), now());
  const store = new ExecutionStore({ invoke, timeScale, now });
  const closing = new AbortController();

  const flowOf = (params: AcsParams, name = 'FlowName'): HostedFlow => {
    const flowName = requiredName(params, name);
    const flow = flows.get(flowName);
    if (!flow) throw flowNotExists(flowName);
    return flow;
  };
  const executionOf = (params: AcsParams) => store.get(flowOf(params).name, requiredName(params, 'ExecutionName', true));

  const actions: Record<string, AcsAction<CloudFlowCall>> = {
    StartExecution: (p) => {
      const flow = flowOf(p);
      const name = optionalName(p, 'ExecutionName');
      // CallbackFnFTaskToken (report to a waiting parent task) has no meaning here and is ignored.
      return store.start(flow, name, inputParam(p)).describe();
    },
    DescribeExecution: async (p) => {
      const wait = integerParam(p, 'WaitTimeSeconds', { min: 0, max: MAX_WAIT_SECONDS, fallback: 0 });
      const execution = executionOf(p);
      if (wait > 0 && execution.running) {
        const timeout = delay(wait * 1000, undefined, { signal: closing.signal }).catch(() => undefined);
        await Promise.race([execution.ended, timeout]);
      }
      return execution.describe();
    },
    StopExecution: (p) => {
      const flow = flowOf(p);
      const reason: { error?: string; cause?: string } = {};
      const error = optionalParam(p, 'Error');
      const cause = optionalParam(p, 'Cause');
      if (error !== undefined && error.length > 128) throw invalidArgument('Error must be 1 to 128 characters.');
      if (cause !== undefined && cause.length > 4096) throw invalidArgument('Cause must be 1 to 4096 characters.');
      if (error !== undefined) reason.error = error;
      if (cause !== undefined) reason.cause = cause;
      return store.stop(flow.name, requiredName(p, 'ExecutionName', true), reason).describe();
    },
    GetExecutionHistory: (p) => {
      const limit = integerParam(p, 'Limit', { min: 1, max: 1000, fallback: 60 });
      const execution = executionOf(p);
      const { items, next } = page(execution.history.events, (e) => String(e.EventId), optionalParam(p, 'NextToken'), limit);
      return { Events: items, ...(next !== undefined ? { NextToken: next } : {}) };
    },
    ListExecutions: (p) => {
      const flow = flowOf(p);
      const limit = integerParam(p, 'Limit', { min: 1, max: 100, fallback: 60 });
      const filter = {
        status: statusParam(p),
        namePrefix: optionalParam(p, 'ExecutionNamePrefix'),
        startedFrom: timeParam(p, 'StartedTimeBegin'),
        startedTo: timeParam(p, 'StartedTimeEnd'),
      };
      const { items, next } = page(store.list(flow.name, filter), (e) => e.name, optionalParam(p, 'NextToken'), limit);
      return { Executions: items.map((e) => e.describe()), ...(next !== undefined ? { NextToken: next } : {}) };
    },
    DescribeFlow: (p) => describeFlow(flowOf(p, 'Name')),
    ListFlows: (p) => {
      const limit = integerParam(p, 'Limit', { min: 1, max: 1000, fallback: 60 });
      const { items, next } = page([...flows.values()], (f) => f.name, optionalParam(p, 'NextToken'), limit);
      return { Flows: items.map(describeFlow), ...(next !== undefined ? { NextToken: next } : {}) };
    },
  };

  const server = await startAcsRpcServer({
    ...listenOptions(options),
    name: 'cloudflow-emulator',
    apiVersion: CLOUDFLOW_API_VERSION,
    actions: new Map(Object.entries(actions)),
    describeCall,
    internalError: { code: 'InternalServerError', message: 'An internal error has occurred. Please retry.' },
  });

  const idle = async (): Promise<void> => {
    for (let running = store.all().filter((e) => e.running); running.length > 0; running = store.all().filter((e) => e.running)) {
      await Promise.all(running.map((e) => e.ended));
    }
  };

  return {
    endpoint: server.endpoint,
    port: server.port,
    get calls(): readonly CloudFlowCall[] {
      return server.calls;
    },
    idle,
    async close(closeOptions = {}) {
      closing.abort();
      await server.close();
      if (closeOptions.wait) await idle();
      for (const execution of store.all()) execution.stop({ error: 'FnF.EmulatorClosed', cause: 'the CloudFlow emulator was closed' });
      await Promise.all(store.all().map((e) => e.settled));
    },
  };
}

const TimeScale = z
  .string()
  .regex(/^\d+(\.\d+)?$/, '--time-scale takes a number >= 0 (0.01 by default; 1 waits as the flows say)')
  .transform(Number);

/**
 * `serve.ts cloudflow [--kms-endpoint URL] [--rds-endpoint URL] [--time-scale N]`: the shipped flows, their tasks run by the
 * handler in-process against the KMS and RDS endpoints given (the KMS and RDS emulators' default ports by default).
 */
export const cloudflowCommand = emulatorCommand({
  name: 'cloudflow',
  summary: 'CloudFlow API (2019-03-15), the shipped flows run by the local runner with the handler in-process',
  defaultPort: 8302,
  options: { 'kms-endpoint': { type: 'string' }, 'rds-endpoint': { type: 'string' }, 'time-scale': { type: 'string' } },
  flags: z.object({
    'kms-endpoint': z.string().default('http://127.0.0.1:8300'),
    'rds-endpoint': z.string().default('http://127.0.0.1:8301'),
    'time-scale': TimeScale.optional(),
  }),
  async start(flags, listen) {
    // Checked now, so a malformed URL is refused before listening rather than at the first task.
    parseEndpoint(flags['kms-endpoint'], '--kms-endpoint');
    parseEndpoint(flags['rds-endpoint'], '--rds-endpoint');
    const functionEnv: Environment = {
      KMS_ENDPOINT: flags['kms-endpoint'],
      RDS_ENDPOINT: flags['rds-endpoint'],
      ...(process.env['LOG_LEVEL'] ? { LOG_LEVEL: process.env['LOG_LEVEL'] } : {}),
    };
    const timeScale = flags['time-scale'];
    return startCloudFlowEmulator({ ...listen, functionEnv, ...(timeScale !== undefined ? { timeScale } : {}) });
  },
});
