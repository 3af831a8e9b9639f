/**
 * The operator CLI's CloudFlow client (FnF API 2019-03-15, RPC style), one class for the real
 * service and the local emulator alike: StartExecution, DescribeExecution, StopExecution,
 * GetExecutionHistory (every page), ListExecutions, DescribeFlow, ListFlows.
 *
 * It goes through @alicloud/openapi-client's generic `callApi`, as the KMS store does: the
 * registry's @alicloud/fnf-2019-03-15 (1.2.0) is the old pop-core generation (another HTTP stack,
 * its own error shape, no form bodies), while openapi-client is the generation the project already
 * uses and maps errors for. Requests are signed as Alibaba's generated FnF client signs them
 * (`signatureAlgorithm: 'v2'`, HMAC-SHA1): reads as GET with the parameters in the query, writes
 * as POST with a form body. Default endpoint: `https://<region>.fnf.aliyuncs.com`, the regional
 * host the API's endpoint list gives for every region (not the `fnf.<region>` pattern).
 *
 * Every answer is checked with zod; Input and Output (JSON strings on the wire) come back parsed.
 * A success without the documented fields is a TransientError naming the action. Errors become
 * the project's named errors: FlowNotExists / ExecutionNotExists a CloudFlowNotFoundError naming
 * the flow or execution, ExecutionAlreadyExists an ExecutionAlreadyExistsError, throttling, 5xx
 * and network failures a TransientError, anything else a CloudApiError. Messages carry codes and
 * names only, never the SDK's text (it quotes the request URL) nor Input.
 */
import * as openapiSdk from '@alicloud/openapi-client';
import * as teaUtil from '@alicloud/tea-util';
import { z } from 'zod';
import type { CloudCredentials } from '../alibaba/credentials.js';
import { cloudErrorInfo, isSdkCastError, toRotationError } from '../alibaba/errors.js';
import { sdkClass } from '../alibaba/interop.js';
import { parseEndpoint, type Endpoint } from '../config.js';
import { RotationError, TransientError } from '../errors.js';
import { rpcParams } from '../alibaba/rpc-params.js';

export const CLOUDFLOW_API_VERSION = '2019-03-15';
const CONNECT_TIMEOUT_MS = 5_000;
const READ_TIMEOUT_MS = 10_000;
/** ListExecutions allows 1-100 per page; GetExecutionHistory and ListFlows up to 1,000 (the docs disagree on 999). */
const PAGE_LIMITS = { ListExecutions: 100, GetExecutionHistory: 500, ListFlows: 100 } as const;
/** More pages than an execution's 5,000 events could fill at the smallest page: the service is looping. */
const MAX_PAGES = 10_000;

/** A flow or an execution the service does not have. */
export class CloudFlowNotFoundError extends RotationError {
  override readonly name = 'CloudFlowNotFoundError';
}

/** StartExecution with the name of an execution that has ended (one that still runs is answered, not refused). */
export class ExecutionAlreadyExistsError extends RotationError {
  override readonly name = 'ExecutionAlreadyExistsError';
}

/** The regional CloudFlow endpoint, as Alibaba's API metadata lists it for every region. */
export function defaultCloudFlowEndpoint(regionId: string): Endpoint {
  return { protocol: 'https', host: `${regionId}.fnf.aliyuncs.com` };
}

export interface CloudFlowClientOptions {
  /** CLOUDFLOW_ENDPOINT, parsed or as written (`http://127.0.0.1:8302`); the regional endpoint when absent. */
  endpoint?: Endpoint | string | undefined;
  regionId: string;
  credentials: CloudCredentials;
  /** Page size for the listing calls, capped at each action's limit; for tests of paging. */
  pageSize?: number;
}

const emptyAsAbsent = z
  .string()
  .optional()
  .transform((v) => (v === '' ? undefined : v));

/** Input and Output travel as JSON object text; absent or empty is no value, anything else that is not an object is malformed. */
const jsonObjectText = emptyAsAbsent.transform((text, ctx): Record<string, unknown> | undefined => {
  if (text === undefined) return undefined;
  try {
    const value: unknown = JSON.parse(text);
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // reported below
  }
  ctx.addIssue({ code: 'custom', message: 'not a JSON object' });
  return z.NEVER;
});

export const EXECUTION_STATUSES = ['Starting', 'Running', 'Stopped', 'Succeeded', 'Failed', 'TimedOut'] as const;
export type ExecutionStatus = (typeof EXECUTION_STATUSES)[number];

const ExecutionSchema = z.object({
  Name: z.string().min(1),
  FlowName: z.string().min(1),
  Status: z.enum(EXECUTION_STATUSES),
  StartedTime: z.string().min(1),
  StoppedTime: emptyAsAbsent,
  Input: jsonObjectText,
  Output: jsonObjectText,
  FlowDefinition: emptyAsAbsent,
});
export type Execution = z.infer<typeof ExecutionSchema>;

