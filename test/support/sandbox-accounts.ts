/**
 * Backend `Account`s on a MySQL sandbox, as the backend tests hand them to MysqlBackend: plain TCP,
 * the sandbox's database for app accounts, none for the master; and the backend they are handed to.
 * Holds passwords only in memory.
 */
import type { Account } from '../../src/backends/backend.js';
import { MysqlBackend } from '../../src/backends/mysql/backend.js';
import { createLogger } from '../../src/log.js';
import type { Sandbox } from '../../src/local/fixtures/mysql-sandbox.js';

/** An account on the sandbox's server, logging in to the sandbox's database. */
export function sandboxAccount(sandbox: Sandbox, user: string, password: string): Account {
  return { user, password, endpoint: sandbox.server.host, port: sandbox.server.port, ssl: false, database: sandbox.database };
}

/** The sandbox's master account, without a database. */
export function sandboxMaster(sandbox: Sandbox): Account {
  return { ...sandboxAccount(sandbox, sandbox.master.user, sandbox.master.password), database: undefined };
}

/** A MysqlBackend as the backend tests make one: plain defaults, its log lines into `lines`. */
export function testMysqlBackend(lines: string[], label = 'secret t'): MysqlBackend {
  return new MysqlBackend({ label, log: createLogger({ sink: (l) => lines.push(l) }), ca: undefined, accountNameMaxLength: undefined });
}
