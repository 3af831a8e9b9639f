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
  ])('refuses a malformed %s, naming it', (variable, env) => {
    expect(() => loadConfig(env)).toThrow(ConfigurationError);
    expect(() => loadConfig(env)).toThrow(variable);
  });
});