/** EventDetail's content is not documented: parsed when it is a JSON object, `{}` otherwise. */
const eventDetail = z
  .string()
  .default('{}')
  .transform((text): Record<string, unknown> => {
    try {
      const value: unknown = JSON.parse(text);
      return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
    } catch {
      return {};
    }
  });

const HistoryEventSchema = z
  .object({
    EventId: z.coerce.number().int(),
    Type: z.string().min(1),
    StepName: z.string().default(''),
    Time: z.string().min(1),
    ScheduleEventId: z.coerce.number().int().default(0),
    EventDetail: z.string().default('{}'),
  })
  .transform((e) => ({ ...e, Detail: eventDetail.parse(e.EventDetail) }));
export type HistoryEvent = z.infer<typeof HistoryEventSchema>;

const FlowSchema = z.object({
  Name: z.string().min(1),
  Id: z.string().optional(),
  Type: z.string().optional(),
  Definition: z.string(),
  Description: z.string().optional(),
  ExecutionMode: z.string().optional(),
  RoleArn: z.string().optional(),
  CreatedTime: z.string().optional(),
  LastModifiedTime: z.string().optional(),
});
export type Flow = z.infer<typeof FlowSchema>;

const nextToken = emptyAsAbsent;
const HistoryPage = z.object({ Events: z.array(HistoryEventSchema).default([]), NextToken: nextToken });
const ExecutionsPage = z.object({ Executions: z.array(ExecutionSchema).default([]), NextToken: nextToken });
const FlowsPage = z.object({ Flows: z.array(FlowSchema).default([]), NextToken: nextToken });

/** What a failed (or stopped) execution's history says about why: the error and cause of its last failure event, and the state. */
export function executionFailure(events: readonly HistoryEvent[]): { error?: string; cause?: string; step?: string } | undefined {
  const text = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
  const end = [...events]
    .reverse()
    .find((e) => e.Type === 'ExecutionFailed' || e.Type === 'ExecutionStopped' || e.Type === 'ExecutionTimedOut');
  if (!end) return undefined;
  const failedStep = [...events].reverse().find((e) => e.Type === 'StepFailed' || e.Type === 'TaskFailed');
  const error = text(end.Detail['error']) ?? text(end.Detail['Error']);
  const cause = text(end.Detail['cause']) ?? text(end.Detail['Cause']);
  const step = failedStep?.StepName || undefined;
  return { ...(error ? { error } : {}), ...(cause ? { cause } : {}), ...(step ? { step } : {}) };
}

type Subject = { flow: string; execution?: string };

export class CloudFlowClient {
  readonly endpoint: Endpoint;
  private readonly api: InstanceType<typeof openapiSdk.default.default>;
  private readonly pageSize: number | undefined;

  constructor(private readonly options: CloudFlowClientOptions) {
    const { endpoint } = options;
    this.endpoint =
      endpoint === undefined
        ? defaultCloudFlowEndpoint(options.regionId)
        : typeof endpoint === 'string'
          ? parseEndpoint(endpoint, 'CLOUDFLOW_ENDPOINT')
          : endpoint;
    this.pageSize = options.pageSize;
    this.api = new (sdkClass(openapiSdk))(
      new openapiSdk.Config({
        endpoint: this.endpoint.host,
        protocol: this.endpoint.protocol,
        regionId: options.regionId,
        signatureAlgorithm: 'v2',
        connectTimeout: CONNECT_TIMEOUT_MS,
        readTimeout: READ_TIMEOUT_MS,
        ...options.credentials,
      }),
    );
  }

  /** Starts an execution (Standard mode: it answers at once, Running). With the name of one still running, that one is answered. */
  async startExecution(flowName: string, input: Record<string, unknown>, executionName?: string): Promise<Execution> {
    const body: Record<string, string> = { FlowName: flowName, Input: JSON.stringify(input) };
    if (executionName !== undefined) body['ExecutionName'] = executionName;
    const subject = { flow: flowName, ...(executionName !== undefined ? { execution: executionName } : {}) };
    return this.parsed('StartExecution', subject, ExecutionSchema, await this.call('StartExecution', 'POST', body, subject));
  }

  /** `waitSeconds` (0-60): the service answers once the execution has ended, or after that long (long polling). */
  async describeExecution(flowName: string, executionName: string, options: { waitSeconds?: number } = {}): Promise<Execution> {
    const query: Record<string, string> = { FlowName: flowName, ExecutionName: executionName };
    const wait = options.waitSeconds ?? 0;
    if (wait > 0) query['WaitTimeSeconds'] = String(Math.min(60, Math.floor(wait)));
    const subject = { flow: flowName, execution: executionName };
    const raw = await this.call('DescribeExecution', 'GET', query, subject, wait > 0 ? (wait + 10) * 1000 : undefined);
    return this.parsed('DescribeExecution', subject, ExecutionSchema, raw);
  }

  /** Stops a running execution; `reason` becomes its documented Error (1-128 characters) and Cause (1-4,096). */
  async stopExecution(flowName: string, executionName: string, reason: { error?: string; cause?: string } = {}): Promise<Execution> {
    const body: Record<string, string> = { FlowName: flowName, ExecutionName: executionName };
    if (reason.error) body['Error'] = reason.error;
    if (reason.cause) body['Cause'] = reason.cause;
    const subject = { flow: flowName, execution: executionName };
    return this.parsed('StopExecution', subject, ExecutionSchema, await this.call('StopExecution', 'POST', body, subject));
  }

