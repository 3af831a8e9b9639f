/**
 * The one fault-injection shape every emulator takes (KMS, RDS, and those to come): a test answers a
 * call with an API error before it is applied, after it was applied (a lost response), late, or with
 * a success whose body is not the one the API documents. Hooks are read at call time, so a test may
 * swap them on a live emulator. Faults never carry data.
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
 * change stays, the client sees the fault). `respond` is consulted once a call has been applied and
 * succeeded, when `after` answered no fault: it gets the body the emulator would send (RequestId included)
 * and may return another body to send instead, still with status 200 and the same `x-acs-request-id`
 * header (a success that is not one: `{}`, a field missing or of another type). The returned body is
 * sent as is, so keep `body.RequestId` in it to keep it in the body too; undefined sends the real body.
 * The change stays either way. Read at call time, so a test may swap hooks on a live server.
 */
export interface FaultHooks<C extends CallRecord> {
  before?(call: C): Fault | undefined;
  after?(call: C): Fault | undefined;
  respond?(call: C, body: Record<string, unknown>): Record<string, unknown> | undefined;
  latencyMs?(call: C): number;
}
