/**
 * What an emulated API's action handlers share with the wire layer: the API error they throw,
 * the shape of parameters and results, and POP's parameter helpers. No I/O, no HTTP.
 */

/** An answer the API itself gives: its HTTP status, code and message. Anything else thrown becomes a 5xx without detail. */
export class AcsApiError extends Error {
  override readonly name = 'AcsApiError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** Request parameters as they arrive on the wire: every value is a string. */
export type AcsParams = Readonly<Record<string, string | undefined>>;
/** A response body without `RequestId`, which belongs to the HTTP layer. */
export type AcsResult = Record<string, unknown>;

/** POP's common error for an absent required parameter. */
export function missingParameter(parameter: string): AcsApiError {
  return new AcsApiError(400, `Missing${parameter}`, `${parameter} is mandatory for this action.`);
}

/** Empty strings count as absent: SDKs serialise unset optional fields as `Name=` in some paths. */
export function optionalParam(params: AcsParams, name: string): string | undefined {
  const value = params[name];
  return value === undefined || value === '' ? undefined : value;
}

export function requireParam(params: AcsParams, name: string): string {
  const value = optionalParam(params, name);
  if (value === undefined) throw missingParameter(name);
  return value;
}
