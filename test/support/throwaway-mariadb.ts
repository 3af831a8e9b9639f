/**
 * A private MariaDB server for one test file: its own data directory under the system temp
 * directory, its own port on 127.0.0.1 and its own socket, root with an empty password from
 * 127.0.0.1. For faults that reach the whole server (FLUSH TABLES WITH READ LOCK, locking the
 * privilege tables), which must never run on the shared server other test files use at the same
 * time. It never connects to any server but the one it started, and stop() removes everything.
 * With `tls`, it also offers TLS (and still accepts plain TCP): a CA and server certificates made
 * for the run with `openssl` in the same directory, one of them installed at a time (FLUSH SSL).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import mysql from 'mysql2/promise';
import type { ServerAddress } from '../../src/local/fixtures/mysql-sandbox.js';

const START_TIMEOUT_MS = 20_000;
const STOP_TIMEOUT_MS = 10_000;
// Small files and buffers: the server only has to hold a few accounts, and start in about a second.
const SMALL = ['--innodb-log-file-size=4M', '--innodb-buffer-pool-size=16M', '--skip-name-resolve'];

export interface ThrowawayTlsOptions {
  /**
   * The server certificates to make, by name, each signed by the run's CA and naming exactly the
   * given subjectAltName (`IP:127.0.0.1`, `DNS:localhost`, `DNS:db.example.test`); their subject
   * CN names none of them, so only the SAN can match.
   */
  certificates: Readonly<Record<string, string>>;
  /** The certificate the server starts with; the first one by default. */
  initial?: string;
}

export interface ThrowawayTls {
  /** The run's CA (a PEM file), which signed every server certificate. */
  caFile: string;
  /** A second CA, made for the run too, that signed nothing the server holds. */
  otherCaFile: string;
  /** The certificate the server presents from now on: installed over its ssl_cert/ssl_key files and reloaded with FLUSH SSL. */
  use(name: string): Promise<void>;
}

export interface ThrowawayMariadb {
  /** root@127.0.0.1, empty password. */
  server: ServerAddress;
  /** Set when started with `tls`. */
  tls?: ThrowawayTls;
  /** Shuts the server down and removes its directory. */
  stop(): Promise<void>;
}

/** The path of a program on PATH or in the sbin directories (mariadbd lives in /usr/sbin). */
function findProgram(names: string[]): string | undefined {
  const dirs = [...(process.env['PATH'] ?? '').split(delimiter), '/usr/sbin', '/usr/local/sbin', '/usr/bin', '/usr/local/bin'];
  for (const name of names) for (const dir of dirs) if (dir && existsSync(join(dir, name))) return join(dir, name);
  return undefined;
}

export function throwawayMariadbAvailable(options: { tls?: boolean } = {}): boolean {
  return (
    findProgram(['mariadbd']) !== undefined &&
    findProgram(['mariadb-install-db']) !== undefined &&
    (!options.tls || findProgram(['openssl']) !== undefined)
  );
}

function openssl(program: string, args: string[]): void {
  const run = spawnSync(program, args, { encoding: 'utf8', timeout: START_TIMEOUT_MS });
  if (run.status !== 0)
    throw new Error(`throwaway MariaDB: openssl ${args[0]} failed (${run.status ?? run.signal}): ${run.stderr.slice(-500)}`);
}

/** A CA's key and self-signed certificate, `<dir>/<name>.key` and `<dir>/<name>.pem`. */
function makeCa(program: string, dir: string, name: string): void {
  // P-256 keys: generated in milliseconds, where RSA keys take a noticeable part of a second each.
  openssl(program, [
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-nodes',
    '-keyout',
    join(dir, `${name}.key`),
    '-out',
    join(dir, `${name}.pem`),
    '-days',
    '2',
    '-subj',
    `/CN=fc-secret-rotation test ${name}`,
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  ]);
}

/** A server key and certificate naming `san` only, signed by CA `ca`: `<dir>/<name>.key`, `<dir>/<name>.pem`. */
async function makeServerCertificate(program: string, dir: string, ca: string, name: string, san: string, serial: number): Promise<void> {
  const key = join(dir, `${name}.key`);
  const csr = join(dir, `${name}.csr`);
  const extensions = join(dir, `${name}.ext`);
  await writeFile(extensions, `basicConstraints=CA:FALSE\nkeyUsage=digitalSignature\nextendedKeyUsage=serverAuth\nsubjectAltName=${san}\n`);
  openssl(program, [
    'req',
    '-new',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-nodes',
    '-keyout',
    key,
    '-out',
    csr,
    '-subj',
    `/CN=fc-secret-rotation test server ${name}`,
  ]);
  openssl(program, [
    'x509',
    '-req',
    '-in',
    csr,
    '-CA',
    join(dir, `${ca}.pem`),
    '-CAkey',
    join(dir, `${ca}.key`),
    '-set_serial',
    String(serial),
    '-days',
    '2',
    '-extfile',
    extensions,
    '-out',
    join(dir, `${name}.pem`),
  ]);
}

/** The run's CAs and server certificates in `dir`, the first (or `initial`) one installed as server.pem/server.key. */
async function makeCertificates(dir: string, options: ThrowawayTlsOptions): Promise<void> {
  const program = findProgram(['openssl']);
  if (!program) throw new Error('throwaway MariaDB: openssl is not installed');
  makeCa(program, dir, 'ca');
  makeCa(program, dir, 'other-ca');
  const names = Object.keys(options.certificates);
  for (const [index, name] of names.entries()) {
    if (!/^[a-z0-9-]+$/.test(name) || name === 'ca' || name === 'other-ca' || name === 'server') {
      throw new Error(
        `throwaway MariaDB: certificate name ${name} must be lowercase letters, digits and dashes, and not ca, other-ca or server`,
      );
    }
    await makeServerCertificate(program, dir, 'ca', `cert-${name}`, options.certificates[name] ?? '', index + 1);
  }
  const initial = options.initial ?? names[0];
  if (initial === undefined || !names.includes(initial))
    throw new Error('throwaway MariaDB: tls needs at least one certificate, and initial among them');
  await installCertificate(dir, initial);
}

async function installCertificate(dir: string, name: string): Promise<void> {
  await copyFile(join(dir, `cert-${name}.pem`), join(dir, 'server.pem'));
  await copyFile(join(dir, `cert-${name}.key`), join(dir, 'server.key'));
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

export async function startThrowawayMariadb(options: { tls?: ThrowawayTlsOptions } = {}): Promise<ThrowawayMariadb> {
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
    const tlsOptions = options.tls;
    if (tlsOptions) await makeCertificates(dir, tlsOptions);
    const ssl = tlsOptions
      ? [`--ssl-ca=${join(dir, 'ca.pem')}`, `--ssl-cert=${join(dir, 'server.pem')}`, `--ssl-key=${join(dir, 'server.key')}`]
      : [];
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
        ...ssl,
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
    const tls: ThrowawayTls | undefined = tlsOptions && {
      caFile: join(dir, 'ca.pem'),
      otherCaFile: join(dir, 'other-ca.pem'),
      async use(name) {
        if (!Object.hasOwn(tlsOptions.certificates, name)) throw new Error(`throwaway MariaDB: no certificate ${name}`);
        await installCertificate(dir, name);
        const conn = await mysql.createConnection({ ...server, connectTimeout: 1_000 });
        try {
          await conn.query('FLUSH SSL');
        } finally {
          await conn.end();
        }
      },
    };
    return {
      server,
      ...(tls ? { tls } : {}),
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
