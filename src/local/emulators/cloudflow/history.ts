/**
 * An execution's history as GetExecutionHistory answers it, built from the local runner's events
 * as they happen. Each event has CloudFlow's documented fields (EventId from 1, Type, StepName,
 * Time, ScheduleEventId, EventDetail as a JSON string) and one of its documented types:
 *
 *   runner event           history events                      EventDetail
 *   ExecutionStarted       ExecutionStarted                    {input}
 *   StateEntered           [IterationEntered] StepEntered      {input}
 *   TaskAttemptStarted     TaskScheduled, TaskStarted          {attempt, resourceArn, input, retry?} / {attempt}
 *   TaskAttemptSucceeded   TaskSucceeded                       {attempt, output, durationMs}
 *   TaskAttemptFailed      TaskFailed                          {attempt, error, cause, durationMs}
 *   RetryScheduled         (none: the next TaskScheduled carries retry: {delayMs, error, cause})
 *   StateSucceeded         StepSucceeded [IterationExited]     {output, durationMs}
 *   StateFailed            StepFailed [IterationExited]        {error, cause, durationMs}
 *   ExecutionSucceeded     ExecutionSucceeded                  {output, durationMs}
 *   ExecutionFailed        ExecutionFailed                     {error, cause, durationMs}
 *   (StopExecution)        ExecutionStopped                    {error?, cause?}
 *
 * StepName is the state's own name ('' for the execution); inside a Map item EventDetail adds the
 * runner's path (`RotateEach[3]/CreatePending`), and the item is bracketed by IterationEntered and
 * IterationExited (StepName: the Map's name; detail: index and path). ScheduleEventId is the event
 * that led to this one: a StepEntered's predecessor in its scope, a task event's TaskScheduled, any
 * other state event's StepEntered. Alibaba documents these fields and types but not what EventDetail
 * holds: its keys are this emulator's choice. No I/O.
 */
import { ALL_ERRORS, type ExecutionEvent, type FlowDefinition, type FlowError, type State } from '../../cloudflow/index.js';
import { formatTime } from './params.js';

export const HISTORY_EVENT_TYPES = [
  'StepEntered',
  'StepStarted',
  'StepSucceeded',
  'StepFailed',
  'StepExited',
  'BranchEntered',
  'BranchExited',
  'IterationEntered',
  'IterationExited',
  'TaskScheduled',
  'TaskStarted',
  'TaskSubmitted',
  'TaskSubmitFailed',
  'TaskSucceeded',
  'TaskFailed',
  'TaskTimedOut',
  'ExecutionStarted',
  'ExecutionStopped',
  'ExecutionSucceeded',
  'ExecutionFailed',
  'ExecutionTimedOut',
] as const;
export type HistoryEventType = (typeof HISTORY_EVENT_TYPES)[number];

export interface HistoryEvent {
  EventId: number;
  Type: HistoryEventType;
  StepName: string;
  Time: string;
  ScheduleEventId: number;
  EventDetail: string;
}

/** One Map item on the way to a state: `RotateEach[3]` is item 3 of the Map at `RotateEach`. */
interface ItemLink {
  prefix: string;
  mapPath: string;
  mapName: string;
  index: number;
}

interface Location {
  stateName: string;
  /** The item the state runs in ('' at the top level). */
  scope: string;
  state: State | undefined;
  items: ItemLink[];
}

const ITEM = /^(.*)\[(\d+)\]$/;

/** Where a runner path points in the definition: `A[1]/B[2]/C` is state C of item 2 of Map B of item 1 of Map A. */
function locate(definition: FlowDefinition, path: string): Location {
  const segments = path.split('/');
  let states: readonly State[] = definition.States;
  let prefix = '';
  const items: ItemLink[] = [];
  for (const segment of segments.slice(0, -1)) {
    const [, mapName = segment, index = '0'] = ITEM.exec(segment) ?? [];
    const mapPath = prefix ? `${prefix}/${mapName}` : mapName;
    prefix = prefix ? `${prefix}/${segment}` : segment;
    items.push({ prefix, mapPath, mapName, index: Number(index) });
    const map = states.find((s) => s.Name === mapName);
    states = map?.Type === 'Map' ? map.Processor.States : [];
  }
  const stateName = segments[segments.length - 1] ?? path;
  return { stateName, scope: prefix, state: states.find((s) => s.Name === stateName), items };
}

/** Does this state's success end its scope (no Next: End, Succeed), and is this error caught by one of its Catch rules? */
function endsScopeOnSuccess(state: State | undefined): boolean {
  return state !== undefined && state.Type !== 'Choice' && !('Next' in state && state.Next !== undefined);
}

function caught(state: State | undefined, code: string): boolean {
  const rules = state?.Type === 'Task' || state?.Type === 'Map' ? (state.Catch ?? []) : [];
  return rules.some((r) => r.Errors.includes(code) || r.Errors.includes(ALL_ERRORS));
}

const errorDetail = (error: FlowError | undefined) => (error ? { error: error.Code, cause: error.Detail } : {});

export class HistoryRecorder {
  readonly events: HistoryEvent[] = [];
  /** The last event of each scope ('' or an item's prefix): what the scope's next StepEntered follows. */
  private readonly lastInScope = new Map<string, number>();
  private readonly entered = new Map<string, number>();
  private readonly scheduled = new Map<string, number>();
  private readonly retries = new Map<string, { delayMs?: number; error?: string; cause?: string }>();
  private readonly openItems = new Map<string, number>();

