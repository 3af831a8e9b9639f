/**
 * Node's socket error codes that mean the network failed, not the request: worth retrying. The one
 * list both error mappings build on (Alibaba's SDKs in alibaba/errors.ts, the MySQL driver in
 * backends/mysql/connection.ts), each adding only the codes of its own client. Only codes that a
 * retry can cure belong here: a refused login or a bad request must never be retried as transient.
 */
export const SOCKET_ERROR_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  // A name that does not resolve may be a DNS outage; retrying a typo a few times costs little.
  'ENOTFOUND',
]);
