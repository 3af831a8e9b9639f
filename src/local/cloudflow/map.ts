/**
 * One attempt of an inline Map state: ItemsPath (over the constructed input) must yield an array;
 * each item runs the Processor as its own scope with the item as input, at most MaxConcurrency
 * (default and cap 40) at a time; `$Output = {Items: [outputs in input order]}`. The first item to
 * fail fails the Map with its error: no new item starts, those in flight finish first.
 */
import { scopeOf, type RunContext } from './context.js';
import { MAX_MAP_CONCURRENCY, type MapState, type Processor } from './definition.js';
import { ExecutionAbortedError, FLOW_ERROR_CODES, StateError } from './errors.js';
import { construct, evaluatePath } from './expressions.js';
import type { JsonObject, JsonValue } from './json.js';

/** Runs one item's Processor; `prefix` is the item's path, `RotateEach[3]`. */
export type ProcessorRunner = (processor: Processor, item: JsonValue, prefix: string, ctx: RunContext) => Promise<JsonValue>;

/** `worker` over every item, at most `limit` at once, results in input order; the first failure wins (an abort over a state error). */
export async function mapWithConcurrency<T, R>(
  items: readonly T[],
  limit: number,
  worker: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const failures: unknown[] = [];
  const lane = async (): Promise<void> => {
    while (failures.length === 0 && next < items.length) {
      const index = next++;
      try {
        results[index] = await worker(items[index] as T, index);
      } catch (error) {
        failures.push(error);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  if (failures.length > 0) throw failures.find((e) => e instanceof ExecutionAbortedError) ?? failures[0];
  return results;
}

export async function runMapAttempt(
  state: MapState,
  input: JsonObject,
  path: string,
  ctx: RunContext,
  runProcessor: ProcessorRunner,
): Promise<JsonObject> {
  const stateInput = state.InputConstructor ? construct(state.InputConstructor, scopeOf(ctx, input)) : input;
  const items = evaluatePath(state.ItemsPath, scopeOf(ctx, stateInput));
  if (!Array.isArray(items))
    throw new StateError(
      {
        Code: FLOW_ERROR_CODES.invalidItemsPath,
        Detail: `ItemsPath ${state.ItemsPath} yields ${items === null ? 'null' : typeof items}, not an array`,
      },
      path,
    );
  const outputs = await mapWithConcurrency(items, state.MaxConcurrency ?? MAX_MAP_CONCURRENCY, (item, index) =>
    runProcessor(state.Processor, item, `${path}[${index}]`, ctx),
  );
  const output: JsonObject = { Items: outputs };
  return state.OutputConstructor ? construct(state.OutputConstructor, scopeOf(ctx, stateInput, { output })) : output;
}
