// The hash sent instead of the password is exactly the server's own PASSWORD(), for every kind of password we generate.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type mysql from 'mysql2/promise';
import { nativePasswordHash } from '../../../src/backends/mysql/password-hash.js';
import { adminConnection, samplePassword } from '../../../src/local/fixtures/mysql-sandbox.js';
import { generatePassword, passwordPolicy } from '../../../src/password.js';

describe('nativePasswordHash on the real server', () => {
  let conn: mysql.Connection;
  beforeAll(async () => {
    conn = await adminConnection();
  });
  afterAll(async () => conn?.end());

  it('equals PASSWORD() for generated, punctuation-heavy and non-ASCII passwords', async () => {
    const passwords = [
      ...Array.from({ length: 20 }, () => generatePassword(passwordPolicy({ passwordLength: 32, excludeCharacters: '' }))),
      ...Array.from({ length: 5 }, samplePassword),
      `quote'double"back\\slash`,
      'pässwörd-ünïcødé-密码-🔑',
    ];
    for (const password of passwords) {
      const [rows] = await conn.query('SELECT PASSWORD(?) AS h', [password]);
      // Compared, never printed: a failing run must not show a hash of a password.
      expect(nativePasswordHash(password) === (rows as { h: string }[])[0]?.h).toBe(true);
    }
  });
});
