/**
 * Builds what a step runs on — the KMS secret store and the backend the event asks for — from the
 * configuration and the invocation's credentials. SDK clients are built once per container, keyed by
 * endpoint, region and credentials (FC rotates its STS credentials). Never reads the environment.
 */
import { resolveCredentials, type ContextCredentials } from './alibaba/credentials.js';
import type { Backend } from './backends/backend.js';
import { MysqlBackend } from './backends/mysql/backend.js';
import type { Config } from './config.js';
import type { RotationEvent } from './event.js';
import type { Logger } from './log.js';
import { KmsSecretStore } from './secrets/kms-store.js';
import type { SecretStore } from './secrets/store.js';

const MAX_CACHED_CLIENTS = 8;
const clients = new Map<string, unknown>();

/** One client per endpoint, region and credentials for the life of the container. */
function cached<T>(key: string, make: () => T): T {
  let client = clients.get(key) as T | undefined;
  if (client === undefined) {
    if (clients.size >= MAX_CACHED_CLIENTS) clients.clear();
    client = make();
    clients.set(key, client);
  }
  return client;
}

export function secretStoreFor(regionId: string, config: Config, fromContext: ContextCredentials | undefined): SecretStore {
  const endpoint = config.kmsEndpoint(regionId);
  const { key, credentials } = resolveCredentials(fromContext);
  return cached(
    `kms|${endpoint.protocol}://${endpoint.host}|${regionId}|${key}`,
    () => new KmsSecretStore({ endpoint, regionId, credentials: credentials() }),
  );
}

export async function backendFor(
  event: RotationEvent,
  config: Config,
  fromContext: ContextCredentials | undefined,
  log: Logger,
): Promise<Backend> {
  const label = `secret ${event.SecretName}`;
  const common = { label, log, ca: config.mysqlCa, accountNameMaxLength: config.accountNameMaxLength };
  if (event.InstanceId === undefined) return new MysqlBackend({ ...common, previousAccountSessions: config.previousAccountSessions });
  // Loaded on first use: the generated RDS SDK is most of the bundle and would slow every cold start.
  const [{ RdsApiBackend }, { RdsClient }] = await Promise.all([import('./backends/rds/backend.js'), import('./backends/rds/client.js')]);
  const endpoint = config.rdsEndpoint;
  const { key, credentials } = resolveCredentials(fromContext);
  const api = cached(
    `rds|${endpoint ? `${endpoint.protocol}://${endpoint.host}` : 'sdk-default'}|${event.RegionId}|${key}`,
    () => new RdsClient({ endpoint, regionId: event.RegionId, credentials: credentials() }),
  );
  return new RdsApiBackend({ ...common, instanceId: event.InstanceId, api });
}
