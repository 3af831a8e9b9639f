// The authentication plugin the alternate is given, per server (MariaDB 10.1 to 11.x: ed25519
// copied, chains read from mysql.global_priv; MySQL 5.7, 8.0, 8.4, 9.x: the dialect's IDENTIFIED
// WITH). No database: a scripted session stands in; no password or key is printed.
import { describe, expect, it } from 'vitest';
import {
  authMethodsFromRow,
  mariadbIdentified,
  MAX_CHAIN,
  pluginFor,
  readAuthMethods,
  readAuthPlugin,
} from '../../../src/backends/mysql/auth-plugin.js';
import type { Session } from '../../../src/backends/mysql/connection.js';
import { dialectFor, parseServerVersion } from '../../../src/backends/mysql/dialect.js';
import { ed25519AuthString } from '../../../src/backends/mysql/ed25519.js';
import { nativePasswordHash } from '../../../src/backends/mysql/password-hash.js';
import { redactedText, type Sql } from '../../../src/backends/mysql/sql.js';
import { DatabaseError, PreconditionError } from '../../../src/errors.js';
import { createLogger } from '../../../src/log.js';

const v = parseServerVersion;

describe('readAuthMethods', () => {
  it.each(['10.4.34-MariaDB', '10.11.19-MariaDB-0+deb12u1', '11.4.2-MariaDB'])(
    '%s reads mysql.global_priv by position, never an authentication string',
    (raw) => {
      const s = readAuthMethods(v(raw), 'u', '%');
      const positions = Array.from({ length: MAX_CHAIN }, (_, i) => `JSON_VALUE(Priv, '$.auth_or[${i}].plugin') AS m${i}`).join(', ');
      expect(s?.sql).toBe(
        `SELECT JSON_VALUE(Priv, '$.plugin') AS plugin, JSON_LENGTH(Priv, '$.auth_or') AS length, ${positions} FROM mysql.global_priv WHERE User = ? AND Host = ?`,
      );
      expect(s?.values).toEqual(['u', '%']);
      expect(s?.sql).not.toMatch(/authentication_string/);
    },
  );

  it.each(['10.3.39-MariaDB', '10.1.48-MariaDB', '5.7.44', '8.0.36', '8.4.3', '9.1.0'])('%s: mysql.user plugin column only', (raw) => {
    expect(readAuthMethods(v(raw), 'u', '%')).toBeUndefined();
  });
});

describe('authMethodsFromRow', () => {
  const row = (plugin: unknown, length: unknown, ...methods: unknown[]) => ({
    plugin,
    length,
    ...Object.fromEntries(Array.from({ length: MAX_CHAIN }, (_, i) => [`m${i}`, methods[i] ?? null])),
  });

  it('one method, or a chain with the top-level method in its `{}` place', () => {
    expect(authMethodsFromRow(row('ed25519', null))).toEqual(['ed25519']);
    expect(authMethodsFromRow(row('mysql_native_password', 2, 'ed25519', null))).toEqual(['ed25519', 'mysql_native_password']);
    expect(authMethodsFromRow(row('mysql_native_password', 2, null, 'ed25519'))).toEqual(['mysql_native_password', 'ed25519']);
    expect(authMethodsFromRow(row(Buffer.from('mysql_native_password'), '3', 'ed25519', Buffer.from('unix_socket'), null))).toEqual([
      'ed25519',
      'unix_socket',
      'mysql_native_password',
    ]);
  });

  it('undefined for what it cannot read (the caller keeps mysql.user plugin)', () => {
    expect(authMethodsFromRow(undefined)).toBeUndefined();
    expect(authMethodsFromRow(row(null, null))).toBeUndefined();
    expect(authMethodsFromRow(row('x', 2, 'a', 'b'))).toBeUndefined();
    expect(authMethodsFromRow(row('x', 3, null, 'a', null))).toBeUndefined();
    expect(authMethodsFromRow(row('x', 2, 'a b', null))).toBeUndefined();
    expect(authMethodsFromRow(row('x', MAX_CHAIN + 1, 'a'))).toBeUndefined();
    expect(authMethodsFromRow(row('x', 1, null))).toBeUndefined();
  });
});

