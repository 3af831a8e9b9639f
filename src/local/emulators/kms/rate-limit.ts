/**
 * The KMS emulator's request quota: a sliding one-second window over admitted calls. A call that would
 * make more than `callsPerSecond` admitted calls within the last 1,000 ms is refused as KMS refuses it
 * (HTTP 429 `Rejected.Throttling`, "QPS Limit Exceeded"), counted, and never applied. Refused calls do
 * not take a place in the window, so a client that backs off gets in as soon as the window allows.
 */
import { AcsApiError } from '../acs-rpc/params.js';

export interface RateLimit {
  callsPerSecond: number;
}

const WINDOW_MS = 1_000;

export const THROTTLING = { status: 429, code: 'Rejected.Throttling', message: 'QPS Limit Exceeded' } as const;

export class SlidingWindowLimiter {
  private limit: RateLimit | undefined;
  /** When each admitted call of the last window arrived, oldest first. */
  private admitted: number[] = [];
  throttledCount = 0;

  constructor(
    limit: RateLimit | undefined,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.set(limit);
  }

  /** Changes the limit on a running emulator (undefined lifts it); the window so far is kept. */
  set(limit: RateLimit | undefined): void {
    if (limit !== undefined && !(Number.isFinite(limit.callsPerSecond) && limit.callsPerSecond > 0)) {
      throw new Error('rateLimit.callsPerSecond must be a positive number');
    }
    this.limit = limit === undefined ? undefined : { callsPerSecond: limit.callsPerSecond };
  }

  get current(): RateLimit | undefined {
    return this.limit;
  }

  /** undefined admits the call; otherwise the error to answer it with. */
  admit(): AcsApiError | undefined {
    const t = this.now();
    let drop = 0;
    while (drop < this.admitted.length && (this.admitted[drop] as number) <= t - WINDOW_MS) drop += 1;
    if (drop > 0) this.admitted = this.admitted.slice(drop);
    if (this.limit && this.admitted.length >= Math.floor(this.limit.callsPerSecond)) {
      this.throttledCount += 1;
      return new AcsApiError(THROTTLING.status, THROTTLING.code, THROTTLING.message);
    }
    this.admitted.push(t);
    return undefined;
  }
}
