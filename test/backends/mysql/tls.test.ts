// The TLS helpers of the MySQL backend (tls.ts): what a certificate must name for an Endpoint, the
// socket that makes Node check an IP Endpoint's certificate against that address, and what each
// failed handshake is called. The real handshakes are in tls.int.test.ts.
import { createServer, type Server, type Socket } from 'node:net';
import { checkServerIdentity, type PeerCertificate } from 'node:tls';
import { afterEach, describe, expect, it } from 'vitest';
import { expectedIdentity, tlsFailure, tlsOptions, tlsRefusal, tlsSocket, type TlsFailure } from '../../../src/backends/mysql/tls.js';

/** mysql2's error for a failed handshake: Node's error with its code replaced by HANDSHAKE_SSL_ERROR. */
const handshakeError = (message: string, extra: Record<string, unknown> = {}): Error =>
  Object.assign(new Error(message), { code: 'HANDSHAKE_SSL_ERROR', fatal: true, ...extra });

describe('tlsOptions', () => {
  it('always verifies the chain and the identity; the CA only when given', () => {
    expect(tlsOptions(undefined)).toEqual({ rejectUnauthorized: true, verifyIdentity: true });
    expect(tlsOptions('PEM')).toEqual({ ca: 'PEM', rejectUnauthorized: true, verifyIdentity: true });
  });
});

describe('expectedIdentity', () => {
  it.each([
    ['10.0.0.5', 'ip'],
    ['127.0.0.1', 'ip'],
    ['::1', 'ip'],
    ['fd00::5', 'ip'],
    ['localhost', 'dns'],
    ['db.example.com', 'dns'],
    ['rm-abc.mysql.rds.aliyuncs.com', 'dns'],
    [undefined, 'dns'],
  ] as const)('%s needs a %s name', (endpoint, kind) => {
    expect(expectedIdentity(endpoint)).toBe(kind);
  });
});

describe('tlsSocket', () => {
  let server: Server | undefined;
  const sockets: Socket[] = [];
  afterEach(async () => {
    for (const s of sockets.splice(0)) s.destroy();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    server = undefined;
  });

  it('is not needed for a host name: mysql2 passes it to Node as the server name', () => {
    expect(tlsSocket('db.example.com', 3306)).toBeUndefined();
    expect(tlsSocket('localhost', 3306)).toBeUndefined();
    expect(tlsSocket(undefined, 3306)).toBeUndefined();
  });

  it('for an IP address, dials it and records it as the host Node checks the certificate against', async () => {
    server = createServer((s) => s.destroy());
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    const socket = tlsSocket('127.0.0.1', port)!();
    sockets.push(socket);
    // Node's tls.connect({socket}) checks `servername || host || socket._host || 'localhost'`.
    expect((socket as Socket & { _host?: unknown })._host).toBe('127.0.0.1');
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    expect(socket.remotePort).toBe(port);
  });

  it("the check Node then makes: an IP address against the certificate's IP SANs only", () => {
    const cert = (subjectaltname: string): PeerCertificate => ({ subject: { CN: 'server' }, subjectaltname }) as unknown as PeerCertificate;
    expect(checkServerIdentity('127.0.0.1', cert('IP Address:127.0.0.1'))).toBeUndefined();
    expect(checkServerIdentity('127.0.0.1', cert('DNS:localhost'))).toMatchObject({ code: 'ERR_TLS_CERT_ALTNAME_INVALID' });
    // What an IP Endpoint was checked against before: the name mysql2 leaves Node to default to.
    expect(checkServerIdentity('localhost', cert('DNS:localhost'))).toBeUndefined();
    expect(checkServerIdentity('localhost', cert('IP Address:127.0.0.1'))).toMatchObject({ code: 'ERR_TLS_CERT_ALTNAME_INVALID' });
  });
});

