/**
 * Runs an execution of a validated definition locally, as CloudFlow would: each state's input is
 * checked, the state runs (Task and Map through their Retry rules), its output is checked, then
 * Next, Choice's branch, a Catch rule's Next, or the end of the scope. Runtime error codes are
 * listed in errors.ts. Delays (Wait, Retry) go through `sleep(ms * timeScale)` so tests never
 * wait for real and can see what was asked for. The definition is validated again here, so a
 * hand-built object cannot run anything validation would refuse.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { scopeOf, type FunctionInvoker, type RunContext } from './context.js';
import { WAIT_SECONDS, type FlowDefinition, type Processor, type State } from './definition.js';
import { ExecutionAbortedError, FLOW_ERROR_CODES, StateError, type FlowError } from './errors.js';
import { EventLog, type ExecutionEvent } from './events.js';
import { ConditionEvaluationError, construct, evaluateCondition, evaluatePath } from './expressions.js';
import { isJsonObject, toJsonValue, type JsonObject, type JsonValue } from './json.js';
import { runMapAttempt } from './map.js';
import { firstMatching, withRetry } from './retry.js';
import { checkStateData } from './state-data.js';
import { runTaskAttempt } from './task.js';
import { validateDefinition } from './validate.js';

export interface RunOptions {
  invoke: FunctionInvoker;
  /** `$Context.Execution.Name`; a random UUID when not given. */
  executionName?: string;
  sleep?: (ms: number) => Promise<void>;
  /** Multiplies every delay before it is slept: 1 by default, 0 to not wait at all. */
  timeScale?: number;
  onEvent?: (e: ExecutionEvent) => void;
  now?: () => number;
}

export interface ExecutionResult {
  status: 'Succeeded' | 'Failed';
  output?: JsonObject;
  error?: FlowError;
  /** The state the error arose in, the innermost one inside a Map: `RotateEach[2]/CreatePending`. */
  failedState?: string;
  /** When a Fail state failed the execution: its input (a Catch rule's OutputConstructor may have put the function's error there). */
  failedStateInput?: JsonObject;
  events: ExecutionEvent[];
}

/** Where a state leaves its scope: on to `next`, or (no `next`) out of the scope with `output`. */
type Outcome = { output: JsonObject; next?: undefined } | { output: JsonValue; next: string };

function transition(state: State, output: JsonObject): Outcome {
  return 'Next' in state && state.Next !== undefined ? { output, next: state.Next } : { output };
}

async function runScope(states: readonly State[], startAt: string, input: JsonValue, prefix: string, ctx: RunContext): Promise<JsonObject> {
  const byName = new Map(states.map((s) => [s.Name, s]));
  let name = startAt;
  let data = input;
  for (;;) {
    const state = byName.get(name) as State; // validation guarantees every name points somewhere
    const outcome = await runState(state, data, prefix ? `${prefix}/${state.Name}` : state.Name, ctx);
    if (outcome.next === undefined) return outcome.output;
    name = outcome.next;
    data = outcome.output;
  }
}

const runProcessor = (processor: Processor, item: JsonValue, prefix: string, ctx: RunContext) =>
  runScope(processor.States, processor.StartAt, item, prefix, ctx);

async function runState(state: State, input: JsonValue, path: string, ctx: RunContext): Promise<Outcome> {
  ctx.events.record({ type: 'StateEntered', path, input });
  const started = ctx.now();
  const retry = state.Type === 'Task' || state.Type === 'Map' ? state.Retry : undefined;
  try {
    const outcome = await withRetry(retry, path, ctx, (attempt) => attemptState(state, input, path, attempt, ctx));
    ctx.events.record({ type: 'StateSucceeded', path, output: outcome.output, durationMs: ctx.now() - started });
    return outcome;
  } catch (err) {
    if (!(err instanceof StateError)) throw err;
    ctx.events.record({ type: 'StateFailed', path, error: err.error, durationMs: ctx.now() - started });
    const caught = state.Type === 'Task' || state.Type === 'Map' ? firstMatching(state.Catch, err.error.Code) : undefined;
    if (!caught) throw err;
    // The next state gets what this one received (before its InputConstructor), or what the rule builds from it.
    const { OutputConstructor: build, Next: next } = caught.rule;
    return { output: build ? construct(build, scopeOf(ctx, input, { error: err.error })) : input, next };
  }
}

