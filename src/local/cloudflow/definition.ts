/**
 * The subset of CloudFlow's current definition language (FDL: `Type: StateMachine`,
 * `SpecVersion: v1`) this runner executes, as zod schemas; the TypeScript types are inferred
 * from them, once. Every object is strict: a key this runner does not read is a problem, never
 * silently ignored. What zod cannot say (Next or End, expressions, names that point somewhere)
 * validate.ts checks; it also parses each state with the shallow schemas at the end of this file,
 * so a problem is reported against the state it belongs to.
 */
import { z } from 'zod';

/**
 * FC 3.0 function ARN; a version or alias may follow the name. The region and the account may be
 * capitalised placeholders (`acs:fc:REGION:ACCOUNT_ID:functions/...`), as the shipped flows carry
 * them until the deploy substitutes the real ARN; the invokers here never read those two segments.
 */
export const FC_FUNCTION_ARN =
  /^acs:fc:([a-z0-9-]+|[A-Z][A-Z0-9_]*):(\d+|[A-Z][A-Z0-9_]*):functions\/([A-Za-z_][A-Za-z0-9_-]{0,127})(?:\/([A-Za-z0-9_-]{1,128}))?$/;

/** Inline Map's documented cap, and its concurrency when the definition sets none. */
export const MAX_MAP_CONCURRENCY = 40;

/** A Wait state's range in Standard mode, the mode rotation flows run in. */
export const WAIT_SECONDS = { min: 1, max: 300 } as const;

export const IMPLEMENTED_STATE_TYPES = ['Task', 'Pass', 'Wait', 'Choice', 'Map', 'Succeed', 'Fail'] as const;
/** Real CloudFlow state types this runner refuses rather than misrun. */
export const UNIMPLEMENTED_STATE_TYPES = ['Parallel'] as const;

/** A literal with a message that says what this runner accepts instead. */
function only<const T extends string>(value: T, what: string) {
  return z.literal(value, { error: `${what} (this runner implements only ${value})` });
}

const stateName = z.string().min(1, 'must not be empty');
const description = z.string().optional();
const errorNames = z.array(z.string().min(1, 'must not be empty')).min(1, 'must name at least one error');

/** A constructor: keys ending `.$` hold expressions, the others literals (validate.ts checks which is which). */
export const constructorSchema = z.record(z.string(), z.unknown());

export const retryRuleSchema = z.strictObject({
  Errors: errorNames,
  Description: z.string(),
  MaxAttempts: z.int().min(0),
  IntervalSeconds: z.int().min(1).max(86_400),
  BackoffRate: z.number().min(1).optional(),
  MaxBackoffSeconds: z.int().min(1).max(86_400).optional(),
});

export const catchRuleSchema = z.strictObject({
  Errors: errorNames,
  Description: z.string(),
  OutputConstructor: constructorSchema.optional(),
  Next: stateName,
});

const common = { Name: stateName, Description: description };
/** Next or End: true; validate.ts says which one is missing or that both are given. */
const transition = {
  Next: stateName.optional(),
  End: z.literal(true, { error: 'must be true (or leave End out and give Next)' }).optional(),
};
const constructors = { InputConstructor: constructorSchema.optional(), OutputConstructor: constructorSchema.optional() };
const errorHandling = { Retry: z.array(retryRuleSchema).optional(), Catch: z.array(catchRuleSchema).optional() };

export const taskParametersSchema = z.strictObject({
  resourceArn: z
    .string()
    .regex(FC_FUNCTION_ARN, 'must be an FC 3.0 function ARN: acs:fc:<region>:<account>:functions/<name>[/<qualifier>]'),
  invocationType: only('Sync', 'must be Sync'),
  body: constructorSchema.optional(),
  'body.$': z.string().optional(),
});

