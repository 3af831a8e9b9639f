// Whether the master can pass on what the current account holds, from both accounts' SHOW GRANTS lines
// (MySQL 5.7/8 and MariaDB forms); no database needed.
import { describe, expect, it } from 'vitest';
import { firstUngrantable } from '../../../../src/backends/mysql/grants/authority.js';
import type { Flavor } from '../../../../src/backends/mysql/dialect.js';

/** For an alternate made from nothing: everything the current account holds is to be granted. */
const ungrantable = (current: string[], master: string[], flavor: Flavor) => firstUngrantable(current, [], master, flavor);

const ROOT = ['GRANT ALL PRIVILEGES ON *.* TO `admin`@`%` WITH GRANT OPTION'];
const APP = [
  'GRANT USAGE ON *.* TO `app`@`%`',
  'GRANT SELECT, INSERT, UPDATE, DELETE ON `shop`.* TO `app`@`%`',
  'GRANT SELECT (`id`, `name`), UPDATE (`name`) ON `shop`.`customers` TO `app`@`%`',
  'GRANT EXECUTE ON PROCEDURE `shop`.`checkout` TO `app`@`%`',
];

describe('firstUngrantable, for a new alternate', () => {
  it.each(['mysql', 'mariadb'] as const)('%s: a master with ALL ON *.* WITH GRANT OPTION can grant every privilege', (flavor) => {
    expect(ungrantable(APP, ROOT, flavor)).toBeUndefined();
  });

  it('refuses a master without GRANT OPTION, naming the first privilege and its object', () => {
    expect(ungrantable(APP, ['GRANT ALL PRIVILEGES ON *.* TO `admin`@`%`'], 'mariadb')).toBe('SELECT on `shop`.*');
  });

  it('accepts a grant option at the database that covers its tables, routines and columns', () => {
    const master = ['GRANT USAGE ON *.* TO `m`@`%`', 'GRANT ALL PRIVILEGES ON `shop`.* TO `m`@`%` WITH GRANT OPTION'];
    expect(ungrantable(APP, master, 'mysql')).toBeUndefined();
  });

  it('refuses what the master holds only on another database', () => {
    const master = ['GRANT USAGE ON *.* TO `m`@`%`', 'GRANT ALL PRIVILEGES ON `other`.* TO `m`@`%` WITH GRANT OPTION'];
    expect(ungrantable(APP, master, 'mysql')).toBe('SELECT on `shop`.*');
  });

  it('refuses a privilege the master holds with GRANT OPTION only for others, and the grant option itself', () => {
    const master = ['GRANT SELECT, INSERT, UPDATE ON *.* TO `m`@`%` WITH GRANT OPTION'];
    expect(ungrantable(APP, master, 'mysql')).toBe('DELETE on `shop`.*');
    const optioned = ['GRANT USAGE ON `shop`.* TO `app`@`%` WITH GRANT OPTION'];
    expect(ungrantable(optioned, ['GRANT SELECT ON *.* TO `m`@`%`'], 'mysql')).toBe('GRANT OPTION on `shop`.*');
  });

  it('needs a column privilege at the table or above', () => {
    const current = ['GRANT UPDATE (`name`) ON `shop`.`customers` TO `app`@`%`'];
    expect(ungrantable(current, ['GRANT UPDATE ON `shop`.`customers` TO `m`@`%` WITH GRANT OPTION'], 'mysql')).toBeUndefined();
    expect(ungrantable(current, ['GRANT UPDATE (`name`) ON `shop`.`customers` TO `m`@`%` WITH GRANT OPTION'], 'mysql')).toBeUndefined();
    expect(ungrantable(current, ['GRANT UPDATE (`other`) ON `shop`.`customers` TO `m`@`%` WITH GRANT OPTION'], 'mysql')).toBe(
      'UPDATE on `shop`.`customers`',
    );
  });

  it('refuses a privilege the master has partially revoked on that database (MySQL 8 partial_revokes)', () => {
    const master = [...ROOT, 'REVOKE DELETE ON `shop`.* FROM `admin`@`%`'];
    expect(ungrantable(APP, master, 'mysql')).toBe('DELETE on `shop`.*');
  });

  it('needs a dynamic privilege itself, with its own grant option (MySQL 8)', () => {
    const current = ['GRANT USAGE ON *.* TO `app`@`%`', 'GRANT BACKUP_ADMIN ON *.* TO `app`@`%`'];
    expect(ungrantable(current, ['GRANT SELECT ON *.* TO `m`@`%` WITH GRANT OPTION'], 'mysql')).toBe('BACKUP_ADMIN on *.*');
    expect(ungrantable(current, ['GRANT BACKUP_ADMIN ON *.* TO `m`@`%`'], 'mysql')).toBe('BACKUP_ADMIN on *.*');
    expect(ungrantable(current, ['GRANT BACKUP_ADMIN ON *.* TO `m`@`%` WITH GRANT OPTION'], 'mysql')).toBeUndefined();
  });

  describe('roles', () => {
    const current = ['GRANT USAGE ON *.* TO `app`@`%`', 'GRANT `reporting` TO `app`@`%`'];

    it('MariaDB: only ADMIN OPTION on the role lets the master grant it, whatever else it holds', () => {
      expect(ungrantable(current, ROOT, 'mariadb')).toBe('role `reporting`');
      expect(ungrantable(current, [...ROOT, 'GRANT `reporting` TO `admin`@`%`'], 'mariadb')).toBe('role `reporting`');
      expect(ungrantable(current, [...ROOT, 'GRANT `reporting` TO `admin`@`%` WITH ADMIN OPTION'], 'mariadb')).toBeUndefined();
    });

    it('MySQL 8: ADMIN OPTION, ROLE_ADMIN or SUPER', () => {
      const mysqlCurrent = ['GRANT USAGE ON *.* TO `app`@`%`', 'GRANT `reporting`@`%` TO `app`@`%`'];
      expect(ungrantable(mysqlCurrent, ['GRANT SELECT ON *.* TO `m`@`%` WITH GRANT OPTION'], 'mysql')).toBe('role `reporting`@`%`');
      expect(ungrantable(mysqlCurrent, ['GRANT ROLE_ADMIN ON *.* TO `m`@`%`'], 'mysql')).toBeUndefined();
      expect(ungrantable(mysqlCurrent, ['GRANT SUPER ON *.* TO `m`@`%`'], 'mysql')).toBeUndefined();
      expect(ungrantable(mysqlCurrent, ['GRANT `reporting`@`%` TO `m`@`%` WITH ADMIN OPTION'], 'mysql')).toBeUndefined();
    });
  });

  it('needs PROXY with GRANT OPTION on the proxied account, or on any account', () => {
    const current = ["GRANT PROXY ON 'svc'@'%' TO 'app'@'%'"];
    expect(ungrantable(current, ROOT, 'mariadb')).toBe("PROXY on 'svc'@'%'");
    expect(ungrantable(current, [...ROOT, "GRANT PROXY ON 'svc'@'%' TO 'admin'@'%' WITH GRANT OPTION"], 'mariadb')).toBeUndefined();
    expect(ungrantable(current, [...ROOT, "GRANT PROXY ON ''@'%' TO 'admin'@'%' WITH GRANT OPTION"], 'mariadb')).toBeUndefined();
  });
});