describe('pluginFor', () => {
  it('the only method; of a chain, mysql_native_password (every client speaks it), else the first password method', () => {
    expect(pluginFor([])).toEqual({ plugin: undefined, dropped: [] });
    expect(pluginFor(['ed25519'])).toEqual({ plugin: 'ed25519', dropped: [] });
    expect(pluginFor(['ed25519', 'mysql_native_password'])).toEqual({ plugin: 'mysql_native_password', dropped: ['ed25519'] });
    expect(pluginFor(['unix_socket', 'ed25519'])).toEqual({ plugin: 'ed25519', dropped: ['unix_socket'] });
    expect(pluginFor(['unix_socket', 'pam'])).toEqual({ plugin: 'pam', dropped: ['unix_socket'] });
  });
});

function session(row: Record<string, unknown> | Error): Session & { sent: Sql[] } {
  const sent: Sql[] = [];
  return {
    sent,
    async query<Row>(statement: Sql): Promise<Row[]> {
      sent.push(statement);
      if (row instanceof Error) throw row;
      return [row as Row];
    },
  };
}

describe('readAuthPlugin', () => {
  const target = { user: 'app', host: '%', alternate: 'app_rt' };
  const logged = () => {
    const lines: string[] = [];
    return { lines, log: createLogger({ sink: (l) => lines.push(l) }) };
  };

  it('MariaDB 10.4+: the chain from mysql.global_priv, a warn line for what the alternate does not get', async () => {
    const { lines, log } = logged();
    const s = session({ plugin: 'mysql_native_password', length: 2, m0: 'ed25519', m1: null });
    expect(await readAuthPlugin(s, v('10.11.19-MariaDB'), target, 'mysql_native_password', log)).toEqual({
      plugin: 'mysql_native_password',
      dropped: ['ed25519'],
    });
    expect(lines.join('\n')).toMatch(/VIA ed25519 OR mysql_native_password; the alternate gets mysql_native_password only/);
  });

  it("a master that cannot read mysql.global_priv keeps mysql.user's plugin", async () => {
    const { lines, log } = logged();
    const s = session(new DatabaseError('SELECT failed: ER_TABLEACCESS_DENIED_ERROR'));
    expect(await readAuthPlugin(s, v('10.11.19-MariaDB'), target, 'ed25519', log)).toEqual({ plugin: 'ed25519', dropped: [] });
    expect(lines).toEqual([]);
  });

  it.each(['10.3.39-MariaDB', '8.0.36', '9.1.0'])('%s: mysql.user plugin, nothing read', async (raw) => {
    const s = session(new Error('not to be read'));
    expect(await readAuthPlugin(s, v(raw), target, 'caching_sha2_password', logged().log)).toEqual({
      plugin: 'caching_sha2_password',
      dropped: [],
    });
    expect(s.sent).toEqual([]);
  });

  it('MariaDB before 10.2 cannot give an ed25519 account a new password: refused before any write', async () => {
    await expect(readAuthPlugin(session({}), v('10.1.48-MariaDB'), target, 'ed25519', logged().log)).rejects.toThrow(PreconditionError);
  });
});

