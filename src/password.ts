/**
 * The one password policy: configuration (PASSWORD_LENGTH, EXCLUDE_CHARACTERS, EXCLUDE_UPPERCASE,
 * EXCLUDE_LOWERCASE, EXCLUDE_NUMBERS, EXCLUDE_PUNCTUATION, REQUIRE_EACH_INCLUDED_TYPE, named as KMS
 * GetRandomPassword names its parameters) merged with what the database accepts: the backend's own
 * rules and, for self-managed MySQL/MariaDB, the server's password policy (mysql/password-policy.ts).
 * Passwords come from node:crypto, not KMS GetRandomPassword: it saves a KMS call per rotation,
 * works the same offline, and can honour a backend's exact character set and a server's per-class
 * counts, which GetRandomPassword cannot express. A combination no password can meet is a
 * ConfigurationError naming the variable (never its value) before anything is generated.
 * A generated password is only returned: it must never be logged or kept here.
 */
import { randomInt } from 'node:crypto';
import { ConfigurationError } from './errors.js';

export const LOWERCASE = 'abcdefghijklmnopqrstuvwxyz';
export const UPPERCASE = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
export const NUMBERS = '0123456789';
/** ASCII punctuation, as GetRandomPassword draws it: every printable non-alphanumeric character but space. */
export const PUNCTUATION = '!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~';

/** The four character types, as GetRandomPassword's ExcludeUppercase ... ExcludePunctuation name them. */
export type CharacterClass = 'lowercase' | 'uppercase' | 'numbers' | 'punctuation';

const CLASS_ORDER: readonly CharacterClass[] = ['lowercase', 'uppercase', 'numbers', 'punctuation'];
const FLAG: Readonly<Record<CharacterClass, string>> = {
  lowercase: 'EXCLUDE_LOWERCASE',
  uppercase: 'EXCLUDE_UPPERCASE',
  numbers: 'EXCLUDE_NUMBERS',
  punctuation: 'EXCLUDE_PUNCTUATION',
};
const NOUN: Readonly<Record<CharacterClass, string>> = {
  lowercase: 'lowercase letter',
  uppercase: 'uppercase letter',
  numbers: 'digit',
  punctuation: 'punctuation character',
};
const COUNT_WORDS = ['no', 'one', 'two', 'three', 'four'];
/** Every backend's floor when its rules name none: RDS's rule (three of four types), kept for every database. */
export const DEFAULT_MIN_CLASSES = 3;
/** Draws before giving up on rules only rejection can meet (the types present, names that must not appear). */
const MAX_DRAWS = 1_000;

/** What a database accepts; merged into the configured policy. Every field is optional: absent, no constraint. */
export interface PasswordRules {
  minLength?: number;
  maxLength?: number;
  /** The only punctuation characters the database accepts; all of PUNCTUATION when absent. */
  punctuation?: string;
  /** At least this many of the four types in every password; DEFAULT_MIN_CLASSES when absent. */
  minClasses?: number;
  /** At least this many characters of a type (validate_password's counts, simple_password_check's). */
  minCounts?: Partial<Record<CharacterClass, number>>;
  /**
   * Strings (user names) no password may contain, ignoring case; a password that is itself part of
   * one is refused too (MariaDB refuses a password that is a prefix of the user name). Empty ones are ignored.
   */
  mustNotContain?: readonly string[];
  /** No more than this many letters in a row (at least 1): a dictionary check of letter words longer than this cannot match. */
  maxLetterRun?: number;
}

/** The password variables of Config (config.ts); the ones added for GetRandomPassword's parameters are optional, default false / true. */
export interface PasswordConfig {
  passwordLength: number;
  excludeCharacters: string;
  excludeUppercase?: boolean | undefined;
  excludeLowercase?: boolean | undefined;
  excludeNumbers?: boolean | undefined;
  excludePunctuation?: boolean | undefined;
  /** At least one character of every type not excluded; true when absent, as in GetRandomPassword. */
  requireEachIncludedType?: boolean | undefined;
}

export interface PolicyClass {
  readonly name: CharacterClass;
  /** What is left of the type after the exclusions and the database's punctuation; never empty. */
  readonly chars: string;
  /** Characters of this type every password holds. */
  readonly min: number;
}

/** The merged policy generatePassword draws under. Holds no password; safe to log. */
export interface PasswordPolicy {
  readonly length: number;
  /** The types to draw from, in CLASS_ORDER; types excluded or emptied are absent. */
  readonly classes: readonly PolicyClass[];
  /** Types every password holds at least one character of. */
  readonly minClasses: number;
  /** Lowercased, non-empty. */
  readonly mustNotContain: readonly string[];
  readonly maxLetterRun: number | undefined;
  /** Digits and punctuation every password needs so that no letter run is longer than maxLetterRun. */
  readonly minNonLetters: number;
}

