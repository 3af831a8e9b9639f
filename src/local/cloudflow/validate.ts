/**
 * Checks a definition before anything runs and reports ALL its problems at once, each naming the
 * state (`RotateEach/CreatePending` inside a Map's Processor) and the field: unknown keys, state
 * types this runner does not implement, Next/End, names that point nowhere, duplicate and
 * unreachable states, expressions that do not parse or read what their place cannot see, bad
 * function ARNs. Shape checks come from definition.ts; this file adds what spans fields and states.
 */
import { z } from 'zod';
import {
  definitionShellSchema,
  flowDefinitionSchema,
  IMPLEMENTED_STATE_TYPES,
  shallowStateSchemas,
  UNIMPLEMENTED_STATE_TYPES,
  type FlowDefinition,
  type StateType,
} from './definition.js';
import { FlowDefinitionError, type FlowProblem } from './errors.js';
import { ExpressionSyntaxError, parseCondition, parsePath, pathsOf, type PathExpression, type PathRoot } from './expression-parser.js';
import { EXPRESSION_SUFFIX } from './expressions.js';
import { isJsonObject } from './json.js';

type Raw = Record<string, unknown>;

/** Where an expression sits decides which variables it may read. */
type Place = 'state' | 'output' | 'catch';
const READABLE: Record<Place, PathRoot[]> = {
  state: ['Input', 'ExecutionInput', 'ExecutionName'],
  output: ['Input', 'Output', 'ExecutionInput', 'ExecutionName'],
  catch: ['Input', 'Error', 'ExecutionInput', 'ExecutionName'],
};
const UNREADABLE: Partial<Record<PathRoot, string>> = {
  Output: '$Output is only available inside an OutputConstructor',
  Error: "$Context.Current.Error is only available inside a Catch rule's OutputConstructor",
};

const KEY_HINTS: Record<string, string> = {
  MaxConcuccency: 'this runner reads MaxConcurrency (the Alibaba reference tables misspell it MaxConcuccency)',
  OnErrors: 'obsolete draft syntax: write Retry and Catch',
  FixedBackoff: 'obsolete draft syntax: write IntervalSeconds',
  Multiplier: 'obsolete draft syntax: write BackoffRate',
  inputMappings: 'legacy flow language: write InputConstructor',
  outputMappings: 'legacy flow language: write OutputConstructor',
};
const TERMINAL: Partial<Record<StateType, string>> = {
  Choice: 'a Choice state goes on through its Branches and Default',
  Succeed: 'a Succeed state ends its scope',
  Fail: 'a Fail state ends its scope',
};

const isRaw = (v: unknown): v is Raw => isJsonObject(v);
const isLegacy = (doc: Raw) => 'steps' in doc || doc.type === 'flow' || ('version' in doc && !('SpecVersion' in doc));

function fieldName(steps: readonly PropertyKey[]): string {
  return steps.reduce<string>((out, s) => (typeof s === 'number' ? `${out}[${s}]` : out ? `${out}.${String(s)}` : String(s)), '');
}

function valueAt(raw: unknown, steps: readonly PropertyKey[]): unknown {
  return steps.reduce<unknown>((v, s) => (v !== null && typeof v === 'object' ? (v as Record<PropertyKey, unknown>)[s] : undefined), raw);
}

/** The keys an object schema accepts at `steps` inside `schema`, to list them next to an unknown key. */
function keysAt(schema: z.ZodType, steps: readonly PropertyKey[]): string[] {
  let s: unknown = schema;
  for (const step of steps) {
    while (s instanceof z.ZodOptional) s = s.unwrap();
    if (typeof step === 'number' && s instanceof z.ZodArray) s = s.element;
    else if (s instanceof z.ZodObject) s = (s.shape as Record<string, unknown>)[String(step)];
    else return [];
  }
  while (s instanceof z.ZodOptional) s = s.unwrap();
  return s instanceof z.ZodObject ? Object.keys(s.shape) : [];
}

