/**
 * Tokenizer and parser for the expressions this runner evaluates: paths (`$Input.Secrets[0].Name`,
 * `$Context.Execution.Input.X`, `$Output.Body.VersionId`, `$Context.Current.Error.Code`) and
 * Choice conditions over them as CloudFlow documents them (strings in double quotes or backticks,
 * numbers, true and false, == != < <= > >=, `in` for an array's element or an object's key,
 * && || !, parentheses; no null literal: the docs have none). Anything else
 * CloudFlow's expression language has (functions, arithmetic, other $Context fields) is a syntax
 * error here that says it is not implemented, so validation reports it instead of a run
 * misbehaving. Never uses eval.
 */
import type { JsonValue } from './json.js';

/** What a path starts from. `Error` is `$Context.Current.Error`, only inside a Catch rule. */
export type PathRoot = 'Input' | 'Output' | 'ExecutionInput' | 'ExecutionName' | 'Error';
export type PathStep = string | number;

export interface PathExpression {
  kind: 'path';
  root: PathRoot;
  steps: PathStep[];
  text: string;
}

export type CompareOp = '==' | '!=' | '<' | '<=' | '>' | '>=' | 'in';

export type Condition =
  | PathExpression
  | { kind: 'literal'; value: JsonValue }
  | { kind: 'not'; operand: Condition }
  | { kind: 'and' | 'or'; left: Condition; right: Condition }
  | { kind: 'compare'; op: CompareOp; left: Condition; right: Condition };

export class ExpressionSyntaxError extends Error {
  override readonly name = 'ExpressionSyntaxError';
}

type Token =
  | { kind: 'path'; path: PathExpression; at: number }
  | { kind: 'literal'; value: JsonValue; at: number }
  | { kind: 'op'; op: CompareOp | '&&' | '||' | '!' | '(' | ')'; at: number };

const KEY = /[A-Za-z_][A-Za-z0-9_]*/y;
const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
const WORD = /[A-Za-z_][A-Za-z0-9_]*/y;
const OPERATORS = ['==', '!=', '<=', '>=', '&&', '||', '<', '>', '!', '(', ')'] as const;

const CONTEXT_ROOTS: Record<string, PathRoot> = {
  'Execution.Input': 'ExecutionInput',
  'Execution.Name': 'ExecutionName',
  'Current.Input': 'Input',
  'Current.Output': 'Output',
  'Current.Error': 'Error',
};

function matchAt(re: RegExp, text: string, at: number): string | undefined {
  re.lastIndex = at;
  return re.exec(text)?.[0];
}

/** Reads `$Root.Key[0]...` from `start`; returns the path and where it ends. */
function readPath(text: string, start: number): { path: PathExpression; end: number } {
  let at = start + 1;
  const variable = matchAt(KEY, text, at);
  if (!variable) throw new ExpressionSyntaxError(`'$' at ${start} must start a path such as $Input.Key`);
  at += variable.length;
  const steps: PathStep[] = [];
  for (;;) {
    const c = text[at];
    if (c === '.') {
      const key = matchAt(KEY, text, at + 1);
      if (!key) throw new ExpressionSyntaxError(`a path step needs a key after '.' at ${at}`);
      steps.push(key);
      at += 1 + key.length;
    } else if (c === '[') {
      const close = text.indexOf(']', at);
      const index = close < 0 ? '' : text.slice(at + 1, close);
      if (!/^(0|[1-9][0-9]*)$/.test(index))
        throw new ExpressionSyntaxError(`path steps are .Key and [index] with a non-negative integer index (at ${at})`);
      steps.push(Number(index));
      at = close + 1;
    } else break;
  }
  return { path: resolveRoot(variable, steps, text.slice(start, at)), end: at };
}

function resolveRoot(variable: string, steps: PathStep[], text: string): PathExpression {
  if (variable === 'Input' || variable === 'Output') return { kind: 'path', root: variable, steps, text };
  if (variable !== 'Context')
    throw new ExpressionSyntaxError(`unknown variable $${variable}: paths start with $Input, $Output or $Context`);
  const head = steps.slice(0, 2).join('.');
  const root = CONTEXT_ROOTS[head];
  if (!root)
    throw new ExpressionSyntaxError(
      `$Context.${head || '...'} is not implemented by this runner (it reads $Context.${Object.keys(CONTEXT_ROOTS).join(', $Context.')})`,
    );
  return { kind: 'path', root, steps: steps.slice(2), text };
}

function readString(text: string, start: number): { value: string; end: number } {
  const quote = text[start] as string;
  let value = '';
  let at = start + 1;
  const escapes: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', "'": "'", '"': '"', '/': '/' };
  while (at < text.length) {
    const c = text[at] as string;
    if (c === quote) return { value, end: at + 1 };
    if (c === '\\') {
      const e = text[at + 1] ?? '';
      if (e === 'u' && /^[0-9a-fA-F]{4}$/.test(text.slice(at + 2, at + 6))) {
        value += String.fromCharCode(parseInt(text.slice(at + 2, at + 6), 16));
        at += 6;
        continue;
      }
      const replacement = escapes[e];
      if (replacement === undefined) throw new ExpressionSyntaxError(`unknown escape '\\${e}' in the string at ${start}`);
      value += replacement;
      at += 2;
      continue;
    }
    value += c;
    at += 1;
  }
  throw new ExpressionSyntaxError(`the string at ${start} is not closed`);
}

