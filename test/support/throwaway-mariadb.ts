/**
 * A private MariaDB server for one test file: its own data directory under the system temp
 * directory, its own port on 127.0.0.1 and its own socket, root with an empty password from
 * 127.0.0.1. For faults that reach the whole server (FLUSH TABLES WITH READ LOCK, locking the
 * privilege tables), which must never run on the shared server other test files use at the same
 * time. It never connects to any server but the one it started, and stop() removes everything.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import mysql from 'mysql2/promise';
import type { ServerAddress } from '../../src/local/fixtures/mysql-sandbox.js';

const START_TIMEOUT_MS = 20_000;
const STOP_TIMEOUT_MS = 10_000;
// Small files and buffers: the server only has to hold a few accounts, and start in about a second.
const SMALL = ['--innodb-log-file-size=4M', '--innodb-buffer-pool-size=16M', '--skip-name-resolve'];

export interface ThrowawayMariadb {
  /** root@127.0.0.1, empty password. */
  server: ServerAddress;
  /** Shuts the server down and removes its directory. */
  stop(): Promise<void>;
}

/** The path of a program on PATH or in the sbin directories (mariadbd lives in /usr/sbin). */
function findProgram(names: string[]): string | undefined {
  const dirs = [...(process.env['PATH'] ?? '').split(delimiter), '/usr/sbin', '/usr/local/sbin', '/usr/bin', '/usr/local/bin'];
  for (const name of names) for (const dir of dirs) if (dir && existsSync(join(dir, name))) return join(dir, name);
  return undefined;
}

export function throwawayMariadbAvailable(): boolean {
  return findProgram(['mariadbd']) !== undefined && findProgram(['mariadb-install-db']) !== undefined;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

async function tail(file: string): Promise<string> {
  try {
    return (await readFile(file, 'utf8')).split('\n').slice(-15).join('\n');
  } catch {
    return '(no error log)';
  }
}

function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
}

export async function startThrowawayMariadb(): Promise<ThrowawayMariadb> {
  const daemon = findProgram(['mariadbd', 'mysqld']);
  const installer = findProgram(['mariadb-install-db', 'mysql_install_db']);
  if (!daemon || !installer) throw new Error('throwaway MariaDB: mariadbd and mariadb-install-db are not installed');
  const dir = await mkdtemp(join(tmpdir(), 'fc-throwaway-mariadb-'));
  const datadir = join(dir, 'data');
  const errorLog = join(dir, 'error.log');
  // The server refuses to run as root unless told to; as anyone else, it runs as that user.
  const asUser = process.getuid?.() === 0 ? ['--user=root'] : [];
  let child: ChildProcess | undefined;
  const killOnExit = (): void => {
    child?.kill('SIGKILL');
  };
  try {
    const install = spawnSync(
      installer,
      ['--no-defaults', '--auth-root-authentication-method=normal', `--datadir=${datadir}`, '--skip-test-db', ...asUser, ...SMALL],
      { encoding: 'utf8', timeout: START_TIMEOUT_MS },
    );
    if (install.status !== 0) {
      throw new Error(`throwaway MariaDB: mariadb-install-db failed (${install.status ?? install.signal}): ${install.stderr.slice(-500)}`);
    }
    const port = await freePort();
    child = spawn(
      daemon,
      [
        '--no-defaults',
        `--datadir=${datadir}`,
        `--port=${port}`,
        `--socket=${join(dir, 'sock')}`,
        `--pid-file=${join(dir, 'pid')}`,
        `--log-error=${errorLog}`,
        '--bind-address=127.0.0.1',
        '--skip-log-bin',
        ...asUser,
        ...SMALL,
      ],
      { stdio: 'ignore' },
    );
    process.once('exit', killOnExit);
    const server: ServerAddress = { host: '127.0.0.1', port, user: 'root', password: '' };
    const started = Date.now();
    for (;;) {
      if (child.exitCode !== null || child.signalCode !== null) {
        throw new Error(`throwaway MariaDB: mariadbd exited (${child.exitCode ?? child.signalCode}):\n${await tail(errorLog)}`);
      }
      try {
        const conn = await mysql.createConnection({ ...server, connectTimeout: 1_000 });
        await conn.end();
        break;
      } catch {
        if (Date.now() - started > START_TIMEOUT_MS)
          throw new Error(`throwaway MariaDB: no answer on port ${port}:\n${await tail(errorLog)}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
    const running = child;
    return {
      server,
      async stop() {
        try {
          const conn = await mysql.createConnection({ ...server, connectTimeout: 1_000 });
          await conn.query('SHUTDOWN').finally(() => conn.destroy());
        } catch {
          running.kill('SIGTERM');
        }
        const timer = setTimeout(() => running.kill('SIGKILL'), STOP_TIMEOUT_MS);
        await exited(running);
        clearTimeout(timer);
        process.removeListener('exit', killOnExit);
        await rm(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    if (child) {
      child.kill('SIGKILL');
      await exited(child);
    }
    process.removeListener('exit', killOnExit);
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
}