function unknownKeyMessage(key: string, type: StateType | undefined, allowed: string[]): string {
  const terminal = type ? TERMINAL[type] : undefined;
  if (terminal && (key === 'Next' || key === 'End')) return `unknown key: ${terminal}`;
  const hint = KEY_HINTS[key];
  if (hint) return `unknown key: ${hint}`;
  return allowed.length > 0 ? `unknown key (this runner reads ${allowed.join(', ')})` : 'unknown key';
}

function schemaProblems(schema: z.ZodType, raw: unknown, path: string, type: StateType | undefined): FlowProblem[] {
  const result = schema.safeParse(raw);
  if (result.success) return [];
  return result.error.issues.flatMap((issue) => {
    if (issue.code === 'unrecognized_keys') {
      const allowed = keysAt(schema, issue.path);
      return issue.keys.map((key) => ({ path, field: fieldName([...issue.path, key]), message: unknownKeyMessage(key, type, allowed) }));
    }
    const missing = valueAt(raw, issue.path) === undefined;
    return [{ path, field: fieldName(issue.path), message: missing ? 'is required' : issue.message }];
  });
}

class Checker {
  readonly problems: FlowProblem[] = [];

  add(path: string, field: string, message: string): void {
    this.problems.push({ path, field, message });
  }

  path(text: unknown, place: Place, path: string, field: string): PathExpression | undefined {
    if (typeof text !== 'string') return undefined; // the schema reports the type
    try {
      const parsed = parsePath(text);
      this.readable(parsed, place, path, field);
      return parsed;
    } catch (err) {
      if (!(err instanceof ExpressionSyntaxError)) throw err;
      this.add(path, field, `${JSON.stringify(text)}: ${err.message}`);
      return undefined;
    }
  }

  readable(parsed: PathExpression, place: Place, path: string, field: string): void {
    if (!READABLE[place].includes(parsed.root)) this.add(path, field, `${parsed.text}: ${UNREADABLE[parsed.root] ?? 'not readable here'}`);
  }

  condition(text: unknown, path: string, field: string): void {
    if (typeof text !== 'string') return;
    try {
      for (const p of pathsOf(parseCondition(text))) this.readable(p, 'state', path, field);
    } catch (err) {
      if (!(err instanceof ExpressionSyntaxError)) throw err;
      this.add(path, field, `${JSON.stringify(text)}: ${err.message}`);
    }
  }

  constructorFields(value: unknown, place: Place, path: string, field: string): void {
    if (!isRaw(value)) return;
    for (const [key, v] of Object.entries(value)) {
      const f = `${field}.${key}`;
      if (key.endsWith(EXPRESSION_SUFFIX)) {
        const bare = key.slice(0, -EXPRESSION_SUFFIX.length);
        if (bare === '') this.add(path, f, 'an expression key needs a name before .$');
        if (Object.hasOwn(value, bare)) this.add(path, f, `both ${bare} and ${key} are given; keep one`);
        if (typeof v !== 'string') this.add(path, f, 'an expression (a key ending .$) must be a string such as $Input.Key');
        else this.path(v, place, path, f);
      } else if (isRaw(v)) this.constructorFields(v, place, path, f);
      else if (Array.isArray(v) && containsExpressionKey(v))
        this.add(path, f, 'arrays are literals: a .$ key inside an array would not be evaluated; build the array with a path instead');
    }
  }