const isLetter = (name: CharacterClass): boolean => name === 'lowercase' || name === 'uppercase';

/** The strictest of every rule set: the larger minimum, the smaller maximum, the punctuation all accept. */
export function mergeRules(...sets: readonly PasswordRules[]): PasswordRules {
  const merged: PasswordRules = {};
  const larger = (a: number | undefined, b: number | undefined) => (a === undefined ? b : b === undefined ? a : Math.max(a, b));
  const smaller = (a: number | undefined, b: number | undefined) => (a === undefined ? b : b === undefined ? a : Math.min(a, b));
  for (const rules of sets) {
    const set = <K extends keyof PasswordRules>(key: K, value: PasswordRules[K] | undefined): void => {
      if (value !== undefined) merged[key] = value;
    };
    set('minLength', larger(merged.minLength, rules.minLength));
    set('maxLength', smaller(merged.maxLength, rules.maxLength));
    set('minClasses', larger(merged.minClasses, rules.minClasses));
    set('maxLetterRun', smaller(merged.maxLetterRun, rules.maxLetterRun));
    if (rules.punctuation !== undefined) {
      const accepted = rules.punctuation;
      set(
        'punctuation',
        merged.punctuation === undefined ? accepted : [...merged.punctuation].filter((c) => accepted.includes(c)).join(''),
      );
    }
    if (rules.minCounts !== undefined) {
      const counts: Partial<Record<CharacterClass, number>> = { ...merged.minCounts };
      for (const name of CLASS_ORDER) {
        const count = larger(counts[name], rules.minCounts[name]);
        if (count !== undefined) counts[name] = count;
      }
      merged.minCounts = counts;
    }
    if (rules.mustNotContain !== undefined)
      merged.mustNotContain = [...new Set([...(merged.mustNotContain ?? []), ...rules.mustNotContain])];
  }
  return merged;
}

/** Digits and punctuation needed so that `length` characters have no letter run longer than `run`. */
function nonLettersNeeded(length: number, run: number | undefined): number {
  return run === undefined ? 0 : Math.max(0, Math.ceil((length - run) / (run + 1)));
}

/**
 * The configured policy merged with the database's rules, or ConfigurationError naming the variable
 * that cannot be met (PASSWORD_LENGTH, EXCLUDE_CHARACTERS, an EXCLUDE_* type): never its value.
 */
