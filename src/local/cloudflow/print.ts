/**
 * One line per execution event, as the CloudFlow console lists an execution's history: time since
 * the execution started, state path, event, attempt, delay or duration, and the result or the
 * error (`Code: Detail`). Data is shown as compact JSON cut to a width a terminal keeps on one line.
 */
import type { ExecutionEvent } from './events.js';

export interface FormatOptions {
  /** When the execution started (its first event's `at`); offsets are counted from it. */
  startedAt?: number;
  /** The most characters of JSON or error text shown; longer text ends with an ellipsis. */
  width?: number;
  /** The state path column's width; formatEvents fits it to the longest path. */
  pathWidth?: number;
}

const DEFAULT_WIDTH = 120;
const EXECUTION_PATH = '(execution)';

function oneLine(text: string, width: number): string {
  const flat = text.replace(/\s*[\r\n]+\s*/g, ' ');
  return flat.length > width ? `${flat.slice(0, Math.max(0, width - 1))}…` : flat;
}

function compactJson(value: unknown, width: number): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch {
    text = undefined;
  }
  return oneLine(text ?? String(value), width);
}

export function formatEvent(e: ExecutionEvent, options: FormatOptions = {}): string {
  const width = options.width ?? DEFAULT_WIDTH;
  const offset = `+${((e.at - (options.startedAt ?? e.at)) / 1000).toFixed(3)}s`.padStart(9);
  const parts = [offset, (e.path || EXECUTION_PATH).padEnd(options.pathWidth ?? 28), e.type.padEnd(20)];
  if (e.attempt !== undefined) parts.push(`attempt ${e.attempt}`);
  if (e.delayMs !== undefined) parts.push(`in ${e.delayMs}ms`);
  if (e.durationMs !== undefined) parts.push(`${e.durationMs}ms`);
  if (e.error) parts.push(oneLine(`${e.error.Code}: ${e.error.Detail}`, width));
  else if (e.output !== undefined) parts.push(compactJson(e.output, width));
  else if (e.input !== undefined) parts.push(compactJson(e.input, width));
  return parts.join('  ').trimEnd();
}

/** Every event of an execution, offsets counted from its first. */
export function formatEvents(events: readonly ExecutionEvent[], options: Pick<FormatOptions, 'width'> = {}): string[] {
  const startedAt = events[0]?.at;
  const pathWidth = Math.max(EXECUTION_PATH.length, ...events.map((e) => e.path.length));
  return events.map((e) => formatEvent(e, { ...options, pathWidth, ...(startedAt !== undefined ? { startedAt } : {}) }));
}
