/**
 * What every state of one execution shares: the function invoker (the contract an FC invocation
 * keeps, so the same flow runs against the handler in-process, a built bundle or a fake), the
 * execution's name and input, the event log, the clock and the (scaled) sleep.
 */
import type { FlowError } from './errors.js';
import type { EventLog } from './events.js';
import type { ExpressionScope } from './expressions.js';
import type { JsonObject, JsonValue } from './json.js';

export interface InvokeRequest {
  resourceArn: string;
  invocationType: 'Sync';
  /** The request body as FC delivers it to the handler: JSON in a Buffer. */
  body: Buffer;
  /** Fresh for every attempt, as FC gives every invocation its own. */
  requestId: string;
}

/** Resolves to the function's JSON result; rejects with an Error whose name is FC's errorType and message its errorMessage. */
export type FunctionInvoker = (request: InvokeRequest) => Promise<unknown>;

export interface RunContext {
  executionName: string;
  executionInput: JsonObject;
  invoke: FunctionInvoker;
  events: EventLog;
  now: () => number;
  /** Sleeps for a delay the definition asks for (Wait, Retry), scaled by the run's timeScale. */
  wait: (ms: number) => Promise<void>;
}

export function scopeOf(ctx: RunContext, input: JsonValue, extra: { output?: JsonValue; error?: FlowError } = {}): ExpressionScope {
  return { executionInput: ctx.executionInput, executionName: ctx.executionName, input, ...extra };
}