export function passwordPolicy(config: PasswordConfig, rules: PasswordRules = {}): PasswordPolicy {
  const length = config.passwordLength;
  if (rules.maxLength !== undefined && length > rules.maxLength) {
    throw new ConfigurationError(`PASSWORD_LENGTH must be at most ${rules.maxLength} for this database`);
  }
  if (rules.minLength !== undefined && length < rules.minLength) {
    throw new ConfigurationError(`PASSWORD_LENGTH must be at least ${rules.minLength} for this database`);
  }
  const excluded: Record<CharacterClass, boolean> = {
    lowercase: config.excludeLowercase === true,
    uppercase: config.excludeUppercase === true,
    numbers: config.excludeNumbers === true,
    punctuation: config.excludePunctuation === true,
  };
  const base: Record<CharacterClass, string> = {
    lowercase: LOWERCASE,
    uppercase: UPPERCASE,
    numbers: NUMBERS,
    punctuation: rules.punctuation ?? PUNCTUATION,
  };
  const requireEach = config.requireEachIncludedType !== false;
  /** Which variables took a type away, for messages. */
  const emptiedBy = (name: CharacterClass): string =>
    excluded[name] ? FLAG[name] : name === 'punctuation' && base.punctuation.length === 0 ? 'this database' : 'EXCLUDE_CHARACTERS';
  const classes: PolicyClass[] = [];
  const emptied: CharacterClass[] = [];
  for (const name of CLASS_ORDER) {
    const chars = excluded[name] ? '' : [...base[name]].filter((c) => !config.excludeCharacters.includes(c)).join('');
    const needed = rules.minCounts?.[name] ?? 0;
    if (chars.length === 0) {
      if (needed > 0) {
        throw new ConfigurationError(
          `${emptiedBy(name)} leaves no ${NOUN[name]} for passwords, and this database requires at least ${needed}`,
        );
      }
      emptied.push(name);
      continue;
    }
    classes.push({ name, chars, min: Math.max(needed, requireEach ? 1 : 0) });
  }
  const minClasses = Math.min(CLASS_ORDER.length, Math.max(1, rules.minClasses ?? DEFAULT_MIN_CLASSES));
  if (classes.length < minClasses) {
    const by = [...new Set(emptied.map(emptiedBy))].join(', ');
    if (classes.length === 0) throw new ConfigurationError(`${by} leave no character to draw passwords from`);
    throw new ConfigurationError(
      `${by} ${by.includes(',') ? 'leave' : 'leaves'} fewer than ${COUNT_WORDS[minClasses]} character classes for passwords`,
    );
  }
  const required = classes.reduce((sum, c) => sum + c.min, 0);
  if (length < required) {
    throw new ConfigurationError(
      `PASSWORD_LENGTH must be at least ${required} for ${requireEach ? 'one character of each included type (REQUIRE_EACH_INCLUDED_TYPE) and ' : ''}this database's character counts`,
    );
  }
  if (length < minClasses) throw new ConfigurationError(`PASSWORD_LENGTH must be at least ${minClasses}`);
  // At least one letter in a row: a rule of none would be EXCLUDE_LOWERCASE and EXCLUDE_UPPERCASE.
  const run = rules.maxLetterRun === undefined ? undefined : Math.max(1, rules.maxLetterRun);
  const minNonLetters = nonLettersNeeded(length, run);
  if (minNonLetters > 0) {
    const nonLetters = classes.filter((c) => !isLetter(c.name));
    if (nonLetters.length === 0) {
      const by = [...new Set((['numbers', 'punctuation'] as const).map(emptiedBy))].join(', ');
      throw new ConfigurationError(
        `${by} ${by.includes(',') ? 'leave' : 'leaves'} no digit or punctuation character for passwords, and this database's dictionary check needs one after at most ${run} letters`,
      );
    }
    const requiredLetters = classes.filter((c) => isLetter(c.name)).reduce((sum, c) => sum + c.min, 0);
    if (minNonLetters > length - requiredLetters) {
      let needed = length;
      while (nonLettersNeeded(needed, run) > needed - requiredLetters) needed++;
      throw new ConfigurationError(
        `PASSWORD_LENGTH must be at least ${needed} for this database's letter counts with at most ${run} letters in a row`,
      );
    }
  }
  const mustNotContain = [...new Set((rules.mustNotContain ?? []).filter((s) => s.length > 0).map((s) => s.toLowerCase()))];
  return { length, classes, minClasses, mustNotContain, maxLetterRun: run, minNonLetters };
}

/**
 * A password meeting `policy` exactly: its length, at least `min` characters of every type (one of
 * each with REQUIRE_EACH_INCLUDED_TYPE), at least `minClasses` types, nothing excluded, no letter run
 * over `maxLetterRun`, none of `mustNotContain`. The required characters are drawn from their type,
 * the rest from every included character alike, then shuffled. ConfigurationError in the (in practice
 * unreachable) case that no draw meets the rules only rejection can check.
 */
export function generatePassword(policy: PasswordPolicy): string {
  for (let attempt = 0; attempt < MAX_DRAWS; attempt++) {
    const candidate = draw(policy);
    if (acceptable(candidate, policy)) return candidate;
  }
  throw new ConfigurationError(
    `PASSWORD_LENGTH and the EXCLUDE_* settings leave too few passwords this database accepts: none of ${MAX_DRAWS} drawn had the character types it needs and kept out every user name it refuses`,
  );
}

function draw(policy: PasswordPolicy): string {
  const all = policy.classes.map((c) => c.chars).join('');
  const chars = policy.classes.flatMap((c) => Array.from({ length: c.min }, () => pick(c.chars)));
  const fixed = chars.length;
  while (chars.length < policy.length) chars.push(pick(all));
  if (policy.maxLetterRun === undefined) return shuffle(chars).join('');
  // Enough digits and punctuation to break every letter run: drawn letters (never required ones) become non-letters.
  const nonLetterChars = policy.classes
    .filter((c) => !isLetter(c.name))
    .map((c) => c.chars)
    .join('');
  const letterClass = (c: string): boolean => LOWERCASE.includes(c) || UPPERCASE.includes(c);
  const drawnLetters = shuffle([...chars.keys()].filter((i) => i >= fixed && letterClass(chars[i] as string)));
  let missing = policy.minNonLetters - chars.filter((c) => !letterClass(c)).length;
  for (const at of drawnLetters) {
    if (missing <= 0) break;
    chars[at] = pick(nonLetterChars);
    missing--;
  }
  return arrange(shuffle(chars.filter(letterClass)), shuffle(chars.filter((c) => !letterClass(c))), policy.maxLetterRun);
}

