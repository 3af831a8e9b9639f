// Whether the master can pass on what the current account holds, from both accounts' SHOW GRANTS lines
// (MySQL 5.7/8 and MariaDB forms); no database needed.
import { describe, expect, it } from 'vitest';
import { firstUngrantable } from '../../../../src/backends/mysql/grants/authority.js';

const ROOT = ['GRANT ALL PRIVILEGES ON *.* TO `admin`@`%` WITH GRANT OPTION'];
const APP = [
  'GRANT USAGE ON *.* TO `app`@`%`',
  'GRANT SELECT, INSERT, UPDATE, DELETE ON `shop`.* TO `app`@`%`',
  'GRANT SELECT (`id`, `name`), UPDATE (`name`) ON `shop`.`customers` TO `app`@`%`',
  'GRANT EXECUTE ON PROCEDURE `shop`.`checkout` TO `app`@`%`',
];

describe('firstUngrantable', () => {
  it.each(['mysql', 'mariadb'] as const)('%s: a master with ALL ON *.* WITH GRANT OPTION can grant every privilege', (flavor) => {
    expect(firstUngrantable(APP, ROOT, flavor)).toBeUndefined();
  });

  it('refuses a master without GRANT OPTION, naming the first privilege and its object', () => {
    expect(firstUngrantable(APP, ['GRANT ALL PRIVILEGES ON *.* TO `admin`@`%`'], 'mariadb')).toBe('SELECT on `shop`.*');
  });

  it('accepts a grant option at the database that covers its tables, routines and columns', () => {
    const master = ['GRANT USAGE ON *.* TO `m`@`%`', 'GRANT ALL PRIVILEGES ON `shop`.* TO `m`@`%` WITH GRANT OPTION'];
    expect(firstUngrantable(APP, master, 'mysql')).toBeUndefined();
  });

  it('refuses what the master holds only on another database', () => {
    const master = ['GRANT USAGE ON *.* TO `m`@`%`', 'GRANT ALL PRIVILEGES ON `other`.* TO `m`@`%` WITH GRANT OPTION'];
    expect(firstUngrantable(APP, master, 'mysql')).toBe('SELECT on `shop`.*');
  });

  it('refuses a privilege the master holds with GRANT OPTION only for others, and the grant option itself', () => {
    const master = ['GRANT SELECT, INSERT, UPDATE ON *.* TO `m`@`%` WITH GRANT OPTION'];
    expect(firstUngrantable(APP, master, 'mysql')).toBe('DELETE on `shop`.*');
    const optioned = ['GRANT USAGE ON `shop`.* TO `app`@`%` WITH GRANT OPTION'];
    expect(firstUngrantable(optioned, ['GRANT SELECT ON *.* TO `m`@`%`'], 'mysql')).toBe('GRANT OPTION on `shop`.*');
  });

  it('needs a column privilege at the table or above', () => {
    const current = ['GRANT UPDATE (`name`) ON `shop`.`customers` TO `app`@`%`'];
    expect(firstUngrantable(current, ['GRANT UPDATE ON `shop`.`customers` TO `m`@`%` WITH GRANT OPTION'], 'mysql')).toBeUndefined();
    expect(
      firstUngrantable(current, ['GRANT UPDATE (`name`) ON `shop`.`customers` TO `m`@`%` WITH GRANT OPTION'], 'mysql'),
    ).toBeUndefined();
    expect(firstUngrantable(current, ['GRANT UPDATE (`other`) ON `shop`.`customers` TO `m`@`%` WITH GRANT OPTION'], 'mysql')).toBe(
      'UPDATE on `shop`.`customers`',
    );
  });

  it('refuses a privilege the master has partially revoked on that database (MySQL 8 partial_revokes)', () => {
    const master = [...ROOT, 'REVOKE DELETE ON `shop`.* FROM `admin`@`%`'];
    expect(firstUngrantable(APP, master, 'mysql')).toBe('DELETE on `shop`.*');
  });

  it('needs a dynamic privilege itself, with its own grant option (MySQL 8)', () => {
    const current = ['GRANT USAGE ON *.* TO `app`@`%`', 'GRANT BACKUP_ADMIN ON *.* TO `app`@`%`'];
    expect(firstUngrantable(current, ['GRANT SELECT ON *.* TO `m`@`%` WITH GRANT OPTION'], 'mysql')).toBe('BACKUP_ADMIN on *.*');
    expect(firstUngrantable(current, ['GRANT BACKUP_ADMIN ON *.* TO `m`@`%`'], 'mysql')).toBe('BACKUP_ADMIN on *.*');
    expect(firstUngrantable(current, ['GRANT BACKUP_ADMIN ON *.* TO `m`@`%` WITH GRANT OPTION'], 'mysql')).toBeUndefined();
  });

  describe('roles', () => {
    const current = ['GRANT USAGE ON *.* TO `app`@`%`', 'GRANT `reporting` TO `app`@`%`'];

    it('MariaDB: only ADMIN OPTION on the role lets the master grant it, whatever else it holds', () => {
      expect(firstUngrantable(current, ROOT, 'mariadb')).toBe('role `reporting`');
      expect(firstUngrantable(current, [...ROOT, 'GRANT `reporting` TO `admin`@`%`'], 'mariadb')).toBe('role `reporting`');
      expect(firstUngrantable(current, [...ROOT, 'GRANT `reporting` TO `admin`@`%` WITH ADMIN OPTION'], 'mariadb')).toBeUndefined();
    });

    it('MySQL 8: ADMIN OPTION, ROLE_ADMIN or SUPER', () => {
      const mysqlCurrent = ['GRANT USAGE ON *.* TO `app`@`%`', 'GRANT `reporting`@`%` TO `app`@`%`'];
      expect(firstUngrantable(mysqlCurrent, ['GRANT SELECT ON *.* TO `m`@`%` WITH GRANT OPTION'], 'mysql')).toBe('role `reporting`@`%`');
      expect(firstUngrantable(mysqlCurrent, ['GRANT ROLE_ADMIN ON *.* TO `m`@`%`'], 'mysql')).toBeUndefined();
      expect(firstUngrantable(mysqlCurrent, ['GRANT SUPER ON *.* TO `m`@`%`'], 'mysql')).toBeUndefined();
      expect(firstUngrantable(mysqlCurrent, ['GRANT `reporting`@`%` TO `m`@`%` WITH ADMIN OPTION'], 'mysql')).toBeUndefined();
    });
  });

  it('needs PROXY with GRANT OPTION on the proxied account, or on any account', () => {
    const current = ["GRANT PROXY ON 'svc'@'%' TO 'app'@'%'"];
    expect(firstUngrantable(current, ROOT, 'mariadb')).toBe("PROXY on 'svc'@'%'");
    expect(firstUngrantable(current, [...ROOT, "GRANT PROXY ON 'svc'@'%' TO 'admin'@'%' WITH GRANT OPTION"], 'mariadb')).toBeUndefined();
    expect(firstUngrantable(current, [...ROOT, "GRANT PROXY ON ''@'%' TO 'admin'@'%' WITH GRANT OPTION"], 'mariadb')).toBeUndefined();
  });
});
