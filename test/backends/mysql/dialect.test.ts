// Unit tests of the per-version account SQL (MySQL 5.6 to 9.x, MariaDB); they must never need a database.
import { describe, expect, it } from 'vitest';
import {
  atLeast,
  dialectFor,
  parseServerVersion,
  tlsRequirementFromRow,
  authPluginFromRow,
  accountStateFromRow,
  type ServerVersion,
} from '../../../src/backends/mysql/dialect.js';
import { nativePasswordHash } from '../../../src/backends/mysql/password-hash.js';
import { PreconditionError } from '../../../src/errors.js';

const v = (raw: string): ServerVersion => parseServerVersion(raw);

describe('parseServerVersion', () => {
  it.each([
    ['10.11.19-MariaDB-0+deb12u1', 'mariadb', 10, 11, 19],
    ['5.5.5-10.6.12-MariaDB-log', 'mariadb', 10, 6, 12],
    ['11.4.2-MariaDB', 'mariadb', 11, 4, 2],
    ['10.1.48-MariaDB', 'mariadb', 10, 1, 48],
    ['8.0.36', 'mysql', 8, 0, 36],
    ['8.0.36-0ubuntu0.22.04.1', 'mysql', 8, 0, 36],
    ['5.7.44-log', 'mysql', 5, 7, 44],
    ['5.6.51', 'mysql', 5, 6, 51],
    ['8.4.3', 'mysql', 8, 4, 3],
    ['9.1.0', 'mysql', 9, 1, 0],
    // A real MySQL 5.5.5 is not a MariaDB in disguise.
    ['5.5.5-log', 'mysql', 5, 5, 5],
  ] as const)('%s', (raw, flavor, major, minor, patch) => {
    expect(parseServerVersion(raw)).toEqual({ flavor, major, minor, patch, raw });
  });

  it.each(['', 'MariaDB', '8.0', 'v8.0.36', '8.0.36.1', '8.0.x'])('refuses %j', (raw) => {
    expect(() => parseServerVersion(raw)).toThrow(PreconditionError);
  });
});

describe('atLeast', () => {
  it('compares numerically, not as strings', () => {
    expect(atLeast(v('10.11.2-MariaDB'), 10, 2)).toBe(true);
    expect(atLeast(v('10.1.48-MariaDB'), 10, 2)).toBe(false);
    expect(atLeast(v('5.7.10'), 5, 7, 6)).toBe(true);
    expect(atLeast(v('5.7.5'), 5, 7, 6)).toBe(false);
    expect(atLeast(v('5.10.0'), 5, 7, 6)).toBe(true);
    expect(atLeast(v('9.1.0'), 8, 0)).toBe(true);
    expect(atLeast(v('8.0.36'), 8, 0, 36)).toBe(true);
    expect(atLeast(v('8.0.35'), 8, 0, 36)).toBe(false);
  });
});

const OLD = ['5.6.51', '5.7.5', '10.1.48-MariaDB', '5.5.5-10.0.38-MariaDB-log'];
const NEW_MYSQL = ['5.7.6', '5.7.44-log', '8.0.36', '8.4.3', '9.1.0'];
const NEW_MARIADB = ['10.2.0-MariaDB', '10.11.19-MariaDB-0+deb12u1', '11.4.2-MariaDB'];
const NEW = [...NEW_MYSQL, ...NEW_MARIADB];
/** PASSWORD('pw') on MySQL and MariaDB. */
const PW_HASH = nativePasswordHash('pw');

describe('nativePasswordHash', () => {
  it("is MySQL's PASSWORD(): published values", () => {
    // From MySQL's reference manual (PASSWORD() and mysql_native_password examples).
    expect(nativePasswordHash('password')).toBe('*2470C0C06DEE42FD1618BB99005ADCA2EC9D1E19');
    expect(nativePasswordHash('mypass')).toBe('*6C8989366EAF75BB670AD8EA7A7FC1176A95CEF4');
  });
});