  scope(states: unknown, startAt: unknown, prefix: string): void {
    if (!Array.isArray(states)) return;
    const join = (name: string) => (prefix ? `${prefix}/${name}` : name);
    const scopeName = prefix ? `the Processor of ${prefix}` : 'the flow';
    const names = new Map<string, number>();
    const edges: { path: string; field: string; target: unknown; from: string }[] = [];
    const labelled: { name: string; path: string }[] = [];

    states.forEach((raw, i) => {
      if (!isRaw(raw)) return this.add(join(`States[${i}]`), '', 'a state must be an object with Name and Type');
      const name = typeof raw.Name === 'string' && raw.Name !== '' ? raw.Name : undefined;
      const path = join(name ?? `States[${i}]`);
      if (name !== undefined) {
        const first = names.get(name);
        if (first !== undefined) this.add(path, 'Name', `duplicate state name (States[${first}] and States[${i}] in ${scopeName})`);
        else names.set(name, i);
        labelled.push({ name, path });
      }
      const stateEdges = this.state(raw, path);
      if (name !== undefined) for (const e of stateEdges) edges.push({ ...e, path, from: name });
    });

    const startField = prefix ? 'Processor.StartAt' : 'StartAt';
    const startPath = prefix;
    if (typeof startAt === 'string' && !names.has(startAt))
      this.add(startPath, startField, `${JSON.stringify(startAt)} names no state in ${scopeName}`);
    for (const e of edges)
      if (typeof e.target === 'string' && !names.has(e.target))
        this.add(
          e.path,
          e.field,
          `${JSON.stringify(e.target)} names no state in ${scopeName}${prefix ? ' (a Processor cannot leave its Map)' : ''}`,
        );

    if (typeof startAt !== 'string' || !names.has(startAt)) return;
    const reached = new Set<string>([startAt]);
    const queue = [startAt];
    while (queue.length > 0) {
      const from = queue.pop() as string;
      for (const e of edges)
        if (e.from === from && typeof e.target === 'string' && names.has(e.target) && !reached.has(e.target)) {
          reached.add(e.target);
          queue.push(e.target);
        }
    }
    for (const { name, path } of labelled)
      if (!reached.has(name)) this.add(path, '', `unreachable: no StartAt, Next, Default, Branch or Catch leads here in ${scopeName}`);
  }

  /** Checks one state; returns where it may go next. */
  state(raw: Raw, path: string): { field: string; target: unknown }[] {
    const type = raw.Type;
    if ((UNIMPLEMENTED_STATE_TYPES as readonly unknown[]).includes(type)) {
      this.add(path, 'Type', `${String(type)} is a CloudFlow state type not implemented by this runner`);
      return transitionsOf(raw);
    }
    if (!(IMPLEMENTED_STATE_TYPES as readonly unknown[]).includes(type)) {
      const known = [...IMPLEMENTED_STATE_TYPES, ...UNIMPLEMENTED_STATE_TYPES].join(', ');
      this.add(path, 'Type', type === undefined ? 'is required' : `unknown state type ${JSON.stringify(type)} (CloudFlow's: ${known})`);
      return transitionsOf(raw);
    }
    const stateType = type as StateType;
    this.problems.push(...schemaProblems(shallowStateSchemas[stateType], raw, path, stateType));

    const edges: { field: string; target: unknown }[] = [];
    if (!TERMINAL[stateType]) {
      if (raw.Next === undefined && raw.End === undefined) this.add(path, 'Next', 'needs Next, or End: true');
      if (raw.Next !== undefined && raw.End !== undefined) this.add(path, 'End', 'both Next and End are given; keep one');
      edges.push({ field: 'Next', target: raw.Next });
    }
    // Fields a type does not take are already reported as unknown keys; do not check their contents too.
    const takes = keysAt(shallowStateSchemas[stateType], []);
    if (takes.includes('InputConstructor')) this.constructorFields(raw.InputConstructor, 'state', path, 'InputConstructor');
    if (takes.includes('OutputConstructor')) this.constructorFields(raw.OutputConstructor, 'output', path, 'OutputConstructor');
    if (takes.includes('Catch') && Array.isArray(raw.Catch))
      raw.Catch.forEach((rule: unknown, i) => {
        if (!isRaw(rule)) return;
        this.constructorFields(rule.OutputConstructor, 'catch', path, `Catch[${i}].OutputConstructor`);
        edges.push({ field: `Catch[${i}].Next`, target: rule.Next });
      });

    switch (stateType) {
      case 'Task':
        this.task(raw, path);
        break;
      case 'Wait':
        if (raw.Seconds !== undefined && raw['Seconds.$'] !== undefined)
          this.add(path, 'Seconds.$', 'both Seconds and Seconds.$ are given; keep one');
        if (raw.Seconds === undefined && raw['Seconds.$'] === undefined) this.add(path, 'Seconds', 'needs Seconds or Seconds.$');
        this.path(raw['Seconds.$'], 'state', path, 'Seconds.$');
        break;
      case 'Choice':
        if (Array.isArray(raw.Branches))
          raw.Branches.forEach((branch: unknown, i) => {
            if (!isRaw(branch)) return;
            this.condition(branch.Condition, path, `Branches[${i}].Condition`);
            edges.push({ field: `Branches[${i}].Next`, target: branch.Next });
          });
        edges.push({ field: 'Default', target: raw.Default });
        break;
      case 'Map':
        this.path(raw.ItemsPath, 'state', path, 'ItemsPath');
        if (isRaw(raw.Processor)) this.scope(raw.Processor.States, raw.Processor.StartAt, path);
        break;
    }
    return edges;
  }

