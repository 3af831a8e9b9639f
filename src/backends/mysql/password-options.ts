/**
 * MySQL 8's per-account password options beyond lock state and expiry (dialect.ts copies those):
 * PASSWORD HISTORY and PASSWORD REUSE INTERVAL (8.0.3), PASSWORD REQUIRE CURRENT (8.0.13), and
 * FAILED_LOGIN_ATTEMPTS with PASSWORD_LOCK_TIME (8.0.19, kept in mysql.user's User_attributes JSON).
 * Read from mysql.user for both accounts and copied with one ALTER USER, so the alternate is held to
 * the same password rules and the same lock-out after wrong passwords. MariaDB has none of these per
 * account (its password reuse and lock-out are server-wide), nor has MySQL before 8.0.3. Pure: it
 * builds `Sql` values, numbers bound, and never sees a password.
 */
import { z } from 'zod';
import { PreconditionError } from '../../errors.js';
import type { ServerVersion } from './dialect.js';
import { bound, type Sql } from './sql.js';

/** The server default (NULL in mysql.user), or a number of passwords or days. */
export type Setting = 'default' | number;

export interface PasswordOptions {
  /** PASSWORD HISTORY: how many earlier passwords may not be reused. */
  readonly history: Setting;
  /** PASSWORD REUSE INTERVAL: for how many days an earlier password may not be reused. */
  readonly reuseDays: Setting;
  /** PASSWORD REQUIRE CURRENT: whether changing one's own password needs the current one; undefined before 8.0.13. */
  readonly requireCurrent?: 'default' | 'required' | 'optional';
  /** FAILED_LOGIN_ATTEMPTS and PASSWORD_LOCK_TIME (days, 'unbounded'); 0 and 0 is off; undefined before 8.0.19. */
  readonly lockout?: { readonly attempts: number; readonly days: number | 'unbounded' };
}

const atLeast = (v: ServerVersion, minor: number, patch: number): boolean =>
  v.major > 8 || (v.major === 8 && (v.minor > minor || (v.minor === minor && v.patch >= patch)));

/** Which of the options `v` has: none on MariaDB or MySQL before 8.0.3. */
export function passwordOptionsOf(v: ServerVersion): { reuse: boolean; requireCurrent: boolean; lockout: boolean } {
  const mysql = v.flavor === 'mysql';
  return {
    reuse: mysql && atLeast(v, 0, 3),
    requireCurrent: mysql && atLeast(v, 0, 13),
    lockout: mysql && atLeast(v, 0, 19),
  };
}

/** One row (or none) with `history, reuse_days[, require_current][, attempts, lock_days]`; undefined where the server has no such options. */
export function readPasswordOptions(v: ServerVersion, user: string, host: string): Sql | undefined {
  const has = passwordOptionsOf(v);
  if (!has.reuse) return undefined;
  const columns = [
    'Password_reuse_history AS history',
    'Password_reuse_time AS reuse_days',
    ...(has.requireCurrent ? ['Password_require_current AS require_current'] : []),
    ...(has.lockout
      ? [
          "JSON_EXTRACT(User_attributes, '$.Password_locking.failed_login_attempts') AS attempts",
          "JSON_EXTRACT(User_attributes, '$.Password_locking.password_lock_time_days') AS lock_days",
        ]
      : []),
  ];
  return bound(`SELECT ${columns.join(', ')} FROM mysql.user WHERE User = ? AND Host = ?`, user, host);
}

const nullableNumber = z
  .union([z.number(), z.bigint(), z.string(), z.instanceof(Buffer)])
  .nullish()
  .transform((v, ctx) => {
    if (v === null || v === undefined) return null;
    const n = Number(typeof v === 'object' ? v.toString('utf8') : v);
    if (!Number.isInteger(n)) {
      ctx.addIssue({ code: 'custom', message: 'not an integer' });
      return z.NEVER;
    }
    return n;
  });
const OptionsRow = z.object({
  history: nullableNumber,
  reuse_days: nullableNumber,
  require_current: z.enum(['Y', 'N']).nullish(),
  attempts: nullableNumber,
  lock_days: nullableNumber,
});

/** An account CREATE USER made: every option at its default. */
export function defaultPasswordOptions(v: ServerVersion): PasswordOptions {
  const has = passwordOptionsOf(v);
  return {
    history: 'default',
    reuseDays: 'default',
    ...(has.requireCurrent ? { requireCurrent: 'default' as const } : {}),
    ...(has.lockout ? { lockout: { attempts: 0, days: 0 } } : {}),
  };
}

/** Maps a `readPasswordOptions` row of server `v`; throws PreconditionError on values it does not recognise. */
export function passwordOptionsFromRow(v: ServerVersion, row: unknown): PasswordOptions {
  const parsed = OptionsRow.safeParse(row ?? {});
  if (!parsed.success) throw new PreconditionError('mysql.user reports password options this backend does not recognise');
  const r = parsed.data;
  const has = passwordOptionsOf(v);
  const setting = (n: number | null): Setting => (n === null ? 'default' : n);
  const options: { -readonly [K in keyof PasswordOptions]: PasswordOptions[K] } = {
    history: setting(r.history),
    reuseDays: setting(r.reuse_days),
  };
  if (has.requireCurrent)
    options.requireCurrent = r.require_current === 'Y' ? 'required' : r.require_current === 'N' ? 'optional' : 'default';
  // No Password_locking object: neither option was ever set, which is 0 and 0 (off). -1 days is UNBOUNDED.
  if (has.lockout) options.lockout = { attempts: r.attempts ?? 0, days: r.lock_days === -1 ? 'unbounded' : (r.lock_days ?? 0) };
  return options;
}

/** One `ALTER USER ?@? PASSWORD HISTORY ... [FAILED_LOGIN_ATTEMPTS ...]` making the account's options `wanted`. */
export function setPasswordOptions(user: string, host: string, wanted: PasswordOptions): Sql {
  const parts: string[] = [];
  const values: (string | number)[] = [user, host];
  const numbered = (keyword: string, setting: Setting, unit = ''): void => {
    if (setting === 'default') parts.push(`${keyword} DEFAULT`);
    else {
      parts.push(`${keyword} ?${unit}`);
      values.push(setting);
    }
  };
  numbered('PASSWORD HISTORY', wanted.history);
  numbered('PASSWORD REUSE INTERVAL', wanted.reuseDays, ' DAY');
  if (wanted.requireCurrent !== undefined) {
    parts.push(
      { default: 'PASSWORD REQUIRE CURRENT DEFAULT', required: 'PASSWORD REQUIRE CURRENT', optional: 'PASSWORD REQUIRE CURRENT OPTIONAL' }[
        wanted.requireCurrent
      ],
    );
  }
  if (wanted.lockout !== undefined) {
    parts.push('FAILED_LOGIN_ATTEMPTS ?');
    values.push(wanted.lockout.attempts);
    if (wanted.lockout.days === 'unbounded') parts.push('PASSWORD_LOCK_TIME UNBOUNDED');
    else {
      parts.push('PASSWORD_LOCK_TIME ?');
      values.push(wanted.lockout.days);
    }
  }
  return bound(`ALTER USER ?@? ${parts.join(' ')}`, ...values);
}

/** [] when the alternate's options (`have`; the defaults for an account just created) are already `wanted`. */
export function syncPasswordOptions(wanted: PasswordOptions, have: PasswordOptions, alternate: { user: string; host: string }): Sql[] {
  return JSON.stringify(wanted) === JSON.stringify(have) ? [] : [setPasswordOptions(alternate.user, alternate.host, wanted)];
}
