/**
 * KMS GetRandomPassword as Alibaba documents it: length, excluded characters and classes, and
 * RequireEachIncludedType. The password is only returned, never kept or logged.
 */
import { randomInt } from 'node:crypto';
import { optionalParam, type AcsParams, type AcsResult } from '../acs-rpc/params.js';
import { booleanParam, integerParam, invalid } from './params.js';

const LOWER = 'abcdefghijklmnopqrstuvwxyz';
const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const DIGITS = '0123456789';
/** The 32 printable ASCII punctuation characters: the set GetRandomPassword's documentation lists. */
export const PUNCTUATION = '!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~';

export function getRandomPassword(params: AcsParams): AcsResult {
  const length = integerParam(params, 'PasswordLength', 32, 8, 128);
  const excluded = new Set(optionalParam(params, 'ExcludeCharacters') ?? '');
  const classes = [
    { chars: LOWER, skip: booleanParam(params, 'ExcludeLowercase', false) },
    { chars: UPPER, skip: booleanParam(params, 'ExcludeUppercase', false) },
    { chars: DIGITS, skip: booleanParam(params, 'ExcludeNumbers', false) },
    { chars: PUNCTUATION, skip: booleanParam(params, 'ExcludePunctuation', false) },
  ];
  const requireEach = booleanParam(params, 'RequireEachIncludedType', true);
  // A class emptied by ExcludeCharacters counts as excluded, not as an unsatisfiable requirement.
  const included = classes
    .filter((c) => !c.skip)
    .map((c) => [...c.chars].filter((ch) => !excluded.has(ch)))
    .filter((chars) => chars.length > 0);
  if (included.length === 0) throw invalid('The parameters exclude every character.');
  const pick = (chars: readonly string[]): string => chars[randomInt(chars.length)] ?? '';
  const all = included.flat();
  const chars = requireEach ? included.map(pick) : [];
  while (chars.length < length) chars.push(pick(all));
  for (let i = chars.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [chars[i], chars[j]] = [chars[j] ?? '', chars[i] ?? ''];
  }
  return { RandomPassword: chars.join('') };
}
