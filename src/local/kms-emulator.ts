// A local KMS Secrets Manager endpoint speaking Alibaba's RPC wire protocol, so the real SDK clients can be tested against it.
import { createHash, createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import {
  KmsApiError,
  SECRET_TYPES,
  SecretStore,
  type KmsParams,
  type KmsResult,
  type SecretStoreOptions,
  type SecretType,
} from './kms-store.js';

export interface KmsFault {
  status: number;
  code: string;
  message?: string;
}

/** One request as the emulator saw it; it never holds SecretData. */
export interface KmsCall {
  action: string;
  secretName?: string;
  at: number;
}

export interface KmsEmulatorOptions {
  host?: string;
  port?: number;
  /** AccessKeyId → AccessKeySecret. When set, every request must carry a valid signature. */
  accessKeys?: Record<string, string>;
  /**
   * Fault hooks: `before` is consulted before a call is applied, `after` once it has been applied
   * (a lost response: the change stays, the client sees the fault). Return a fault to answer with it.
   */
  faults?: {
    before?(call: KmsCall): KmsFault | undefined;
    after?(call: KmsCall): KmsFault | undefined;
    latencyMs?(call: KmsCall): number;
  };
  /** Used in secret ARNs. */
  regionId?: string;
  /** Injectable clock, so a test can step past a recovery window. */
  now?: () => number;
  /**
   * Secrets created before the server listens, through the same rules as CreateSecret (first version `v1`).
   * The only way to get a non-Generic secret from rpc-client users: its CreateSecretRequest has no SecretType.
   */
  seed?: readonly KmsSeedSecret[];
}

export interface KmsSeedSecret {
  SecretName: string;
  SecretData: string;
  SecretType?: SecretType;
}

export interface KmsEmulator {
  /** 'http://127.0.0.1:PORT'. The SDKs take the endpoint without the scheme plus `protocol: 'http'`. */
  readonly endpoint: string;
  readonly port: number;
  /** Every call received, in order. */
  readonly calls: readonly KmsCall[];
  /** A deep copy of every secret's versions (ids, data, stages, type), a `StoreSnapshot`, for before/after equality checks. */
  snapshot(): unknown;
  close(): Promise<void>;
}

export const KMS_API_VERSION = '2016-01-20';
const MAX_BODY_BYTES = 1 << 20;

type ActionHandler = (store: SecretStore, params: KmsParams) => KmsResult;

const ACTIONS: ReadonlyMap<string, ActionHandler> = new Map<string, ActionHandler>([
  ['CreateSecret', (s, p) => s.createSecret(p)],
  ['GetSecretValue', (s, p) => s.getSecretValue(p)],
  ['PutSecretValue', (s, p) => s.putSecretValue(p)],
  ['UpdateSecretVersionStage', (s, p) => s.updateSecretVersionStage(p)],
  ['ListSecretVersionIds', (s, p) => s.listSecretVersionIds(p)],
  ['DescribeSecret', (s, p) => s.describeSecret(p)],
  ['GetRandomPassword', (s, p) => s.getRandomPassword(p)],
  ['DeleteSecret', (s, p) => s.deleteSecret(p)],
  ['RestoreSecret', (s, p) => s.restoreSecret(p)],
]);

/** The request after wire decoding: what the action handlers and the signature checks need. */
interface WireRequest {
  method: string;
  path: string;
  query: Map<string, string>;
  body: Map<string, string>;
  rawBody: Buffer;
  headers: IncomingMessage['headers'];
}

/** Percent-encoding both SDKs sign with: encodeURIComponent plus !'()*. */
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

const incompleteSignature = (): KmsApiError =>
  new KmsApiError(400, 'IncompleteSignature', 'The request signature does not conform to Aliyun standards.');
const signatureMismatch = (): KmsApiError =>
  new KmsApiError(400, 'SignatureDoesNotMatch', 'Specified signature is not matched with our calculation.');
const unknownAccessKey = (): KmsApiError =>
  new KmsApiError(404, 'InvalidAccessKeyId.NotFound', 'Specified access key is not found.');

/**
 * Signature version 1.0 (HMAC-SHA1), sent by @alicloud/rpc-client and by openapi-client configured with
 * `signatureAlgorithm: 'v2'`: every query parameter but Signature, plus every form-body parameter.
 */
function verifyRpcSignature(req: WireRequest, accessKeys: Record<string, string>): void {
  const signature = req.query.get('Signature');
  const accessKeyId = req.query.get('AccessKeyId');
  if (!signature || !accessKeyId) throw incompleteSignature();
  if (req.query.get('SignatureMethod') !== 'HMAC-SHA1') {
    throw new KmsApiError(400, 'InvalidSignatureMethod', 'Specified signature method is not valid.');
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
 * ACS3-HMAC-SHA256 (the V3 signature), which openapi-client's `callApi` uses by default even for RPC-style
 * APIs: parameters in the query and body, Action only in the x-acs-action header, an Authorization header.
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
    if (size > MAX_BODY_BYTES) throw new KmsApiError(400, 'InvalidParameter', 'The request body is too large.');
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

/** Body parameters win over query parameters, the same precedence both SDKs sign with. */
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

export async function startKmsEmulator(options: KmsEmulatorOptions = {}): Promise<KmsEmulator> {
  const storeOptions: SecretStoreOptions = {};
  if (options.now) storeOptions.now = options.now;
  if (options.regionId) storeOptions.regionId = options.regionId;
  const store = new SecretStore(storeOptions);
  for (const entry of options.seed ?? []) {
    store.createSecret({ ...entry, SecretType: entry.SecretType ?? 'Generic', VersionId: 'v1' });
  }
  const calls: KmsCall[] = [];
  const faults = options.faults ?? {};
  const accessKeys = options.accessKeys;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const requestId = randomUUID().toUpperCase();
    const hostId = header(req.headers, 'host') ?? 'kms-emulator';
    const fail = (status: number, code: string, message: string): void =>
      send(res, status, errorBody(requestId, hostId, code, message));
    try {
      const wire = await decodeRequest(req);
      const params = mergeParams(wire);
      const action = params['Action'] ?? header(req.headers, 'x-acs-action') ?? '';
      const secretName = params['SecretName'] || undefined;
      const call: KmsCall = Object.freeze(secretName === undefined ? { action, at: Date.now() } : { action, secretName, at: Date.now() });
      calls.push(call);

      const latency = faults.latencyMs?.(call) ?? 0;
      if (latency > 0) await sleep(latency);

      if (action === '') throw new KmsApiError(400, 'MissingAction', 'Action is mandatory for this action.');
      const version = params['Version'] ?? header(req.headers, 'x-acs-version');
      if (version !== undefined && version !== KMS_API_VERSION) {
        throw new KmsApiError(400, 'InvalidVersion', 'Specified parameter Version is not valid.');
      }
      const handler = ACTIONS.get(action);
      // The gateway's answer for an action it does not know; actions KMS has but the emulator lacks get it too.
      if (!handler) throw new KmsApiError(404, 'InvalidAction.NotFound', 'Specified api is not found, please check your url and method.');
      if (accessKeys) verifySignature(wire, accessKeys);

      const before = faults.before?.(call);
      if (before) return fail(before.status, before.code, before.message ?? 'Injected fault before the call was applied.');

      let status = 200;
      let body: Record<string, unknown>;
      try {
        body = { RequestId: requestId, ...handler(store, params) };
      } catch (err) {
        if (!(err instanceof KmsApiError)) throw err;
        status = err.status;
        body = errorBody(requestId, hostId, err.code, err.message);
      }

      // A lost response: whatever the call did stays done.
      const after = faults.after?.(call);
      if (after) return fail(after.status, after.code, after.message ?? 'Injected fault after the call was applied.');
      send(res, status, body);
    } catch (err) {
      if (err instanceof KmsApiError) return fail(err.status, err.code, err.message);
      // No detail: an unexpected error's message could echo request content.
      fail(500, 'InternalFailure', 'An internal error occurred.');
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
    get calls(): readonly KmsCall[] {
      return [...calls];
    },
    snapshot: () => store.snapshot(),
    close: () =>
      new Promise<void>((resolveClose, reject) => {
        // The SDKs keep connections alive; without this close() waits for them to time out.
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolveClose()));
      }),
  };
}

const SeedFile = z.array(
  z.object({
    SecretName: z.string().min(1),
    SecretData: z.string(),
    SecretType: z.enum(SECRET_TYPES).optional(),
  }),
);

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      host: { type: 'string' },
      port: { type: 'string', default: '8300' },
      seed: { type: 'string' },
      'access-key': { type: 'string', multiple: true },
    },
  });
  const accessKeys: Record<string, string> = {};
  for (const pair of values['access-key'] ?? []) {
    const at = pair.indexOf(':');
    if (at <= 0) throw new Error('--access-key takes ID:SECRET');
    accessKeys[pair.slice(0, at)] = pair.slice(at + 1);
  }
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error('--port takes a port number');
  const options: KmsEmulatorOptions = { port };
  if (values.seed) options.seed = SeedFile.parse(JSON.parse(await readFile(values.seed, 'utf8')));
  if (values.host) options.host = values.host;
  if (Object.keys(accessKeys).length > 0) options.accessKeys = accessKeys;
  const emulator = await startKmsEmulator(options);
  console.log(emulator.endpoint);
  const stop = (): void => void emulator.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : String(err));
    process.exit(1);
  });
}