describe('setPassword', () => {
  it.each(OLD)("%s: SET PASSWORD ... = '<hash>', one per host", (raw) => {
    expect(dialectFor(v(raw)).setPassword('appuser_rt', [{ host: '%' }], 'pw')).toEqual([
      { sql: 'SET PASSWORD FOR ?@? = ?', values: ['appuser_rt', '%', PW_HASH], secrets: [2] },
    ]);
    expect(
      dialectFor(v(raw))
        .setPassword('appuser_rt', [{ host: '%' }, { host: '10.%' }], 'pw')
        .map((s) => s.values[1]),
    ).toEqual(['%', '10.%']);
  });

  it.each(NEW_MARIADB)('%s: ALTER USER ... IDENTIFIED BY PASSWORD <hash>', (raw) => {
    expect(dialectFor(v(raw)).setPassword('appuser_rt', [{ host: '%' }], 'pw')).toEqual([
      { sql: 'ALTER USER ?@? IDENTIFIED BY PASSWORD ?', values: ['appuser_rt', '%', PW_HASH], secrets: [2] },
    ]);
  });

  it.each(NEW_MYSQL)('%s: ALTER USER ... IDENTIFIED WITH mysql_native_password AS <hash> for a native account', (raw) => {
    expect(dialectFor(v(raw)).setPassword('appuser_rt', [{ host: '%', plugin: 'mysql_native_password' }], 'pw')).toEqual([
      { sql: 'ALTER USER ?@? IDENTIFIED WITH mysql_native_password AS ?', values: ['appuser_rt', '%', PW_HASH], secrets: [2] },
    ]);
  });

  it.each(NEW_MYSQL)('%s: the password itself only where no hash can be given (unknown default plugin)', (raw) => {
    expect(dialectFor(v(raw)).setPassword('appuser_rt', [{ host: '%' }], 'pw')).toEqual([
      { sql: 'ALTER USER ?@? IDENTIFIED BY ?', values: ['appuser_rt', '%', 'pw'], secrets: [2] },
    ]);
  });

  it.each(NEW)('%s: every host entry in one ALTER USER', (raw) => {
    const [statement, ...more] = dialectFor(v(raw)).setPassword('appuser_rt', [{ host: '%' }, { host: '10.%' }], 'pw');
    expect(more).toEqual([]);
    expect(statement?.sql).toMatch(/^ALTER USER \?@\? IDENTIFIED [A-Z_ ]+\?, \?@\? IDENTIFIED [A-Z_ ]+\?$/);
    expect(statement?.values.filter((_, i) => i % 3 !== 2)).toEqual(['appuser_rt', '%', 'appuser_rt', '10.%']);
  });

  it('never puts the password, its hash or a hostile name into the SQL text', () => {
    const hostile = "x'@'%' IDENTIFIED BY 'p'; --";
    for (const raw of [...OLD, ...NEW]) {
      const d = dialectFor(v(raw));
      for (const plugin of [undefined, 'mysql_native_password', 'caching_sha2_password']) {
        for (const s of [...d.setPassword(hostile, [{ host: '%', plugin }], "p'w"), d.createUser(hostile, '%', "p'w", plugin)]) {
          expect(s.sql).not.toContain("p'w");
          expect(s.sql).not.toContain(nativePasswordHash("p'w"));
          expect(s.sql).not.toContain("IDENTIFIED BY 'p'");
          expect(s.values.some((value) => value === "p'w" || value === nativePasswordHash("p'w"))).toBe(true);
          expect(s.values).toContain(hostile);
        }
      }
    }
  });

  it('sends the hash, never the password, wherever the account ends up with mysql_native_password', () => {
    for (const raw of [...OLD, ...NEW_MARIADB]) {
      const d = dialectFor(v(raw));
      for (const s of [...d.setPassword('u', [{ host: '%' }], 'pw'), d.createUser('u', '%', 'pw')]) expect(s.values).not.toContain('pw');
    }
    for (const raw of NEW_MYSQL) {
      const d = dialectFor(v(raw));
      const native = [
        ...d.setPassword('u', [{ host: '%', plugin: 'mysql_native_password' }], 'pw'),
        d.createUser('u', '%', 'pw', 'mysql_native_password'),
      ];
      for (const s of native) expect(s.values).not.toContain('pw');
    }
  });
});

