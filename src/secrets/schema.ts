/**
 * SecretData formats (CONTRACT: Secrets) as zod schemas, and the stage names.
 * A parsed secret keeps its raw JSON object; a new version is made from the original text and
 * changes AccountName and AccountPassword only, every other field (even unknown ones) is carried
 * over byte for byte.
 * A refused field is named in the error, never its value.
 */
import { isIP } from 'node:net';
import { z } from 'zod';
import { InvalidSecretError } from '../errors.js';
import { ACCOUNT_NAME_PATTERN, ACCOUNT_NAME_RULE } from '../names.js';
import { describeIssues } from '../zod-issues.js';
import { replaceAccount } from './secret-text.js';

export const Stage = { Current: 'ACSCurrent', Pending: 'ACSPending', Previous: 'ACSPrevious' } as const;
export type StageName = (typeof Stage)[keyof typeof Stage];

const port = z.union([z.number(), z.string().regex(/^\d+$/, 'a number').transform(Number)]).pipe(z.number().int().min(1).max(65535));

const flag = z.union([z.boolean(), z.enum(['true', 'false']).transform((v) => v === 'true')]);

/** A DNS name, IPv4 or IPv6 address: nothing that could smuggle options or paths into a connection. */
const endpoint = z
  .string()
  .min(1)
  .max(255)
  .refine((v) => /^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$/.test(v) || isIP(v) !== 0, 'a host name or IP address, without port');

const accountName = z.string().min(1).max(80).regex(ACCOUNT_NAME_PATTERN, ACCOUNT_NAME_RULE);

const password = z.string().min(1).max(256);

export const RotationStrategySchema = z.enum(['alternate', 'single']);
export type RotationStrategy = z.infer<typeof RotationStrategySchema>;

export const MysqlSecretSchema = z.looseObject({
  Endpoint: endpoint,
  Port: port.default(3306),
  AccountName: accountName,
  AccountPassword: password,
  MasterSecret: z.string().min(1).max(192).optional(),
  SSL: flag.optional(),
  DBName: z.string().min(1).max(64).optional(),
  RotationStrategy: RotationStrategySchema.optional(),
});
export type MysqlSecret = z.infer<typeof MysqlSecretSchema>;

export const MasterSecretSchema = z.looseObject({
  Endpoint: endpoint,
  Port: port.default(3306),
  AccountName: accountName,
  AccountPassword: password,
  SSL: flag.optional(),
});
export type MasterSecret = z.infer<typeof MasterSecretSchema>;

export const RdsSecretSchema = z.looseObject({
  AccountName: accountName,
  AccountPassword: password,
  Endpoint: endpoint.optional(),
  Port: port.optional(),
  SSL: flag.optional(),
  DBName: z.string().min(1).max(64).optional(),
  RotationStrategy: RotationStrategySchema.optional(),
});
export type RdsSecret = z.infer<typeof RdsSecretSchema>;

export type RawSecret = Record<string, unknown>;

/** Where a secret came from, for error messages: "secret app-db (ACSCurrent)". */
export function secretLabel(secretName: string, which: string): string {
  return `secret ${secretName} (${which})`;
}

export function parseSecretJson(data: string, label: string): RawSecret {
  let value: unknown;
  try {
    value = JSON.parse(data);
  } catch {
    throw new InvalidSecretError(`${label}: SecretData is not valid JSON`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new InvalidSecretError(`${label}: SecretData must be a JSON object`);
  }
  return value as RawSecret;
}

export function parseSecret<S extends z.ZodType>(schema: S, raw: RawSecret, label: string): z.infer<S> {
  const result = schema.safeParse(raw);
  if (!result.success) throw new InvalidSecretError(`${label}: ${describeIssues(result.error, 'SecretData')}`);
  return result.data;
}

/**
 * The SecretData text of the next version, from the current version's text: only the account's two
 * values change, every other byte is kept as it was (no JSON.stringify round trip, which would round
 * big numbers and reorder keys). Errors name `label`, never the text.
 */
export function withAccount(data: string, accountName: string, accountPassword: string, label: string): string {
  return replaceAccount(data, accountName, accountPassword, label);
}