export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let at = 0;
  const afterValue = () => {
    const last = tokens[tokens.length - 1];
    return last !== undefined && (last.kind !== 'op' || last.op === ')');
  };
  while (at < text.length) {
    const c = text[at] as string;
    if (/\s/.test(c)) {
      at += 1;
      continue;
    }
    if (c === '$') {
      const { path, end } = readPath(text, at);
      tokens.push({ kind: 'path', path, at });
      at = end;
      continue;
    }
    if (c === "'") throw new ExpressionSyntaxError(`strings are quoted with " or \` in CloudFlow conditions (at ${at})`);
    if (c === '"' || c === '`') {
      const { value, end } = readString(text, at);
      tokens.push({ kind: 'literal', value, at });
      at = end;
      continue;
    }
    const number = c === '-' && afterValue() ? undefined : matchAt(NUMBER, text, at);
    if (number) {
      tokens.push({ kind: 'literal', value: Number(number), at });
      at += number.length;
      continue;
    }
    const word = matchAt(WORD, text, at);
    if (word) {
      const literals: Record<string, JsonValue> = { true: true, false: false };
      if (word in literals) tokens.push({ kind: 'literal', value: literals[word] as JsonValue, at });
      else if (word === 'in') tokens.push({ kind: 'op', op: 'in', at });
      else if (word === 'null')
        throw new ExpressionSyntaxError(`null at ${at} is not in CloudFlow's documented conditions: test a key with "Key" in $Input`);
      else if (/^\s*\(/.test(text.slice(at + word.length)))
        throw new ExpressionSyntaxError(`function ${word}() is not implemented by this runner`);
      else throw new ExpressionSyntaxError(`unknown name '${word}' at ${at}: paths start with $, strings are quoted`);
      at += word.length;
      continue;
    }
    const op = OPERATORS.find((o) => text.startsWith(o, at));
    if (op) {
      tokens.push({ kind: 'op', op, at });
      at += op.length;
      continue;
    }
    if ('+-*/%'.includes(c)) throw new ExpressionSyntaxError(`arithmetic ('${c}' at ${at}) is not implemented by this runner`);
    if (c === '=') throw new ExpressionSyntaxError(`'=' at ${at}: compare with ==`);
    if (c === '&' || c === '|') throw new ExpressionSyntaxError(`'${c}' at ${at}: write ${c}${c}`);
    throw new ExpressionSyntaxError(`unexpected '${c}' at ${at}`);
  }
  return tokens;
}

/** A path alone, as constructors' `.$` values, ItemsPath and `Seconds.$` hold. */
export function parsePath(text: string): PathExpression {
  const tokens = tokenize(text);
  const only = tokens[0];
  if (tokens.length !== 1 || only?.kind !== 'path')
    throw new ExpressionSyntaxError('expected a single path such as $Input.Key (operators and literals belong in Choice conditions)');
  return only.path;
}

/** A Choice condition: `||` binds loosest, then `&&`, then one comparison, then `!`. */
export function parseCondition(text: string): Condition {
  const tokens = tokenize(text);
  let i = 0;
  const peekOp = () => {
    const t = tokens[i];
    return t?.kind === 'op' ? t.op : undefined;
  };
  const where = () => (tokens[i] ? `at ${tokens[i]?.at}` : 'at the end');

  const parseOr = (): Condition => {
    let left = parseAnd();
    while (peekOp() === '||') {
      i += 1;
      left = { kind: 'or', left, right: parseAnd() };
    }
    return left;
  };
  const parseAnd = (): Condition => {
    let left = parseComparison();
    while (peekOp() === '&&') {
      i += 1;
      left = { kind: 'and', left, right: parseComparison() };
    }
    return left;
  };
  const isCompare = (op: string | undefined): op is CompareOp => op !== undefined && ['==', '!=', '<', '<=', '>', '>=', 'in'].includes(op);
  const parseComparison = (): Condition => {
    const left = parseUnary();
    const op = peekOp();
    if (!isCompare(op)) return left;
    i += 1;
    const right = parseUnary();
    if (isCompare(peekOp())) throw new ExpressionSyntaxError(`comparisons do not chain (${where()}): join them with &&`);
    return { kind: 'compare', op, left, right };
  };
  const parseUnary = (): Condition => {
    if (peekOp() === '!') {
      i += 1;
      return { kind: 'not', operand: parseUnary() };
    }
    return parsePrimary();
  };
  const parsePrimary = (): Condition => {
    const t = tokens[i];
    if (!t) throw new ExpressionSyntaxError('the condition ends where a value was expected');
    i += 1;
    if (t.kind === 'path') return t.path;
    if (t.kind === 'literal') return { kind: 'literal', value: t.value };
    if (t.op === '(') {
      const inner = parseOr();
      if (peekOp() !== ')') throw new ExpressionSyntaxError(`missing ')' ${where()}`);
      i += 1;
      return inner;
    }
    throw new ExpressionSyntaxError(`unexpected '${t.op}' at ${t.at}`);
  };

  if (tokens.length === 0) throw new ExpressionSyntaxError('the condition is empty');
  const condition = parseOr();
  if (i < tokens.length) throw new ExpressionSyntaxError(`unexpected ${describe(tokens[i] as Token)} at ${tokens[i]?.at}`);
  return condition;
}

function describe(t: Token): string {
  return t.kind === 'op' ? `'${t.op}'` : t.kind === 'path' ? `path ${t.path.text}` : `literal ${JSON.stringify(t.value)}`;
}

/** Every path a condition reads, for validate.ts to check where each may appear. */
export function pathsOf(condition: Condition): PathExpression[] {
  switch (condition.kind) {
    case 'path':
      return [condition];
    case 'literal':
      return [];
    case 'not':
      return pathsOf(condition.operand);
    default:
      return [...pathsOf(condition.left), ...pathsOf(condition.right)];
  }
}
