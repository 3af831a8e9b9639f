/**
 * Runs a shipped flow (`flows/<name>.yaml`) through the local CloudFlow runner with the real handler
 * in-process, as FC would invoke it: the body as a Buffer of JSON, a fresh requestId per attempt, the
 * caller's environment and credentials. The one way the demo, the tests and (later) the CLI run flows.
 * Dev and test tooling only: never bundled.
 */
import { fileURLToPath } from 'node:url';
import type { ContextCredentials } from '../../alibaba/credentials.js';
import { handle, type HandlerOptions } from '../../handler.js';
import { inProcessInvoker, loadFlowFile, runExecution, type ExecutionEvent, type ExecutionResult } from '../cloudflow/index.js';

export const SHIPPED_FLOWS = ['rotate-secret', 'rotate-many', 'rotate-due'] as const;
export type ShippedFlow = (typeof SHIPPED_FLOWS)[number];

/** The package's `flows/` folder, wherever the package is installed. */
export const FLOWS_DIR = fileURLToPath(new URL('../../../flows/', import.meta.url));

export function shippedFlowPath(name: ShippedFlow): string {
  return `${FLOWS_DIR}${name}.yaml`;
}

export interface FlowRunOptions extends HandlerOptions {
  /** What FC would put in `context.credentials`: the function role's STS credentials. */
  credentials?: ContextCredentials;
  /** Retry and Wait delays are multiplied by this; 0 runs them without waiting. Default 1. */
  timeScale?: number;
  onEvent?: (event: ExecutionEvent) => void;
  executionName?: string;
}

/** Runs a shipped flow by name, or any definition file by path, against the handler in-process. */
export async function runFlow(
  flow: ShippedFlow | { path: string },
  input: Record<string, unknown>,
  options: FlowRunOptions,
): Promise<ExecutionResult> {
  const definition = await loadFlowFile(typeof flow === 'string' ? shippedFlowPath(flow) : flow.path);
  const handlerOptions: HandlerOptions = { env: options.env, ...(options.sink ? { sink: options.sink } : {}) };
  const invoke = inProcessInvoker((event, context) => handle(event, context, handlerOptions), {
    ...(options.credentials ? { credentials: options.credentials } : {}),
  });
  return runExecution(definition, input, {
    invoke,
    ...(options.timeScale !== undefined ? { timeScale: options.timeScale } : {}),
    ...(options.onEvent ? { onEvent: options.onEvent } : {}),
    ...(options.executionName ? { executionName: options.executionName } : {}),
  });
}
