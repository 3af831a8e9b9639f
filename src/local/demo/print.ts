/**
 * What the demo prints besides the execution itself: the calls each emulator served and the
 * execution's verdict. Names and counts only, never a value.
 */
import { formatEvent, type ExecutionEvent, type ExecutionResult } from '../cloudflow/index.js';

export function callCounts(calls: readonly { action: string }[]): string {
  const counts = new Map<string, number>();
  for (const call of calls) counts.set(call.action, (counts.get(call.action) ?? 0) + 1);
  return `${calls.length} (${[...counts].map(([action, n]) => `${action} ${n}`).join(', ')})`;
}

export function verdict(result: ExecutionResult): string {
  if (result.status === 'Succeeded') return `execution Succeeded; output ${JSON.stringify(result.output)}`;
  return `execution Failed at ${result.failedState ?? 'a state'}: ${result.error?.Code ?? 'an error'}: ${result.error?.Detail ?? ''}`;
}

/** Prints each event as it happens, its time counted from the execution's start as the console counts it. */
export function printEvents(): (event: ExecutionEvent) => void {
  let startedAt: number | undefined;
  return (event) => {
    startedAt ??= event.at;
    console.log(formatEvent(event, { startedAt }));
  };
}
