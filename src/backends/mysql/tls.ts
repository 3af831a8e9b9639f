/**
 * Verified TLS to MySQL (README: TLS policy): the options mysql2 is given, the certificate checked
 * against the Endpoint as given — its IP address subjectAltNames for an IP address, its DNS names
 * for a host name — and what a failed TLS handshake means. mysql2 (3.x) hands Node no server name
 * for an IP address and takes no `checkServerIdentity` of its own, so Node would check the name
 * `localhost` instead: a `localhost` certificate passed for 10.0.0.5 and a correct IP certificate
 * failed. Reads an error's code and properties, never puts its message in one of ours.
 */
import { connect as dial, isIP, type Socket } from 'node:net';
import type { SslOptions } from 'mysql2';

/** Verified TLS: the chain against the CA bundle (the system CAs without one), the certificate against the Endpoint. */
export function tlsOptions(ca: string | undefined): SslOptions {
  return { ...(ca ? { ca } : {}), rejectUnauthorized: true, verifyIdentity: true };
}

/** What the server's certificate must name for `endpoint`: an IP address subjectAltName, or a DNS name (or its wildcard). None: mysql2's `localhost`. */
export function expectedIdentity(endpoint: string | undefined): 'ip' | 'dns' {
  return endpoint === undefined || isIP(endpoint) === 0 ? 'dns' : 'ip';
}

/**
 * For a TLS connection to an IP address, the TCP socket mysql2 is to use (its `stream` option): one
 * that tells Node which address it dialled. Node checks the certificate against the server name it
 * was given, else the host its socket connected to by name (`_host`), else `localhost`; a socket
 * connected to an IP address records none, and mysql2 passes no name for an IP (an IP address may
 * not be sent as SNI). With `_host` set, Node's own tls.checkServerIdentity checks that address
 * against the certificate's IP subjectAltNames. Host names need nothing: mysql2 passes them as the
 * server name, and both Node and mysql2 check the certificate's DNS names against them.
 */
export function tlsSocket(endpoint: string | undefined, port: number): (() => Socket) | undefined {
  if (endpoint === undefined || expectedIdentity(endpoint) === 'dns') return undefined;
  return () => {
    const socket = dial(port, endpoint);
    // As mysql2 does for the sockets it opens: packets leave at once.
    socket.setNoDelay(true);
    (socket as Socket & { _host: string | null })._host = endpoint;
    return socket;
  };
}

/**
 * Why a TLS connection failed: `untrusted` (the chain does not lead to a trusted CA, or a
 * certificate has expired), `wrong-name` (the certificate does not name the Endpoint), `no-tls`
 * (the server offers none), `handshake` (the TLS negotiation itself: versions, ciphers, an alert),
 * `network` (the socket failed during the handshake, which may pass).
 */
export type TlsFailureKind = 'untrusted' | 'wrong-name' | 'no-tls' | 'handshake' | 'network';

export interface TlsFailure {
  kind: TlsFailureKind;
  /** A stable name for messages and logs: Node's or OpenSSL's code where it can be told, else mysql2's. */
  name: string;
}

/**
 * OpenSSL's certificate verification messages (X509_verify_cert_error_string), by the code Node
 * gives each: mysql2 replaces the code of every TLS error with HANDSHAKE_SSL_ERROR, and the message
 * is then all that says which check failed. OpenSSL 3 writes "self-signed", older ones "self signed".
 */
const VERIFY_MESSAGES: readonly (readonly [RegExp, string])[] = [
  [/^unable to get local issuer certificate$/, 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY'],
  [/^unable to get issuer certificate$/, 'UNABLE_TO_GET_ISSUER_CERT'],
  [/^unable to verify the first certificate$/, 'UNABLE_TO_VERIFY_LEAF_SIGNATURE'],
  [/^self[- ]signed certificate in certificate chain$/, 'SELF_SIGNED_CERT_IN_CHAIN'],
  [/^self[- ]signed certificate$/, 'DEPTH_ZERO_SELF_SIGNED_CERT'],
  [/^certificate has expired$/, 'CERT_HAS_EXPIRED'],
  [/^certificate is not yet valid$/, 'CERT_NOT_YET_VALID'],
  [/^certificate signature failure$/, 'CERT_SIGNATURE_FAILURE'],
  [/^certificate revoked$/, 'CERT_REVOKED'],
  [/^certificate not trusted$/, 'CERT_UNTRUSTED'],
  [/^certificate rejected$/, 'CERT_REJECTED'],
  [/^invalid CA certificate$/, 'INVALID_CA'],
  [/^unsupported certificate purpose$/, 'INVALID_PURPOSE'],
  [/^path length constraint exceeded$/, 'PATH_LENGTH_EXCEEDED'],
];

/** The same failures under the codes Node gives them, should a driver ever pass them on unchanged. */
const VERIFY_CODES: ReadonlySet<string> = new Set(VERIFY_MESSAGES.map(([, code]) => code));

function property(err: unknown, name: string): unknown {
  return err !== null && typeof err === 'object' ? (err as Record<string, unknown>)[name] : undefined;
}

/** What a failed connection attempt with TLS says about TLS; undefined when it did not fail in TLS (a refused login, an unreachable server). */
export function tlsFailure(err: unknown): TlsFailure | undefined {
  const code = property(err, 'code');
  if (code === 'HANDSHAKE_NO_SSL_SUPPORT') return { kind: 'no-tls', name: code };
  if (typeof code !== 'string') return undefined;
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') return { kind: 'wrong-name', name: code };
  if (VERIFY_CODES.has(code)) return { kind: 'untrusted', name: code };
  if (code.startsWith('ERR_SSL_') || code.startsWith('ERR_TLS_')) return { kind: 'handshake', name: code };
  if (code !== 'HANDSHAKE_SSL_ERROR') return undefined;
  // Node's identity error carries the name it checked and the certificate.
  if (typeof property(err, 'reason') === 'string' && property(err, 'cert') !== undefined) {
    return { kind: 'wrong-name', name: 'ERR_TLS_CERT_ALTNAME_INVALID' };
  }
  // A socket error (it names its system call): the connection broke, not the negotiation.
  if (typeof property(err, 'syscall') === 'string') return { kind: 'network', name: code };
  const message = err instanceof Error ? err.message : '';
  const verified = VERIFY_MESSAGES.find(([pattern]) => pattern.test(message));
  if (verified) return { kind: 'untrusted', name: verified[1] };
  return { kind: 'handshake', name: code };
}

/**
 * Why a connection with `SSL: true` failed, for the message (which names no value: not the
 * Endpoint, not the certificate's names). `caGiven`: MYSQL_CA_FILE is set.
 */
export function tlsRefusal(failure: TlsFailure, endpoint: string | undefined, caGiven: boolean): string {
  switch (failure.kind) {
    case 'untrusted':
      return caGiven
        ? `the server's certificate is not trusted by the CA bundle in MYSQL_CA_FILE (${failure.name})`
        : `the server's certificate is not trusted by the system CAs (${failure.name}): set MYSQL_CA_FILE to the CA that signed it`;
    case 'wrong-name':
      return `the server's certificate does not name the Endpoint (${failure.name}): ${
        expectedIdentity(endpoint) === 'ip'
          ? 'an IP address Endpoint needs an IP address subjectAltName'
          : 'a host name Endpoint needs it as a DNS subjectAltName'
      }`;
    case 'no-tls':
      return `the server offers no TLS and the secret sets SSL: true (${failure.name})`;
    case 'handshake':
    case 'network':
      return `the TLS handshake failed (${failure.name})`;
  }
}
