/**
 * JSON values as CloudFlow moves them between states, and the two checks every state's data
 * passes: it is a JSON object, and it is at most 64 KiB once serialised. Kept apart so the
 * expression evaluator, the states and the printer agree on one notion of "JSON".
 */

export type JsonValue = null | boolean | number | string | JsonValue[] | JsonObject;
export interface JsonObject {
  [key: string]: JsonValue;
}

/** CloudFlow's limit on one state's input or output. */
export const MAX_STATE_DATA_BYTES = 64 * 1024;

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function jsonByteLength(value: JsonValue): number {
  return Buffer.byteLength(JSON.stringify(value), 'utf8');
}

/**
 * What a JavaScript value becomes after a trip through JSON, as FC serialises a function's
 * result; undefined when it has no JSON form (undefined, a function, a cycle, a BigInt).
 */
export function toJsonValue(value: unknown): JsonValue | undefined {
  try {
    const text = JSON.stringify(value);
    return text === undefined ? undefined : (JSON.parse(text) as JsonValue);
  } catch {
    return undefined;
  }
}

/** Structural equality of two JSON values (object key order does not matter). */
export function jsonEquals(a: JsonValue, b: JsonValue): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((v, i) => jsonEquals(v, b[i] as JsonValue));
  if (isJsonObject(a) && isJsonObject(b)) {
    const keys = Object.keys(a);
    return keys.length === Object.keys(b).length && keys.every((k) => k in b && jsonEquals(a[k] as JsonValue, b[k] as JsonValue));
  }
  return false;
}
