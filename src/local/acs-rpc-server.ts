// Alibaba Cloud's RPC wire protocol for the local emulators (KMS, RDS): request decoding, both signature versions, JSON and error bodies, fault hooks, the call log and the CLI plumbing. It knows nothing about any one API.
import { createHash, createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

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

export interface AcsFault {
  status: number;
  code: string;
  message?: string;
}

/** The minimum every call-log entry carries. Entries must never hold a secret value. */
export interface AcsCall {
  action: string;
  at: number;
}

/**
 * `before` is consulted before a call is applied, `after` once it has been applied (a lost response: the
 * change stays, the client sees the fault). Read at call time, so a test may swap hooks on a live server.
 */
export interface AcsFaultHooks<C extends AcsCall> {
  before?(call: C): AcsFault | undefined;
  after?(call: C): AcsFault | undefined;
  latencyMs?(call: C): number;
}

export type AcsAction<C extends AcsCall> = (params: AcsParams, call: C) => AcsResult | Promise<AcsResult>;

export interface AcsRpcServerOptions<C extends AcsCall> {
  /** Used as HostId in error bodies when the request has no Host header. */
  name: string;
  /** The API version this service answers; a request naming another one is refused. */
  apiVersion: string;
  actions: ReadonlyMap<string, AcsAction<C>>;
  /** What the call log keeps of a request. */
  describeCall(action: string, params: AcsParams, at: number): C;
  /** The service's own code for a failure it did not expect (KMS: InternalFailure, RDS: InternalError). */
  internalError: { code: string; message: string };
  host?: string;
  port?: number;
  /** AccessKeyId → AccessKeySecret. When set, every request must carry a valid signature. */
  accessKeys?: Record<string, string>;
  faults?: AcsFaultHooks<C>;
}

export interface AcsRpcServer<C extends AcsCall> {
  /** 'http://127.0.0.1:PORT'. The SDKs take the endpoint without the scheme plus `protocol: 'http'`. */
  readonly endpoint: string;
  readonly port: number;
  /** Every call received, in order. */
  readonly calls: readonly C[];
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 1 << 20;

/** The request after wire decoding: what the action handlers and the signature checks need. */
interface WireRequest {
  method: string;
  path: string;
  query: Map<string, string>;
  body: Map<string, string>;
  rawBody: Buffer;
  headers: IncomingMessage['headers'];
}

/** Percent-encoding every SDK signs with: encodeURIComponent plus !'()*. */
function popEncode(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function header(headers: IncomingMessage['headers'], name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value.join(',') : value;
}

const incompleteSignature = (): AcsApiError =>
  new AcsApiError(400, 'IncompleteSignature', 'The request signature does not conform to Aliyun standards.');
const signatureMismatch = (): AcsApiError =>
  new AcsApiError(400, 'SignatureDoesNotMatch', 'Specified signature is not matched with our calculation.');
const unknownAccessKey = (): AcsApiError => new AcsApiError(404, 'InvalidAccessKeyId.NotFound', 'Specified access key is not found.');

/**
 * Signature version 1.0 (HMAC-SHA1), sent by @alicloud/rpc-client and by openapi-client configured with
 * `signatureAlgorithm: 'v2'`: every query parameter but Signature, plus every form-body parameter.
 */
function verifyRpcSignature(req: WireRequest, accessKeys: Record<string, string>): void {
  const signature = req.query.get('Signature');
  const accessKeyId = req.query.get('AccessKeyId');
  if (!signature || !accessKeyId) throw incompleteSignature();
  if (req.query.get('SignatureMethod') !== 'HMAC-SHA1') {
    throw new AcsApiError(400, 'InvalidSignatureMethod', 'Specified signature method is not valid.');
  }
  const secret = accessKeys[accessKeyId];
  if (secret === undefined) throw unknownAccessKey();
  const signed = new Map(req.query);
  signed.delete('Signature');
  for (const [k, v] of req.body) signed.set(k, v);
  const canonical = [...signed.keys()]
    .sort()
    .map((k) => `${popEncode(k)}=${popEncode(signed.get(k) ?? '')}`)
    .join('&');
  const stringToSign = `${req.method}&${popEncode('/')}&${popEncode(canonical)}`;
  const expected = createHmac('sha1', `${secret}&`).update(stringToSign).digest('base64');
  if (!safeEqual(signature, expected)) throw signatureMismatch();
}

const ACS3 = /^ACS3-HMAC-SHA256 Credential=([^,]+),SignedHeaders=([^,]*),Signature=([0-9a-f]+)$/;

/**
 * ACS3-HMAC-SHA256 (the V3 signature), which openapi-client's `callApi` and every openapi-core SDK use by
 * default even for RPC-style APIs: parameters in the query and body, Action only in the x-acs-action header.
 */
function verifyAcs3Signature(req: WireRequest, authorization: string, accessKeys: Record<string, string>): void {
  const match = ACS3.exec(authorization);
  if (!match) throw incompleteSignature();
  const [, accessKeyId = '', signedHeaderList = '', signature = ''] = match;
  const secret = accessKeys[accessKeyId];
  if (secret === undefined) throw unknownAccessKey();
  const signedHeaders = signedHeaderList.split(';');
  // Unsigned x-acs-* headers (x-acs-action above all) could be swapped without breaking the signature.
  for (const name of Object.keys(req.headers)) {
    if ((name.startsWith('x-acs-') || name === 'host') && !signedHeaders.includes(name)) throw signatureMismatch();
  }
  const canonicalHeaders = signedHeaders.map((name) => `${name}:${(header(req.headers, name) ?? '').trim()}\n`).join('');
  const canonicalQuery = [...req.query.keys()]
    .sort()
    .map((k) => `${k}=${popEncode(req.query.get(k) ?? '')}`)
    .join('&');
  // The body's own hash, not the claimed header: a body swapped in transit must fail.
  const payloadHash = createHash('sha256').update(req.rawBody).digest('hex');
  const canonicalRequest = [req.method, req.path, canonicalQuery, canonicalHeaders, signedHeaderList, payloadHash].join('\n');
  const stringToSign = `ACS3-HMAC-SHA256\n${createHash('sha256').update(canonicalRequest).digest('hex')}`;
  const expected = createHmac('sha256', secret).update(stringToSign).digest('hex');
  if (!safeEqual(signature, expected)) throw signatureMismatch();
}

function verifySignature(req: WireRequest, accessKeys: Record<string, string>): void {
  const authorization = header(req.headers, 'authorization');
  if (authorization !== undefined) verifyAcs3Signature(req, authorization, accessKeys);
  else verifyRpcSignature(req, accessKeys);
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += buf.length;
    if (size > MAX_BODY_BYTES) throw new AcsApiError(400, 'InvalidParameter', 'The request body is too large.');
    chunks.push(buf);
  }
  return Buffer.concat(chunks);
}

async function decodeRequest(req: IncomingMessage): Promise<WireRequest> {
  const url = new URL(req.url ?? '/', 'http://emulator.invalid');
  const rawBody = await readBody(req);
  const body = new Map<string, string>();
  // RPC APIs take form bodies only; a JSON body carries no parameters, as on the real gateway.
  if ((header(req.headers, 'content-type') ?? '').startsWith('application/x-www-form-urlencoded')) {
    for (const [k, v] of new URLSearchParams(rawBody.toString('utf8'))) body.set(k, v);
  }
  return {
    method: (req.method ?? 'GET').toUpperCase(),
    path: url.pathname,
    query: new Map(url.searchParams),
    body,
    rawBody,
    headers: req.headers,
  };
}

/** Body parameters win over query parameters, the same precedence the SDKs sign with. */
function mergeParams(req: WireRequest): Record<string, string> {
  return Object.fromEntries([...req.query, ...req.body]);
}

function send(res: ServerResponse, status: number, body: Record<string, unknown>): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json;charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'x-acs-request-id': String(body['RequestId'] ?? ''),
  });
  res.end(text);
}

