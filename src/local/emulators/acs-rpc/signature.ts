/**
 * Request signatures as Alibaba's gateways check them: version 1.0 (HMAC-SHA1, rpc-client) and
 * ACS3-HMAC-SHA256 (openapi-client and openapi-core). Pure checks over a decoded request; they never
 * log or echo a parameter, and compare signatures in constant time.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { AcsApiError } from './params.js';

/** The request after wire decoding: what the action handlers and the signature checks need. */
export interface WireRequest {
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

export function header(headers: IncomingMessage['headers'], name: string): string | undefined {
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

export function verifySignature(req: WireRequest, accessKeys: Record<string, string>): void {
  const authorization = header(req.headers, 'authorization');
  if (authorization !== undefined) verifyAcs3Signature(req, authorization, accessKeys);
  else verifyRpcSignature(req, accessKeys);
}
