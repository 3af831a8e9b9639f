/**
 * CloudFlow's Retry and Catch rules. Retry comes first: the FIRST rule whose Errors hold the
 * error's Code (or FnF.ALL) decides, later rules are not consulted even when that one is used up;
 * each rule counts its own retries; MaxAttempts counts retries, so one rule allows 1 + MaxAttempts
 * attempts; the n-th retry waits IntervalSeconds × BackoffRate^(n-1) seconds, capped at
 * MaxBackoffSeconds. Catch, once retries are over, is picked the same way.
 */
import type { RunContext } from './context.js';
import type { RetryRule } from './definition.js';
import { ALL_ERRORS, StateError } from './errors.js';

export function firstMatching<R extends { Errors: string[] }>(
  rules: readonly R[] | undefined,
  code: string,
): { rule: R; index: number } | undefined {
  const index = (rules ?? []).findIndex((r) => r.Errors.includes(code) || r.Errors.includes(ALL_ERRORS));
  return index < 0 ? undefined : { rule: (rules as readonly R[])[index] as R, index };
}

/** The delay before the `retry`-th retry (from 1) a rule asks for, in milliseconds. */
export function retryDelayMs(rule: RetryRule, retry: number): number {
  const seconds = rule.IntervalSeconds * (rule.BackoffRate ?? 1) ** (retry - 1);
  return Math.round(Math.min(seconds, rule.MaxBackoffSeconds ?? Infinity) * 1000);
}

/** Runs `attempt` (numbered from 1) until it succeeds or the Retry rules give up; then rethrows the last StateError. */
export async function withRetry<T>(
  rules: readonly RetryRule[] | undefined,
  path: string,
  ctx: RunContext,
  attempt: (n: number) => Promise<T>,
): Promise<T> {
  const retriesUsed = new Map<number, number>();
  for (let n = 1; ; n++) {
    try {
      return await attempt(n);
    } catch (err) {
      if (!(err instanceof StateError)) throw err;
      const match = firstMatching(rules, err.error.Code);
      const used = match ? (retriesUsed.get(match.index) ?? 0) : 0;
      if (!match || used >= match.rule.MaxAttempts) throw err;
      retriesUsed.set(match.index, used + 1);
      const delayMs = retryDelayMs(match.rule, used + 1);
      ctx.events.record({ type: 'RetryScheduled', path, attempt: n + 1, delayMs, error: err.error });
      await ctx.wait(delayMs);
    }
  }
}
