/**
 * MariaDB's ed25519 authentication (auth_ed25519), both halves, so that neither needs the password
 * to reach the server and mysql2 (which has no client_ed25519) can log in: the account's
 * authentication string (`IDENTIFIED VIA ed25519 USING '<it>'`), and the client's answer to the
 * server's nonce. MariaDB's scheme is RFC 8032 Ed25519 with the password, of any length, in the place
 * of the 32-byte seed: the secret scalar and nonce prefix are SHA-512 of the password itself.
 * Pure arithmetic on BigInt (not constant-time: it runs in the function's own process, on a
 * password the process already holds). It never logs, stores or returns the password.
 */
import { createHash } from 'node:crypto';

const P = 2n ** 255n - 19n;
/** The order of the base point. */
const L = 2n ** 252n + 27742317777372353535851937790883648493n;

const mod = (a: bigint, m: bigint = P): bigint => {
  const r = a % m;
  return r >= 0n ? r : r + m;
};

function power(base: bigint, exponent: bigint, m: bigint = P): bigint {
  let result = 1n;
  let b = mod(base, m);
  let e = exponent;
  while (e > 0n) {
    if (e & 1n) result = (result * b) % m;
    b = (b * b) % m;
    e >>= 1n;
  }
  return result;
}

const invert = (x: bigint): bigint => power(x, P - 2n);

/** A point in extended coordinates (X:Y:Z:T), x = X/Z, y = Y/Z, x*y = T/Z. */
type Point = readonly [bigint, bigint, bigint, bigint];

/** The curve's D and base point, computed on first use: a few modular powers no login without ed25519 needs. */
let constants: { readonly D: bigint; readonly BASE: Point } | undefined;
function curve(): { readonly D: bigint; readonly BASE: Point } {
  if (constants !== undefined) return constants;
  const D = mod(-121665n * invert(121666n));
  // The base point: y = 4/5, x the even root (RFC 8032, 5.1).
  const y = mod(4n * invert(5n));
  const xx = mod((y * y - 1n) * invert(D * y * y + 1n));
  let x = power(xx, (P + 3n) / 8n);
  if (mod(x * x - xx) !== 0n) x = mod(x * power(2n, (P - 1n) / 4n));
  if (x & 1n) x = P - x;
  constants = { D, BASE: [x, y, 1n, mod(x * y)] };
  return constants;
}
const IDENTITY: Point = [0n, 1n, 1n, 0n];

/** RFC 8032 5.1.4: complete for a = -1, so it doubles too. */
function add([x1, y1, z1, t1]: Point, [x2, y2, z2, t2]: Point, D: bigint): Point {
  const a = mod((y1 - x1) * (y2 - x2));
  const b = mod((y1 + x1) * (y2 + x2));
  const c = mod(2n * D * t1 * t2);
  const d = mod(2n * z1 * z2);
  const [e, f, g, h] = [b - a, d - c, d + c, b + a];
  return [mod(e * f), mod(g * h), mod(f * g), mod(e * h)];
}

function multiply(scalar: bigint, point: Point = curve().BASE): Point {
  const { D } = curve();
  let result = IDENTITY;
  let addend = point;
  for (let k = scalar; k > 0n; k >>= 1n) {
    if (k & 1n) result = add(result, addend, D);
    addend = add(addend, addend, D);
  }
  return result;
}

function littleEndian(bytes: Uint8Array): bigint {
  let n = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) n = (n << 8n) | BigInt(bytes[i] as number);
  return n;
}

function toLittleEndian32(n: bigint): Buffer {
  const out = Buffer.alloc(32);
  let v = n;
  for (let i = 0; i < 32; i++, v >>= 8n) out[i] = Number(v & 0xffn);
  return out;
}

/** y, little-endian, with x's low bit in the top bit (RFC 8032 5.1.2). */
function encode([x, y, z]: Point): Buffer {
  const zi = invert(z);
  const out = toLittleEndian32(mod(y * zi));
  if (mod(x * zi) & 1n) out[31] = (out[31] as number) | 0x80;
  return out;
}

const sha512 = (...parts: Uint8Array[]): Buffer => {
  const hash = createHash('sha512');
  for (const part of parts) hash.update(part);
  return hash.digest();
};

/** A password as the client sends it (UTF-8), or raw bytes (an RFC 8032 seed). */
export type Secret = string | Uint8Array;

/** The secret scalar (clamped) and nonce prefix MariaDB derives from the password's own bytes. */
function expand(password: Secret): { scalar: bigint; prefix: Buffer } {
  const h = sha512(typeof password === 'string' ? Buffer.from(password, 'utf8') : password);
  const head = Buffer.from(h.subarray(0, 32));
  head[0] = (head[0] as number) & 248;
  head[31] = ((head[31] as number) & 63) | 64;
  return { scalar: littleEndian(head), prefix: Buffer.from(h.subarray(32)) };
}

/** The 32-byte public key of `password`, as auth_ed25519 computes it. */
export function ed25519PublicKey(password: Secret): Buffer {
  return encode(multiply(expand(password).scalar));
}

/**
 * What `mysql.global_priv` keeps for an ed25519 account, and what `IDENTIFIED VIA ed25519 USING ?`
 * takes: the public key in base64 without its one `=` of padding (43 characters), as
 * `PASSWORD('...')` computes it on a server with the plugin. A password hash: bind it as `secret()`.
 */
export function ed25519AuthString(password: Secret): string {
  return ed25519PublicKey(password).toString('base64').replace(/=+$/, '');
}

/** The 64-byte RFC 8032 signature of `message` under the password's key: the client's answer to the server's nonce. */
export function ed25519Sign(password: Secret, message: Uint8Array): Buffer {
  const { scalar, prefix } = expand(password);
  const publicKey = encode(multiply(scalar));
  const r = mod(littleEndian(sha512(prefix, message)), L);
  const big = encode(multiply(r));
  const k = mod(littleEndian(sha512(big, publicKey, message)), L);
  return Buffer.concat([big, toLittleEndian32(mod(r + k * scalar, L))]);
}

/** The nonce auth_ed25519 sends: 32 bytes. */
const NONCE_BYTES = 32;

/**
 * mysql2's `authPlugins.client_ed25519`: answers the server's 32-byte nonce with its signature
 * under the connection's password. mysql2 has no such plugin of its own and would otherwise fail
 * an ed25519 account's login with "unknown plugin client_ed25519".
 */
export function clientEd25519Plugin(): (metadata: { connection: { config: { password?: string } } }) => (data: Buffer) => Buffer {
  return ({ connection }) =>
    (data) => {
      if (data.length < NONCE_BYTES) throw new Error('client_ed25519: the server sent a nonce shorter than 32 bytes');
      return ed25519Sign(connection.config.password ?? '', data.subarray(0, NONCE_BYTES));
    };
}
