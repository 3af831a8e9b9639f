/**
 * Throttling absorbed inside the invocation (issue 15, item 5): a KMS or RDS call answered with a
 * throttling code is tried again after a jittered exponential backoff, a bounded number of times,
 * before the error goes on to become a TransientError. Only throttling is retried here: a throttled
 * request is refused before it is applied, so sending it again is safe even for a call that is not
 * idempotent. A network error (outcome unknown), a 5xx or any other code is never retried here.
 *
 * Each retry is counted in the current throttle scope (an AsyncLocalStorage the handler opens per
 * invocation with `withThrottleScope`) and logged there as one `info` line with the `throttled` field.
 * Never sees a request's parameters.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '../log.js';
import { cloudErrorInfo } from './errors.js';

/** The codes KMS and RDS answer a throttled call with (Alibaba's docs; 429 for KMS). */
export const THROTTLING_CODES: ReadonlySet<string> = new Set(['Throttling', 'Throttling.User', 'Throttling.Api', 'Rejected.Throttling']);

export interface ThrottlePolicy {
  /** Attempts in all, the first included. */
  attempts: number;
  /** The ceiling of the first wait; each later one doubles. */
  baseDelayMs: number;
  /** No single wait is longer. */
  maxDelayMs: number;
}

/** 5 attempts; waits drawn from [b/2, b] with b = 150, 300, 600, 1,000 ms: at most 2.05 s of waiting in all. */
export const DEFAULT_THROTTLE_POLICY: ThrottlePolicy = { attempts: 5, baseDelayMs: 150, maxDelayMs: 1_000 };

export function isThrottling(err: unknown): boolean {
  const info = cloudErrorInfo(err);
  return THROTTLING_CODES.has(info.code) || info.code.startsWith('Throttling.') || info.status === 429;
}

/** What one invocation has seen; `throttled` counts the retries made after a throttling answer. */
export interface ThrottleScope {
  throttled: number;
  log: Logger | undefined;
}

const scopes = new AsyncLocalStorage<ThrottleScope>();

/** A fresh count for one invocation; its retry lines go to `log` (the step's logger). */
export function createThrottleScope(log: Logger | undefined): ThrottleScope {
  return { throttled: 0, log };
}

/** Runs `work` counting into `scope`, which the caller still holds when `work` fails (for the "step failed" line). */
export function inThrottleScope<T>(scope: ThrottleScope, work: () => Promise<T>): Promise<T> {
  return scopes.run(scope, work);
}

/** Runs `work` with its own count (and logger for the retry lines); returns the work's result and the count. */
export async function withThrottleScope<T>(log: Logger | undefined, work: () => Promise<T>): Promise<{ result: T; throttled: number }> {
  const scope = createThrottleScope(log);
  const result = await inThrottleScope(scope, work);
  return { result, throttled: scope.throttled };
}

/** The current invocation's count so far (0 outside a scope). */
export function throttledSoFar(): number {
  return scopes.getStore()?.throttled ?? 0;
}

/** Full-ish jitter: a wait in [ceiling/2, ceiling], so retries of many callers spread out but never come back at once. */
export function backoffDelayMs(retry: number, policy: ThrottlePolicy, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** retry);
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

/**
 * `call` as `what` (e.g. "KMS GetSecretValue"), retried while it is answered with throttling and attempts
 * remain; the last error is rethrown as it came, for the caller's own mapping.
 */
export async function retryThrottled<T>(
  what: string,
  call: () => Promise<T>,
  policy: ThrottlePolicy = DEFAULT_THROTTLE_POLICY,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (err) {
      if (attempt >= policy.attempts || !isThrottling(err)) throw err;
      const delay = backoffDelayMs(attempt - 1, policy);
      const scope = scopes.getStore();
      if (scope) {
        scope.throttled += 1;
        scope.log?.info(`${what} was throttled; retrying`, { check: 'throttling', throttled: scope.throttled, durationMs: delay });
      }
      await sleep(delay);
    }
  }
}