describe('account statements common to every version', () => {
  it.each([...OLD, ...NEW])('%s', (raw) => {
    const d = dialectFor(v(raw));
    expect(d.createUser('u', '10.%', 'pw').values.slice(0, 2)).toEqual(['u', '10.%']);
    expect(d.dropUser('u', '10.%')).toEqual({ sql: 'DROP USER ?@?', values: ['u', '10.%'] });
    expect(d.showGrants('u', '10.%')).toEqual({ sql: 'SHOW GRANTS FOR ?@?', values: ['u', '10.%'] });
    expect(d.userHosts('u')).toEqual({ sql: 'SELECT Host FROM mysql.user WHERE User = ?', values: ['u'] });
    expect(d.readAccount('u', '10.%')).toEqual({
      sql: 'SELECT ssl_type, ssl_cipher, x509_issuer, x509_subject, plugin FROM mysql.user WHERE User = ? AND Host = ?',
      values: ['u', '10.%'],
    });
  });
});

describe('setRequire', () => {
  const spec = { type: 'SPECIFIED', cipher: 'ECDHE-RSA-AES256-GCM-SHA384', subject: "/CN=o'brien" } as const;

  it.each(NEW)('%s: ALTER USER ... REQUIRE', (raw) => {
    const d = dialectFor(v(raw));
    expect(d.setRequire('u', '%', { type: 'NONE' })).toEqual({ sql: 'ALTER USER ?@? REQUIRE NONE', values: ['u', '%'] });
    expect(d.setRequire('u', '%', { type: 'SSL' })).toEqual({ sql: 'ALTER USER ?@? REQUIRE SSL', values: ['u', '%'] });
    expect(d.setRequire('u', '%', { type: 'X509' })).toEqual({ sql: 'ALTER USER ?@? REQUIRE X509', values: ['u', '%'] });
    expect(d.setRequire('u', '%', spec)).toEqual({
      sql: 'ALTER USER ?@? REQUIRE CIPHER ? AND SUBJECT ?',
      values: ['u', '%', 'ECDHE-RSA-AES256-GCM-SHA384', "/CN=o'brien"],
    });
  });

  it.each(OLD)('%s: GRANT USAGE ... REQUIRE', (raw) => {
    const d = dialectFor(v(raw));
    expect(d.setRequire('u', '%', { type: 'SSL' })).toEqual({ sql: 'GRANT USAGE ON *.* TO ?@? REQUIRE SSL', values: ['u', '%'] });
    expect(d.setRequire('u', '%', { type: 'NONE' })).toEqual({ sql: 'GRANT USAGE ON *.* TO ?@? REQUIRE NONE', values: ['u', '%'] });
    expect(d.setRequire('u', '%', { type: 'SPECIFIED', issuer: '/CN=ca' })).toEqual({
      sql: 'GRANT USAGE ON *.* TO ?@? REQUIRE ISSUER ?',
      values: ['u', '%', '/CN=ca'],
    });
  });

  it('joins all three SPECIFIED parts with AND, each as a bound value', () => {
    const s = dialectFor(v('8.0.36')).setRequire('u', '%', { type: 'SPECIFIED', cipher: 'c', issuer: 'i', subject: 's' });
    expect(s).toEqual({ sql: 'ALTER USER ?@? REQUIRE CIPHER ? AND ISSUER ? AND SUBJECT ?', values: ['u', '%', 'c', 'i', 's'] });
  });

  it('refuses a SPECIFIED requirement with nothing specified', () => {
    expect(() => dialectFor(v('8.0.36')).setRequire('u', '%', { type: 'SPECIFIED' })).toThrow(/SPECIFIED/);
    expect(() => dialectFor(v('8.0.36')).setRequire('u', '%', { type: 'SPECIFIED', cipher: '' })).toThrow(/SPECIFIED/);
  });
});

describe('maxUserNameLength', () => {
  it.each([
    ['5.6.51', 16],
    ['5.7.7', 16],
    ['5.7.8', 32],
    ['8.0.36', 32],
    ['8.4.3', 32],
    ['9.1.0', 32],
    ['10.0.38-MariaDB', 80],
    ['10.11.19-MariaDB-0+deb12u1', 80],
    ['5.5.68-MariaDB', 16],
  ] as const)('%s → %d', (raw, max) => {
    expect(dialectFor(v(raw)).maxUserNameLength).toBe(max);
  });
});

