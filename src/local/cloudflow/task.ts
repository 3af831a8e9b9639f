/**
 * One attempt of a Task state (Action FC:InvokeFunction, TaskMode RequestComplete, Sync): the
 * InputConstructor over the state's input, then Parameters.body evaluated and sent as JSON in a
 * Buffer with a fresh requestId, then `$Output = {Body: result}` and the OutputConstructor (which
 * sees the constructed input as `$Input`). A rejected invocation is the error
 * {Code: err.name, Detail: err.message}, FC's errorType and errorMessage; a result that is not a
 * JSON object is FnF.InvalidOutput.
 */
import { randomUUID } from 'node:crypto';
import { scopeOf, type RunContext } from './context.js';
import type { TaskState } from './definition.js';
import { FLOW_ERROR_CODES, StateError, type FlowError } from './errors.js';
import { construct, evaluatePath } from './expressions.js';
import { isJsonObject, toJsonValue, type JsonObject, type JsonValue } from './json.js';

function invocationError(err: unknown): FlowError {
  if (err instanceof Error) return { Code: err.name, Detail: err.message };
  return { Code: 'Error', Detail: String(err) };
}

export async function runTaskAttempt(
  state: TaskState,
  input: JsonObject,
  path: string,
  attempt: number,
  ctx: RunContext,
): Promise<JsonObject> {
  const stateInput = state.InputConstructor ? construct(state.InputConstructor, scopeOf(ctx, input)) : input;
  const scope = scopeOf(ctx, stateInput);
  const { resourceArn, invocationType, body: bodyConstructor, 'body.$': bodyPath } = state.Parameters;
  const body: JsonValue = bodyPath !== undefined ? evaluatePath(bodyPath, scope) : construct(bodyConstructor ?? {}, scope);

  ctx.events.record({ type: 'TaskAttemptStarted', path, attempt, input: body });
  const started = ctx.now();
  const failed = (error: FlowError): StateError => {
    ctx.events.record({ type: 'TaskAttemptFailed', path, attempt, error, durationMs: ctx.now() - started });
    return new StateError(error, path);
  };
  let raw: unknown;
  try {
    raw = await ctx.invoke({ resourceArn, invocationType, body: Buffer.from(JSON.stringify(body)), requestId: randomUUID() });
  } catch (err) {
    throw failed(invocationError(err));
  }
  const result = toJsonValue(raw);
  if (!isJsonObject(result)) {
    const got =
      result === undefined ? 'no JSON value' : Array.isArray(result) ? 'an array' : result === null ? 'null' : `a ${typeof result}`;
    throw failed({ Code: FLOW_ERROR_CODES.invalidOutput, Detail: `the function returned ${got}, not a JSON object` });
  }
  ctx.events.record({ type: 'TaskAttemptSucceeded', path, attempt, output: result, durationMs: ctx.now() - started });

  const output: JsonObject = { Body: result };
  return state.OutputConstructor ? construct(state.OutputConstructor, scopeOf(ctx, stateInput, { output })) : output;
}
