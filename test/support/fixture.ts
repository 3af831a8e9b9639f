/**
 * Integration fixture: a KMS emulator reached through the real SDKs, a sandbox on the real
 * MariaDB, the two secrets of the CONTRACT's self-managed format, and helpers to invoke steps
 * and to snapshot everything a failed step must leave unchanged.
 */
import { startKmsEmulator, type KmsEmulator, type KmsEmulatorOptions } from '../../src/local/emulators/kms/emulator.js';
import { kmsAdmin, LOCAL_CREDENTIALS, type KmsAdmin } from '../../src/local/fixtures/kms-admin.js';
import { adminConnection, createSandbox, uniqueName, type Sandbox, type ServerAddress } from '../../src/local/fixtures/mysql-sandbox.js';
import { invokeStep, runRotation, type StepRun } from '../../src/local/runner/rotate.js';
import { KmsSecretStore } from '../../src/secrets/kms-store.js';
import { parseEndpoint } from '../../src/config.js';
import type { Step } from '../../src/event.js';
import type { StepResult } from '../../src/steps/types.js';
import type { Environment } from '../../src/config.js';
import { readSandboxRow } from './flow-login.js';
import { RdsClient } from '../../src/backends/rds/client.js';
import { startRdsEmulator, type RdsEmulator, type RdsEmulatorOptions } from '../../src/local/emulators/rds/emulator.js';

export const REGION = 'cn-hangzhou';

export interface AppSecret {
  Endpoint: string;
  Port: number | string;
  AccountName: string;
  AccountPassword: string;
  MasterSecret?: string;
  SSL?: boolean | string;
  DBName?: string;
  [extra: string]: unknown;
}

export class Fixture {
  readonly logs: string[] = [];
  private constructor(
    /** Mutable: tests set `before`/`after` hooks to inject KMS faults. */
    readonly faults: NonNullable<KmsEmulatorOptions['faults']>,
    readonly kms: KmsEmulator,
    readonly admin: KmsAdmin,
    readonly store: KmsSecretStore,
    readonly sandbox: Sandbox,
    readonly secretName: string,
    readonly masterName: string,
    /** Set in RDS mode: the emulated instance holding the app account, and a real SDK client to it. */
    readonly rds?: { emulator: RdsEmulator; instanceId: string; api: RdsClient; faults: NonNullable<RdsEmulatorOptions['faults']> },
  ) {
    this.env = {
      KMS_ENDPOINT: kms.endpoint,
      ...(rds ? { RDS_ENDPOINT: rds.emulator.endpoint } : {}),
      // `LOG_LEVEL=debug npm test` runs every secrecy check over the debug lines too.
      ...(process.env['LOG_LEVEL'] ? { LOG_LEVEL: process.env['LOG_LEVEL'] } : {}),
    };
  }

  /** The function's environment for this fixture: its emulators' endpoints, handed to every invocation. */
  readonly env: Environment;

  /**
   * Self-managed mode: app and master accounts made with SQL. RDS mode (`rds` given): only the
   * database is made with SQL; the app account is created and granted ReadWrite through the RDS API.
   */
  static async start(
    options: {
      appHost?: string;
      rds?: { engineVersion?: string; engine?: 'MySQL' | 'MariaDB' };
      /** Another server than MYSQL_URL's (a throwaway one, for server-wide faults). */
      server?: ServerAddress;
    } = {},
  ): Promise<Fixture> {
    const faults: NonNullable<KmsEmulatorOptions['faults']> = {};
    const kms = await startKmsEmulator({ faults });
    const sandbox = await createSandbox({
      prefix: options.rds ? 'r' : 't',
      ...(options.appHost ? { appHost: options.appHost } : {}),
      withAccounts: !options.rds,
      ...(options.server ? { server: options.server } : {}),
    }).catch(async (err: unknown) => {
      await kms.close();
      throw err;
    });
    const admin = kmsAdmin(kms.endpoint, REGION);
    const store = new KmsSecretStore({
      endpoint: parseEndpoint(kms.endpoint, 'KMS_ENDPOINT'),
      regionId: REGION,
      credentials: LOCAL_CREDENTIALS,
    });
    let rds: Fixture['rds'];
    if (options.rds) {
      const instanceId = uniqueName('rm-');
      const rdsFaults: NonNullable<RdsEmulatorOptions['faults']> = {};
      const emulator = await startRdsEmulator({ instances: [{ instanceId, server: sandbox.server, ...options.rds }], faults: rdsFaults });
      const api = new RdsClient({
        endpoint: parseEndpoint(emulator.endpoint, 'RDS_ENDPOINT'),
        regionId: REGION,
        credentials: LOCAL_CREDENTIALS,
      });
      rds = { emulator, instanceId, api, faults: rdsFaults };
      await api.createAccount(instanceId, { name: sandbox.app.user, password: sandbox.app.password, type: 'Normal', description: 'app' });
      await api.grant(instanceId, sandbox.app.user, [{ dbName: sandbox.database, privilege: 'ReadWrite' }]);
    }
    return new Fixture(faults, kms, admin, store, sandbox, uniqueName('app-'), uniqueName('master-'), rds);
  }