async function attemptState(state: State, rawInput: JsonValue, path: string, attempt: number, ctx: RunContext): Promise<Outcome> {
  const input = checkStateData(rawInput, 'input', path);
  let output: JsonObject;
  switch (state.Type) {
    case 'Task':
      output = await runTaskAttempt(state, input, path, attempt, ctx);
      break;
    case 'Map':
      output = await runMapAttempt(state, input, path, ctx, runProcessor);
      break;
    case 'Pass':
    case 'Wait': {
      const stateInput = state.InputConstructor ? construct(state.InputConstructor, scopeOf(ctx, input)) : input;
      if (state.Type === 'Wait') await ctx.wait(waitSeconds(state['Seconds.$'] ?? state.Seconds, stateInput, path, ctx) * 1000);
      output = state.OutputConstructor ? construct(state.OutputConstructor, scopeOf(ctx, stateInput, { output: stateInput })) : stateInput;
      break;
    }
    case 'Choice':
      return { output: input, next: choose(state, input, path, ctx) };
    case 'Succeed':
      return { output: input };
    case 'Fail':
      throw new StateError({ Code: state.Code ?? FLOW_ERROR_CODES.failStateDefault, Detail: state.Detail }, path, input);
  }
  return transition(state, checkStateData(output, 'output', path));
}

function waitSeconds(seconds: number | string | undefined, input: JsonObject, path: string, ctx: RunContext): number {
  const value = typeof seconds === 'string' ? evaluatePath(seconds, scopeOf(ctx, input)) : (seconds ?? null);
  if (typeof value === 'number' && Number.isInteger(value) && value >= WAIT_SECONDS.min && value <= WAIT_SECONDS.max) return value;
  throw new StateError(
    {
      Code: FLOW_ERROR_CODES.invalidWaitSeconds,
      Detail: `Seconds.$ yields ${JSON.stringify(value)}, not an integer from ${WAIT_SECONDS.min} to ${WAIT_SECONDS.max}`,
    },
    path,
  );
}

function choose(state: Extract<State, { Type: 'Choice' }>, input: JsonObject, path: string, ctx: RunContext): string {
  const scope = scopeOf(ctx, input);
  for (const [i, branch] of state.Branches.entries()) {
    try {
      if (evaluateCondition(branch.Condition, scope)) return branch.Next;
    } catch (err) {
      if (!(err instanceof ConditionEvaluationError)) throw err;
      throw new StateError(
        { Code: FLOW_ERROR_CODES.conditionError, Detail: `Branches[${i}].Condition ${branch.Condition}: ${err.message}` },
        path,
      );
    }
  }
  return state.Default;
}

export async function runExecution(definition: FlowDefinition, input: unknown, options: RunOptions): Promise<ExecutionResult> {
  const flow = validateDefinition(definition, `flow ${String(definition?.Name)}`);
  const now = options.now ?? Date.now;
  const events = new EventLog(now, options.onEvent);
  const started = now();
  const sleep = options.sleep ?? ((ms: number) => delay(ms));
  const timeScale = options.timeScale ?? 1;
  if (!(timeScale >= 0)) throw new RangeError(`timeScale must be a number >= 0, not ${timeScale}`);
  events.record({ type: 'ExecutionStarted', path: '', input });

  const failed = (error: FlowError, failedState?: string, failedStateInput?: unknown): ExecutionResult => {
    events.recordFinal({ type: 'ExecutionFailed', path: '', error, durationMs: now() - started });
    return {
      status: 'Failed',
      error,
      ...(failedState !== undefined ? { failedState } : {}),
      ...(isJsonObject(failedStateInput) ? { failedStateInput } : {}),
      events: events.events,
    };
  };

  const executionInput = toJsonValue(input);
  if (!isJsonObject(executionInput))
    return failed({ Code: FLOW_ERROR_CODES.invalidInput, Detail: 'the execution input must be a JSON object' });
  const ctx: RunContext = {
    executionName: options.executionName ?? randomUUID(),
    executionInput,
    invoke: options.invoke,
    events,
    now,
    wait: (ms) => sleep(ms * timeScale),
  };
  try {
    const output = await runScope(flow.States, flow.StartAt, executionInput, '', ctx);
    events.recordFinal({ type: 'ExecutionSucceeded', path: '', output, durationMs: now() - started });
    return { status: 'Succeeded', output, events: events.events };
  } catch (err) {
    if (err instanceof StateError) return failed(err.error, err.statePath, err.failStateInput);
    if (err instanceof ExecutionAbortedError) return failed(err.error, err.statePath);
    throw err;
  }
}
