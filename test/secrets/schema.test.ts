// Secret formats of the CONTRACT: coercions, defaults, field-naming errors and untouched extra fields.
import { describe, expect, it } from 'vitest';
import { MysqlSecretSchema, parseSecret, parseSecretJson, withAccount } from '../../src/secrets/schema.js';
import { InvalidSecretError } from '../../src/errors.js';

const base = { Endpoint: '10.0.0.5', AccountName: 'appuser', AccountPassword: 'Pw-1234567', MasterSecret: 'm' };

describe('MysqlSecretSchema', () => {
  it('defaults Port, coerces numeric strings and boolean strings', () => {
    expect(parseSecret(MysqlSecretSchema, base, 'l').Port).toBe(3306);
    const parsed = parseSecret(MysqlSecretSchema, { ...base, Port: '3307', SSL: 'true' }, 'l');
    expect(parsed.Port).toBe(3307);
    expect(parsed.SSL).toBe(true);
    expect(parseSecret(MysqlSecretSchema, { ...base, SSL: 'false' }, 'l').SSL).toBe(false);
  });

  it.each([
    ['Port', { Port: 0 }],
    ['Port', { Port: '33o6' }],
    ['SSL', { SSL: 1 }],
    ['Endpoint', { Endpoint: '10.0.0.5:3306' }],
    ['Endpoint', { Endpoint: 'host;--' }],
    ['AccountName', { AccountName: "x'@'%' IDENTIFIED BY 'p'; --" }],
    ['AccountName', { AccountName: 'app user' }],
    ['AccountName', { AccountName: '`app`' }],
    ['AccountPassword', { AccountPassword: '' }],
    ['RotationStrategy', { RotationStrategy: 'dual' }],
  ])('refuses a bad %s, naming the field and the secret, never the value', (field, change) => {
    let err: unknown;
    try {
      parseSecret(MysqlSecretSchema, { ...base, ...change }, 'secret app-db (ACSCurrent)');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InvalidSecretError);
    const message = (err as Error).message;
    expect(message).toContain('secret app-db (ACSCurrent)');
    expect(message).toContain(`${field}:`);
    const value = Object.values(change)[0];
    if (typeof value === 'string' && value.length > 2) expect(message).not.toContain(value);
  });

  it('refuses SecretData that is not a JSON object', () => {
    expect(() => parseSecretJson('user=app', 'l')).toThrow(/not valid JSON/);
    expect(() => parseSecretJson('["a"]', 'l')).toThrow(/JSON object/);
    expect(() => parseSecretJson('null', 'l')).toThrow(InvalidSecretError);
  });

  it('changes only the account in the next version, keeping unknown fields and their types', () => {
    const raw = { ...base, Port: '3306', Extra: { nested: [1, 2] }, SSL: 'false' };
    expect(JSON.parse(withAccount(JSON.stringify(raw), 'appuser_rt', 'New-pw-1', 'l'))).toEqual({
      ...raw,
      AccountName: 'appuser_rt',
      AccountPassword: 'New-pw-1',
    });
  });
});