/** Letters spread over the gaps around the non-letters, at random, no gap over `run`. */
function arrange(letters: string[], others: string[], run: number): string {
  const gaps = new Array<number>(others.length + 1).fill(0);
  for (let placed = 0; placed < letters.length; placed++) {
    const open = [...gaps.keys()].filter((i) => (gaps[i] as number) < run);
    const at = open[randomInt(open.length)] as number;
    gaps[at] = (gaps[at] as number) + 1;
  }
  const out: string[] = [];
  let next = 0;
  gaps.forEach((size, i) => {
    out.push(...letters.slice(next, next + size));
    next += size;
    if (i < others.length) out.push(others[i] as string);
  });
  return out.join('');
}

/** The rules only a whole password can be checked against: the types present, the names kept out. */
function acceptable(password: string, policy: PasswordPolicy): boolean {
  const present = policy.classes.filter((c) => [...password].some((ch) => c.chars.includes(ch))).length;
  if (present < policy.minClasses) return false;
  const lower = password.toLowerCase();
  return !policy.mustNotContain.some((name) => lower.includes(name) || name.includes(lower));
}

function shuffle<T>(items: T[]): T[] {
  // Fisher-Yates, so the guaranteed characters are not always at the front.
  for (let i = items.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [items[i], items[j]] = [items[j] as T, items[i] as T];
  }
  return items;
}

function pick(chars: string): string {
  return chars[randomInt(chars.length)] as string;
}

/**
 * The rules `password` breaks, by field name (`minLength`, `minCounts.numbers`, `mustNotContain`, ...),
 * never the password: for `set` to check a staged password against the server's policy as it is now,
 * before its first write. Configuration exclusions are not rules of the database and are not checked.
 */
export function brokenRules(password: string, rules: PasswordRules): string[] {
  const broken: string[] = [];
  const chars = [...password];
  if (rules.minLength !== undefined && chars.length < rules.minLength) broken.push('minLength');
  if (rules.maxLength !== undefined && chars.length > rules.maxLength) broken.push('maxLength');
  const typeOf = (c: string): CharacterClass =>
    LOWERCASE.includes(c) ? 'lowercase' : UPPERCASE.includes(c) ? 'uppercase' : NUMBERS.includes(c) ? 'numbers' : 'punctuation';
  const counts: Record<CharacterClass, number> = { lowercase: 0, uppercase: 0, numbers: 0, punctuation: 0 };
  for (const c of chars) counts[typeOf(c)]++;
  const accepted = rules.punctuation;
  if (accepted !== undefined && chars.some((c) => typeOf(c) === 'punctuation' && !accepted.includes(c))) broken.push('punctuation');
  for (const name of CLASS_ORDER) if (counts[name] < (rules.minCounts?.[name] ?? 0)) broken.push(`minCounts.${name}`);
  if (CLASS_ORDER.filter((name) => counts[name] > 0).length < (rules.minClasses ?? DEFAULT_MIN_CLASSES)) broken.push('minClasses');
  const lower = password.toLowerCase();
  const names = (rules.mustNotContain ?? []).filter((n) => n.length > 0).map((n) => n.toLowerCase());
  if (names.some((name) => lower.includes(name) || name.includes(lower))) broken.push('mustNotContain');
  if (rules.maxLetterRun !== undefined) {
    const longest = Math.max(0, ...(password.match(/[A-Za-z]+/g) ?? []).map((run) => run.length));
    if (longest > Math.max(1, rules.maxLetterRun)) broken.push('maxLetterRun');
  }
  return broken;
}

/** The configuration's own consistency, whatever the database: at least DEFAULT_MIN_CLASSES types left to draw from. */
export function checkPasswordConfig(config: PasswordConfig): void {
  passwordPolicy(config);
}

/**
 * A password nobody will ever know, for an account that must exist before its real password is
 * set: still drawn under the database's rules, since a server's password policy (validate_password,
 * simple_password_check, RDS's format rule) applies to it too. 32 characters unless the rules need more.
 */
export function throwawayPassword(rules: PasswordRules = {}): string {
  const counts = Object.values(rules.minCounts ?? {}).reduce((sum, n) => sum + (n ?? 0), 0);
  const length = Math.min(rules.maxLength ?? 128, Math.max(32, rules.minLength ?? 0, counts + CLASS_ORDER.length));
  return generatePassword(passwordPolicy({ passwordLength: length, excludeCharacters: '\'"\\' }, rules));
}
