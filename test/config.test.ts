// Configuration from environment variables: defaults, endpoint forms, and errors that name the variable.
import { describe, expect, it } from 'vitest';
import { DEFAULT_EXCLUDE_CHARACTERS, loadConfig, parseEndpoint } from '../src/config.js';
import { ConfigurationError } from '../src/errors.js';

describe('loadConfig', () => {
  it('defaults to the regional VPC endpoints over HTTPS and the CONTRACT defaults', () => {
    const config = loadConfig({});
    expect(config.kmsEndpoint('cn-hangzhou')).toEqual({ protocol: 'https', host: 'kms-vpc.cn-hangzhou.aliyuncs.com' });
    expect(config.rdsEndpoint).toBeUndefined();
    expect(config.excludeCharacters).toBe('/@"\'\\');
    expect(DEFAULT_EXCLUDE_CHARACTERS).toHaveLength(5);
    expect(config.passwordLength).toBe(32);
    expect(config.accountNameMaxLength).toBeUndefined();
    expect(config.mysqlCa).toBeUndefined();
    expect(config.excludeUppercase).toBe(false);
    expect(config.excludeLowercase).toBe(false);
    expect(config.excludeNumbers).toBe(false);
    expect(config.excludePunctuation).toBe(false);
    expect(config.requireEachIncludedType).toBe(true);
  });

  it("reads GetRandomPassword's type flags, true or false in any case, empty as unset", () => {
    const config = loadConfig({
      EXCLUDE_UPPERCASE: 'true',
      EXCLUDE_LOWERCASE: 'FALSE',
      EXCLUDE_NUMBERS: '',
      EXCLUDE_PUNCTUATION: 'False',
      REQUIRE_EACH_INCLUDED_TYPE: 'false',
    });
    expect(config.excludeUppercase).toBe(true);
    expect(config.excludeLowercase).toBe(false);
    expect(config.excludeNumbers).toBe(false);
    expect(config.excludePunctuation).toBe(false);
    expect(config.requireEachIncludedType).toBe(false);
    const other = loadConfig({ EXCLUDE_LOWERCASE: 'TRUE', EXCLUDE_NUMBERS: 'false', EXCLUDE_PUNCTUATION: 'false' });
    expect([other.excludeLowercase, other.excludeNumbers, other.excludePunctuation, other.requireEachIncludedType]).toEqual([
      true,
      false,
      false,
      true,
    ]);
    expect(loadConfig({ EXCLUDE_NUMBERS: 'True' }).excludeNumbers).toBe(true);
    expect(loadConfig({ EXCLUDE_PUNCTUATION: 'true' }).excludePunctuation).toBe(true);
  });

  it.each(['EXCLUDE_UPPERCASE', 'EXCLUDE_LOWERCASE', 'EXCLUDE_NUMBERS', 'EXCLUDE_PUNCTUATION', 'REQUIRE_EACH_INCLUDED_TYPE'])(
    'refuses a %s that is not true or false, naming it and not the value',
    (variable) => {
      for (const value of ['yes', '1', 'on', 'truex']) {
        let message = '';
        try {
          loadConfig({ [variable]: value });
        } catch (err) {
          expect(err).toBeInstanceOf(ConfigurationError);
          message = (err as Error).message;
        }
        expect(message).toBe(`${variable} must be true or false`);
      }
    },
  );

  it('refuses a combination that leaves fewer than three character types, before any secret is read', () => {
    expect(() => loadConfig({ EXCLUDE_NUMBERS: 'true', EXCLUDE_PUNCTUATION: 'true' })).toThrow(
      /^EXCLUDE_NUMBERS, EXCLUDE_PUNCTUATION leave fewer than three character classes/,
    );
    const digits = '0123456789';
    let message = '';
    try {
      loadConfig({ EXCLUDE_CHARACTERS: digits, EXCLUDE_UPPERCASE: 'true' });
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigurationError);
      message = (err as Error).message;
    }
    expect(message).toMatch(/^EXCLUDE_UPPERCASE, EXCLUDE_CHARACTERS leave fewer than three character classes/);
    expect(message.includes(digits)).toBe(false);
    // Three types left is enough, with or without one of each required.
    expect(loadConfig({ EXCLUDE_PUNCTUATION: 'true', REQUIRE_EACH_INCLUDED_TYPE: 'false' }).excludePunctuation).toBe(true);
  });

  it('reads local and custom endpoints', () => {
    const config = loadConfig({ KMS_ENDPOINT: 'http://127.0.0.1:8300', RDS_ENDPOINT: 'https://rds.example.com' });
    expect(config.kmsEndpoint('cn-hangzhou')).toEqual({ protocol: 'http', host: '127.0.0.1:8300' });
    expect(config.rdsEndpoint).toEqual({ protocol: 'https', host: 'rds.example.com' });
    expect(parseEndpoint('kms.cn-hangzhou.aliyuncs.com', 'X')).toEqual({ protocol: 'https', host: 'kms.cn-hangzhou.aliyuncs.com' });
  });

  it('reads numbers and an empty EXCLUDE_CHARACTERS', () => {
    const config = loadConfig({ PASSWORD_LENGTH: '20', ACCOUNT_NAME_MAX_LENGTH: '32', EXCLUDE_CHARACTERS: '' });
    expect(config.passwordLength).toBe(20);
    expect(config.accountNameMaxLength).toBe(32);
    expect(config.excludeCharacters).toBe('');
  });

  it.each([
    ['PASSWORD_LENGTH', { PASSWORD_LENGTH: 'long' }],
    ['PASSWORD_LENGTH', { PASSWORD_LENGTH: '4' }],
    ['PASSWORD_LENGTH', { PASSWORD_LENGTH: '500' }],
    ['ACCOUNT_NAME_MAX_LENGTH', { ACCOUNT_NAME_MAX_LENGTH: '-3' }],
    ['KMS_ENDPOINT', { KMS_ENDPOINT: 'ftp://x/y?z' }],
    ['RDS_ENDPOINT', { RDS_ENDPOINT: 'http://a b' }],
    ['PREVIOUS_ACCOUNT_SESSIONS', { PREVIOUS_ACCOUNT_SESSIONS: 'ignore' }],
  ])('refuses a malformed %s, naming it', (variable, env) => {
    expect(() => loadConfig(env)).toThrow(ConfigurationError);
    expect(() => loadConfig(env)).toThrow(variable);
  });

  it('warns about sessions on the previous account by default, and refuses only when told', () => {
    expect(loadConfig({}).previousAccountSessions).toBe('warn');
    expect(loadConfig({ PREVIOUS_ACCOUNT_SESSIONS: 'refuse' }).previousAccountSessions).toBe('refuse');
  });
});
