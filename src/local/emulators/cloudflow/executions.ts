/**
 * The executions behind the local CloudFlow emulator, in Standard mode: StartExecution starts the
 * local runner and answers at once (Running); the execution's status, output and history follow
 * the runner's events as they happen. As documented: a name given again while its execution runs
 * answers that execution, once it has ended ExecutionAlreadyExists; without a name one is made up.
 * StopExecution ends the history with ExecutionStopped at once; the runner stops at its next event
 * (an invocation in flight completes first, its result discarded) and a Retry or Wait delay in
 * progress is cut short. No HTTP; never logs; errors never quote Input.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { runExecution, type FunctionInvoker, type JsonObject } from '../../cloudflow/index.js';
import type { AcsResult } from '../acs-rpc/params.js';
import type { HostedFlow } from './flows.js';
import { HistoryRecorder, type HistoryEvent } from './history.js';
import { executionAlreadyCompleted, executionAlreadyExists, executionNotExists, formatTime, type ExecutionStatus } from './params.js';

export interface ExecutionRunOptions {
  invoke: FunctionInvoker;
  /** Multiplies every Retry and Wait delay. */
  timeScale: number;
  now: () => number;
}

/** Thrown from the runner's event hook once an execution is stopped, so the runner records nothing more. */
class ExecutionStopped extends Error {
  override readonly name = 'ExecutionStopped';
}

export class Execution {
  status: ExecutionStatus = 'Running';
  stoppedAt: number | undefined;
  output: JsonObject | undefined;
  readonly history: HistoryRecorder;
  /** Settles (never rejects) once the runner has returned, whether the execution ended or was stopped. */
  readonly settled: Promise<void>;
  /** Resolves once the execution's status is no longer Running. */
  readonly ended: Promise<void>;
  private readonly abort = new AbortController();
  private markEnded: () => void = () => undefined;

  constructor(
    readonly flow: HostedFlow,
    readonly name: string,
    readonly inputText: string,
    input: JsonObject,
    readonly startedAt: number,
    private readonly options: ExecutionRunOptions,
  ) {
    this.history = new HistoryRecorder(flow.definition);
    this.ended = new Promise((resolve) => (this.markEnded = resolve));
    this.settled = this.run(input);
  }

  get running(): boolean {
    return this.status === 'Running';
  }

  /** StopExecution, or the emulator closing: the history ends now, the runner at its next event. */
  stop(reason: { error?: string; cause?: string } = {}): void {
    if (!this.running) return;
    this.history.stopped(this.options.now(), reason);
    this.end('Stopped');
    this.abort.abort();
  }

  /** DescribeExecution, StartExecution, StopExecution and each of ListExecutions' Executions. */
  describe(): AcsResult {
    return {
      Name: this.name,
      FlowName: this.flow.name,
      FlowDefinition: this.flow.text,
      Input: this.inputText,
      Status: this.status,
      StartedTime: formatTime(this.startedAt),
      ...(this.stoppedAt !== undefined ? { StoppedTime: formatTime(this.stoppedAt) } : {}),
      ...(this.output !== undefined ? { Output: JSON.stringify(this.output) } : {}),
    };
  }

  private end(status: ExecutionStatus, output?: JsonObject): void {
    this.status = status;
    this.stoppedAt = this.options.now();
    if (output !== undefined) this.output = output;
    this.markEnded();
  }

  private async run(input: JsonObject): Promise<void> {
    const { signal } = this.abort;
    try {
      const result = await runExecution(this.flow.definition, input, {
        invoke: this.options.invoke,
        executionName: this.name,
        timeScale: this.options.timeScale,
        now: this.options.now,
        // A stop cuts a delay short; the next event then ends the run.
        sleep: (ms) => delay(ms, undefined, { signal }).catch(() => undefined),
        onEvent: (event) => {
          if (!this.running) throw new ExecutionStopped();
          this.history.add(event);
        },
      });
      if (this.running) this.end(result.status, result.output);
    } catch (err) {
      if (err instanceof ExecutionStopped || !this.running) return;
      this.history.internalFailure(this.options.now());
      this.end('Failed');
    }
  }
}

export interface ListFilter {
  status?: ExecutionStatus;
  namePrefix?: string;
  startedFrom?: number;
  startedTo?: number;
}

/** Every flow's executions, in the order they were started. */
export class ExecutionStore {
  private readonly byFlow = new Map<string, Map<string, Execution>>();

  constructor(private readonly options: ExecutionRunOptions) {}

  start(flow: HostedFlow, name: string | undefined, input: { text: string; value: JsonObject }): Execution {
    const executions = this.executionsOf(flow.name);
    const executionName = name ?? randomUUID();
    const existing = executions.get(executionName);
    if (existing?.running) return existing;
    if (existing) throw executionAlreadyExists(executionName, flow.name);
    const execution = new Execution(flow, executionName, input.text, input.value, this.options.now(), this.options);
    executions.set(executionName, execution);
    return execution;
  }

  get(flowName: string, name: string): Execution {
    const execution = this.byFlow.get(flowName)?.get(name);
    if (!execution) throw executionNotExists(name, flowName);
    return execution;
  }

  stop(flowName: string, name: string, reason: { error?: string; cause?: string }): Execution {
    const execution = this.get(flowName, name);
    if (!execution.running) throw executionAlreadyCompleted(name, flowName);
    execution.stop(reason);
    return execution;
  }

  list(flowName: string, filter: ListFilter): Execution[] {
    return [...this.executionsOf(flowName).values()].filter(
      (e) =>
        (filter.status === undefined || e.status === filter.status) &&
        (filter.namePrefix === undefined || e.name.startsWith(filter.namePrefix)) &&
        (filter.startedFrom === undefined || e.startedAt >= filter.startedFrom) &&
        (filter.startedTo === undefined || e.startedAt <= filter.startedTo),
    );
  }

  all(): Execution[] {
    return [...this.byFlow.values()].flatMap((executions) => [...executions.values()]);
  }

  private executionsOf(flowName: string): Map<string, Execution> {
    let executions = this.byFlow.get(flowName);
    if (!executions) {
      executions = new Map();
      this.byFlow.set(flowName, executions);
    }
    return executions;
  }
}

export type { HistoryEvent };