describe('tlsFailure', () => {
  it.each<[string, unknown, TlsFailure | undefined]>([
    [
      'a server offering no TLS',
      Object.assign(new Error('Server does not support secure connection'), { code: 'HANDSHAKE_NO_SSL_SUPPORT' }),
      { kind: 'no-tls', name: 'HANDSHAKE_NO_SSL_SUPPORT' },
    ],
    [
      "Node's identity error (it keeps reason, host and cert)",
      handshakeError("Hostname/IP does not match certificate's altnames: ...", {
        reason: 'IP: 127.0.0.1 is not in the list',
        host: '127.0.0.1',
        cert: {},
      }),
      { kind: 'wrong-name', name: 'ERR_TLS_CERT_ALTNAME_INVALID' },
    ],
    [
      'a CA in the chain not trusted',
      handshakeError('self-signed certificate in certificate chain'),
      { kind: 'untrusted', name: 'SELF_SIGNED_CERT_IN_CHAIN' },
    ],
    [
      'a self-signed server certificate (OpenSSL 1.1 wording)',
      handshakeError('self signed certificate'),
      { kind: 'untrusted', name: 'DEPTH_ZERO_SELF_SIGNED_CERT' },
    ],
    [
      'a missing intermediate',
      handshakeError('unable to verify the first certificate'),
      { kind: 'untrusted', name: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' },
    ],
    [
      'an unknown issuer',
      handshakeError('unable to get local issuer certificate'),
      { kind: 'untrusted', name: 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY' },
    ],
    ['an expired certificate', handshakeError('certificate has expired'), { kind: 'untrusted', name: 'CERT_HAS_EXPIRED' }],
    [
      'the socket failing mid-handshake',
      handshakeError('read ECONNRESET', { errno: -104, syscall: 'read' }),
      { kind: 'network', name: 'HANDSHAKE_SSL_ERROR' },
    ],
    ['a protocol failure', handshakeError('wrong version number'), { kind: 'handshake', name: 'HANDSHAKE_SSL_ERROR' }],
    [
      "Node's own codes, were a driver to keep them",
      Object.assign(new Error('x'), { code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' }),
      { kind: 'untrusted', name: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' },
    ],
    [
      '',
      Object.assign(new Error('x'), { code: 'ERR_TLS_CERT_ALTNAME_INVALID' }),
      { kind: 'wrong-name', name: 'ERR_TLS_CERT_ALTNAME_INVALID' },
    ],
    [
      '',
      Object.assign(new Error('x'), { code: 'ERR_SSL_WRONG_VERSION_NUMBER' }),
      { kind: 'handshake', name: 'ERR_SSL_WRONG_VERSION_NUMBER' },
    ],
    ['a refused login: not TLS', Object.assign(new Error('Access denied'), { code: 'ER_ACCESS_DENIED_ERROR', errno: 1045 }), undefined],
    [
      'an unreachable server: not TLS',
      Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED', syscall: 'connect' }),
      undefined,
    ],
    ['a connect timeout: not TLS', Object.assign(new Error('connect ETIMEDOUT'), { code: 'ETIMEDOUT' }), undefined],
    ['no error object', undefined, undefined],
    ['a string', 'HANDSHAKE_SSL_ERROR', undefined],
  ])('%s', (_what, err, expected) => {
    expect(tlsFailure(err)).toEqual(expected);
  });
});

describe('tlsRefusal', () => {
  it.each<[TlsFailure, string | undefined, boolean, RegExp]>([
    [
      { kind: 'untrusted', name: 'SELF_SIGNED_CERT_IN_CHAIN' },
      '10.0.0.5',
      true,
      /not trusted by the CA bundle in MYSQL_CA_FILE \(SELF_SIGNED_CERT_IN_CHAIN\)$/,
    ],
    [
      { kind: 'untrusted', name: 'SELF_SIGNED_CERT_IN_CHAIN' },
      '10.0.0.5',
      false,
      /not trusted by the system CAs .*: set MYSQL_CA_FILE to the CA that signed it$/,
    ],
    [
      { kind: 'wrong-name', name: 'ERR_TLS_CERT_ALTNAME_INVALID' },
      '10.0.0.5',
      true,
      /does not name the Endpoint .*an IP address Endpoint needs an IP address subjectAltName$/,
    ],
    [
      { kind: 'wrong-name', name: 'ERR_TLS_CERT_ALTNAME_INVALID' },
      'db.example.com',
      true,
      /a host name Endpoint needs it as a DNS subjectAltName$/,
    ],
    [{ kind: 'no-tls', name: 'HANDSHAKE_NO_SSL_SUPPORT' }, 'db.example.com', true, /offers no TLS and the secret sets SSL: true/],
    [{ kind: 'handshake', name: 'HANDSHAKE_SSL_ERROR' }, 'db.example.com', true, /^the TLS handshake failed \(HANDSHAKE_SSL_ERROR\)$/],
  ])('%o for %s (CA file: %s)', (failure, endpoint, caGiven, text) => {
    const message = tlsRefusal(failure, endpoint, caGiven);
    expect(message).toMatch(text);
    // Messages name the field, never its value.
    if (endpoint) expect(message.includes(endpoint)).toBe(false);
  });
});