describe('tlsRequirementFromRow', () => {
  it('maps ssl_type, reading Buffers as MySQL returns them', () => {
    expect(
      tlsRequirementFromRow({ ssl_type: '', ssl_cipher: Buffer.from(''), x509_issuer: Buffer.from(''), x509_subject: Buffer.from('') }),
    ).toEqual({ type: 'NONE' });
    expect(tlsRequirementFromRow({ ssl_type: 'ANY', ssl_cipher: '', x509_issuer: '', x509_subject: '' })).toEqual({ type: 'SSL' });
    expect(tlsRequirementFromRow({ ssl_type: Buffer.from('X509') })).toEqual({ type: 'X509' });
    expect(
      tlsRequirementFromRow({
        ssl_type: 'SPECIFIED',
        ssl_cipher: Buffer.from('ECDHE-RSA-AES128-GCM-SHA256'),
        x509_issuer: Buffer.from(''),
        x509_subject: new Uint8Array(Buffer.from('/CN=app')),
      }),
    ).toEqual({ type: 'SPECIFIED', cipher: 'ECDHE-RSA-AES128-GCM-SHA256', subject: '/CN=app' });
  });

  it('treats NULL and a missing row as no requirement (MariaDB roles, accounts not yet created)', () => {
    expect(tlsRequirementFromRow({ ssl_type: null })).toEqual({ type: 'NONE' });
    expect(tlsRequirementFromRow({})).toEqual({ type: 'NONE' });
  });

  it('refuses an ssl_type it does not know instead of dropping a requirement', () => {
    expect(() => tlsRequirementFromRow({ ssl_type: 'QUANTUM' })).toThrow(PreconditionError);
  });

  it('round-trips through setRequire', () => {
    const wanted = tlsRequirementFromRow({ ssl_type: 'SPECIFIED', ssl_cipher: '', x509_issuer: 'i', x509_subject: 's' });
    expect(dialectFor(v('8.0.36')).setRequire('u', '%', wanted).sql).toBe('ALTER USER ?@? REQUIRE ISSUER ? AND SUBJECT ?');
  });
});

describe('authentication plugin of the current account', () => {
  it.each(['5.7.44-log', '8.0.36', '8.4.3', '9.1.0'])('%s: CREATE and ALTER USER name the copied plugin', (raw) => {
    const d = dialectFor(v(raw));
    expect(d.createUser('u', '%', 'pw', 'mysql_native_password')).toEqual({
      sql: 'CREATE USER ?@? IDENTIFIED WITH mysql_native_password AS ?',
      values: ['u', '%', PW_HASH],
      secrets: [2],
    });
    expect(d.createUser('u', '%', 'pw', 'caching_sha2_password')).toEqual({
      sql: 'CREATE USER ?@? IDENTIFIED WITH caching_sha2_password BY ?',
      values: ['u', '%', 'pw'],
      secrets: [2],
    });
    expect(d.setPassword('u', [{ host: '%', plugin: 'caching_sha2_password' }, { host: '10.%' }], 'pw')).toEqual([
      {
        sql: 'ALTER USER ?@? IDENTIFIED WITH caching_sha2_password BY ?, ?@? IDENTIFIED BY ?',
        values: ['u', '%', 'pw', 'u', '10.%', 'pw'],
        secrets: [2, 5],
      },
    ]);
  });

  it.each(['10.11.19-MariaDB-0+deb12u1', '5.6.51', '5.7.5'])(
    '%s: names no plugin (MariaDB has no IDENTIFIED WITH ... BY, old MySQL neither): the native hash',
    (raw) => {
      const d = dialectFor(v(raw));
      expect(d.createUser('u', '%', 'pw', 'mysql_native_password')).toEqual({
        sql: 'CREATE USER ?@? IDENTIFIED BY PASSWORD ?',
        values: ['u', '%', PW_HASH],
        secrets: [2],
      });
    },
  );

  it('never writes a plugin name it does not know into SQL', () => {
    const d = dialectFor(v('8.0.36'));
    for (const plugin of ['auth_socket', "x BY 'p'; DROP USER root; --", 'authentication_ldap_sasl']) {
      expect(d.createUser('u', '%', 'pw', plugin).sql).toBe('CREATE USER ?@? IDENTIFIED BY ?');
      expect(d.createUser('u', '%', 'pw', plugin).values).toEqual(['u', '%', 'pw']);
    }
  });

  it('reads the plugin column, empty meaning none', () => {
    expect(authPluginFromRow({ plugin: 'mysql_native_password' })).toBe('mysql_native_password');
    expect(authPluginFromRow({ plugin: Buffer.from('caching_sha2_password') })).toBe('caching_sha2_password');
    expect(authPluginFromRow({ plugin: '' })).toBeUndefined();
    expect(authPluginFromRow(undefined)).toBeUndefined();
  });
});

