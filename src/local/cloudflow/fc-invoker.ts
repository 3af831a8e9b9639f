/**
 * Function invokers that behave as FC does for a Sync invocation: the handler gets the body as a
 * Buffer and a context with a fresh requestId (plus the caller's credentials, as FC passes the
 * function role's STS credentials); a result travels as JSON; a thrown error reaches the flow as
 * its name and message only (FC's errorType and errorMessage). inProcessInvoker calls a handler
 * function; moduleInvoker loads a CommonJS bundle such as dist/index.js and calls its `handler`.
 * The ARN's region and account are ignored; its function name is checked when the context names
 * the function.
 */
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import type { FunctionInvoker, InvokeRequest } from './context.js';
import { FC_FUNCTION_ARN } from './definition.js';
import { toJsonValue } from './json.js';

export interface InvokerCredentials {
  accessKeyId?: string;
  accessKeySecret?: string;
  securityToken?: string;
}

/** What the caller adds to each invocation's context. */
export interface InvokerContext {
  credentials?: InvokerCredentials;
  /** As FC's `context.function`; when given, an ARN naming another function answers FC.FunctionNotFound. */
  function?: { name: string };
}

export interface FcInvocationContext extends InvokerContext {
  requestId: string;
}

export type FcHandler = (event: unknown, context: FcInvocationContext) => unknown;

/** An Error as the flow sees a function's failure: a name (errorType) and a message (errorMessage), nothing else. */
function asInvocationError(thrown: unknown): Error {
  const error = new Error(thrown instanceof Error ? thrown.message : String(thrown));
  error.name = thrown instanceof Error ? thrown.name : 'Error';
  return error;
}

function checkFunctionName(request: InvokeRequest, context: InvokerContext): void {
  const expected = context.function?.name;
  const named = FC_FUNCTION_ARN.exec(request.resourceArn)?.[3];
  if (expected !== undefined && named !== expected) {
    const error = new Error(`function ${named ?? request.resourceArn} not found (this invoker runs ${expected})`);
    error.name = 'FC.FunctionNotFound';
    throw error;
  }
}

export function inProcessInvoker(handler: FcHandler, context: InvokerContext = {}): FunctionInvoker {
  return async (request) => {
    checkFunctionName(request, context);
    let result: unknown;
    try {
      result = await handler(request.body, { ...context, requestId: request.requestId });
    } catch (thrown) {
      throw asInvocationError(thrown);
    }
    return toJsonValue(result);
  };
}

/** Loads the bundle now (so a wrong path fails at once) and invokes its exported `handler`. */
export function moduleInvoker(path: string, context: InvokerContext = {}): FunctionInvoker {
  const absolute = resolve(path);
  const loaded: unknown = createRequire(import.meta.url)(absolute);
  const handler = (loaded as { handler?: unknown } | null)?.handler;
  if (typeof handler !== 'function') throw new Error(`${absolute} exports no handler function`);
  return inProcessInvoker(handler as FcHandler, context);
}