export const taskStateSchema = z.strictObject({
  Type: z.literal('Task'),
  ...common,
  Action: only('FC:InvokeFunction', 'must be FC:InvokeFunction'),
  TaskMode: only('RequestComplete', 'must be RequestComplete').optional(),
  Parameters: taskParametersSchema,
  ...constructors,
  ...errorHandling,
  ...transition,
});

export const passStateSchema = z.strictObject({ Type: z.literal('Pass'), ...common, ...constructors, ...transition });

export const waitStateSchema = z.strictObject({
  Type: z.literal('Wait'),
  ...common,
  Seconds: z.int().min(WAIT_SECONDS.min).max(WAIT_SECONDS.max).optional(),
  'Seconds.$': z.string().optional(),
  ...constructors,
  ...transition,
});

export const choiceStateSchema = z.strictObject({
  Type: z.literal('Choice'),
  ...common,
  Branches: z.array(z.strictObject({ Condition: z.string().min(1, 'must not be empty'), Next: stateName })).min(1, 'must hold a branch'),
  Default: stateName,
});

/** Succeed and Fail end their scope; Alibaba's own samples still write `End: true` on them, which is accepted. */
const terminal = { End: z.literal(true, { error: 'must be true, or left out: this state always ends its scope' }).optional() };

export const succeedStateSchema = z.strictObject({ Type: z.literal('Succeed'), ...common, ...terminal });

export const failStateSchema = z.strictObject({
  Type: z.literal('Fail'),
  ...common,
  Code: z.string().min(1, 'must not be empty').optional(),
  Detail: z.string(),
  ...terminal,
});

const mapFields = {
  Type: z.literal('Map'),
  ...common,
  ItemsPath: z.string().min(1, 'must not be empty'),
  MaxConcurrency: z.int().min(1).max(MAX_MAP_CONCURRENCY).optional(),
  ...constructors,
  ...errorHandling,
  ...transition,
};

export const mapStateSchema = z.strictObject({
  ...mapFields,
  get Processor() {
    return processorSchema;
  },
});

export const stateSchema = z.discriminatedUnion('Type', [
  taskStateSchema,
  passStateSchema,
  waitStateSchema,
  choiceStateSchema,
  mapStateSchema,
  succeedStateSchema,
  failStateSchema,
]);

export const processorSchema = z.strictObject({
  StartAt: stateName,
  get States(): z.ZodArray<typeof stateSchema> {
    return z.array(stateSchema);
  },
});

export const flowDefinitionSchema = z.strictObject({
  Type: only('StateMachine', 'must be StateMachine'),
  Name: stateName,
  SpecVersion: only('v1', 'must be v1'),
  Description: description,
  StartAt: stateName,
  States: z.array(stateSchema),
});

export type FlowDefinition = z.infer<typeof flowDefinitionSchema>;
export type State = z.infer<typeof stateSchema>;
export type TaskState = z.infer<typeof taskStateSchema>;
export type MapState = z.infer<typeof mapStateSchema>;
export type Processor = z.infer<typeof processorSchema>;
export type RetryRule = z.infer<typeof retryRuleSchema>;
export type CatchRule = z.infer<typeof catchRuleSchema>;
export type Constructor = z.infer<typeof constructorSchema>;
export type StateType = State['Type'];

// Shallow schemas for validate.ts: a Processor's states, and the definition's, are checked one by
// one (so each problem names its state), not as one array of a union.
const statesShell = z.array(z.unknown()).min(1, 'must hold a state');

export const processorShellSchema = z.strictObject({ StartAt: stateName, States: statesShell });

export const shallowStateSchemas: Record<StateType, z.ZodType> = {
  Task: taskStateSchema,
  Pass: passStateSchema,
  Wait: waitStateSchema,
  Choice: choiceStateSchema,
  Map: z.strictObject({ ...mapFields, Processor: processorShellSchema }),
  Succeed: succeedStateSchema,
  Fail: failStateSchema,
};

export const definitionShellSchema = flowDefinitionSchema.extend({ States: statesShell });
