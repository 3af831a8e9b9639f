/**
 * A local ApsaraDB RDS endpoint (API 2014-08-15) for the account and connection actions, speaking
 * Alibaba's RPC wire protocol over accounts that live on a real MySQL/MariaDB server, so the real RDS
 * SDK can be tested end to end. It routes calls to instances; it never logs a password.
 */
import { missingParameter, type AcsParams, type AcsResult } from '../acs-rpc/params.js';
import { describeCallBy, listenOptions, startAcsRpcServer, type AcsAction, type ListenOptions } from '../acs-rpc/server.js';
import { z } from 'zod';
import { emulatorCommand } from '../command.js';
import { serverFromUrl } from '../../fixtures/mysql-sandbox.js';
import { instanceNotFound, type BusyCode } from './errors.js';
import { RdsInstance, type RdsInstanceSpec } from './instance.js';
import type { RdsEngine } from './rules.js';

export type { BusyCode } from './errors.js';
export type { RdsInstanceSpec } from './instance.js';
export type { RdsEngine } from './rules.js';

/** One request as the emulator saw it; it never holds a password. */
export interface RdsCall {
  action: string;
  instanceId?: string;
  at: number;
}

export interface RdsEmulatorOptions extends ListenOptions<RdsCall> {
  instances?: RdsInstanceSpec[];
  /** RegionId DescribeDBInstanceAttribute reports for instances whose spec names none; cn-hangzhou by default. */
  regionId?: string;
}

export interface RdsEmulator {
  /** 'http://127.0.0.1:PORT'. The SDK takes the endpoint without the scheme plus `protocol: 'http'`. */
  readonly endpoint: string;
  readonly port: number;
  /** Every call received, in order. */
  readonly calls: readonly RdsCall[];
  addInstance(spec: RdsInstanceSpec): void;
  /**
   * Test hook: accounts created or reset from now on (one name, or '*' for any) report AccountStatus Unavailable
   * for the next N DescribeAccounts calls that list them, and refuse grants, revokes and resets meanwhile.
   * Stays in force until set again; 0 removes it.
   */
  keepUnavailable(instanceId: string, accountName: string | '*', forDescribeCalls: number): void;
  /**
   * Test hook: the next N DescribeAccounts calls that list the account list it twice, a stale copy without
   * its privileges first (an answer served from a lagging cache).
   */
  listStaleCopy(instanceId: string, accountName: string, forDescribeCalls: number): void;
  /** Test hook: the next N mutating calls on the instance are refused with that code (HTTP 403) and change nothing. */
  makeBusy(instanceId: string, calls: number, code?: BusyCode): void;
  close(): Promise<void>;
}

export const RDS_API_VERSION = '2014-08-15';

interface ActionSpec {
  /** Checked before anything else, in this order, as the API gateway does. */
  required: readonly string[];
  mutating: boolean;
  run(instance: RdsInstance, params: AcsParams): AcsResult | Promise<AcsResult>;
}

const ACTIONS: Readonly<Record<string, ActionSpec>> = {
  CreateAccount: {
    required: ['DBInstanceId', 'AccountName', 'AccountPassword'],
    mutating: true,
    run: (i, p) => i.createAccount(p),
  },
  DescribeAccounts: { required: ['DBInstanceId'], mutating: false, run: (i, p) => i.describeAccounts(p) },
  GrantAccountPrivilege: {
    required: ['DBInstanceId', 'AccountName', 'DBName', 'AccountPrivilege'],
    mutating: true,
    run: (i, p) => i.grantAccountPrivilege(p),
  },
  RevokeAccountPrivilege: {
    required: ['DBInstanceId', 'AccountName', 'DBName'],
    mutating: true,
    run: (i, p) => i.revokeAccountPrivilege(p),
  },
  ResetAccountPassword: {
    required: ['DBInstanceId', 'AccountName', 'AccountPassword'],
    mutating: true,
    run: (i, p) => i.resetAccountPassword(p),
  },
  DeleteAccount: { required: ['DBInstanceId', 'AccountName'], mutating: true, run: (i, p) => i.deleteAccount(p) },
  DescribeDBInstanceNetInfo: { required: ['DBInstanceId'], mutating: false, run: (i) => i.describeNetInfo() },
  DescribeDBInstanceAttribute: { required: ['DBInstanceId'], mutating: false, run: (i) => i.describeAttribute() },
};

