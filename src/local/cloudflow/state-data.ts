/**
 * The checks CloudFlow applies to every state's input and output: a JSON object, at most 64 KiB
 * serialised. A failure is a StateError, so a state's Retry and Catch rules see it like any other.
 */
import { FLOW_ERROR_CODES, StateError } from './errors.js';
import { isJsonObject, jsonByteLength, MAX_STATE_DATA_BYTES, type JsonObject, type JsonValue } from './json.js';

export function checkStateData(value: JsonValue, which: 'input' | 'output', path: string): JsonObject {
  if (!isJsonObject(value)) {
    const got = value === null ? 'null' : Array.isArray(value) ? 'an array' : `a ${typeof value}`;
    throw new StateError({ Code: FLOW_ERROR_CODES.invalidInput, Detail: `the state's ${which} must be a JSON object, not ${got}` }, path);
  }
  const bytes = jsonByteLength(value);
  if (bytes > MAX_STATE_DATA_BYTES)
    throw new StateError(
      {
        Code: FLOW_ERROR_CODES.stateSizeExceeded,
        Detail: `the state's ${which} is ${bytes} bytes serialised; CloudFlow allows ${MAX_STATE_DATA_BYTES}`,
      },
      path,
    );
  return value;
}
