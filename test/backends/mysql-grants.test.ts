// Unit tests of SHOW GRANTS parsing, grant copying and revoke planning for MySQL 5.6-9.x and
// MariaDB output; they must never need a database, and no assertion may print a password hash.
import { describe, expect, it } from 'vitest';
import { parseGrantLine, planGrantSync, renderGrantFor, type ParsedGrant } from '../../src/backends/mysql-grants.js';
import { PreconditionError } from '../../src/errors.js';

const HASH = '*9F81F1E0B8D64DD83C8D3D5EA2BF4F2A1E3D1B7C';
const ALT = { user: 'appuser_rt', host: '%' };
const A = "'appuser_rt'@'%'";

/** The SQL texts of a plan, asserting that none carries bound values. */
function plan(current: string[], alternate: string[], alt = ALT): string[] {
  const statements = planGrantSync(current, alternate, alt);
  for (const s of statements) expect(s.values).toEqual([]);
  return statements.map((s) => s.sql);
}

function errorOf(fn: () => unknown): Error {
  try {
    fn();
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected a throw');
}

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

describe('planGrantSync', () => {
  it('returns [] when the accounts already match (names, hashes and TLS aside)', () => {
    const current = [
      'GRANT `app_read` TO `appuser`@`%`',
      `GRANT USAGE ON *.* TO \`appuser\`@\`%\` IDENTIFIED BY PASSWORD '${HASH}' REQUIRE SSL WITH MAX_STATEMENT_TIME 1.500000`,
      'GRANT SELECT, INSERT ON `my\\_db`.* TO `appuser`@`%` WITH GRANT OPTION',
      'GRANT UPDATE (`a`, `b`) ON `my\\_db`.`t` TO `appuser`@`%`',
      'SET DEFAULT ROLE `app_read` FOR `appuser`@`%`',
    ];
    const alternate = [
      'GRANT `app_read` TO `appuser_rt`@`%`',
      "GRANT USAGE ON *.* TO `appuser_rt`@`%` IDENTIFIED BY PASSWORD '*0000000000000000000000000000000000000000' WITH MAX_STATEMENT_TIME 1.5",
      'GRANT INSERT, SELECT ON `my\\_db`.* TO `appuser_rt`@`%` WITH GRANT OPTION',
      'GRANT UPDATE (`b`, `a`) ON `my\\_db`.`t` TO `appuser_rt`@`%`',
      'SET DEFAULT ROLE `app_read` FOR `appuser_rt`@`%`',
    ];
    expect(plan(current, alternate)).toEqual([]);
  });

  it('copies everything to a fresh alternate, GRANT OPTION included and the hash left behind', () => {
    const current = [
      `GRANT USAGE ON *.* TO 'appuser'@'%' IDENTIFIED BY PASSWORD '${HASH}' REQUIRE SSL`,
      "GRANT SELECT, INSERT ON `app`.* TO 'appuser'@'%' WITH GRANT OPTION",
      "GRANT SELECT (`id`), UPDATE (`name`) ON `app`.`users` TO 'appuser'@'%'",
    ];
    const sql = plan(current, ["GRANT USAGE ON *.* TO 'appuser_rt'@'%'"]);
    expect(sql).toEqual([
      `GRANT SELECT, INSERT ON \`app\`.* TO ${A} WITH GRANT OPTION`,
      `GRANT SELECT (\`id\`), UPDATE (\`name\`) ON \`app\`.\`users\` TO ${A}`,
    ]);
    expect(sql.join('\n')).not.toContain('9F81');
  });

  it('grants what is lacking, then revokes extras per object, whole extra objects and extra grant options', () => {
    const current = [
      'GRANT USAGE ON *.* TO `appuser`@`%`',
      'GRANT SELECT, INSERT ON `app`.* TO `appuser`@`%` WITH GRANT OPTION',
      'GRANT SELECT ON `app`.`t` TO `appuser`@`%`',
    ];
    const alternate = [
      'GRANT USAGE ON *.* TO `appuser_rt`@`%`',
      'GRANT SELECT, DELETE ON `app`.* TO `appuser_rt`@`%`',
      'GRANT SELECT ON `app`.`t` TO `appuser_rt`@`%` WITH GRANT OPTION',
      'GRANT SELECT, UPDATE ON `other`.* TO `appuser_rt`@`%` WITH GRANT OPTION',
    ];
    expect(plan(current, alternate)).toEqual([
      `GRANT INSERT ON \`app\`.* TO ${A} WITH GRANT OPTION`,
      `REVOKE DELETE ON \`app\`.* FROM ${A}`,
      `REVOKE GRANT OPTION ON \`app\`.\`t\` FROM ${A}`,
      `REVOKE SELECT, UPDATE ON \`other\`.* FROM ${A}`,
      `REVOKE GRANT OPTION ON \`other\`.* FROM ${A}`,
    ]);
  });

  it('adds a missing grant option alone without re-granting privileges', () => {
    expect(plan(['GRANT SELECT ON `app`.* TO `appuser`@`%` WITH GRANT OPTION'], ['GRANT SELECT ON `app`.* TO `appuser_rt`@`%`'])).toEqual([
      `GRANT USAGE ON \`app\`.* TO ${A} WITH GRANT OPTION`,
    ]);
  });

  it('keeps a grant option held on *.* (the USAGE line counts only for its WITH options)', () => {
    expect(plan(['GRANT USAGE ON *.* TO `appuser`@`%` WITH GRANT OPTION'], ['GRANT USAGE ON *.* TO `appuser_rt`@`%`'])).toEqual([
      `GRANT USAGE ON *.* TO ${A} WITH GRANT OPTION`,
    ]);
    expect(plan(['GRANT USAGE ON *.* TO `appuser`@`%`'], ['GRANT USAGE ON *.* TO `appuser_rt`@`%` WITH GRANT OPTION'])).toEqual([
      `REVOKE GRANT OPTION ON *.* FROM ${A}`,
    ]);
  });

  it('compares column privileges one column at a time', () => {
    const sql = plan(
      ['GRANT SELECT, UPDATE (`a`, `b`) ON `app`.`t` TO `appuser`@`%`'],
      ['GRANT SELECT (`a`), UPDATE (`a`, `c`) ON `app`.`t` TO `appuser_rt`@`%`'],
    );
    expect(sql).toEqual([
      `GRANT SELECT, UPDATE (\`b\`) ON \`app\`.\`t\` TO ${A}`,
      `REVOKE SELECT (\`a\`), UPDATE (\`c\`) ON \`app\`.\`t\` FROM ${A}`,
    ]);
  });

  it('keeps a table-level privilege and its column form apart', () => {
    expect(plan(['GRANT SELECT, SELECT (`a`) ON `app`.`t` TO `appuser`@`%`'], [])).toEqual([
      `GRANT SELECT, SELECT (\`a\`) ON \`app\`.\`t\` TO ${A}`,
    ]);
  });

  it('treats ALL PRIVILEGES as covering the table-level privileges under it', () => {
    expect(plan(['GRANT ALL PRIVILEGES ON `app`.* TO `appuser`@`%`'], ['GRANT SELECT, DELETE ON `app`.* TO `appuser_rt`@`%`'])).toEqual([
      `GRANT ALL PRIVILEGES ON \`app\`.* TO ${A}`,
    ]);
    expect(
      plan(['GRANT SELECT ON `app`.* TO `appuser`@`%` WITH GRANT OPTION'], ['GRANT ALL PRIVILEGES ON `app`.* TO `appuser_rt`@`%`']),
    ).toEqual([`REVOKE ALL PRIVILEGES ON \`app\`.* FROM ${A}`, `GRANT SELECT ON \`app\`.* TO ${A} WITH GRANT OPTION`]);
    expect(plan(['GRANT ALL ON `app`.* TO `appuser`@`%`'], ['GRANT ALL PRIVILEGES ON `app`.* TO `appuser_rt`@`%`'])).toEqual([]);
  });

  it('keeps ? and escaped wildcards in object names exactly as printed', () => {
    expect(plan(['GRANT SELECT ON `a?b`.* TO `appuser`@`%`', 'GRANT SELECT ON `my\\_db`.* TO `appuser`@`%`'], [])).toEqual([
      `GRANT SELECT ON \`a?b\`.* TO ${A}`,
      `GRANT SELECT ON \`my\\_db\`.* TO ${A}`,
    ]);
  });

  it('syncs resource limits, resetting extra ones to 0', () => {
    expect(
      plan(
        ['GRANT USAGE ON *.* TO `appuser`@`%` WITH MAX_QUERIES_PER_HOUR 7 MAX_STATEMENT_TIME 1.500000'],
        ['GRANT USAGE ON *.* TO `appuser_rt`@`%` WITH MAX_STATEMENT_TIME 1.5 MAX_USER_CONNECTIONS 3'],
      ),
    ).toEqual([`GRANT USAGE ON *.* TO ${A} WITH MAX_QUERIES_PER_HOUR 7 MAX_USER_CONNECTIONS 0`]);
  });

  it('grants missing roles, revokes extra ones and the extra admin option, then fixes the default role', () => {
    const sql = plan(
      ['GRANT `r1` TO `appuser`@`%` WITH ADMIN OPTION', 'GRANT `r2` TO `appuser`@`%`', 'SET DEFAULT ROLE `r1` FOR `appuser`@`%`'],
      ['GRANT `r2` TO `appuser_rt`@`%` WITH ADMIN OPTION', 'GRANT `r3` TO `appuser_rt`@`%`', 'SET DEFAULT ROLE `r3` FOR `appuser_rt`@`%`'],
    );
    expect(sql).toEqual([
      `GRANT \`r1\` TO ${A} WITH ADMIN OPTION`,
      `REVOKE \`r2\` FROM ${A}`,
      `GRANT \`r2\` TO ${A}`,
      `REVOKE \`r3\` FROM ${A}`,
      `SET DEFAULT ROLE \`r1\` FOR ${A}`,
    ]);
    expect(plan(['GRANT `r1` TO `appuser`@`%`'], ['GRANT `r1` TO `appuser_rt`@`%`', 'SET DEFAULT ROLE `r1` FOR `appuser_rt`@`%`'])).toEqual(
      [`SET DEFAULT ROLE NONE FOR ${A}`],
    );
  });

  it('MySQL 8: copies roles with hosts, dynamic privileges with their own grant option, and proxies', () => {
    const current = [
      'GRANT SELECT ON *.* TO `appuser`@`%`',
      'GRANT BACKUP_ADMIN ON *.* TO `appuser`@`%` WITH GRANT OPTION',
      'GRANT XA_RECOVER_ADMIN ON *.* TO `appuser`@`%`',
      'GRANT PROXY ON `base`@`%` TO `appuser`@`%`',
      'GRANT `app_read`@`%`,`app_write`@`%` TO `appuser`@`%`',
    ];
    expect(plan(current, ['GRANT USAGE ON *.* TO `appuser_rt`@`%`', 'GRANT `app_read`@`%` TO `appuser_rt`@`%`'])).toEqual([
      `GRANT \`app_write\`@\`%\` TO ${A}`,
      `GRANT SELECT ON *.* TO ${A}`,
      `GRANT BACKUP_ADMIN ON *.* TO ${A} WITH GRANT OPTION`,
      `GRANT XA_RECOVER_ADMIN ON *.* TO ${A}`,
      `GRANT PROXY ON \`base\`@\`%\` TO ${A}`,
    ]);
  });

  it('MySQL 8: a dynamic grant option alone is neither a static one nor revocable on its own', () => {
    expect(
      plan(['GRANT BACKUP_ADMIN ON *.* TO `appuser`@`%` WITH GRANT OPTION'], ['GRANT BACKUP_ADMIN ON *.* TO `appuser_rt`@`%`']),
    ).toEqual([`GRANT BACKUP_ADMIN ON *.* TO ${A} WITH GRANT OPTION`]);
    expect(
      plan(['GRANT BACKUP_ADMIN ON *.* TO `appuser`@`%`'], ['GRANT BACKUP_ADMIN ON *.* TO `appuser_rt`@`%` WITH GRANT OPTION']),
    ).toEqual([`REVOKE BACKUP_ADMIN ON *.* FROM ${A}`, `GRANT BACKUP_ADMIN ON *.* TO ${A}`]);
  });

  it('MySQL 8: applies partial revokes after the global grant and lifts extra ones', () => {
    const current = ['GRANT SELECT, INSERT, UPDATE ON *.* TO `appuser`@`%`', 'REVOKE INSERT, UPDATE ON `mysql`.* FROM `appuser`@`%`'];
    expect(plan(current, ['GRANT SELECT ON *.* TO `appuser_rt`@`%`', 'REVOKE SELECT ON `world`.* FROM `appuser_rt`@`%`'])).toEqual([
      `GRANT INSERT, UPDATE ON *.* TO ${A}`,
      `GRANT SELECT ON \`world\`.* TO ${A}`,
      `REVOKE INSERT, UPDATE ON \`mysql\`.* FROM ${A}`,
    ]);
    expect(
      plan(current, [
        'GRANT SELECT, INSERT, UPDATE ON *.* TO `appuser_rt`@`%`',
        'REVOKE UPDATE, INSERT ON `mysql`.* FROM `appuser_rt`@`%`',
      ]),
    ).toEqual([]);
    // The alternate already carries the UPDATE restriction; the newly granted INSERT needs its own.
    expect(plan(current, ['GRANT SELECT, UPDATE ON *.* TO `appuser_rt`@`%`', 'REVOKE UPDATE ON `mysql`.* FROM `appuser_rt`@`%`'])).toEqual([
      `GRANT INSERT ON *.* TO ${A}`,
      `REVOKE INSERT ON \`mysql\`.* FROM ${A}`,
    ]);
  });

  it('revokes extra proxies', () => {
    expect(plan([], ['GRANT PROXY ON `base`@`%` TO `appuser_rt`@`%` WITH GRANT OPTION'])).toEqual([
      `REVOKE PROXY ON \`base\`@\`%\` FROM ${A}`,
    ]);
  });

  it('refuses lines for an account other than the alternate', () => {
    const err = errorOf(() => planGrantSync([], ['GRANT SELECT ON `app`.* TO `someone_else`@`%`'], ALT));
    expect(err).toBeInstanceOf(PreconditionError);
    expect(err.message).not.toContain('someone_else');
    expect(() => planGrantSync([], ['GRANT SELECT ON `app`.* TO `appuser_rt`@`10.%`'], ALT)).toThrow(PreconditionError);
  });

  it('refuses current lines naming two grantees', () => {
    expect(() => planGrantSync(['GRANT USAGE ON *.* TO `a`@`%`', 'GRANT USAGE ON *.* TO `b`@`%`'], [], ALT)).toThrow(
      /more than one grantee/,
    );
  });

  it('refuses an unparseable line without repeating it', () => {
    const line = `GRANT USAGE ON *.* TO \`appuser\`@\`%\` IDENTIFIED BY PASSWORD '${HASH}' WITH FUTURE OPTION`;
    const err = errorOf(() => planGrantSync([line], [], ALT));
    expect(err).toBeInstanceOf(PreconditionError);
    expect(err.message).toMatch(/privilege grant line/);
    expect(err.message).not.toContain('9F81');
  });

  it('addresses a hostile alternate name as one string literal in every statement', () => {
    const hostile = { user: "x'@'%' IDENTIFIED BY 'p'; --", host: '%' };
    const sql = plan(['GRANT SELECT ON `app`.* TO `appuser`@`%`'], [], hostile);
    expect(sql).toEqual(["GRANT SELECT ON `app`.* TO 'x\\'@\\'%\\' IDENTIFIED BY \\'p\\'; --'@'%'"]);
  });
});
