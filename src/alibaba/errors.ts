/**
 * Maps errors thrown by the Alibaba Cloud SDKs onto the CONTRACT's named errors.
 * SDK error messages are never copied: on a network failure they contain the request URL,
 * and an RPC-style SDK may put every request parameter (SecretData included) in that URL's query.
 */
import { ConfigurationError, CloudApiError, TransientError, type RotationError } from '../errors.js';
import { SOCKET_ERROR_CODES } from '../network.js';

export interface CloudErrorInfo {
  /** The service's error code as the API documents it (`Forbidden.ResourceNotFound`), or a network code. */
  code: string;
  status: number | undefined;
}

const TRANSIENT_CODES = new Set([
  'Throttling',
  'Throttling.User',
  'Throttling.Api',
  'Rejected.Throttling',
  'ServiceUnavailable',
  'InternalError',
  'InternalFailure',
  'UnknownError',
  'OperationDenied.DBInstanceStatus',
  'OperationDenied.DBStatus',
  'IncorrectDBInstanceState',
]);

/** What the SDKs' own HTTP layers report, beside the socket codes, when no answer came. */
const SDK_NETWORK_CODES = new Set([
  'RequestTimeout',
  'RequestTimeoutError',
  'UnretryableError',
  // An answer that is not JSON: typically a load balancer's HTML error page in front of the API.
  'SyntaxError',
]);

function field(value: unknown, key: string): unknown {
  return value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined;
}

export function cloudErrorInfo(err: unknown): CloudErrorInfo {
  const data = field(err, 'data');
  const rawCode = field(data, 'Code') ?? field(data, 'code');
  let code = typeof rawCode === 'string' ? rawCode : undefined;
  if (code === undefined) {
    const errCode = field(err, 'code');
    const name = field(err, 'name');
    code = typeof errCode === 'string' ? errCode : typeof name === 'string' ? name : 'Unknown';
  }
  let status: number | undefined;
  const statusField = field(err, 'statusCode') ?? field(data, 'statusCode');
  if (typeof statusField === 'number') status = statusField;
  else {
    // The older rpc-client only reports the HTTP status inside its message ("code: 404, ...").
    const message = field(err, 'message');
    const match = typeof message === 'string' ? /^[^:]*: code: (\d{3}),/.exec(message) : null;
    if (match?.[1]) status = Number(match[1]);
  }
  return { code, status };
}

export function isTransient(info: CloudErrorInfo): boolean {
  return (
    TRANSIENT_CODES.has(info.code) ||
    SOCKET_ERROR_CODES.has(info.code) ||
    SDK_NETWORK_CODES.has(info.code) ||
    info.code.startsWith('Throttling') ||
    info.status === 429 ||
    (info.status !== undefined && info.status >= 500)
  );
}

/** `what` says which call on which secret or instance, e.g. "KMS GetSecretValue for secret app-db". */
export function toRotationError(err: unknown, what: string): RotationError {
  // The default credential chain found nothing: no call was made, and no retry will find any.
  if (err instanceof Error && err.message.startsWith('unable to get credentials from any of the providers in the chain')) {
    return new ConfigurationError(
      `${what} failed: no Alibaba Cloud credentials (set ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET, a profile or an instance role)`,
    );
  }
  const info = cloudErrorInfo(err);
  const detail = `${what} failed: ${info.code}${info.status ? ` (HTTP ${info.status})` : ''}`;
  return isTransient(info) ? new TransientError(detail) : new CloudApiError(detail);
}

/**
 * The Tea SDKs cast an answer onto their response model and throw a bare Error when a field has another
 * type ("type of versionIds is mismatch, ...") or the body is not an object: a malformed answer, which
 * the callers treat as transient, not a refusal.
 */
export function isSdkCastError(err: unknown): boolean {
  return (
    err instanceof Error &&
    err.constructor === Error &&
    /^(type of \S+ is mismatch|can not cast to Map|The value is not a object)/.test(err.message)
  );
}
