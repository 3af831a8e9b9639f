/**
 * Dev/test tooling, never bundled: a uniquely named database, app account and master account on
 * a real MySQL/MariaDB server, so demos and tests never touch anything they did not create.
 */
import { randomBytes } from 'node:crypto';
import mysql from 'mysql2/promise';
import { generatePassword, passwordPolicy } from '../password.js';
import { quoteIdentifier } from '../backends/sql.js';
import { RDS_PASSWORD_PUNCTUATION } from '../backends/rds-api.js';

export const DEFAULT_MYSQL_URL = 'mysql://root@127.0.0.1:3306';

export interface ServerAddress {
  host: string;
  port: number;
  user: string;
  password: string;
}

export function serverFromUrl(url: string = process.env['MYSQL_URL'] || DEFAULT_MYSQL_URL): ServerAddress {
  const parsed = new URL(url);
  if (parsed.protocol !== 'mysql:') throw new Error('MYSQL_URL must start with mysql://');
  return {
    host: parsed.hostname,
    port: parsed.port ? Number(parsed.port) : 3306,
    user: decodeURIComponent(parsed.username || 'root'),
    password: decodeURIComponent(parsed.password),
  };
}

export async function adminConnection(server: ServerAddress = serverFromUrl()): Promise<mysql.Connection> {
  return mysql.createConnection({
    host: server.host,
    port: server.port,
    user: server.user,
    password: server.password,
    connectTimeout: 5_000,
  });
}

/** Short random names: app names must leave room for `_rt` within MySQL's 16 characters. */
export function uniqueName(prefix: string): string {
  return `${prefix}${randomBytes(5).toString('hex')}`;
}

/** A password both MySQL and the RDS API accept (RDS allows only some punctuation). */
export function samplePassword(): string {
  return generatePassword(passwordPolicy({ passwordLength: 24, excludeCharacters: '@' }, { punctuation: RDS_PASSWORD_PUNCTUATION }));
}

export interface Sandbox {
  server: ServerAddress;
  database: string;
  table: string;
  app: { user: string; host: string; password: string };
  master: { user: string; host: string; password: string };
  /** Drops the database and every account created for or by the sandbox's rotations (`_rt` twins included). */
  cleanup(): Promise<void>;
}

export interface SandboxOptions {
  prefix?: string;
  /** Host part of the app account; '%' by default. */
  appHost?: string;
  /** false: only the database; the accounts are left for someone else (an RDS emulator) to create under the same names. */
  withAccounts?: boolean;
  server?: ServerAddress;
}

/** A database with one table and a row, an app account that can read and write it, and a master account. */
export async function createSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const server = options.server ?? serverFromUrl();
  const prefix = options.prefix ?? 'fc';
  const database = uniqueName(`${prefix}_db_`);
  const table = 'greetings';
  // At most 13 characters, so the `_rt` alternate fits MySQL's 16.
  const short = prefix.slice(0, 2);
  const app = { user: uniqueName(`${short}a`), host: options.appHost ?? '%', password: samplePassword() };
  const master = { user: uniqueName(`${short}m`), host: '%', password: samplePassword() };
  const conn = await adminConnection(server);
  try {
    await conn.query(`CREATE DATABASE ${quoteIdentifier(database)}`);
    await conn.query(`CREATE TABLE ${quoteIdentifier(database)}.${quoteIdentifier(table)} (id INT PRIMARY KEY, text VARCHAR(64))`);
    await conn.query(`INSERT INTO ${quoteIdentifier(database)}.${quoteIdentifier(table)} VALUES (1, 'hello')`);
    if (options.withAccounts !== false) {
      await conn.query('CREATE USER ?@? IDENTIFIED BY ?', [app.user, app.host, app.password]);
      await conn.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON ${quoteIdentifier(database)}.* TO ?@?`, [app.user, app.host]);
      await conn.query('CREATE USER ?@? IDENTIFIED BY ?', [master.user, master.host, master.password]);
      // Like RDS's privileged account: may create users and grant anything it holds.
      await conn.query('GRANT ALL PRIVILEGES ON *.* TO ?@? WITH GRANT OPTION', [master.user, master.host]);
    }
  } finally {
    await conn.end();
  }
  return {
    server,
    database,
    table,
    app,
    master,
    async cleanup() {
      const c = await adminConnection(server);
      try {
        const [rows] = await c.query('SELECT User, Host FROM mysql.user WHERE User IN (?, ?, ?)', [
          app.user,
          `${app.user}_rt`,
          master.user,
        ]);
        for (const row of rows as { User: string; Host: string }[]) await c.query('DROP USER ?@?', [row.User, row.Host]);
        await c.query(`DROP DATABASE IF EXISTS ${quoteIdentifier(database)}`);
      } finally {
        await c.end();
      }
    },
  };
}
