/**
 * The events of one execution, as CloudFlow's execution history records them, and the log that
 * enforces CloudFlow's limit of 5,000 events per execution: the event that would exceed it aborts
 * the execution instead (an unbounded loop of states ends there too). The execution's final event
 * is always recorded, past the limit if need be, so the history says how the execution ended.
 */
import { ExecutionAbortedError, FLOW_ERROR_CODES, type FlowError } from './errors.js';

export const MAX_EXECUTION_EVENTS = 5_000;

export type ExecutionEventType =
  | 'ExecutionStarted'
  | 'StateEntered'
  | 'TaskAttemptStarted'
  | 'TaskAttemptSucceeded'
  | 'TaskAttemptFailed'
  | 'RetryScheduled'
  | 'StateSucceeded'
  | 'StateFailed'
  | 'ExecutionSucceeded'
  | 'ExecutionFailed';

export interface ExecutionEvent {
  type: ExecutionEventType;
  /** The state: `RotateEach[3]/CreatePending` for a Map item's state; '' for the execution itself. */
  path: string;
  /** Task attempts and RetryScheduled: the attempt, counted from 1 (RetryScheduled: the attempt it schedules). */
  attempt?: number;
  /** RetryScheduled: the delay the Retry rule asks for, before timeScale. */
  delayMs?: number;
  /** StateEntered: the state's input; TaskAttemptStarted: the request body. */
  input?: unknown;
  /** StateSucceeded, ExecutionSucceeded: the output; TaskAttemptSucceeded: the function's result. */
  output?: unknown;
  error?: FlowError;
  durationMs?: number;
  at: number;
}

export type EventInit = Omit<ExecutionEvent, 'at'>;

export class EventLog {
  readonly events: ExecutionEvent[] = [];

  constructor(
    private readonly now: () => number,
    private readonly onEvent?: (e: ExecutionEvent) => void,
  ) {}

  record(init: EventInit): void {
    if (this.events.length >= MAX_EXECUTION_EVENTS)
      throw new ExecutionAbortedError(
        { Code: FLOW_ERROR_CODES.eventLimitExceeded, Detail: `the execution would record more than ${MAX_EXECUTION_EVENTS} events` },
        init.path,
      );
    this.push(init);
  }

  /** ExecutionSucceeded or ExecutionFailed: never refused. */
  recordFinal(init: EventInit): void {
    this.push(init);
  }

  private push(init: EventInit): void {
    const event: ExecutionEvent = { ...init, at: this.now() };
    this.events.push(event);
    this.onEvent?.(event);
  }
}
