/**
 * The local CloudFlow runner's errors. FlowDefinitionError: a definition this runner refuses,
 * with every problem found (never only the first). StateError: a state failed with CloudFlow's
 * {Code, Detail}, the shape Retry and Catch rules match on. ExecutionAbortedError: a limit of the
 * execution itself was hit; no Retry or Catch rule may swallow it.
 *
 * Codes the runner raises itself (FC's own errors and the function's errorType pass through as
 * they are). Raised inside a state, each goes through that state's Retry and Catch (Task and Map
 * have them) like a function's error; FnF.EventLimitExceeded ends the execution whatever they
 * say, and an execution input that is not an object fails the execution before its first state:
 * - FnF.InvalidInput        a state's input is not a JSON object (the execution input, a Map item).
 * - FnF.InvalidOutput       the function's result is not a JSON object.
 * - FnF.StateSizeExceeded   a state's input or output is over 64 KiB serialised.
 * - FnF.InvalidItemsPath    a Map's ItemsPath does not yield an array.
 * - FnF.InvalidWaitSeconds  a Wait's `Seconds.$` does not yield an integer from 1 to 300.
 * - FnF.ConditionError      a Choice condition compares values it cannot order, or combines non-booleans.
 * - FnF.Failed              the Code of a Fail state that gives none.
 * - FnF.EventLimitExceeded  the execution would record more than 5,000 events.
 */

export const FLOW_ERROR_CODES = {
  invalidInput: 'FnF.InvalidInput',
  invalidOutput: 'FnF.InvalidOutput',
  stateSizeExceeded: 'FnF.StateSizeExceeded',
  invalidItemsPath: 'FnF.InvalidItemsPath',
  invalidWaitSeconds: 'FnF.InvalidWaitSeconds',
  conditionError: 'FnF.ConditionError',
  failStateDefault: 'FnF.Failed',
  eventLimitExceeded: 'FnF.EventLimitExceeded',
} as const;

/** The wildcard of Retry and Catch rules. */
export const ALL_ERRORS = 'FnF.ALL';

export interface FlowProblem {
  /** The state, `Outer/Inner` inside a Map's Processor; '' for the definition's top level. */
  path: string;
  /** The field within that state, `Retry[0].MaxAttempts`; '' for the state as a whole. */
  field: string;
  message: string;
}

export class FlowDefinitionError extends Error {
  override readonly name = 'FlowDefinitionError';
  readonly problems: FlowProblem[];

  constructor(sourceName: string, problems: FlowProblem[]) {
    const lines = problems.map((p) => `  - ${[p.path || '(flow)', p.field].filter(Boolean).join(' ')}: ${p.message}`);
    super(`${sourceName}: ${problems.length} problem${problems.length === 1 ? '' : 's'} in the flow definition:\n${lines.join('\n')}`);
    this.problems = problems;
  }
}

export interface FlowError {
  Code: string;
  Detail: string;
}

/** A state failed. `statePath` is where the error arose (the innermost state, inside Map items too). */
export class StateError extends Error {
  override readonly name = 'StateError';
  readonly error: FlowError;
  readonly statePath: string;
  /** Set when a Fail state raised the error: the input it was given. */
  readonly failStateInput: unknown;

  constructor(error: FlowError, statePath: string, failStateInput?: unknown) {
    super(`${statePath}: ${error.Code}: ${error.Detail}`);
    this.error = error;
    this.statePath = statePath;
    this.failStateInput = failStateInput;
  }
}

export class ExecutionAbortedError extends Error {
  override readonly name = 'ExecutionAbortedError';
  readonly error: FlowError;
  readonly statePath: string;

  constructor(error: FlowError, statePath: string) {
    super(`${error.Code}: ${error.Detail}`);
    this.error = error;
    this.statePath = statePath;
  }
}