describe('account state (lock, password expiry)', () => {
  it.each(['5.6.51', '5.7.5', '10.1.48-MariaDB', '10.3.39-MariaDB'])('%s: has none, so there is nothing to read or copy', (raw) => {
    const d = dialectFor(v(raw));
    expect(d.readAccountState('u', '%')).toBeUndefined();
    expect(d.setAccountState('u', '%', { locked: true, lifetime: 30 })).toEqual([]);
  });

  it('reads mysql.user on MySQL 5.7.6+ and mysql.global_priv on MariaDB 10.4+', () => {
    expect(dialectFor(v('8.0.36')).readAccountState('u', '%')?.sql).toBe(
      'SELECT account_locked AS locked, password_lifetime AS lifetime FROM mysql.user WHERE User = ? AND Host = ?',
    );
    expect(dialectFor(v('10.11.19-MariaDB')).readAccountState('u', '%')?.sql).toContain(
      'FROM mysql.global_priv WHERE User = ? AND Host = ?',
    );
  });

  it.each(['5.7.6', '8.0.36', '10.4.0-MariaDB', '11.4.2-MariaDB'])('%s: sets the lock and the expiry, the days bound', (raw) => {
    const d = dialectFor(v(raw));
    expect(d.setAccountState('u', '%', { locked: false, lifetime: 90 })).toEqual([
      { sql: 'ALTER USER ?@? ACCOUNT UNLOCK', values: ['u', '%'] },
      { sql: 'ALTER USER ?@? PASSWORD EXPIRE INTERVAL ? DAY', values: ['u', '%', 90] },
    ]);
    expect(d.setAccountState('u', '%', { locked: true, lifetime: 'never' }).map((s) => s.sql)).toEqual([
      'ALTER USER ?@? ACCOUNT LOCK',
      'ALTER USER ?@? PASSWORD EXPIRE NEVER',
    ]);
    expect(d.setAccountState('u', '%', { locked: false, lifetime: 'default' })[1]?.sql).toBe('ALTER USER ?@? PASSWORD EXPIRE DEFAULT');
  });

  it.each([
    ['MySQL, unlocked, default', { locked: 'N', lifetime: null }, { locked: false, lifetime: 'default' }],
    ['MySQL, locked, never', { locked: 'Y', lifetime: 0 }, { locked: true, lifetime: 'never' }],
    ['MySQL, 90 days', { locked: 'N', lifetime: 90 }, { locked: false, lifetime: 90 }],
    ['MariaDB, nothing recorded', { locked: null, lifetime: null }, { locked: false, lifetime: 'default' }],
    ['MariaDB, locked, default (-1)', { locked: 'true', lifetime: '-1' }, { locked: true, lifetime: 'default' }],
    ['MariaDB, 1/0 through JSON_VALUE', { locked: '1', lifetime: '30' }, { locked: true, lifetime: 30 }],
    ['no row', undefined, { locked: false, lifetime: 'default' }],
  ] as const)('maps a row: %s', (_, row, state) => {
    expect(accountStateFromRow(row)).toEqual(state);
  });
});

describe('where the server must see the password itself (MariaDB validation plugin, strict mode)', () => {
  it.each([...OLD, ...NEW])('%s: the bound password, never a hash', (raw) => {
    const d = dialectFor(v(raw), { hashPasswords: false });
    for (const s of [...d.setPassword('u', [{ host: '%' }], 'pw'), d.createUser('u', '%', 'pw')]) {
      expect(s.values).toContain('pw');
      expect(s.values).not.toContain(PW_HASH);
      expect(s.sql).not.toMatch(/PASSWORD \?|AS \?/);
    }
  });
});
