// A local KMS Secrets Manager endpoint speaking Alibaba's RPC wire protocol, so the real SDK clients can be tested against it.
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import {
  commonCliOptions,
  commonCliSettings,
  runIfMain,
  serveUntilSignalled,
  startAcsRpcServer,
  type AcsAction,
  type AcsFault,
  type AcsParams,
  type AcsResult,
  type AcsRpcServerOptions,
} from './acs-rpc-server.js';
import { SECRET_TYPES, SecretStore, type SecretStoreOptions, type SecretType } from './kms-store.js';

export type KmsFault = AcsFault;

/** One request as the emulator saw it; it never holds SecretData. */
export interface KmsCall {
  action: string;
  secretName?: string;
  at: number;
}

export interface KmsEmulatorOptions {
  host?: string;
  port?: number;
  /** AccessKeyId → AccessKeySecret. When set, every request must carry a valid signature. */
  accessKeys?: Record<string, string>;
  /**
   * Fault hooks: `before` is consulted before a call is applied, `after` once it has been applied
   * (a lost response: the change stays, the client sees the fault). Return a fault to answer with it.
   */
  faults?: {
    before?(call: KmsCall): KmsFault | undefined;
    after?(call: KmsCall): KmsFault | undefined;
    latencyMs?(call: KmsCall): number;
  };
  /** Used in secret ARNs. */
  regionId?: string;
  /** Injectable clock, so a test can step past a recovery window. */
  now?: () => number;
  /**
   * Secrets created before the server listens, through the same rules as CreateSecret (first version `v1`).
   * The only way to get a non-Generic secret from rpc-client users: its CreateSecretRequest has no SecretType.
   */
  seed?: readonly KmsSeedSecret[];
}

export interface KmsSeedSecret {
  SecretName: string;
  SecretData: string;
  SecretType?: SecretType;
}

export interface KmsEmulator {
  /** 'http://127.0.0.1:PORT'. The SDKs take the endpoint without the scheme plus `protocol: 'http'`. */
  readonly endpoint: string;
  readonly port: number;
  /** Every call received, in order. */
  readonly calls: readonly KmsCall[];
  /** A deep copy of every secret's versions (ids, data, stages, type), a `StoreSnapshot`, for before/after equality checks. */
  snapshot(): unknown;
  close(): Promise<void>;
}

export const KMS_API_VERSION = '2016-01-20';

type ActionHandler = (store: SecretStore, params: AcsParams) => AcsResult;

const ACTIONS: ReadonlyMap<string, ActionHandler> = new Map<string, ActionHandler>([
  ['CreateSecret', (s, p) => s.createSecret(p)],
  ['GetSecretValue', (s, p) => s.getSecretValue(p)],
  ['PutSecretValue', (s, p) => s.putSecretValue(p)],
  ['UpdateSecretVersionStage', (s, p) => s.updateSecretVersionStage(p)],
  ['ListSecretVersionIds', (s, p) => s.listSecretVersionIds(p)],
  ['DescribeSecret', (s, p) => s.describeSecret(p)],
  ['GetRandomPassword', (s, p) => s.getRandomPassword(p)],
  ['DeleteSecret', (s, p) => s.deleteSecret(p)],
  ['RestoreSecret', (s, p) => s.restoreSecret(p)],
]);

/** Binds an action to the store; the store throws AcsApiError, which the wire layer answers as is. */
function onStore(store: SecretStore, handler: ActionHandler): AcsAction<KmsCall> {
  return (params) => handler(store, params);
}

export async function startKmsEmulator(options: KmsEmulatorOptions = {}): Promise<KmsEmulator> {
  const storeOptions: SecretStoreOptions = {};
  if (options.now) storeOptions.now = options.now;
  if (options.regionId) storeOptions.regionId = options.regionId;
  const store = new SecretStore(storeOptions);
  for (const entry of options.seed ?? []) {
    store.createSecret({ ...entry, SecretType: entry.SecretType ?? 'Generic', VersionId: 'v1' });
  }
  const serverOptions: AcsRpcServerOptions<KmsCall> = {
    name: 'kms-emulator',
    apiVersion: KMS_API_VERSION,
    actions: new Map([...ACTIONS].map(([action, handler]) => [action, onStore(store, handler)])),
    describeCall: (action, params, at) => {
      const secretName = params['SecretName'] || undefined;
      return secretName === undefined ? { action, at } : { action, secretName, at };
    },
    internalError: { code: 'InternalFailure', message: 'An internal error occurred.' },
  };
  // `faults` is passed on as the same object, not a copy: tests swap hooks on it while the emulator runs.
  const server = await startAcsRpcServer({
    ...serverOptions,
    host: options.host,
    port: options.port,
    accessKeys: options.accessKeys,
    faults: options.faults,
  });

  return {
    endpoint: server.endpoint,
    port: server.port,
    get calls(): readonly KmsCall[] {
      return server.calls;
    },
    snapshot: () => store.snapshot(),
    close: () => server.close(),
  };
}

const SeedFile = z.array(
  z.object({
    SecretName: z.string().min(1),
    SecretData: z.string(),
    SecretType: z.enum(SECRET_TYPES).optional(),
  }),
);

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { ...commonCliOptions(8300), seed: { type: 'string' } } });
  const options: KmsEmulatorOptions = commonCliSettings(values);
  if (values.seed) options.seed = SeedFile.parse(JSON.parse(await readFile(values.seed, 'utf8')));
  serveUntilSignalled(await startKmsEmulator(options));
}

runIfMain(import.meta.url, main);
