/**
 * Function configuration from environment variables (CONTRACT: Configuration).
 * Read per invocation so a changed variable never needs a cold start; malformed values fail
 * with ConfigurationError naming the variable, never echoing its value.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { ConfigurationError } from './errors.js';
import { checkPasswordConfig } from './password.js';

/** The function's environment variables, as FC sets them or a runner passes them. */
export type Environment = Readonly<Record<string, string | undefined>>;

/** LOG_LEVEL=debug adds debug lines. Read apart from loadConfig: the logger exists before the configuration is checked. */
export function debugLogging(env: Environment): boolean {
  return env['LOG_LEVEL'] === 'debug';
}

export interface Endpoint {
  /** host or host:port, as the Alibaba SDKs take it */
  host: string;
  protocol: 'http' | 'https';
}

export interface Config {
  kmsEndpoint: (regionId: string) => Endpoint;
  /** undefined: the RDS SDK's own endpoint map for the region (several regions share rds.aliyuncs.com). */
  rdsEndpoint: Endpoint | undefined;
  excludeCharacters: string;
  passwordLength: number;
  /** EXCLUDE_UPPERCASE ... EXCLUDE_PUNCTUATION: leave the whole type out (GetRandomPassword's parameters); default false. */
  excludeUppercase: boolean;
  excludeLowercase: boolean;
  excludeNumbers: boolean;
  excludePunctuation: boolean;
  /** REQUIRE_EACH_INCLUDED_TYPE: at least one character of every type not excluded; default true. */
  requireEachIncludedType: boolean;
  /** undefined: each backend applies its own default */
  accountNameMaxLength: number | undefined;
  /** PEM contents of MYSQL_CA_FILE, read once per invocation so a bad path fails before anything connects. */
  mysqlCa: string | undefined;
  /** ROTATION_TAG_KEY: the tag `discover` looks for when the event names none. */
  rotationTagKey: string;
  /** PREVIOUS_ACCOUNT_SESSIONS: what `set` does when the account whose password it changes still has sessions. */
  previousAccountSessions: 'warn' | 'refuse';
}

export const DEFAULT_ROTATION_TAG_KEY = 'fc-rotation';

export const DEFAULT_EXCLUDE_CHARACTERS = '/@"\'\\';

/** `http://host:port`, `https://host` or a bare host (HTTPS). */
export function parseEndpoint(value: string, variable: string): Endpoint {
  const match = /^(?:(https?):\/\/)?([A-Za-z0-9.-]+(?::\d{1,5})?|\[[0-9A-Fa-f:]+\](?::\d{1,5})?)\/?$/.exec(value.trim());
  if (!match || match[2] === undefined) {
    throw new ConfigurationError(`${variable} must look like http://host:port, https://host or host`);
  }
  return { protocol: match[1] === 'http' ? 'http' : 'https', host: match[2] };
}

const positiveInt = (variable: string, min: number, max: number) =>
  z
    .string()
    .regex(/^\d+$/, `${variable} must be a whole number`)
    .transform(Number)
    .pipe(z.number().int().min(min, `${variable} must be at least ${min}`).max(max, `${variable} must be at most ${max}`));

/** "true" or "false", in any case, as GetRandomPassword takes its flags. */
const flag = (variable: string) =>
  z
    .string()
    .regex(/^(true|false)$/i, `${variable} must be true or false`)
    .transform((value) => value.toLowerCase() === 'true');

function readCa(path: string | undefined): string | undefined {
  if (!path) return undefined;
  let pem: string;
  try {
    pem = readFileSync(path, 'utf8');
  } catch {
    throw new ConfigurationError('MYSQL_CA_FILE cannot be read');
  }
  if (!pem.includes('-----BEGIN CERTIFICATE-----')) throw new ConfigurationError('MYSQL_CA_FILE holds no PEM certificate');
  return pem;
}

export function loadConfig(env: Environment): Config {
  // The schema is built only for a variable that is set: most are not, and every invocation reads them all.
  const read = <T>(variable: string, schema: () => z.ZodType<T, string>): T | undefined => {
    const raw = env[variable];
    if (raw === undefined || raw === '') return undefined;
    const result = schema().safeParse(raw);
    if (!result.success) throw new ConfigurationError(result.error.issues[0]?.message ?? `${variable} is malformed`);
    return result.data;
  };
  const kms = env['KMS_ENDPOINT'] ? parseEndpoint(env['KMS_ENDPOINT'], 'KMS_ENDPOINT') : undefined;
  const rds = env['RDS_ENDPOINT'] ? parseEndpoint(env['RDS_ENDPOINT'], 'RDS_ENDPOINT') : undefined;
  const password = {
    excludeCharacters: env['EXCLUDE_CHARACTERS'] ?? DEFAULT_EXCLUDE_CHARACTERS,
    passwordLength: read('PASSWORD_LENGTH', () => positiveInt('PASSWORD_LENGTH', 8, 128)) ?? 32,
    excludeUppercase: read('EXCLUDE_UPPERCASE', () => flag('EXCLUDE_UPPERCASE')) ?? false,
    excludeLowercase: read('EXCLUDE_LOWERCASE', () => flag('EXCLUDE_LOWERCASE')) ?? false,
    excludeNumbers: read('EXCLUDE_NUMBERS', () => flag('EXCLUDE_NUMBERS')) ?? false,
    excludePunctuation: read('EXCLUDE_PUNCTUATION', () => flag('EXCLUDE_PUNCTUATION')) ?? false,
    requireEachIncludedType: read('REQUIRE_EACH_INCLUDED_TYPE', () => flag('REQUIRE_EACH_INCLUDED_TYPE')) ?? true,
  };
  // A combination no database could meet fails here, for every step; each backend's rules are met at `new`.
  checkPasswordConfig(password);
  return {
    kmsEndpoint: (regionId) => kms ?? { protocol: 'https', host: `kms-vpc.${regionId}.aliyuncs.com` },
    rdsEndpoint: rds,
    ...password,
    accountNameMaxLength: read('ACCOUNT_NAME_MAX_LENGTH', () => positiveInt('ACCOUNT_NAME_MAX_LENGTH', 2, 80)),
    mysqlCa: readCa(env['MYSQL_CA_FILE']),
    rotationTagKey:
      read('ROTATION_TAG_KEY', () =>
        z
          .string()
          .regex(
            /^[^\u0000-\u001f]{1,119}$/,
            'ROTATION_TAG_KEY must be a tag key of at most 119 printable characters (<key>-instance must fit 128)',
          ),
      ) ?? DEFAULT_ROTATION_TAG_KEY,
    previousAccountSessions:
      read('PREVIOUS_ACCOUNT_SESSIONS', () =>
        z.enum(['warn', 'refuse'], { error: () => 'PREVIOUS_ACCOUNT_SESSIONS must be warn or refuse' }),
      ) ?? 'warn',
  };
}
