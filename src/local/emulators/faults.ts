/**
 * The one fault-injection shape every emulator takes (KMS, RDS, and those to come): a test answers a
 * call with an API error before it is applied, after it was applied (a lost response), or late.
 * Hooks are read at call time, so a test may swap them on a live emulator. Faults never carry data.
 */

/** An API error to answer with instead of the real result. */
export interface Fault {
  status: number;
  code: string;
  message?: string;
}

/** The minimum every call-log entry carries. Entries must never hold a secret value. */
export interface CallRecord {
  action: string;
  at: number;
}

/**
 * `before` is consulted before a call is applied, `after` once it has been applied (a lost response: the
 * change stays, the client sees the fault). Read at call time, so a test may swap hooks on a live server.
 */
export interface FaultHooks<C extends CallRecord> {
  before?(call: C): Fault | undefined;
  after?(call: C): Fault | undefined;
  latencyMs?(call: C): number;
}