export async function startRdsEmulator(options: RdsEmulatorOptions = {}): Promise<RdsEmulator> {
  const instances = new Map<string, RdsInstance>();
  const regionId = options.regionId;

  function addInstance(spec: RdsInstanceSpec): void {
    if (instances.has(spec.instanceId)) throw new Error(`RDS emulator: instance ${spec.instanceId} already exists`);
    instances.set(spec.instanceId, new RdsInstance(regionId === undefined || spec.regionId ? spec : { ...spec, regionId }));
  }

  function instance(instanceId: string): RdsInstance {
    const found = instances.get(instanceId);
    if (!found) throw new Error(`RDS emulator: no instance ${instanceId}`);
    return found;
  }

  function route(spec: ActionSpec): AcsAction<RdsCall> {
    return (params) => {
      for (const name of spec.required) if (!params[name]) throw missingParameter(name);
      const target = instances.get(params['DBInstanceId'] ?? '');
      if (!target) throw instanceNotFound();
      return spec.mutating ? target.mutate(async () => spec.run(target, params)) : spec.run(target, params);
    };
  }

  for (const spec of options.instances ?? []) addInstance(spec);

  const server = await startAcsRpcServer({
    ...listenOptions(options),
    name: 'rds-emulator',
    apiVersion: RDS_API_VERSION,
    actions: new Map(Object.entries(ACTIONS).map(([action, spec]) => [action, route(spec)])),
    // The instance id only: parameters such as AccountPassword never reach the log.
    describeCall: describeCallBy('DBInstanceId', 'instanceId'),
    internalError: { code: 'InternalError', message: 'The request processing has failed due to some unknown error.' },
  });

  return {
    endpoint: server.endpoint,
    port: server.port,
    get calls(): readonly RdsCall[] {
      return server.calls;
    },
    addInstance,
    keepUnavailable: (instanceId, accountName, forDescribeCalls) => instance(instanceId).keepUnavailable(accountName, forDescribeCalls),
    listStaleCopy: (instanceId, accountName, forDescribeCalls) => instance(instanceId).listStaleCopy(accountName, forDescribeCalls),
    makeBusy: (instanceId, calls, code) => instance(instanceId).makeBusy(calls, code),
    async close() {
      await server.close();
      await Promise.all([...instances.values()].map((i) => i.close()));
    },
  };
}

const ENGINES: readonly RdsEngine[] = ['MySQL', 'MariaDB'];

/**
 * `ID=mysql://USER[:PASSWORD]@HOST:PORT[,engine=MariaDB][,engineVersion=5.6][,connection=HOST:PORT]`.
 * A comma inside the password must be percent-encoded, as anything else in the URL. Errors never quote the URL.
 */
export function parseInstanceArg(arg: string): RdsInstanceSpec {
  const eq = arg.indexOf('=');
  if (eq <= 0) throw new Error('--instance takes ID=mysql://USER@HOST:PORT[,engine=...][,engineVersion=...][,connection=HOST:PORT]');
  const instanceId = arg.slice(0, eq);
  const [url = '', ...extras] = arg.slice(eq + 1).split(',');
  const spec: RdsInstanceSpec = { instanceId, server: serverFromUrl(url) };
  for (const extra of extras) {
    const at = extra.indexOf('=');
    const key = extra.slice(0, at);
    const value = extra.slice(at + 1);
    if (key === 'engine' && (ENGINES as readonly string[]).includes(value)) spec.engine = value as RdsEngine;
    else if (key === 'engineVersion' && /^\d+\.\d+$/.test(value)) spec.engineVersion = value;
    else if (key === 'connection' && /^[^:]+:\d+$/.test(value)) {
      const colon = value.lastIndexOf(':');
      spec.connectionString = { host: value.slice(0, colon), port: Number(value.slice(colon + 1)) };
    } else {
      // Never the text itself: with an unencoded comma in the password, it would be part of the password.
      throw new Error(`--instance ${instanceId}: expected engine=MySQL|MariaDB, engineVersion=N.N or connection=HOST:PORT after the URL`);
    }
  }
  return spec;
}

/** `serve.ts rds [--instance ID=mysql://...]...`: without --instance, one instance rm-local on MYSQL_URL. */
export const rdsCommand = emulatorCommand({
  name: 'rds',
  summary: 'ApsaraDB RDS account API (2014-08-15) over a real MySQL/MariaDB',
  defaultPort: 8301,
  options: { instance: { type: 'string', multiple: true } },
  flags: z.object({ instance: z.array(z.string()).default([]) }),
  async start(flags, listen) {
    const specs = flags.instance.map(parseInstanceArg);
    return startRdsEmulator({ ...listen, instances: specs.length > 0 ? specs : [{ instanceId: 'rm-local', server: serverFromUrl() }] });
  },
});