  /** The RDS-format secret: the account only; Endpoint comes from DescribeDBInstanceNetInfo unless given. */
  rdsSecret(overrides: Record<string, unknown> = {}): Record<string, unknown> {
    return {
      AccountName: this.sandbox.app.user,
      AccountPassword: this.sandbox.app.password,
      DBName: this.sandbox.database,
      SSL: false,
      ...overrides,
    };
  }

  /** The app secret as the CONTRACT describes it, pointing at the sandbox. */
  appSecret(overrides: Partial<AppSecret> = {}): AppSecret {
    return {
      Endpoint: this.sandbox.server.host,
      Port: this.sandbox.server.port,
      AccountName: this.sandbox.app.user,
      AccountPassword: this.sandbox.app.password,
      MasterSecret: this.masterName,
      SSL: false,
      DBName: this.sandbox.database,
      ...overrides,
    };
  }

  masterSecret(overrides: Record<string, unknown> = {}): Record<string, unknown> {
    return {
      Endpoint: this.sandbox.server.host,
      Port: this.sandbox.server.port,
      AccountName: this.sandbox.master.user,
      AccountPassword: this.sandbox.master.password,
      SSL: false,
      ...overrides,
    };
  }

  async seed(app: AppSecret | string = this.appSecret(), master: Record<string, unknown> | string = this.masterSecret()): Promise<void> {
    await this.admin.createSecret({ name: this.masterName, data: typeof master === 'string' ? master : JSON.stringify(master) });
    await this.admin.createSecret({ name: this.secretName, data: typeof app === 'string' ? app : JSON.stringify(app) });
  }

  private get input(): { SecretName: string; RegionId: string; InstanceId?: string } {
    return { SecretName: this.secretName, RegionId: REGION, ...(this.rds ? { InstanceId: this.rds.instanceId } : {}) };
  }

  /** RDS mode: only the rotated secret; there is no master secret. */
  async seedRds(secret: Record<string, unknown> | string = this.rdsSecret()): Promise<void> {
    await this.admin.createSecret({ name: this.secretName, data: typeof secret === 'string' ? secret : JSON.stringify(secret) });
  }

  invoke(step: Step, versionId?: string, extra: Record<string, unknown> = {}): Promise<StepResult> {
    return invokeStep({ ...this.input, ...extra }, step, versionId, {
      env: this.env,
      context: { credentials: LOCAL_CREDENTIALS },
      sink: (line) => this.logs.push(line),
    });
  }

  rotate(): Promise<StepRun[]> {
    return runRotation(this.input, { env: this.env, context: { credentials: LOCAL_CREDENTIALS }, sink: (line) => this.logs.push(line) });
  }

  async secretAt(selector: { stage?: 'ACSCurrent' | 'ACSPending' | 'ACSPrevious'; versionId?: string }): Promise<AppSecret | undefined> {
    const version = await this.store.find(this.secretName, selector);
    return version ? (JSON.parse(version.data) as AppSecret) : undefined;
  }

  async stages(): Promise<Record<string, string[]>> {
    const out: Record<string, string[]> = {};
    for (const v of await this.store.listVersions(this.secretName)) out[v.versionId] = [...v.stages].sort();
    return out;
  }

  /** Logs in with the secret's credentials and reads the sandbox table; the error code when refused. */
  login(secret: { AccountName: string; AccountPassword: string }): Promise<string> {
    return readSandboxRow(this.sandbox, secret);
  }

  /** SHOW GRANTS of an account with its own name replaced, so two accounts can be compared. */
  async grants(user: string, host = this.sandbox.app.host): Promise<string[]> {
    const conn = await adminConnection(this.sandbox.server);
    try {
      const [rows] = await conn.query('SHOW GRANTS FOR ?@?', [user, host]);
      return (rows as Record<string, string>[])
        .map((row) => String(Object.values(row)[0]))
        .map((line) =>
          line
            .split(`\`${user}\``)
            .join('`<user>`')
            .replace(/ IDENTIFIED BY PASSWORD '[^']*'/, ''),
        )
        .sort();
    } finally {
      await conn.end();
    }
  }

  /** Everything a refused step must leave as it was: KMS versions and stages, the sandbox's accounts and grants. */
  async snapshot(): Promise<unknown> {
    const conn = await adminConnection(this.sandbox.server);
    try {
      const users = [this.sandbox.app.user, `${this.sandbox.app.user}_rt`, this.sandbox.master.user];
      const [rows] = await conn.query(
        'SELECT User, Host, authentication_string AS auth, ssl_type FROM mysql.user WHERE User IN (?) ORDER BY User, Host',
        [users],
      );
      const accounts = rows as { User: string; Host: string }[];
      const grants: Record<string, string[]> = {};
      for (const a of accounts) {
        const [g] = await conn.query('SHOW GRANTS FOR ?@?', [a.User, a.Host]);
        grants[`${a.User}@${a.Host}`] = (g as Record<string, string>[]).map((row) => String(Object.values(row)[0]));
      }
      return { kms: this.kms.snapshot(), accounts, grants };
    } finally {
      await conn.end();
    }
  }

  async stop(): Promise<void> {
    await this.sandbox.cleanup();
    await this.kms.close();
    await this.rds?.emulator.close();
  }
}
