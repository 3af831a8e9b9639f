// Unit tests of the one SQL quoting module; they must never need a database or a network.
import { format } from 'mysql2';
import { describe, expect, it } from 'vitest';
import { dialectFor, parseServerVersion } from '../../../src/backends/mysql/dialect.js';
import { nativePasswordHash } from '../../../src/backends/mysql/password-hash.js';
import { bound, quoteAccount, quoteIdentifier, redactedText, secret, statementText, verbatim } from '../../../src/backends/mysql/sql.js';

describe('quoteIdentifier', () => {
  it('backtick-quotes plain names', () => {
    expect(quoteIdentifier('app_db')).toBe('`app_db`');
  });

  it('doubles embedded backticks so the name cannot end the identifier early', () => {
    expect(quoteIdentifier('a`b')).toBe('`a``b`');
    expect(quoteIdentifier('`; DROP DATABASE x; --')).toBe('```; DROP DATABASE x; --`');
  });

  it('leaves quotes, backslashes, ? and LIKE wildcards alone: inside backticks they are literal', () => {
    expect(quoteIdentifier(`it's "my\\_db"?%`)).toBe('`it\'s "my\\_db"?%`');
  });

  it('refuses empty names and NUL', () => {
    expect(() => quoteIdentifier('')).toThrow(/empty/);
    expect(() => quoteIdentifier('a\0b')).toThrow(/NUL/);
  });
});

describe('quoteAccount', () => {
  it("renders 'user'@'host'", () => {
    expect(quoteAccount('appuser_rt', '%')).toBe("'appuser_rt'@'%'");
    expect(quoteAccount('appuser', '10.%')).toBe("'appuser'@'10.%'");
  });

  it('keeps a hostile name inside its string literal', () => {
    const hostile = "x'@'%' IDENTIFIED BY 'p'; --";
    expect(quoteAccount(hostile, '%')).toBe("'x\\'@\\'%\\' IDENTIFIED BY \\'p\\'; --'@'%'");
  });

  it('escapes backslash, NUL, newlines and quotes the way mysql2 escapes a bound value', () => {
    const user = 'a\\b\0c\nd\re"f\'g\x1a';
    const host = "h\\'";
    // The same account passed through mysql2's own ? substitution must read identically.
    expect(quoteAccount(user, host)).toBe(format('?@?', [user, host]));
    expect(quoteAccount(user, host)).toBe("'a\\\\b\\0c\\nd\\re\\\"f\\'g\\Z'@'h\\\\\\''");
  });

  it('leaves ? and backticks untouched: they are not special inside a string literal', () => {
    expect(quoteAccount('u?`', '%')).toBe("'u?`'@'%'");
  });
});

describe('Sql helpers', () => {
  it('bound keeps values apart from the text', () => {
    expect(bound('ALTER USER ?@? IDENTIFIED BY ?', 'u', '%', 'pw')).toEqual({
      sql: 'ALTER USER ?@? IDENTIFIED BY ?',
      values: ['u', '%', 'pw'],
    });
  });

  it('verbatim statements carry no values, so nothing substitutes a ? inside them', () => {
    expect(verbatim("GRANT SELECT ON `a?b`.* TO 'u'@'%'")).toEqual({
      sql: "GRANT SELECT ON `a?b`.* TO 'u'@'%'",
      values: [],
    });
  });
});

describe('statement text, as sent and as a dry run shows it', () => {
  it("records secret() values' places and binds them as any other value", () => {
    expect(bound('CREATE USER ?@? IDENTIFIED BY ?', 'u', '%', secret('pw'))).toEqual({
      sql: 'CREATE USER ?@? IDENTIFIED BY ?',
      values: ['u', '%', 'pw'],
      secrets: [2],
    });
  });

  it("is mysql2's own substitution for bound statements, and the text as written for server text", () => {
    const hostile = "x'@'%' IDENTIFIED BY 'p'; --";
    const statement = bound('ALTER USER ?@? PASSWORD EXPIRE INTERVAL ? DAY', hostile, '10.%', 90);
    expect(statementText(statement)).toBe(format(statement.sql, [...statement.values]));
    expect(statementText(verbatim("GRANT SELECT ON `a?b`.* TO 'u'@'%'"))).toBe("GRANT SELECT ON `a?b`.* TO 'u'@'%'");
  });

  it("shows each secret as the literal '<redacted>' and is otherwise the very text sent", () => {
    const statement = bound('ALTER USER ?@? IDENTIFIED BY ?, ?@? IDENTIFIED BY ?', 'u', '%', secret('pw1'), 'u', '10.%', secret('pw2'));
    expect(redactedText(statement)).toBe("ALTER USER 'u'@'%' IDENTIFIED BY '<redacted>', 'u'@'10.%' IDENTIFIED BY '<redacted>'");
    expect(statementText(statement)).toBe("ALTER USER 'u'@'%' IDENTIFIED BY 'pw1', 'u'@'10.%' IDENTIFIED BY 'pw2'");
  });

  it('never shows a password or its hash for any account statement of any server, hashed or not, whatever the plugin', () => {
    const password = "Pa'ss\\word-1234";
    const versions = ['5.6.51', '5.7.5', '5.7.6', '8.0.36', '9.1.0', '10.1.48-MariaDB', '10.2.0-MariaDB', '11.4.2-MariaDB'];
    let shown = 0;
    for (const raw of versions) {
      for (const hashPasswords of [true, false]) {
        const d = dialectFor(parseServerVersion(raw), { hashPasswords });
        for (const plugin of [undefined, 'mysql_native_password', 'caching_sha2_password', 'sha256_password']) {
          for (const s of [
            ...d.setPassword('u', [{ host: '%', plugin }, { host: '10.%' }], password),
            d.createUser('u', '%', password, plugin),
          ]) {
            const text = redactedText(s);
            expect(text).not.toContain(password);
            expect(text).not.toContain(nativePasswordHash(password));
            expect(text).toContain("'<redacted>'");
            expect(s.values.some((value) => value === password || value === nativePasswordHash(password))).toBe(true);
            shown++;
          }
        }
      }
    }
    expect(shown).toBeGreaterThan(100);
  });
});
