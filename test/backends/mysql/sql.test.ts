// Unit tests of the one SQL quoting module; they must never need a database or a network.
import { format } from 'mysql2';
import { describe, expect, it } from 'vitest';
import { bound, quoteAccount, quoteIdentifier, verbatim } from '../../../src/backends/mysql/sql.js';

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