  /** Every event of the execution so far, in order, all pages read. */
  async getExecutionHistory(flowName: string, executionName: string): Promise<HistoryEvent[]> {
    const subject = { flow: flowName, execution: executionName };
    return this.allPages(
      'GetExecutionHistory',
      subject,
      HistoryPage,
      { FlowName: flowName, ExecutionName: executionName },
      (p) => p.Events,
    );
  }

  /** The flow's executions (optionally those with one status), all pages read. */
  async listExecutions(flowName: string, filter: { status?: ExecutionStatus } = {}): Promise<Execution[]> {
    const query: Record<string, string> = { FlowName: flowName };
    if (filter.status) query['Status'] = filter.status;
    return this.allPages('ListExecutions', { flow: flowName }, ExecutionsPage, query, (p) => p.Executions);
  }

  async describeFlow(name: string): Promise<Flow> {
    const subject = { flow: name };
    return this.parsed('DescribeFlow', subject, FlowSchema, await this.call('DescribeFlow', 'GET', { Name: name }, subject));
  }

  async listFlows(): Promise<Flow[]> {
    return this.allPages('ListFlows', { flow: '' }, FlowsPage, {}, (p) => p.Flows);
  }

  private async allPages<P extends { NextToken?: string | undefined }, T>(
    action: keyof typeof PAGE_LIMITS,
    subject: Subject,
    schema: z.ZodType<P>,
    query: Record<string, string>,
    itemsOf: (page: P) => T[],
  ): Promise<T[]> {
    const items: T[] = [];
    const limit = String(Math.min(PAGE_LIMITS[action], Math.max(1, this.pageSize ?? PAGE_LIMITS[action])));
    const seen = new Set<string>();
    let token: string | undefined;
    for (let pages = 0; pages < MAX_PAGES; pages++) {
      const raw = await this.call(action, 'GET', { ...query, Limit: limit, ...(token !== undefined ? { NextToken: token } : {}) }, subject);
      const page = this.parsed(action, subject, schema, raw);
      items.push(...itemsOf(page));
      token = page.NextToken;
      if (token === undefined) return items;
      if (seen.has(token)) break;
      seen.add(token);
    }
    throw new TransientError(`CloudFlow ${action} ${describe(subject)} kept answering the same NextToken`);
  }

  private parsed<T>(action: string, subject: Subject, schema: z.ZodType<T>, raw: unknown): T {
    const result = schema.safeParse(raw);
    if (!result.success) throw new TransientError(`CloudFlow ${action} ${describe(subject)} answered without the expected fields`);
    return result.data;
  }

  private async call(
    action: string,
    method: 'GET' | 'POST',
    params: Record<string, string>,
    subject: Subject,
    readTimeout?: number,
  ): Promise<unknown> {
    const request = new openapiSdk.OpenApiRequest(method === 'GET' ? { query: params } : { body: params });
    const runtime = new teaUtil.RuntimeOptions({ connectTimeout: CONNECT_TIMEOUT_MS, readTimeout: readTimeout ?? READ_TIMEOUT_MS });
    const spec = rpcParams({ action, version: CLOUDFLOW_API_VERSION, protocol: this.endpoint.protocol, method });
    try {
      const response: unknown = await this.api.callApi(spec, request, runtime);
      return (response as { body?: unknown }).body;
    } catch (err) {
      throw this.mapError(err, action, subject);
    }
  }

  private mapError(err: unknown, action: string, subject: Subject): Error {
    if (isSdkCastError(err)) return new TransientError(`CloudFlow ${action} ${describe(subject)} answered without the expected fields`);
    const info = cloudErrorInfo(err);
    const tail = `(${info.code}${info.status ? `, HTTP ${info.status}` : ''})`;
    if (info.code === 'FlowNotExists') {
      return new CloudFlowNotFoundError(`CloudFlow ${action}: flow ${subject.flow} does not exist in ${this.options.regionId} ${tail}`);
    }
    if (info.code === 'ExecutionNotExists') {
      return new CloudFlowNotFoundError(
        `CloudFlow ${action}: execution ${subject.execution ?? '?'} of flow ${subject.flow} does not exist ${tail}`,
      );
    }
    if (info.code === 'ExecutionAlreadyExists') {
      return new ExecutionAlreadyExistsError(
        `CloudFlow ${action}: execution ${subject.execution ?? '?'} of flow ${subject.flow} has already ended; start it under another name ${tail}`,
      );
    }
    return toRotationError(err, `CloudFlow ${action} ${describe(subject)}`);
  }
}

function describe(subject: Subject): string {
  if (subject.flow === '') return 'for the flows';
  return subject.execution !== undefined ? `for execution ${subject.execution} of flow ${subject.flow}` : `for flow ${subject.flow}`;
}
