/**
 * The one password policy: configuration (PASSWORD_LENGTH, EXCLUDE_CHARACTERS) merged with what
 * the backend's database accepts. Passwords come from node:crypto, not KMS GetRandomPassword:
 * it saves a KMS call per rotation, works the same offline, and can honour a backend's exact
 * character set (RDS accepts only some punctuation, which GetRandomPassword cannot express).
 * A generated password is only returned: it must never be logged or kept here.
 */
import { randomInt } from 'node:crypto';
import { ConfigurationError } from './errors.js';

const LOWER = 'abcdefghijklmnopqrstuvwxyz';
const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const DIGITS = '0123456789';
const PUNCTUATION = '!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~';

/** What a database accepts; merged into the configured policy. */
export interface PasswordRules {
  minLength?: number;
  maxLength?: number;
  /** The only punctuation characters the database accepts; all of PUNCTUATION when absent. */
  punctuation?: string;
}

export interface PasswordPolicy {
  length: number;
  /** Character classes to draw from; one character of each is always included. */
  classes: string[];
}

export function passwordPolicy(config: { passwordLength: number; excludeCharacters: string }, rules: PasswordRules = {}): PasswordPolicy {
  const length = config.passwordLength;
  if (rules.maxLength !== undefined && length > rules.maxLength) {
    throw new ConfigurationError(`PASSWORD_LENGTH must be at most ${rules.maxLength} for this database`);
  }
  if (rules.minLength !== undefined && length < rules.minLength) {
    throw new ConfigurationError(`PASSWORD_LENGTH must be at least ${rules.minLength} for this database`);
  }
  const keep = (chars: string): string => [...chars].filter((c) => !config.excludeCharacters.includes(c)).join('');
  const classes = [LOWER, UPPER, DIGITS, rules.punctuation ?? PUNCTUATION].map(keep).filter((c) => c.length > 0);
  if (classes.length < 3) {
    throw new ConfigurationError('EXCLUDE_CHARACTERS leaves fewer than three character classes for passwords');
  }
  if (length < classes.length) throw new ConfigurationError(`PASSWORD_LENGTH must be at least ${classes.length}`);
  return { length, classes };
}

export function generatePassword(policy: PasswordPolicy): string {
  const all = policy.classes.join('');
  const chars = policy.classes.map(pick);
  while (chars.length < policy.length) chars.push(pick(all));
  // Fisher-Yates, so the guaranteed characters are not always at the front.
  for (let i = chars.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [chars[i], chars[j]] = [chars[j] as string, chars[i] as string];
  }
  return chars.join('');
}

function pick(chars: string): string {
  return chars[randomInt(chars.length)] as string;
}

/**
 * A password nobody will ever know, for an account that must exist before its real password is
 * set: still drawn under the database's rules, since a server's password policy (validate_password,
 * RDS's format rule) applies to it too.
 */
export function throwawayPassword(rules: PasswordRules = {}): string {
  return generatePassword(passwordPolicy({ passwordLength: Math.min(32, rules.maxLength ?? 32), excludeCharacters: '\'"\\' }, rules));
}
