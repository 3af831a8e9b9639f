/**
 * The local CloudFlow runner's public API: load and validate a definition, run an execution
 * against a function invoker, print its events. Dev and operator tooling only: the function
 * (src/handler.ts) never imports this folder, and this folder imports nothing of the function's.
 */
export type { InvokeRequest, FunctionInvoker } from './context.js';
export type { FlowDefinition, State, StateType } from './definition.js';
export { ALL_ERRORS, FLOW_ERROR_CODES, FlowDefinitionError, type FlowError, type FlowProblem } from './errors.js';
export { MAX_EXECUTION_EVENTS, type ExecutionEvent, type ExecutionEventType } from './events.js';
export {
  inProcessInvoker,
  moduleInvoker,
  type FcHandler,
  type FcInvocationContext,
  type InvokerContext,
  type InvokerCredentials,
} from './fc-invoker.js';
export { runExecution, type ExecutionResult, type RunOptions } from './interpreter.js';
export type { JsonObject, JsonValue } from './json.js';
export { loadFlow, loadFlowFile, parseFlowText } from './load.js';
export { formatEvent, formatEvents, type FormatOptions } from './print.js';
export { findProblems, validateDefinition } from './validate.js';