function errorBody(requestId: string, hostId: string, code: string, message: string): Record<string, unknown> {
  return { RequestId: requestId, HostId: hostId, Code: code, Message: message };
}

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

export async function startAcsRpcServer<C extends AcsCall>(options: AcsRpcServerOptions<C>): Promise<AcsRpcServer<C>> {
  const calls: C[] = [];
  const faults = options.faults ?? {};
  const { accessKeys, actions, apiVersion } = options;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const requestId = randomUUID().toUpperCase();
    const hostId = header(req.headers, 'host') ?? options.name;
    const fail = (status: number, code: string, message: string): void => send(res, status, errorBody(requestId, hostId, code, message));
    try {
      const wire = await decodeRequest(req);
      const params = mergeParams(wire);
      const action = params['Action'] ?? header(req.headers, 'x-acs-action') ?? '';
      const call = Object.freeze(options.describeCall(action, params, Date.now()));
      calls.push(call);

      const latency = faults.latencyMs?.(call) ?? 0;
      if (latency > 0) await sleep(latency);

      if (action === '') throw new AcsApiError(400, 'MissingAction', 'Action is mandatory for this action.');
      const version = params['Version'] ?? header(req.headers, 'x-acs-version');
      if (version !== undefined && version !== apiVersion) {
        throw new AcsApiError(400, 'InvalidVersion', 'Specified parameter Version is not valid.');
      }
      const handler = actions.get(action);
      // The gateway's answer for an action it does not know; actions the service has but the emulator lacks get it too.
      if (!handler) throw new AcsApiError(404, 'InvalidAction.NotFound', 'Specified api is not found, please check your url and method.');
      if (accessKeys) verifySignature(wire, accessKeys);

      const before = faults.before?.(call);
      if (before) return fail(before.status, before.code, before.message ?? 'Injected fault before the call was applied.');

      let status = 200;
      let body: Record<string, unknown>;
      try {
        body = { RequestId: requestId, ...(await handler(params, call)) };
      } catch (err) {
        if (!(err instanceof AcsApiError)) throw err;
        status = err.status;
        body = errorBody(requestId, hostId, err.code, err.message);
      }

      // A lost response: whatever the call did stays done.
      const after = faults.after?.(call);
      if (after) return fail(after.status, after.code, after.message ?? 'Injected fault after the call was applied.');
      send(res, status, body);
    } catch (err) {
      if (err instanceof AcsApiError) return fail(err.status, err.code, err.message);
      // No detail: an unexpected error's message could echo request content (a driver error can quote SQL).
      fail(500, options.internalError.code, options.internalError.message);
    }
  }

  const server = createServer((req, res) => void handle(req, res));
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolveListen();
    });
  });
  const port = (server.address() as AddressInfo).port;

  return {
    endpoint: `http://${host}:${port}`,
    port,
    get calls(): readonly C[] {
      return [...calls];
    },
    close: () =>
      new Promise<void>((resolveClose, reject) => {
        // The SDKs keep connections alive; without this close() waits for them to time out.
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolveClose()));
      }),
  };
}

