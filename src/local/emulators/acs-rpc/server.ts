/**
 * Alibaba Cloud's RPC wire protocol for the local emulators: request decoding, signature checks,
 * JSON and error bodies, fault hooks and the call log. It knows nothing about any one API, and never
 * puts a request parameter into a log or an error body of its own.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import type { CallRecord, FaultHooks } from '../faults.js';
import { AcsApiError, type AcsParams, type AcsResult } from './params.js';
import { header, verifySignature, type WireRequest } from './signature.js';

export type AcsAction<C extends CallRecord> = (params: AcsParams, call: C) => AcsResult | Promise<AcsResult>;

/** Where an emulator listens, the keys it accepts and its fault hooks: the options every emulator takes. */
export interface ListenOptions<C extends CallRecord> {
  host?: string;
  port?: number;
  /** AccessKeyId → AccessKeySecret. When set, every request must carry a valid signature. */
  accessKeys?: Record<string, string>;
  /** Passed on as the same object, never a copy: tests swap hooks on it while the emulator runs. */
  faults?: FaultHooks<C>;
}

/** The listening part of an emulator's options, so its own settings (seed data, instances) stay with it. */
export function listenOptions<C extends CallRecord>(options: ListenOptions<C>): ListenOptions<C> {
  const { host, port, accessKeys, faults } = options;
  return { host, port, accessKeys, faults };
}

/** A call-log entry that names what the call was about by one request parameter (an id, never a value such as SecretData). */
export function describeCallBy<K extends string>(param: string, key: K) {
  return (action: string, params: AcsParams, at: number): CallRecord & Partial<Record<K, string>> => {
    const about = params[param] || undefined;
    const entry = { action, at } as CallRecord & Partial<Record<K, string>>;
    return about === undefined ? entry : { ...entry, [key]: about };
  };
}

export interface AcsRpcServerOptions<C extends CallRecord> extends ListenOptions<C> {
  /** Used as HostId in error bodies when the request has no Host header. */
  name: string;
  /** The API version this service answers; a request naming another one is refused. */
  apiVersion: string;
  actions: ReadonlyMap<string, AcsAction<C>>;
  /** What the call log keeps of a request. */
  describeCall(action: string, params: AcsParams, at: number): C;
  /** The service's own code for a failure it did not expect (KMS: InternalFailure, RDS: InternalError). */
  internalError: { code: string; message: string };
  /**
   * Consulted for every request that names an action, before it is logged or applied: an AcsApiError
   * refuses it (a rate limit's Throttling), and the refused request stays out of `calls`.
   */
  admit?(action: string): AcsApiError | undefined;
}

export interface AcsRpcServer<C extends CallRecord> {
  /** 'http://127.0.0.1:PORT'. The SDKs take the endpoint without the scheme plus `protocol: 'http'`. */
  readonly endpoint: string;
  readonly port: number;
  /** Every call received and admitted, in order. */
  readonly calls: readonly C[];
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 1 << 20;

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

function send(res: ServerResponse, status: number, body: Record<string, unknown>, requestId: string): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json;charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'x-acs-request-id': requestId,
  });
  res.end(text);
}

function errorBody(requestId: string, hostId: string, code: string, message: string): Record<string, unknown> {
  return { RequestId: requestId, HostId: hostId, Code: code, Message: message };
}

export async function startAcsRpcServer<C extends CallRecord>(options: AcsRpcServerOptions<C>): Promise<AcsRpcServer<C>> {
  const calls: C[] = [];
  const faults = options.faults ?? {};
  const { accessKeys, actions, apiVersion } = options;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const requestId = randomUUID().toUpperCase();
    const hostId = header(req.headers, 'host') ?? options.name;
    const fail = (status: number, code: string, message: string): void =>
      send(res, status, errorBody(requestId, hostId, code, message), requestId);
    try {
      const wire = await decodeRequest(req);
      const params = mergeParams(wire);
      const action = params['Action'] ?? header(req.headers, 'x-acs-action') ?? '';
      const refused = action === '' ? undefined : options.admit?.(action);
      if (refused) throw refused;
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
      // A success whose body is not the documented one: the change stays too, and the header keeps the RequestId.
      const replaced = status === 200 ? faults.respond?.(call, { ...body }) : undefined;
      if (replaced) return send(res, status, replaced, requestId);
      send(res, status, body, requestId);
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
