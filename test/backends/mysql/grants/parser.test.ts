// Unit tests of SHOW GRANTS parsing (and copying a line to another account) for MySQL 5.6-9.x and
// MariaDB output; they must never need a database, and no assertion may print a password hash.
import { describe, expect, it } from 'vitest';
import { parseGrantLine, type ParsedGrant } from '../../../../src/backends/mysql/grants/parser.js';
import { PreconditionError } from '../../../../src/errors.js';
import { errorOf } from '../../../support/failure.js';
import { A, ALT, HASH, renderGrantFor } from '../../../support/grants.js';

describe('parseGrantLine', () => {
  it('reads MariaDB global line and keeps neither the hash nor the TLS clause', () => {
    const g = parseGrantLine(
      `GRANT USAGE ON *.* TO \`u\`@\`10.%\` IDENTIFIED BY PASSWORD '${HASH}' REQUIRE SSL WITH MAX_QUERIES_PER_HOUR 5 MAX_STATEMENT_TIME 1.500000`,
    );
    expect(g).toEqual({
      kind: 'privileges',
      privileges: [{ name: 'USAGE', columns: null, text: 'USAGE' }],
      object: '*.*',
      grantee: { user: 'u', host: '10.%' },
      grantOption: false,
      limits: [
        { name: 'MAX_QUERIES_PER_HOUR', value: '5' },
        { name: 'MAX_STATEMENT_TIME', value: '1.500000' },
      ],
    });
    expect(JSON.stringify(g)).not.toContain(HASH.slice(1));
  });

  it('reads MariaDB db, table and column lines', () => {
    expect(parseGrantLine('GRANT SELECT, INSERT ON `test`.* TO `u`@`10.%` WITH GRANT OPTION')).toMatchObject({
      kind: 'privileges',
      object: '`test`.*',
      grantOption: true,
      privileges: [
        { name: 'SELECT', columns: null },
        { name: 'INSERT', columns: null },
      ],
    });
    expect(parseGrantLine('GRANT SELECT, INSERT (`a`), UPDATE (`a`, `b`) ON `test`.`zz_t` TO `u`@`10.%`')).toMatchObject({
      object: '`test`.`zz_t`',
      privileges: [
        { name: 'SELECT', columns: null, text: 'SELECT' },
        { name: 'INSERT', columns: ['`a`'], text: 'INSERT (`a`)' },
        { name: 'UPDATE', columns: ['`a`', '`b`'], text: 'UPDATE (`a`, `b`)' },
      ],
    });
  });

  it('reads MySQL 5.6 lines with quoted-string grantees, a hash and TLS details', () => {
    const g = parseGrantLine(
      `GRANT USAGE ON *.* TO 'appuser'@'%' IDENTIFIED BY PASSWORD '${HASH}' REQUIRE ISSUER '/CN=WITH GRANT OPTION' SUBJECT '/CN=it\\'s' CIPHER 'EDH' WITH MAX_USER_CONNECTIONS 3`,
    );
    // The WITH inside the quoted issuer must not read as a grant option.
    expect(g).toMatchObject({
      kind: 'privileges',
      grantee: { user: 'appuser', host: '%' },
      grantOption: false,
      limits: [{ name: 'MAX_USER_CONNECTIONS', value: '3' }],
    });
    expect(parseGrantLine("GRANT ALL PRIVILEGES ON `app`.* TO 'appuser'@'%' WITH GRANT OPTION")).toMatchObject({
      privileges: [{ name: 'ALL PRIVILEGES' }],
      grantOption: true,
    });
  });

  it('reads MariaDB authentication via plugins without mistaking its words for clauses', () => {
    expect(
      parseGrantLine(
        `GRANT ALL PRIVILEGES ON *.* TO \`root\`@\`localhost\` IDENTIFIED VIA unix_socket OR mysql_native_password USING '${HASH}' WITH GRANT OPTION`,
      ),
    ).toMatchObject({ kind: 'privileges', grantOption: true, limits: [] });
    expect(parseGrantLine(`GRANT USAGE ON *.* TO 'u'@'%' IDENTIFIED WITH 'sha256_password' AS 'x' WITH GRANT OPTION`)).toMatchObject({
      grantOption: true,
    });
  });

  it('reads MySQL 8 static and dynamic privilege lines', () => {
    expect(parseGrantLine('GRANT BACKUP_ADMIN,BINLOG_ADMIN ON *.* TO `u`@`%` WITH GRANT OPTION')).toMatchObject({
      privileges: [
        { name: 'BACKUP_ADMIN', text: 'BACKUP_ADMIN' },
        { name: 'BINLOG_ADMIN', text: 'BINLOG_ADMIN' },
      ],
      grantOption: true,
    });
    expect(parseGrantLine('GRANT SELECT, CREATE TEMPORARY TABLES, LOCK TABLES ON `app`.* TO `u`@`%`')).toMatchObject({
      privileges: [{ name: 'SELECT' }, { name: 'CREATE TEMPORARY TABLES' }, { name: 'LOCK TABLES' }],
    });
  });

  it('reads routine objects', () => {
    expect(parseGrantLine('GRANT EXECUTE ON PROCEDURE `db`.`p` TO `u`@`%`')).toMatchObject({ object: 'PROCEDURE `db`.`p`' });
    expect(parseGrantLine('GRANT EXECUTE ON PACKAGE BODY `db`.`p` TO `u`@`%`')).toMatchObject({ object: 'PACKAGE BODY `db`.`p`' });
  });

  it('reads role grants (MariaDB and MySQL 8)', () => {
    expect(parseGrantLine('GRANT `app_read` TO `u`@`10.%` WITH ADMIN OPTION')).toEqual({
      kind: 'role',
      roles: ['`app_read`'],
      grantee: { user: 'u', host: '10.%' },
      adminOption: true,
    });
    expect(parseGrantLine('GRANT `r1`@`%`,`r2`@`localhost` TO `u`@`%`')).toEqual({
      kind: 'role',
      roles: ['`r1`@`%`', '`r2`@`localhost`'],
      grantee: { user: 'u', host: '%' },
      adminOption: false,
    });
  });

  it('reads proxy grants in each server rendering', () => {
    expect(parseGrantLine("GRANT PROXY ON ''@'' TO 'root'@'localhost' WITH GRANT OPTION")).toEqual({
      kind: 'proxy',
      proxied: "''@''",
      grantee: { user: 'root', host: 'localhost' },
      grantOption: true,
    });
    expect(parseGrantLine('GRANT PROXY ON ``@`` TO `root`@`localhost` WITH GRANT OPTION')).toMatchObject({
      kind: 'proxy',
      proxied: '``@``',
    });
    expect(parseGrantLine('GRANT PROXY ON ``@`%` TO `root`@`localhost`')).toMatchObject({ proxied: '``@`%`', grantOption: false });
  });

  it('reads MySQL 8 partial revokes and MariaDB default roles', () => {
    expect(parseGrantLine('REVOKE INSERT, UPDATE ON `mysql`.* FROM `u1`@`localhost`')).toMatchObject({
      kind: 'partial-revoke',
      object: '`mysql`.*',
      privileges: [{ name: 'INSERT' }, { name: 'UPDATE' }],
    });
    expect(parseGrantLine('SET DEFAULT ROLE `app_read` FOR `u`@`10.%`')).toEqual({
      kind: 'default-role',
      role: '`app_read`',
      grantee: { user: 'u', host: '10.%' },
    });
  });

  it('tolerates role grantees without a host and ANSI_QUOTES output', () => {
    expect(parseGrantLine('GRANT SELECT ON `db`.* TO `app_read`')).toMatchObject({ grantee: { user: 'app_read' } });
    expect(parseGrantLine('GRANT SELECT ON "my""db".* TO "u"@"%"')).toMatchObject({
      object: '"my""db".*',
      grantee: { user: 'u', host: '%' },
    });
  });

  it('unquotes hostile grantee names exactly', () => {
    expect(parseGrantLine("GRANT USAGE ON *.* TO `x'@'%' IDENTIFIED BY 'p'; --`@`%`").grantee).toEqual({
      user: "x'@'%' IDENTIFIED BY 'p'; --",
      host: '%',
    });
    expect(parseGrantLine('GRANT USAGE ON *.* TO `a``b`@`%`').grantee).toEqual({ user: 'a`b', host: '%' });
    expect(parseGrantLine("GRANT USAGE ON *.* TO 'a\\'b''c'@'%'").grantee).toEqual({ user: "a'b'c", host: '%' });
  });

  it.each([
    ['GRANT SELECT ON `db`.* TO `u`@`%` WITH SUPER POWERS', /privilege grant line.*WITH option/],
    ['GRANT SELECT ON `db`.* TO `u`@`%`; DROP DATABASE db', /GRANT line.*unexpected character/],
    ['GRANT SELECT ON `db`.* TO `u`@`%', /GRANT line.*unterminated/],
    ['GRANT `r` TO `u`@`%` WITH GRANT OPTION', /role grant line/],
    ['GRANT PROXY ON ``@`` TO `u`@`%` WITH MAX_QUERIES_PER_HOUR 1', /proxy grant line/],
    ['REVOKE SELECT ON `db`.* FROM `u`@`%` CASCADE', /partial revoke line/],
    ['SET DEFAULT ROLE `r` FOR `u`@`%` NOW', /default role line/],
    ['GRANT SELECT ON db.t.c TO `u`@`%`', /privilege grant line.*object/],
    ['GRANT (x) ON `db`.* TO `u`@`%`', /privilege grant line/],
    ['CREATE USER `u`@`%`', /unknown form/],
    ['', /unknown form/],
  ])('refuses %j, naming the kind of line', (line, message) => {
    const err = errorOf(() => parseGrantLine(line));
    expect(err).toBeInstanceOf(PreconditionError);
    expect(err.message).toMatch(message);
  });

  it('never puts the line, and so never a hash, into the error', () => {
    const line = `GRANT USAGE ON *.* TO \`u\`@\`%\` IDENTIFIED BY PASSWORD '${HASH}' REQUIRE SSL WITH UNKNOWN_THING 1 x`;
    const err = errorOf(() => parseGrantLine(line));
    expect(err).toBeInstanceOf(PreconditionError);
    expect(err.message).not.toContain(HASH.slice(1, 12));
    expect(err.message).not.toContain('`u`');
    expect(err.message).toMatch(/privilege grant line/);
  });
});