  constructor(private readonly definition: FlowDefinition) {}

  /** Translates one runner event into history events. */
  add(e: ExecutionEvent): void {
    if (e.path === '') return this.execution(e);
    const at = e.at;
    const where = locate(this.definition, e.path);
    this.openItemsFor(where, e);
    const name = where.stateName;
    const base = where.items.length > 0 ? { path: e.path } : {};
    const entered = this.entered.get(e.path) ?? 0;
    switch (e.type) {
      case 'StateEntered':
        this.entered.set(
          e.path,
          this.push(at, 'StepEntered', name, this.lastInScope.get(where.scope) ?? 0, { ...base, input: e.input }, where.scope),
        );
        return;
      case 'TaskAttemptStarted': {
        const retry = this.retries.get(e.path);
        this.retries.delete(e.path);
        const resourceArn = where.state?.Type === 'Task' ? where.state.Parameters.resourceArn : undefined;
        const detail = { ...base, attempt: e.attempt, resourceArn, input: e.input, ...(retry ? { retry } : {}) };
        const id = this.push(at, 'TaskScheduled', name, entered, detail, where.scope);
        this.scheduled.set(e.path, id);
        this.push(at, 'TaskStarted', name, id, { ...base, attempt: e.attempt }, where.scope);
        return;
      }
      case 'TaskAttemptSucceeded':
        this.push(
          at,
          'TaskSucceeded',
          name,
          this.scheduled.get(e.path) ?? entered,
          { ...base, attempt: e.attempt, output: e.output, durationMs: e.durationMs },
          where.scope,
        );
        return;
      case 'TaskAttemptFailed':
        this.push(
          at,
          'TaskFailed',
          name,
          this.scheduled.get(e.path) ?? entered,
          { ...base, attempt: e.attempt, ...errorDetail(e.error), durationMs: e.durationMs },
          where.scope,
        );
        return;
      case 'RetryScheduled':
        this.retries.set(e.path, { delayMs: e.delayMs, ...errorDetail(e.error) });
        return;
      case 'StateSucceeded':
        this.push(at, 'StepSucceeded', name, entered, { ...base, output: e.output, durationMs: e.durationMs }, where.scope);
        if (endsScopeOnSuccess(where.state)) this.closeItem(at, where, { output: e.output });
        return;
      case 'StateFailed':
        this.push(at, 'StepFailed', name, entered, { ...base, ...errorDetail(e.error), durationMs: e.durationMs }, where.scope);
        if (!caught(where.state, e.error?.Code ?? '')) this.closeItem(at, where, errorDetail(e.error));
        return;
      default:
        return;
    }
  }

  /** StopExecution: the history ends here, whatever the runner still does. */
  stopped(at: number, reason: { error?: string; cause?: string }): void {
    this.push(at, 'ExecutionStopped', '', this.lastInScope.get('') ?? 0, reason);
  }

  /** The runner itself failed (not a state): the execution fails without detail, which could quote anything. */
  internalFailure(at: number): void {
    this.push(at, 'ExecutionFailed', '', this.lastInScope.get('') ?? 0, {
      error: 'FnF.InternalError',
      cause: 'the local CloudFlow runner failed unexpectedly',
    });
  }

  private execution(e: ExecutionEvent): void {
    const last = this.lastInScope.get('') ?? 0;
    if (e.type === 'ExecutionStarted') this.push(e.at, 'ExecutionStarted', '', 0, { input: e.input }, '');
    else if (e.type === 'ExecutionSucceeded')
      this.push(e.at, 'ExecutionSucceeded', '', last, { output: e.output, durationMs: e.durationMs });
    else if (e.type === 'ExecutionFailed')
      this.push(e.at, 'ExecutionFailed', '', last, { ...errorDetail(e.error), durationMs: e.durationMs });
  }

  /** IterationEntered for each item on the way to the state that has no open iteration yet, outermost first. */
  private openItemsFor(where: Location, e: ExecutionEvent): void {
    where.items.forEach((item, i) => {
      if (this.openItems.has(item.prefix)) return;
      const innermost = i === where.items.length - 1;
      const detail = { index: item.index, path: item.prefix, ...(innermost && e.type === 'StateEntered' ? { input: e.input } : {}) };
      this.openItems.set(
        item.prefix,
        this.push(e.at, 'IterationEntered', item.mapName, this.entered.get(item.mapPath) ?? 0, detail, item.prefix),
      );
    });
  }

  private closeItem(at: number, where: Location, outcome: Record<string, unknown>): void {
    const item = where.items[where.items.length - 1];
    if (!item) return;
    const opened = this.openItems.get(item.prefix) ?? 0;
    this.openItems.delete(item.prefix);
    this.push(at, 'IterationExited', item.mapName, opened, { index: item.index, path: item.prefix, ...outcome });
  }

  private push(at: number, type: HistoryEventType, stepName: string, scheduleEventId: number, detail: object, scope?: string): number {
    const id = this.events.length + 1;
    this.events.push({
      EventId: id,
      Type: type,
      StepName: stepName,
      Time: formatTime(at),
      ScheduleEventId: scheduleEventId,
      EventDetail: JSON.stringify(detail),
    });
    if (scope !== undefined) this.lastInScope.set(scope, id);
    return id;
  }
}
