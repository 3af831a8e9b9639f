// MySQL 8's per-account password options per server version (5.7, 8.0.x, 8.4, 9.x; MariaDB has
// none): what is read from mysql.user and the one ALTER USER that copies them. No database.
import { describe, expect, it } from 'vitest';
import { parseServerVersion } from '../../../src/backends/mysql/dialect.js';
import {
  defaultPasswordOptions,
  passwordOptionsFromRow,
  readPasswordOptions,
  setPasswordOptions,
  syncPasswordOptions,
} from '../../../src/backends/mysql/password-options.js';
import { statementText } from '../../../src/backends/mysql/sql.js';
import { PreconditionError } from '../../../src/errors.js';

const v = parseServerVersion;
const REUSE = 'Password_reuse_history AS history, Password_reuse_time AS reuse_days';
const REQUIRE = 'Password_require_current AS require_current';
const LOCKOUT =
  "JSON_EXTRACT(User_attributes, '$.Password_locking.failed_login_attempts') AS attempts, JSON_EXTRACT(User_attributes, '$.Password_locking.password_lock_time_days') AS lock_days";
const FROM = 'FROM mysql.user WHERE User = ? AND Host = ?';

describe('readPasswordOptions', () => {
  it.each([
    ['8.0.3', `SELECT ${REUSE} ${FROM}`],
    ['8.0.12', `SELECT ${REUSE} ${FROM}`],
    ['8.0.13', `SELECT ${REUSE}, ${REQUIRE} ${FROM}`],
    ['8.0.18', `SELECT ${REUSE}, ${REQUIRE} ${FROM}`],
    ['8.0.19', `SELECT ${REUSE}, ${REQUIRE}, ${LOCKOUT} ${FROM}`],
    ['8.0.36-0ubuntu0.22.04.1', `SELECT ${REUSE}, ${REQUIRE}, ${LOCKOUT} ${FROM}`],
    ['8.4.3', `SELECT ${REUSE}, ${REQUIRE}, ${LOCKOUT} ${FROM}`],
    ['9.1.0', `SELECT ${REUSE}, ${REQUIRE}, ${LOCKOUT} ${FROM}`],
  ])('MySQL %s', (raw, sql) => {
    expect(readPasswordOptions(v(raw), 'u', '%')).toEqual({ sql, values: ['u', '%'] });
  });

  it.each(['5.7.44-log', '5.6.51', '8.0.2', '10.11.19-MariaDB-0+deb12u1', '10.4.34-MariaDB', '11.4.2-MariaDB'])(
    '%s keeps none per account: nothing is read',
    (raw) => {
      expect(readPasswordOptions(v(raw), 'u', '%')).toBeUndefined();
    },
  );
});

describe('passwordOptionsFromRow', () => {
  it('NULL is the default; Y/N; no Password_locking is off; -1 days is UNBOUNDED', () => {
    const row = { history: null, reuse_days: null, require_current: null, attempts: null, lock_days: null };
    expect(passwordOptionsFromRow(v('8.4.3'), row)).toEqual(defaultPasswordOptions(v('8.4.3')));
    expect(
      passwordOptionsFromRow(v('8.0.36'), { history: 5, reuse_days: '365', require_current: 'Y', attempts: 3, lock_days: -1 }),
    ).toEqual({ history: 5, reuseDays: 365, requireCurrent: 'required', lockout: { attempts: 3, days: 'unbounded' } });
    expect(passwordOptionsFromRow(v('9.1.0'), { ...row, history: 0, require_current: 'N', attempts: 4, lock_days: 2 })).toEqual({
      history: 0,
      reuseDays: 'default',
      requireCurrent: 'optional',
      lockout: { attempts: 4, days: 2 },
    });
  });

  it('reads only what the version has', () => {
    expect(passwordOptionsFromRow(v('8.0.12'), { history: 2, reuse_days: null })).toEqual({ history: 2, reuseDays: 'default' });
    expect(defaultPasswordOptions(v('8.0.13'))).toEqual({ history: 'default', reuseDays: 'default', requireCurrent: 'default' });
  });

  it('refuses values it does not recognise, naming none', () => {
    expect(() => passwordOptionsFromRow(v('8.0.36'), { history: 'lots', reuse_days: null })).toThrow(PreconditionError);
    expect(() => passwordOptionsFromRow(v('8.0.36'), { history: 1, reuse_days: 1, require_current: 'maybe' })).toThrow(PreconditionError);
  });
});

describe('setPasswordOptions and syncPasswordOptions', () => {
  it('one ALTER USER, numbers bound, for every option the version has', () => {
    const all = setPasswordOptions("o'k", '%', {
      history: 5,
      reuseDays: 30,
      requireCurrent: 'required',
      lockout: { attempts: 3, days: 2 },
    });
    expect(all.sql).toBe(
      'ALTER USER ?@? PASSWORD HISTORY ? PASSWORD REUSE INTERVAL ? DAY PASSWORD REQUIRE CURRENT FAILED_LOGIN_ATTEMPTS ? PASSWORD_LOCK_TIME ?',
    );
    expect(statementText(all)).toBe(
      "ALTER USER 'o\\'k'@'%' PASSWORD HISTORY 5 PASSWORD REUSE INTERVAL 30 DAY PASSWORD REQUIRE CURRENT FAILED_LOGIN_ATTEMPTS 3 PASSWORD_LOCK_TIME 2",
    );
    expect(statementText(setPasswordOptions('u', 'h', defaultPasswordOptions(v('8.4.3'))))).toBe(
      "ALTER USER 'u'@'h' PASSWORD HISTORY DEFAULT PASSWORD REUSE INTERVAL DEFAULT PASSWORD REQUIRE CURRENT DEFAULT FAILED_LOGIN_ATTEMPTS 0 PASSWORD_LOCK_TIME 0",
    );
    expect(
      statementText(
        setPasswordOptions('u', 'h', {
          history: 'default',
          reuseDays: 0,
          requireCurrent: 'optional',
          lockout: { attempts: 1, days: 'unbounded' },
        }),
      ),
    ).toBe(
      "ALTER USER 'u'@'h' PASSWORD HISTORY DEFAULT PASSWORD REUSE INTERVAL 0 DAY PASSWORD REQUIRE CURRENT OPTIONAL FAILED_LOGIN_ATTEMPTS 1 PASSWORD_LOCK_TIME UNBOUNDED",
    );
    // MySQL 8.0.3 to 8.0.12: the two reuse options only.
    expect(statementText(setPasswordOptions('u', 'h', { history: 3, reuseDays: 'default' }))).toBe(
      "ALTER USER 'u'@'h' PASSWORD HISTORY 3 PASSWORD REUSE INTERVAL DEFAULT",
    );
  });

  it('nothing when equal; a new account is compared with the defaults', () => {
    const alt = { user: 'a', host: '%' };
    const defaults = defaultPasswordOptions(v('8.0.36'));
    expect(syncPasswordOptions(defaults, defaults, alt)).toEqual([]);
    const wanted = { ...defaults, lockout: { attempts: 3, days: 1 } };
    expect(syncPasswordOptions(wanted, defaults, alt).map(statementText)).toEqual([
      "ALTER USER 'a'@'%' PASSWORD HISTORY DEFAULT PASSWORD REUSE INTERVAL DEFAULT PASSWORD REQUIRE CURRENT DEFAULT FAILED_LOGIN_ATTEMPTS 3 PASSWORD_LOCK_TIME 1",
    ]);
  });
});
