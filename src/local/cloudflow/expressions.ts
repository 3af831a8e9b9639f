/**
 * Evaluates the expressions of a validated definition: paths, constructors (InputConstructor,
 * OutputConstructor, a Task's body, a Catch rule's OutputConstructor) and Choice conditions.
 * A key ending `.$` holds an expression and loses the suffix in the result; other values are
 * literals, objects are recursed so nested `.$` keys work, arrays are copied as they are.
 * A path that does not exist yields null, and the constructed object keeps the key with null
 * (CloudFlow's documentation allows exactly that; the runner shows it rather than dropping it).
 */
import type { FlowError } from './errors.js';
import { parseCondition, parsePath, type Condition, type PathExpression } from './expression-parser.js';
import { isJsonObject, jsonEquals, type JsonObject, type JsonValue } from './json.js';

export const EXPRESSION_SUFFIX = '.$';

/** What the paths of one evaluation can see. `output` only inside an OutputConstructor, `error` only in a Catch rule. */
export interface ExpressionScope {
  executionInput: JsonObject;
  executionName: string;
  input: JsonValue;
  output?: JsonValue;
  error?: FlowError;
}

/** A condition was well formed but the data makes it meaningless (comparing null with a number). */
export class ConditionEvaluationError extends Error {
  override readonly name = 'ConditionEvaluationError';
}

const paths = new Map<string, PathExpression>();
const conditions = new Map<string, Condition>();

function cachedPath(text: string): PathExpression {
  let path = paths.get(text);
  if (!path) paths.set(text, (path = parsePath(text)));
  return path;
}

function rootValue(path: PathExpression, scope: ExpressionScope): JsonValue {
  switch (path.root) {
    case 'Input':
      return scope.input;
    case 'Output':
      return scope.output ?? null;
    case 'ExecutionInput':
      return scope.executionInput;
    case 'ExecutionName':
      return scope.executionName;
    case 'Error':
      return scope.error ? { Code: scope.error.Code, Detail: scope.error.Detail } : null;
  }
}

export function evaluatePath(path: PathExpression | string, scope: ExpressionScope): JsonValue {
  const parsed = typeof path === 'string' ? cachedPath(path) : path;
  let value: JsonValue = rootValue(parsed, scope);
  for (const step of parsed.steps) {
    if (typeof step === 'number') value = Array.isArray(value) ? (value[step] ?? null) : null;
    else value = isJsonObject(value) && Object.hasOwn(value, step) ? (value[step] as JsonValue) : null;
  }
  return value;
}

export function construct(constructor: Record<string, unknown>, scope: ExpressionScope): JsonObject {
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(constructor)) {
    if (key.endsWith(EXPRESSION_SUFFIX)) out[key.slice(0, -EXPRESSION_SUFFIX.length)] = evaluatePath(value as string, scope);
    else if (isJsonObject(value)) out[key] = construct(value, scope);
    else out[key] = structuredClone(value) as JsonValue;
  }
  return out;
}

function typeName(value: JsonValue): string {
  return value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;
}

function evaluate(condition: Condition, scope: ExpressionScope): JsonValue {
  switch (condition.kind) {
    case 'path':
      return evaluatePath(condition, scope);
    case 'literal':
      return condition.value;
    case 'not':
      return !asBoolean(evaluate(condition.operand, scope), '!');
    case 'and':
      return asBoolean(evaluate(condition.left, scope), '&&') && asBoolean(evaluate(condition.right, scope), '&&');
    case 'or':
      return asBoolean(evaluate(condition.left, scope), '||') || asBoolean(evaluate(condition.right, scope), '||');
    case 'compare': {
      const left = evaluate(condition.left, scope);
      const right = evaluate(condition.right, scope);
      if (condition.op === '==') return jsonEquals(left, right);
      if (condition.op === '!=') return !jsonEquals(left, right);
      if (condition.op === 'in') {
        // CloudFlow: whether an array holds the value, or an object has the key.
        if (Array.isArray(right)) return right.some((item) => jsonEquals(item, left));
        if (right !== null && typeof right === 'object' && typeof left === 'string') return Object.hasOwn(right, left);
        throw new ConditionEvaluationError(`in needs an array, or a string key and an object; got ${typeName(left)} in ${typeName(right)}`);
      }
      const comparable = (typeof left === 'number' && typeof right === 'number') || (typeof left === 'string' && typeof right === 'string');
      if (!comparable) throw new ConditionEvaluationError(`cannot order ${typeName(left)} ${condition.op} ${typeName(right)}`);
      switch (condition.op) {
        case '<':
          return left < right;
        case '<=':
          return left <= right;
        case '>':
          return left > right;
        case '>=':
          return left >= right;
      }
    }
  }
}

function asBoolean(value: JsonValue, operator: string): boolean {
  if (typeof value !== 'boolean') throw new ConditionEvaluationError(`${operator} needs booleans, got ${typeName(value)}`);
  return value;
}

/** Evaluates a Choice condition; its value must be a boolean (no truthiness). */
export function evaluateCondition(text: string, scope: ExpressionScope): boolean {
  let condition = conditions.get(text);
  if (!condition) conditions.set(text, (condition = parseCondition(text)));
  const value = evaluate(condition, scope);
  if (typeof value !== 'boolean') throw new ConditionEvaluationError(`the condition yields ${typeName(value)}, not a boolean`);
  return value;
}
