/**
 * CloudFlow's (FnF 2019-03-15) request parameters as the emulator reads them, and the API errors it
 * answers with, by the codes, HTTP statuses and messages Alibaba's API reference lists for the
 * execution and flow actions. Messages name a parameter, a flow or an execution (names are checked
 * against CloudFlow's name rule before they are echoed), never the value of Input, which could hold
 * anything. No I/O.
 */
import { AcsApiError, optionalParam, type AcsParams } from '../acs-rpc/params.js';
import type { JsonObject } from '../../cloudflow/index.js';

/** CloudFlow's limit on an execution's input, as on every state's data: 64 KiB serialised. */
export const MAX_INPUT_BYTES = 64 * 1024;

/** Names a caller chooses (flows, StartExecution's ExecutionName): letters, digits, `_` and `-`, starting with a letter or `_`, 1 to 128 characters. */
const NAME = /^[A-Za-z_][A-Za-z0-9_-]{0,127}$/;
/** An execution name to look up may also be one the service made up (a UUID, which can start with a digit). */
const LOOKUP_NAME = /^[A-Za-z0-9_-]{1,128}$/;

export const EXECUTION_STATUSES = ['Starting', 'Running', 'Stopped', 'Succeeded', 'Failed', 'TimedOut'] as const;
export type ExecutionStatus = (typeof EXECUTION_STATUSES)[number];

/** CloudFlow writes times with milliseconds: 2019-01-01T01:01:01.001Z. */
export function formatTime(ms: number): string {
  return new Date(ms).toISOString();
}

export function missingRequiredParams(name: string): AcsApiError {
  return new AcsApiError(400, 'MissingRequiredParams', `The HTTP query '${name}' must be specified.`);
}

/** The documented message is "Parameter error."; the emulator says which parameter and which rule. */
export function invalidArgument(detail: string): AcsApiError {
  return new AcsApiError(400, 'InvalidArgument', `Parameter error: ${detail}`);
}

export function flowNotExists(flowName: string): AcsApiError {
  return new AcsApiError(404, 'FlowNotExists', `Flow ${flowName} does not exist.`);
}

export function executionNotExists(executionName: string, flowName: string): AcsApiError {
  return new AcsApiError(404, 'ExecutionNotExists', `Execution ${executionName} for flow ${flowName} does not exist.`);
}

/** StartExecution with the name of an execution that has ended (400 in the API reference, not 409). */
export function executionAlreadyExists(executionName: string, flowName: string): AcsApiError {
  return new AcsApiError(400, 'ExecutionAlreadyExists', `Execution ${executionName} for flow ${flowName} already exists.`);
}

/** StopExecution on an execution that has ended. */
export function executionAlreadyCompleted(executionName: string, flowName: string): AcsApiError {
  return new AcsApiError(400, 'ExecutionAlreadyCompleted', `Execution '${executionName}' for flow '${flowName}' has already completed.`);
}

function checkedName(value: string, name: string, rule = NAME): string {
  if (!rule.test(value)) {
    throw invalidArgument(
      rule === NAME
        ? `${name} must be 1 to 128 letters, digits, '_' or '-', starting with a letter or '_'.`
        : `${name} is not a valid name.`,
    );
  }
  return value;
}

/** `lookup`: the name of something that exists already, which the service may have named itself. */
export function requiredName(params: AcsParams, name: string, lookup = false): string {
  const value = optionalParam(params, name);
  if (value === undefined) throw missingRequiredParams(name);
  return checkedName(value, name, lookup ? LOOKUP_NAME : NAME);
}

export function optionalName(params: AcsParams, name: string): string | undefined {
  const value = optionalParam(params, name);
  return value === undefined ? undefined : checkedName(value, name);
}

export function integerParam(params: AcsParams, name: string, range: { min: number; max: number; fallback: number }): number {
  const value = optionalParam(params, name);
  if (value === undefined) return range.fallback;
  const n = /^\d{1,6}$/.test(value) ? Number(value) : NaN;
  if (!(n >= range.min && n <= range.max)) throw invalidArgument(`${name} must be an integer from ${range.min} to ${range.max}.`);
  return n;
}

/** The execution's input: a JSON object, `{}` when absent. Refusals never quote it. */
export function inputParam(params: AcsParams): { text: string; value: JsonObject } {
  const text = optionalParam(params, 'Input') ?? '{}';
  if (Buffer.byteLength(text, 'utf8') > MAX_INPUT_BYTES) {
    throw new AcsApiError(400, 'EntityTooLarge', `The payload size exceeds maximum allowed size (${MAX_INPUT_BYTES} bytes).`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw invalidArgument('Input must be a JSON object.');
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw invalidArgument('Input must be a JSON object.');
  return { text, value: value as JsonObject };
}

export function statusParam(params: AcsParams): ExecutionStatus | undefined {
  const value = optionalParam(params, 'Status');
  if (value === undefined) return undefined;
  if (!(EXECUTION_STATUSES as readonly string[]).includes(value))
    throw invalidArgument(`Status must be one of ${EXECUTION_STATUSES.join(', ')}.`);
  return value as ExecutionStatus;
}

/** StartedTimeBegin / StartedTimeEnd: UTC RFC 3339 times. */
export function timeParam(params: AcsParams, name: string): number | undefined {
  const value = optionalParam(params, name);
  if (value === undefined) return undefined;
  const ms = /^\d{4}-\d{2}-\d{2}T/.test(value) ? Date.parse(value) : NaN;
  if (Number.isNaN(ms)) throw invalidArgument(`${name} must be a UTC RFC 3339 time such as 2020-12-02T02:39:20.402Z.`);
  return ms;
}

/**
 * One page of `items` in order: NextToken names the first item of the page (an execution's or a flow's name,
 * an event's id), and the answer's NextToken the first of the next page, absent on the last one.
 */
export function page<T>(
  items: readonly T[],
  keyOf: (item: T) => string,
  nextToken: string | undefined,
  limit: number,
): { items: T[]; next?: string } {
  let start = 0;
  if (nextToken !== undefined) {
    start = items.findIndex((item) => keyOf(item) === nextToken);
    if (start < 0) throw invalidArgument('NextToken is not one this API returned.');
  }
  const slice = items.slice(start, start + limit);
  const following = items[start + limit];
  return following === undefined ? { items: slice } : { items: slice, next: keyOf(following) };
}
