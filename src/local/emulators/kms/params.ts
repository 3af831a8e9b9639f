/**
 * KMS's request parameters as the emulator reads them: KMS's own limits, its InvalidParameter and
 * not-found answers, and one reader per parameter kind. Messages name the parameter and the limit,
 * never the value: SecretData must not reach an error or a log.
 */
import { AcsApiError, optionalParam, requireParam, type AcsParams } from '../acs-rpc/params.js';

export const MAX_VERSIONS = 10;
export const MAX_STAGES = 8;
export const MAX_SECRET_DATA_BYTES = 30_720;
export const MAX_VERSION_ID_LENGTH = 64;

/** Alibaba's timestamps carry no fraction: 2020-02-21T15:39:26Z. */
export function formatTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function invalid(message: string): AcsApiError {
  return new AcsApiError(400, 'InvalidParameter', message);
}

export function notFound(message = 'The resource is not found.'): AcsApiError {
  return new AcsApiError(404, 'Forbidden.ResourceNotFound', message);
}

export function booleanParam(params: AcsParams, name: string, fallback: boolean): boolean {
  const value = optionalParam(params, name);
  if (value === undefined) return fallback;
  if (value === 'true') return true;
  if (value === 'false') return false;
  throw invalid(`${name} must be "true" or "false".`);
}

export function integerParam(params: AcsParams, name: string, fallback: number, min: number, max: number): number {
  const value = optionalParam(params, name);
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value)) throw invalid(`${name} must be an integer.`);
  const n = Number(value);
  if (n < min || n > max) throw invalid(`${name} must be between ${min} and ${max}.`);
  return n;
}

export function dataTypeParam(params: AcsParams): 'text' | 'binary' {
  const value = optionalParam(params, 'SecretDataType') ?? 'text';
  if (value !== 'text' && value !== 'binary') throw invalid('SecretDataType must be text or binary.');
  return value;
}

/** Messages name the limit, never the data: SecretData must not reach an error or a log. */
export function secretDataParam(params: AcsParams, dataType: 'text' | 'binary'): string {
  const data = requireParam(params, 'SecretData');
  if (Buffer.byteLength(data, 'utf8') > MAX_SECRET_DATA_BYTES) {
    throw invalid(`SecretData exceeds ${MAX_SECRET_DATA_BYTES} bytes.`);
  }
  if (dataType === 'binary' && !/^[A-Za-z0-9+/]*={0,2}$/.test(data)) {
    throw invalid('SecretData of type binary must be Base64.');
  }
  return data;
}

export function versionIdParam(params: AcsParams): string {
  const id = requireParam(params, 'VersionId');
  if (id.length > MAX_VERSION_ID_LENGTH) throw invalid(`VersionId exceeds ${MAX_VERSION_ID_LENGTH} characters.`);
  return id;
}

/** SecretName may be the secret's ARN (acs:kms:<region>:<account>:secret/<name>). */
export function secretNameParam(params: AcsParams): string {
  const raw = requireParam(params, 'SecretName');
  const arn = /^acs:kms:[^:]*:[^:]*:secret\/(.+)$/.exec(raw);
  return arn?.[1] ?? raw;
}

export function parseStageList(raw: string): string[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw invalid('VersionStages must be a JSON array of strings.');
  }
  if (!Array.isArray(parsed) || parsed.length === 0) {
    // An empty list would create a version nothing can reach; refused rather than guessed at.
    throw invalid('VersionStages must be a non-empty JSON array of strings.');
  }
  const stages: string[] = [];
  for (const item of parsed) {
    if (typeof item !== 'string' || item === '') throw invalid('VersionStages must be a JSON array of strings.');
    if (!stages.includes(item)) stages.push(item);
  }
  return stages;
}
