/**
 * The CONTRACT's named errors. CloudFlow Retry/Catch rules match on the class name, which FC
 * reports as the invocation's errorType, so each `name` is a stable identifier and the bundle
 * keeps class names. Messages name the secret, the step and the field; they never carry a value.
 * Context is added by wrapping (withContext), never by editing an error's message in place.
 */

export abstract class RotationError extends Error {
  abstract override readonly name: string;
  /** The message only: withContext rebuilds an error of the same class from its message. */
  constructor(message: string) {
    super(message);
  }
}

/** The event is missing a field, has a malformed one, or is not JSON. */
export class InvalidEventError extends RotationError {
  override readonly name = 'InvalidEventError';
}

/** A secret's data is not JSON, misses a field, has a malformed one, or is not a Generic secret. */
export class InvalidSecretError extends RotationError {
  override readonly name = 'InvalidSecretError';
}

/** A secret or version the step needs does not exist. */
export class SecretNotFoundError extends RotationError {
  override readonly name = 'SecretNotFoundError';
}

/** A safety check refused to act: mismatched hosts or users, credentials that do not log in. */
export class PreconditionError extends RotationError {
  override readonly name = 'PreconditionError';
}

/** Throttling, network failure, a 5xx, a busy instance: the same call may succeed later. */
export class TransientError extends RotationError {
  override readonly name = 'TransientError';
}

/** A function environment variable is malformed. */
export class ConfigurationError extends RotationError {
  override readonly name = 'ConfigurationError';
}

/** A cloud API refused the call for a reason retrying will not fix (permissions, quotas, bad request). */
export class CloudApiError extends RotationError {
  override readonly name = 'CloudApiError';
}

/** The database refused a statement for a reason retrying will not fix. */
export class DatabaseError extends RotationError {
  override readonly name = 'DatabaseError';
}

/** `report`: one or more secrets of a flow's Map did not rotate; the message names them. Not retried. */
export class RotationFailedError extends RotationError {
  override readonly name = 'RotationFailedError';
}

/** Anything else: a bug or an unexpected library failure. Not retried by the shipped flows. */
export class InternalError extends RotationError {
  override readonly name = 'InternalError';
}

/** The `at ...` lines of a stack, without the message line above them. */
export function stackFrames(stack: string | undefined): string {
  return (stack ?? '')
    .split('\n')
    .filter((line) => line.trimStart().startsWith('at '))
    .join('\n');
}

/**
 * `err` with `context` before its message ("step set: secret app-db: ..."): a new error of the same
 * class, so the same `name` that flow Retry/Catch rules match, whose stack starts with its own name
 * and message and keeps the original's frames. `scrub` is applied to both (the handler's secret
 * mask). The original error is left as it was.
 */
// No `cause`: the handler's returned error must carry no text the mask has not seen, and FC reports no
// causes anyway. Every RotationError class takes its message alone, which is what makes this copy exact.
export function withContext<E extends RotationError>(err: E, context: string | undefined, scrub: (text: string) => string = (t) => t): E {
  const Class = err.constructor as new (message: string) => E;
  const message = scrub(context === undefined ? err.message : `${context}: ${err.message}`);
  const wrapped = new Class(message);
  wrapped.stack = scrub(`${wrapped.name}: ${message}\n${stackFrames(err.stack)}`);
  return wrapped;
}