  task(raw: Raw, path: string): void {
    const parameters = raw.Parameters;
    if (!isRaw(parameters)) return;
    if (parameters.body !== undefined && parameters['body.$'] !== undefined)
      this.add(path, 'Parameters.body.$', 'both body and body.$ are given; keep one');
    if (parameters.body === undefined && parameters['body.$'] === undefined) this.add(path, 'Parameters.body', 'needs body or body.$');
    this.constructorFields(parameters.body, 'state', path, 'Parameters.body');
    this.path(parameters['body.$'], 'state', path, 'Parameters.body.$');
  }
}

/** Where a state of a type this runner cannot check may go, so the states after it are not also reported unreachable. */
function transitionsOf(raw: Raw): { field: string; target: unknown }[] {
  const listed = (key: string) =>
    (Array.isArray(raw[key]) ? (raw[key] as unknown[]) : []).map((rule, i) => ({
      field: `${key}[${i}].Next`,
      target: isRaw(rule) ? rule.Next : undefined,
    }));
  return [{ field: 'Next', target: raw.Next }, { field: 'Default', target: raw.Default }, ...listed('Branches'), ...listed('Catch')];
}

function containsExpressionKey(value: unknown): boolean {
  if (Array.isArray(value)) return value.some(containsExpressionKey);
  if (!isRaw(value)) return false;
  return Object.entries(value).some(([k, v]) => k.endsWith(EXPRESSION_SUFFIX) || containsExpressionKey(v));
}

/** Every problem of a parsed definition document; empty when it can run. */
export function findProblems(document: unknown): FlowProblem[] {
  if (!isRaw(document))
    return [{ path: '', field: '', message: 'a flow definition must be an object (Type, Name, SpecVersion, StartAt, States)' }];
  if (isLegacy(document))
    return [
      {
        path: '',
        field: '',
        message:
          "this is CloudFlow's legacy definition language (version, type: flow, steps, inputMappings), which this runner does not run: " +
          'write the current one (Type: StateMachine, SpecVersion: v1, StartAt, States)',
      },
    ];
  const checker = new Checker();
  checker.problems.push(...schemaProblems(definitionShellSchema, document, '', undefined));
  checker.scope(document.States, document.StartAt, '');
  return checker.problems;
}

/** The definition, typed, or a FlowDefinitionError listing every problem. */
export function validateDefinition(document: unknown, sourceName = 'flow definition'): FlowDefinition {
  const problems = findProblems(document);
  if (problems.length > 0) throw new FlowDefinitionError(sourceName, problems);
  const parsed = flowDefinitionSchema.safeParse(document);
  // The per-state checks above are stricter than the whole-document schema; this only types the result.
  if (!parsed.success) throw new FlowDefinitionError(sourceName, schemaProblems(flowDefinitionSchema, document, '', undefined));
  return parsed.data;
}
