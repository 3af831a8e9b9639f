// Unit tests of revoke and grant planning between the two accounts for MySQL 5.6-9.x and MariaDB
// output; they must never need a database, and no assertion may print a password hash.
import { describe, expect, it } from 'vitest';
import { planGrantSync } from '../../../../src/backends/mysql/grants/planner.js';
import { PreconditionError } from '../../../../src/errors.js';
import { errorOf } from '../../../support/failure.js';
import { A, ALT, HASH } from '../../../support/grants.js';

/** The SQL texts of a plan, asserting that none carries bound values. */
function plan(current: string[], alternate: string[], alt = ALT): string[] {
  const statements = planGrantSync(current, alternate, alt);
  for (const s of statements) expect(s.values).toEqual([]);
  return statements.map((s) => s.sql);
}

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
