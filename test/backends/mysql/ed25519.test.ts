// MariaDB's ed25519 scheme in ed25519.ts against RFC 8032's vectors and Node's own Ed25519 (for
// 32-byte passwords, where MariaDB's scheme and RFC 8032 coincide), and Node's verify for
// passwords of any length. No database; no password or key is printed.
import { createPrivateKey, createPublicKey, randomBytes, sign, verify } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { clientEd25519Plugin, ed25519AuthString, ed25519PublicKey, ed25519Sign } from '../../../src/backends/mysql/ed25519.js';

const PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
const nodeKey = (seed: Uint8Array) => createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, seed]), format: 'der', type: 'pkcs8' });
const publicKeyOf = (raw: Uint8Array) => createPublicKey({ key: Buffer.concat([SPKI_PREFIX, raw]), format: 'der', type: 'spki' });

describe('ed25519', () => {
  it.each([
    [
      '9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60',
      'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a',
      '',
      'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b',
    ],
    [
      '4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb',
      '3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c',
      '72',
      '92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00',
    ],
  ])('RFC 8032 7.1 vector %#', (seed, publicKey, message, signature) => {
    expect(ed25519PublicKey(Buffer.from(seed, 'hex')).toString('hex')).toBe(publicKey);
    expect(ed25519Sign(Buffer.from(seed, 'hex'), Buffer.from(message, 'hex')).toString('hex')).toBe(signature);
  });

  it("equals Node's Ed25519 for 32-byte passwords: the same key and the same signature", () => {
    for (let i = 0; i < 20; i++) {
      const password = randomBytes(24).toString('base64'); // 32 ASCII bytes
      const key = nodeKey(Buffer.from(password, 'utf8'));
      const raw = Buffer.from(createPublicKey(key).export({ format: 'jwk' }).x as string, 'base64url');
      expect(ed25519PublicKey(password).equals(raw)).toBe(true);
      const nonce = randomBytes(32);
      expect(ed25519Sign(password, nonce).equals(sign(null, nonce, key))).toBe(true);
    }
  });

  it("signs for passwords of any length, and Node verifies the signature under the account's public key", () => {
    for (const password of ['', 'x', 'Short-1', 'ünïcödé pässwörd ✓', 'p'.repeat(200), randomBytes(40).toString('latin1')]) {
      const nonce = randomBytes(32);
      const signature = ed25519Sign(password, nonce);
      expect(signature.length).toBe(64);
      expect(verify(null, nonce, publicKeyOf(ed25519PublicKey(password)), signature)).toBe(true);
      // Under another password's key, it does not verify.
      expect(verify(null, nonce, publicKeyOf(ed25519PublicKey(`${password}!`)), signature)).toBe(false);
    }
  });

  it('the authentication string is the public key in base64 without its padding: 43 characters', () => {
    const s = ed25519AuthString('Some-password-1');
    expect(s).toMatch(/^[A-Za-z0-9+/]{43}$/);
    expect(Buffer.from(s, 'base64').equals(ed25519PublicKey('Some-password-1'))).toBe(true);
  });

  it("mysql2's client_ed25519 plugin signs the server's 32-byte nonce with the connection's password", () => {
    const nonce = randomBytes(32);
    const answer = clientEd25519Plugin()({ connection: { config: { password: 'Pw-1' } } });
    expect(answer(nonce).equals(ed25519Sign('Pw-1', nonce))).toBe(true);
    // A trailing byte after the nonce is not signed.
    expect(answer(Buffer.concat([nonce, Buffer.from([0])])).equals(ed25519Sign('Pw-1', nonce))).toBe(true);
    expect(() => answer(randomBytes(20))).toThrow(/shorter than 32 bytes/);
  });
});