describe('mariadbIdentified', () => {
  const PW = 'Pending-Password-1';
  it.each(['10.2.44-MariaDB', '10.4.34-MariaDB', '10.11.19-MariaDB-0+deb12u1', '11.4.2-MariaDB'])(
    '%s: VIA ed25519 USING its public key, computed here',
    (raw) => {
      expect(mariadbIdentified(v(raw), 'ed25519', PW, true)).toEqual({
        clause: 'IDENTIFIED VIA ed25519 USING ?',
        value: ed25519AuthString(PW),
      });
    },
  );

  it.each(['10.4.34-MariaDB', '10.11.19-MariaDB-0+deb12u1', '11.4.2-MariaDB'])(
    '%s with a validation plugin that refuses hashes: USING PASSWORD(?), the password bound',
    (raw) => {
      expect(mariadbIdentified(v(raw), 'ed25519', PW, false)).toEqual({ clause: 'IDENTIFIED VIA ed25519 USING PASSWORD(?)', value: PW });
    },
  );

  it('MariaDB 10.2 and 10.3 take no PASSWORD() in USING: refused when hashes are refused', () => {
    expect(() => mariadbIdentified(v('10.3.39-MariaDB'), 'ed25519', PW, false)).toThrow(PreconditionError);
  });

  it.each([
    ['10.11.19-MariaDB', 'mysql_native_password'],
    ['10.11.19-MariaDB', undefined],
    ['10.11.19-MariaDB', 'unix_socket'],
    ['8.0.36', 'ed25519'],
    ['8.0.36', 'caching_sha2_password'],
    ['5.7.44', 'mysql_native_password'],
    ['8.4.3', 'caching_sha2_password'],
    ['9.1.0', 'caching_sha2_password'],
  ])("%s, %s: the dialect's own clause stands", (raw, plugin) => {
    expect(mariadbIdentified(v(raw), plugin, PW, true)).toBeUndefined();
  });
});

/** Whether dialect.ts consults mariadbIdentified (auth-plugin.ts wired in); these tests wait for it. */
const wired = dialectFor(v('10.11.0-MariaDB')).createUser('u', '%', 'x', 'ed25519').sql.includes('VIA ed25519');

describe.runIf(wired)('the dialect, for an ed25519 account', () => {
  const PW = 'Pending-Password-1';
  const KEY = ed25519AuthString(PW);

  it.each(['10.4.34-MariaDB', '10.11.19-MariaDB-0+deb12u1', '11.4.2-MariaDB'])('%s: VIA ed25519 by its key, marked secret', (raw) => {
    const d = dialectFor(v(raw));
    expect(d.createUser('app_rt', '%', PW, 'ed25519')).toEqual({
      sql: 'CREATE USER ?@? IDENTIFIED VIA ed25519 USING ?',
      values: ['app_rt', '%', KEY],
      secrets: [2],
    });
    // Host entries keep their own plugins in the one ALTER USER.
    expect(
      d.setPassword(
        'app_rt',
        [
          { host: '%', plugin: 'ed25519' },
          { host: '10.%', plugin: 'mysql_native_password' },
        ],
        PW,
      ),
    ).toEqual([
      {
        sql: 'ALTER USER ?@? IDENTIFIED VIA ed25519 USING ?, ?@? IDENTIFIED BY PASSWORD ?',
        values: ['app_rt', '%', KEY, 'app_rt', '10.%', nativePasswordHash(PW)],
        secrets: [2, 5],
      },
    ]);
    expect(redactedText(d.createUser('app_rt', '%', PW, 'ed25519'))).toBe(
      "CREATE USER 'app_rt'@'%' IDENTIFIED VIA ed25519 USING '<redacted>'",
    );
  });

  it('where a validation plugin refuses hashes: USING PASSWORD(?), the password bound and marked secret; refused before 10.4', () => {
    expect(
      dialectFor(v('10.11.19-MariaDB'), { hashPasswords: false }).setPassword('app_rt', [{ host: '%', plugin: 'ed25519' }], PW),
    ).toEqual([{ sql: 'ALTER USER ?@? IDENTIFIED VIA ed25519 USING PASSWORD(?)', values: ['app_rt', '%', PW], secrets: [2] }]);
    expect(() => dialectFor(v('10.3.39-MariaDB'), { hashPasswords: false }).createUser('a', '%', PW, 'ed25519')).toThrow(PreconditionError);
  });

  it.each(['5.7.44', '8.0.36', '8.4.3', '9.1.0'])('MySQL %s: unchanged, IDENTIFIED WITH as before', (raw) => {
    expect(dialectFor(v(raw)).createUser('a', '%', PW, 'caching_sha2_password').sql).toBe(
      'CREATE USER ?@? IDENTIFIED WITH caching_sha2_password BY ?',
    );
  });
});
