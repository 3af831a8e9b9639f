/**
 * KMS ListSecrets for the emulator: the `Filters` JSON parameter as KMS documents it (keys SecretName,
 * Description, TagKey, TagValue, SecretType, DKMSInstanceId; values within one filter ORed, filters ANDed),
 * FetchTags and paging. Pure: it reads the secrets it is given, in the order given. Messages never quote a value.
 */
import { optionalParam, type AcsParams, type AcsResult } from '../acs-rpc/params.js';
import { booleanParam, formatTime, integerParam, invalid } from './params.js';
import { tagsAnswer } from './tags.js';

/** What ListSecrets reads of a secret; the state's own records fit it. */
export interface ListedSecret {
  readonly name: string;
  readonly type: string;
  readonly description: string | undefined;
  readonly createdAt: number;
  readonly updatedAt: number;
  readonly plannedDeleteAt: number | undefined;
  readonly tags: ReadonlyMap<string, string>;
}

/** Documented: PageSize 1 to 100, default 10; PageNumber from 1, default 1. */
export const MAX_PAGE_SIZE = 100;
export const DEFAULT_PAGE_SIZE = 10;
/** Documented: up to 10 key-value pairs, each with 0 to 10 values. */
export const MAX_FILTERS = 10;
export const MAX_FILTER_VALUES = 10;

/** The emulator's secrets all live in the shared KMS, never in a dedicated KMS instance. */
const NO_INSTANCE = undefined;

interface FilterRule {
  /** The documented limits on one value: length, and the characters allowed when KMS lists them. */
  readonly maxLength: number;
  readonly characters?: RegExp;
  readonly oneOf?: readonly string[];
  readonly matches: (secret: ListedSecret, value: string) => boolean;
}

const TAG_FILTER_CHARACTERS = /^[A-Za-z0-9/_\-.+=@:]+$/;

const FILTER_RULES: Readonly<Record<string, FilterRule>> = {
  // Documented as equality ("SecretName=sec1 OR SecretName=sec2"); whether KMS also matches fuzzily is unconfirmed.
  SecretName: { maxLength: 192, characters: /^[A-Za-z0-9_/+=.@-]+$/, matches: (s, v) => s.name === v },
  Description: { maxLength: 256, matches: (s, v) => s.description === v },
  TagKey: { maxLength: 256, characters: TAG_FILTER_CHARACTERS, matches: (s, v) => s.tags.has(v) },
  // Undocumented whether TagKey and TagValue filters must hold on the same tag: here each is checked on its own.
  TagValue: { maxLength: 256, characters: TAG_FILTER_CHARACTERS, matches: (s, v) => [...s.tags.values()].includes(v) },
  SecretType: { maxLength: 64, oneOf: ['Generic', 'Rds', 'RAMCredentials', 'ECS'], matches: (s, v) => s.type === v },
  DKMSInstanceId: { maxLength: 256, matches: (_, v) => v === NO_INSTANCE },
};

interface Filter {
  readonly rule: FilterRule;
  readonly values: readonly string[];
}

const FILTERS_SHAPE = 'Filters must be a JSON array of {"Key": string, "Values": [string, ...]} objects.';

function parseFilter(item: unknown): Filter {
  if (typeof item !== 'object' || item === null || Array.isArray(item)) throw invalid(FILTERS_SHAPE);
  const { Key: key, Values: values } = item as Record<string, unknown>;
  if (typeof key !== 'string' || !Array.isArray(values)) throw invalid(FILTERS_SHAPE);
  const rule = Object.hasOwn(FILTER_RULES, key) ? FILTER_RULES[key] : undefined;
  if (!rule) throw invalid(`A filter Key must be one of ${Object.keys(FILTER_RULES).join(', ')}.`);
  if (values.length > MAX_FILTER_VALUES) throw invalid(`A filter takes at most ${MAX_FILTER_VALUES} values.`);
  for (const value of values as unknown[]) {
    if (typeof value !== 'string') throw invalid(FILTERS_SHAPE);
    if (value.length === 0 || value.length > rule.maxLength) {
      throw invalid(`A ${key} filter value must be 1 to ${rule.maxLength} characters.`);
    }
    if (rule.characters && !rule.characters.test(value)) throw invalid(`A ${key} filter value has a character KMS does not allow.`);
    if (rule.oneOf && !rule.oneOf.includes(value)) throw invalid(`A ${key} filter value must be one of ${rule.oneOf.join(', ')}.`);
  }
  return { rule, values: values as string[] };
}

export function parseFilters(raw: string): Filter[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw invalid(FILTERS_SHAPE);
  }
  if (!Array.isArray(parsed)) throw invalid(FILTERS_SHAPE);
  if (parsed.length > MAX_FILTERS) throw invalid(`Filters takes at most ${MAX_FILTERS} key-value pairs.`);
  return (parsed as unknown[]).map(parseFilter);
}

/** Values ORed within a filter, filters ANDed. A filter with no values constrains nothing (the docs allow 0 values). */
function matchesAll(secret: ListedSecret, filters: readonly Filter[]): boolean {
  return filters.every((f) => f.values.length === 0 || f.values.some((v) => f.rule.matches(secret, v)));
}

function listEntry(secret: ListedSecret, fetchTags: boolean): AcsResult {
  const entry: AcsResult = {
    SecretName: secret.name,
    SecretType: secret.type,
    CreateTime: formatTime(secret.createdAt),
    UpdateTime: formatTime(secret.updatedAt),
  };
  if (secret.plannedDeleteAt !== undefined) entry['PlannedDeleteTime'] = formatTime(secret.plannedDeleteAt);
  if (fetchTags) entry['Tags'] = tagsAnswer(secret.tags);
  return entry;
}

/**
 * Secrets in the recovery window are listed too, with their PlannedDeleteTime. A page past the last answers an
 * empty list with the real TotalCount.
 */
export function listSecrets(params: AcsParams, secrets: readonly ListedSecret[]): AcsResult {
  const fetchTags = booleanParam(params, 'FetchTags', false);
  const pageNumber = integerParam(params, 'PageNumber', 1, 1, Number.MAX_SAFE_INTEGER);
  const pageSize = integerParam(params, 'PageSize', DEFAULT_PAGE_SIZE, 1, MAX_PAGE_SIZE);
  const filtersRaw = optionalParam(params, 'Filters');
  const filters = filtersRaw === undefined ? [] : parseFilters(filtersRaw);
  const matching = secrets.filter((s) => matchesAll(s, filters));
  const page = matching.slice((pageNumber - 1) * pageSize, pageNumber * pageSize);
  return {
    PageNumber: pageNumber,
    PageSize: pageSize,
    TotalCount: matching.length,
    SecretList: { Secret: page.map((s) => listEntry(s, fetchTags)) },
  };
}