// MySQL 8 root as SHOW GRANTS prints it: static privileges one by one, dynamic ones on a line of their own.
const MYSQL8_ROOT = [
  'GRANT SELECT, INSERT, UPDATE, DELETE, CREATE, DROP, RELOAD, SHUTDOWN, PROCESS, FILE, REFERENCES, INDEX, ALTER, SHOW DATABASES, SUPER, CREATE TEMPORARY TABLES, LOCK TABLES, EXECUTE, REPLICATION SLAVE, REPLICATION CLIENT, CREATE VIEW, SHOW VIEW, CREATE ROUTINE, ALTER ROUTINE, CREATE USER, EVENT, TRIGGER, CREATE TABLESPACE, CREATE ROLE, DROP ROLE ON *.* TO `root`@`localhost` WITH GRANT OPTION',
  'GRANT APPLICATION_PASSWORD_ADMIN,AUDIT_ADMIN,BACKUP_ADMIN,ROLE_ADMIN,SYSTEM_USER ON *.* TO `root`@`localhost` WITH GRANT OPTION',
];

describe('firstUngrantable, with what the alternate already holds', () => {
  const ALL_ON_SHOP = ['GRANT USAGE ON *.* TO `app`@`%`', 'GRANT ALL PRIVILEGES ON `shop`.* TO `app`@`%`'];

  it('a master holding every database privilege one by one (MySQL 8 root, RDS privileged account) can grant ALL on a database', () => {
    expect(firstUngrantable(ALL_ON_SHOP, [], MYSQL8_ROOT, 'mysql')).toBeUndefined();
    const enumerated = [
      'GRANT SELECT, INSERT, UPDATE, DELETE, CREATE, DROP, REFERENCES, INDEX, ALTER, CREATE TEMPORARY TABLES, LOCK TABLES, EXECUTE, CREATE VIEW, SHOW VIEW, CREATE ROUTINE, ALTER ROUTINE, EVENT, TRIGGER ON *.* TO `m`@`%` WITH GRANT OPTION',
    ];
    expect(firstUngrantable(ALL_ON_SHOP, [], enumerated, 'mariadb')).toBeUndefined();
    // One missing is enough to be refused.
    expect(firstUngrantable(ALL_ON_SHOP, [], [enumerated[0]!.replace(', TRIGGER', '')], 'mariadb')).toBe('ALL PRIVILEGES on `shop`.*');
  });

  it('asks nothing for what the alternate already holds (a role granted to both by the DBA)', () => {
    const current = ['GRANT USAGE ON *.* TO `app`@`%`', 'GRANT `reporting` TO `app`@`%`'];
    const alternate = ['GRANT USAGE ON *.* TO `app_rt`@`%`', 'GRANT `reporting` TO `app_rt`@`%`'];
    expect(firstUngrantable(current, alternate, ROOT, 'mariadb')).toBeUndefined();
    expect(firstUngrantable(current, [], ROOT, 'mariadb')).toBe('role `reporting`');
  });

  it('needs the same authority for what the alternate is to lose (REVOKE)', () => {
    const current = ['GRANT USAGE ON *.* TO `app`@`%`', 'GRANT SELECT ON `shop`.* TO `app`@`%`'];
    const alternate = ['GRANT FILE ON *.* TO `app_rt`@`%`', 'GRANT SELECT ON `shop`.* TO `app_rt`@`%`'];
    const master = ['GRANT SELECT ON *.* TO `m`@`%` WITH GRANT OPTION'];
    expect(firstUngrantable(current, alternate, master, 'mariadb')).toBe('FILE on *.*');
    expect(firstUngrantable(current, alternate, ['GRANT SELECT, FILE ON *.* TO `m`@`%` WITH GRANT OPTION'], 'mariadb')).toBeUndefined();
    const alternateRole = ['GRANT USAGE ON *.* TO `app_rt`@`%`', 'GRANT `old` TO `app_rt`@`%`'];
    expect(firstUngrantable(['GRANT USAGE ON *.* TO `app`@`%`'], alternateRole, ROOT, 'mariadb')).toBe('role `old`');
  });

  it('counts a database-level grant on a pattern as covering the databases it matches', () => {
    const current = ['GRANT USAGE ON *.* TO `app`@`%`', 'GRANT SELECT ON `app_1`.* TO `app`@`%`'];
    expect(firstUngrantable(current, [], ['GRANT SELECT ON `app\\_%`.* TO `m`@`%` WITH GRANT OPTION'], 'mariadb')).toBeUndefined();
    expect(firstUngrantable(current, [], ['GRANT SELECT ON `app%`.* TO `m`@`%` WITH GRANT OPTION'], 'mariadb')).toBeUndefined();
    expect(firstUngrantable(current, [], ['GRANT SELECT ON `other%`.* TO `m`@`%` WITH GRANT OPTION'], 'mariadb')).toBe(
      'SELECT on `app_1`.*',
    );
    // An escaped name is the literal database: my\_db is my_db, not myXdb.
    const escaped = ['GRANT USAGE ON *.* TO `app`@`%`', 'GRANT SELECT ON `my\\_db`.* TO `app`@`%`'];
    expect(firstUngrantable(escaped, [], ['GRANT SELECT ON `my\\_db`.* TO `m`@`%` WITH GRANT OPTION'], 'mysql')).toBeUndefined();
    expect(firstUngrantable(escaped, [], ['GRANT SELECT ON `my_db`.* TO `m`@`%` WITH GRANT OPTION'], 'mysql')).toBeUndefined();
  });

  it('does not refuse on MySQL when the master holds roles of its own (their privileges do not show without USING)', () => {
    const master = ['GRANT USAGE ON *.* TO `m`@`%`', 'GRANT `dba`@`%` TO `m`@`%`'];
    expect(firstUngrantable(APP, [], master, 'mysql')).toBeUndefined();
  });
});
