/**
 * KMS resource tags on secrets, as the emulator keeps them: the `Tags` parameter of CreateSecret and
 * TagResource, UntagResource's `TagKeys`, which resource a tag call names, the per-secret limit, and the
 * `Tags.Tag[]` answer shape of DescribeSecret and ListSecrets. Messages name the rule, never a key or value.
 */
import { AcsApiError, optionalParam, type AcsParams } from '../acs-rpc/params.js';
import { invalid, notFound, secretNameParam } from './params.js';

/**
 * TagResource's reference: "up to 10 tags" per key, secret or certificate. CreateSecret's newer reference says 20
 * per secret; 10 is the limit every page agrees is accepted.
 */
export const MAX_TAGS_PER_SECRET = 10;
/** CreateSecret's Tags: keys and values of at most 128 characters; UntagResource: each key 1 to 128 bytes. */
export const MAX_TAG_LENGTH = 128;
/** CreateSecret's Tags: letters, digits and / \ _ - . + = : @. */
const TAG_CHARACTERS = /^[A-Za-z0-9/\\_\-.+=:@]*$/;
/** CreateSecret's Tags: a tag key cannot start with aliyun or acs:. */
const RESERVED_KEY_PREFIXES = ['aliyun', 'acs:'] as const;

export type TagMap = Map<string, string>;

/** The answer shape DescribeSecret and ListSecrets share, in the order the tags were first set. */
export function tagsAnswer(tags: ReadonlyMap<string, string>): { Tag: { TagKey: string; TagValue: string }[] } {
  return { Tag: [...tags].map(([TagKey, TagValue]) => ({ TagKey, TagValue })) };
}

const TAGS_SHAPE = 'Tags must be a JSON array of {"TagKey": string, "TagValue": string} objects.';

function checkTagKey(key: string): void {
  if (key.length === 0 || key.length > MAX_TAG_LENGTH) throw invalid(`A TagKey must be 1 to ${MAX_TAG_LENGTH} characters.`);
  if (!TAG_CHARACTERS.test(key)) throw invalid('A TagKey may contain only letters, digits and / \\ _ - . + = : @.');
  if (RESERVED_KEY_PREFIXES.some((prefix) => key.startsWith(prefix))) {
    throw invalid(`A TagKey cannot start with ${RESERVED_KEY_PREFIXES.join(' or ')}.`);
  }
}

function checkTagValue(value: string): void {
  if (value.length > MAX_TAG_LENGTH) throw invalid(`A TagValue must be at most ${MAX_TAG_LENGTH} characters.`);
  if (!TAG_CHARACTERS.test(value)) throw invalid('A TagValue may contain only letters, digits and / \\ _ - . + = : @.');
}

/**
 * `[{"TagKey":"k","TagValue":"v"}, ...]`, the shape KMS documents (not AWS's Key/Value). A key given twice keeps
 * its last value. `allowEmpty`: CreateSecret may pass `[]`; TagResource needs one or more tags.
 */
export function parseTags(raw: string, allowEmpty: boolean): TagMap {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw invalid(TAGS_SHAPE);
  }
  if (!Array.isArray(parsed)) throw invalid(TAGS_SHAPE);
  if (parsed.length === 0 && !allowEmpty) throw invalid('Tags must name one or more tags.');
  const tags: TagMap = new Map();
  for (const item of parsed as unknown[]) {
    if (typeof item !== 'object' || item === null || Array.isArray(item)) throw invalid(TAGS_SHAPE);
    const { TagKey: key, TagValue: value } = item as Record<string, unknown>;
    if (typeof key !== 'string' || typeof value !== 'string') throw invalid(TAGS_SHAPE);
    checkTagKey(key);
    checkTagValue(value);
    tags.set(key, value);
  }
  if (tags.size > MAX_TAGS_PER_SECRET) throw tagLimitExceeded();
  return tags;
}

/** `["k1","k2"]`: UntagResource's example is a JSON array, so that is the one form accepted. */
export function parseTagKeys(raw: string): string[] {
  const shape = 'TagKeys must be a non-empty JSON array of strings.';
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw invalid(shape);
  }
  if (!Array.isArray(parsed) || parsed.length === 0) throw invalid(shape);
  const keys: string[] = [];
  for (const item of parsed as unknown[]) {
    if (typeof item !== 'string') throw invalid(shape);
    const bytes = Buffer.byteLength(item, 'utf8');
    if (bytes === 0 || bytes > MAX_TAG_LENGTH) throw invalid(`Each of TagKeys must be 1 to ${MAX_TAG_LENGTH} bytes.`);
    keys.push(item);
  }
  return keys;
}

/** Our choice of code: KMS documents the limit but not the error; Rejected.LimitExceeded is its quota answer. */
export function tagLimitExceeded(): AcsApiError {
  return new AcsApiError(400, 'Rejected.LimitExceeded', `A secret can have at most ${MAX_TAGS_PER_SECRET} tags.`);
}

/** Adds or overwrites, all or nothing: over the limit, the secret's tags stay as they were. */
export function mergeTags(current: TagMap, adding: ReadonlyMap<string, string>): void {
  const keys = new Set([...current.keys(), ...adding.keys()]);
  if (keys.size > MAX_TAGS_PER_SECRET) throw tagLimitExceeded();
  for (const [key, value] of adding) current.set(key, value);
}

const TAG_TARGETS = ['KeyId', 'SecretName', 'CertificateId'] as const;

/**
 * TagResource and UntagResource take exactly one of KeyId, SecretName and CertificateId. The emulator keeps no
 * keys or certificates, so naming one answers not found.
 */
export function tagTargetSecretName(params: AcsParams): string {
  const given = TAG_TARGETS.filter((name) => optionalParam(params, name) !== undefined);
  if (given.length !== 1) throw invalid(`Specify exactly one of ${TAG_TARGETS.join(', ')}.`);
  if (given[0] !== 'SecretName') throw notFound();
  return secretNameParam(params);
}
