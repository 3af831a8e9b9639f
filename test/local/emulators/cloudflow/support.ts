/**
 * Helpers for the CloudFlow emulator's tests: a raw RPC call through openapi-client (to see the HTTP
 * status, code and message the emulator answers, which the CLI client maps away), a function invoker
 * whose invocations wait on a gate the test opens, and small inline flows.
 */
import * as openapiSdk from '@alicloud/openapi-client';
import * as teaUtil from '@alicloud/tea-util';
import { sdkClass } from '../../../../src/alibaba/interop.js';
import { parseEndpoint } from '../../../../src/config.js';
import type { FlowDefinition, FunctionInvoker } from '../../../../src/local/cloudflow/index.js';
import { LOCAL_CREDENTIALS } from '../../../../src/local/fixtures/kms-admin.js';
import { flow, namedError, task } from '../../cloudflow/support.js';
import { rpcParams } from '../../../../src/alibaba/rpc-params.js';

export type RawAnswer = { ok: true; body: Record<string, unknown> } | { ok: false; status: number; code: string; message: string };

/** One call as Alibaba's generated FnF client makes it (signature v2), answered raw. */
export async function rawCall(
  endpoint: string,
  action: string,
  params: Record<string, string>,
  credentials = LOCAL_CREDENTIALS,
): Promise<RawAnswer> {
  const { host, protocol } = parseEndpoint(endpoint, 'endpoint');
  const client = new (sdkClass(openapiSdk))(new openapiSdk.Config({ endpoint: host, protocol, signatureAlgorithm: 'v2', ...credentials }));
  const spec = rpcParams({ action, version: '2019-03-15', protocol });
  try {
    const response = (await client.callApi(spec, new openapiSdk.OpenApiRequest({ body: params }), new teaUtil.RuntimeOptions({}))) as {
      body: Record<string, unknown>;
    };
    return { ok: true, body: response.body };
  } catch (err) {
    const data = (err as { data?: { Code?: string; Message?: string; statusCode?: number } }).data ?? {};
    return { ok: false, status: data.statusCode ?? 0, code: data.Code ?? '', message: data.Message ?? '' };
  }
}

/** Invocations whose body has `wait: true` block until `open()`; `fail: NAME` throws an error of that name; others echo the body. */
export function gatedInvoker() {
  let open: () => void = () => undefined;
  const gate = new Promise<void>((resolve) => (open = resolve));
  const bodies: Record<string, unknown>[] = [];
  /** How many invocations have returned or thrown. */
  const done = { count: 0 };
  let started: () => void = () => undefined;
  const firstStarted = new Promise<void>((resolve) => (started = resolve));
  const invoke: FunctionInvoker = async (request) => {
    const body = JSON.parse(request.body.toString('utf8')) as Record<string, unknown>;
    bodies.push(body);
    started();
    try {
      return await answer(body);
    } finally {
      done.count++;
    }
  };
  const answer = async (body: Record<string, unknown>): Promise<unknown> => {
    if (body['wait'] === true) await gate;
    const failures = body['failTimes'];
    if (
      typeof body['fail'] === 'string' &&
      (typeof failures !== 'number' || bodies.filter((b) => b['id'] === body['id']).length <= failures)
    ) {
      throw namedError(body['fail'], `failed on purpose: attempt ${bodies.length}`);
    }
    return { Echo: body };
  };
  return { invoke, bodies, done, open, firstStarted };
}

/** One Task state whose body is the execution's input; TransientError retried twice, 1 s apart (before timeScale). */
export const ONE_TASK: FlowDefinition = flow(
  [
    task(
      'Work',
      {
        Retry: [{ Errors: ['TransientError'], Description: 'retry transient failures', MaxAttempts: 2, IntervalSeconds: 1 }],
        OutputConstructor: { 'Echo.$': '$Output.Body.Echo' },
      },
      { 'wait.$': '$Input.wait', 'fail.$': '$Input.fail', 'failTimes.$': '$Input.failTimes', 'id.$': '$Context.Execution.Name' },
    ),
  ],
  { Name: 'one-task' },
);

/** A Map over `$Input.Items`, one at a time, each item a Task that echoes it; then a Pass. */
export const EACH_ITEM: FlowDefinition = flow(
  [
    {
      Type: 'Map',
      Name: 'Each',
      ItemsPath: '$Input.Items',
      MaxConcurrency: 1,
      Processor: { StartAt: 'Work', States: [task('Work', {}, { 'n.$': '$Input.n', 'fail.$': '$Input.fail' })] },
      Next: 'Done',
    },
    { Type: 'Pass', Name: 'Done', End: true },
  ],
  { Name: 'each-item' },
);

/** Polls `check` every 10 ms until it returns a value, for at most `ms`. */
export async function eventually<T>(check: () => Promise<T | undefined>, ms = 10_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