// ---- CLI plumbing shared by the emulators' `node --import tsx src/local/<x>-emulator.ts` entry points ----

/** The parseArgs options every emulator CLI takes; spread them into the emulator's own. */
export function commonCliOptions(defaultPort: number) {
  return {
    host: { type: 'string' },
    port: { type: 'string', default: String(defaultPort) },
    'access-key': { type: 'string', multiple: true },
  } as const;
}

export interface CommonCliSettings {
  host?: string;
  port: number;
  accessKeys?: Record<string, string>;
}

export function commonCliSettings(values: {
  host?: string | undefined;
  port?: string | undefined;
  'access-key'?: string[] | undefined;
}): CommonCliSettings {
  const accessKeys: Record<string, string> = {};
  for (const pair of values['access-key'] ?? []) {
    const at = pair.indexOf(':');
    if (at <= 0) throw new Error('--access-key takes ID:SECRET');
    accessKeys[pair.slice(0, at)] = pair.slice(at + 1);
  }
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error('--port takes a port number');
  const settings: CommonCliSettings = { port };
  if (values.host) settings.host = values.host;
  if (Object.keys(accessKeys).length > 0) settings.accessKeys = accessKeys;
  return settings;
}

/** Prints the endpoint (and nothing else: a caller may read it from stdout) and serves until SIGINT/SIGTERM. */
export function serveUntilSignalled(server: { endpoint: string; close(): Promise<void> }): void {
  console.log(server.endpoint);
  const stop = (): void => void server.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

/** Runs `main` when the module is the process's entry point, reporting a failure by its message only. */
export function runIfMain(importMetaUrl: string, main: () => Promise<void>): void {
  if (!process.argv[1] || resolve(process.argv[1]) !== fileURLToPath(importMetaUrl)) return;
  main().catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : String(err));
    process.exit(1);
  });
}