describe('renderGrantFor', () => {
  const render = (line: string, user = ALT.user, host = ALT.host) => renderGrantFor(parseGrantLine(line), user, host);

  it('drops the hash and the TLS clause, keeps GRANT OPTION and resource limits', () => {
    const s = render(
      `GRANT USAGE ON *.* TO \`u\`@\`10.%\` IDENTIFIED BY PASSWORD '${HASH}' REQUIRE SSL WITH GRANT OPTION MAX_QUERIES_PER_HOUR 5 MAX_STATEMENT_TIME 1.500000`,
    );
    expect(s).toEqual({
      sql: `GRANT USAGE ON *.* TO ${A} WITH GRANT OPTION MAX_QUERIES_PER_HOUR 5 MAX_STATEMENT_TIME 1.500000`,
      values: [],
    });
    expect(s.sql).not.toMatch(/IDENTIFIED|PASSWORD|REQUIRE|\*9F81/);
  });

  it('copies privilege and object text verbatim', () => {
    expect(render('GRANT SELECT, UPDATE (`a`, `b`) ON `test`.`zz_t` TO `u`@`10.%` WITH GRANT OPTION').sql).toBe(
      `GRANT SELECT, UPDATE (\`a\`, \`b\`) ON \`test\`.\`zz_t\` TO ${A} WITH GRANT OPTION`,
    );
    expect(render("GRANT EXECUTE ON PROCEDURE `db`.`p` TO 'u'@'%'").sql).toBe(`GRANT EXECUTE ON PROCEDURE \`db\`.\`p\` TO ${A}`);
  });

  it('copies an escaped database name unchanged five times over', () => {
    let line = 'GRANT SELECT, INSERT ON `my\\_db`.* TO `appuser`@`%` WITH GRANT OPTION';
    for (let i = 0; i < 5; i++) {
      const next = renderGrantFor(parseGrantLine(line), i % 2 === 0 ? 'appuser_rt' : 'appuser', '%').sql;
      expect(next).toContain('ON `my\\_db`.* TO');
      line = next;
    }
    expect(line).toBe("GRANT SELECT, INSERT ON `my\\_db`.* TO 'appuser_rt'@'%' WITH GRANT OPTION");
  });

  it('leaves a ? in a database name alone and sends no values', () => {
    expect(render('GRANT SELECT ON `a?b`.* TO `u`@`%`')).toEqual({ sql: `GRANT SELECT ON \`a?b\`.* TO ${A}`, values: [] });
  });

  it('quotes a hostile target account as one string literal that reads back as itself', () => {
    const hostile = "x'@'%' IDENTIFIED BY 'p'; --";
    const s = render('GRANT SELECT ON `db`.* TO `u`@`%`', hostile, '%');
    expect(s.sql).toBe("GRANT SELECT ON `db`.* TO 'x\\'@\\'%\\' IDENTIFIED BY \\'p\\'; --'@'%'");
    expect(parseGrantLine(s.sql).grantee).toEqual({ user: hostile, host: '%' });
  });

  it('renders roles, proxies, partial revokes and default roles', () => {
    expect(render('GRANT `r1`@`%`,`r2`@`%` TO `u`@`%` WITH ADMIN OPTION').sql).toBe(
      `GRANT \`r1\`@\`%\`, \`r2\`@\`%\` TO ${A} WITH ADMIN OPTION`,
    );
    expect(render('GRANT PROXY ON ``@`` TO `u`@`%` WITH GRANT OPTION').sql).toBe(`GRANT PROXY ON \`\`@\`\` TO ${A} WITH GRANT OPTION`);
    expect(render('REVOKE INSERT ON `mysql`.* FROM `u`@`%`').sql).toBe(`REVOKE INSERT ON \`mysql\`.* FROM ${A}`);
    expect(render('SET DEFAULT ROLE `r` FOR `u`@`%`').sql).toBe(`SET DEFAULT ROLE \`r\` FOR ${A}`);
  });

  it('never shows the hash whatever the grant kind', () => {
    const kinds: ParsedGrant['kind'][] = [];
    for (const line of [
      `GRANT SELECT ON *.* TO 'u'@'%' IDENTIFIED BY PASSWORD '${HASH}'`,
      `GRANT ALL PRIVILEGES ON *.* TO \`u\`@\`%\` IDENTIFIED VIA mysql_native_password USING '${HASH}' OR unix_socket WITH GRANT OPTION`,
    ]) {
      const g = parseGrantLine(line);
      kinds.push(g.kind);
      expect(renderGrantFor(g, 'v', '%').sql).not.toContain('9F81');
    }
    expect(kinds).toEqual(['privileges', 'privileges']);
  });
});
