/**
 * What every command runs with: the region, the function's configuration read from the same
 * variables the function reads (KMS_ENDPOINT, RDS_ENDPOINT, ...) plus CLOUDFLOW_ENDPOINT, the
 * credentials of Alibaba's default chain, and where output goes. Clients are built on first use, so
 * `--help` and usage errors never need credentials or a network.
 */
import { resolveCredentials, type CloudCredentials } from '../alibaba/credentials.js';
import { loadConfig, parseEndpoint, type Config, type Environment, type Endpoint } from '../config.js';
import { KmsSecretStore } from '../secrets/kms-store.js';
import type { SecretStore } from '../secrets/store.js';
import { UsageError } from './command.js';
import { CloudFlowClient } from './cloudflow-client.js';

export interface CliOutput {
  /** A line of the command's result: stdout. */
  out(line: string): void;
  /** Progress and errors: stderr. */
  err(line: string): void;
  /** Progress may redraw a line (a spinner) only on a terminal. */
  readonly isTTY: boolean;
}

export interface CliContext {
  readonly region: string;
  /** The environment the CLI was started with; also what `--local` hands the in-process function. */
  readonly env: Environment;
  readonly config: Config;
  readonly output: CliOutput;
  readonly debug: boolean;
  credentials(): CloudCredentials;
  store(): SecretStore;
  cloudflow(): CloudFlowClient;
}

/**
 * The CLI runs on an operator's workstation, usually outside the VPC: without KMS_ENDPOINT it uses
 * KMS's public endpoint rather than the function's default, the VPC one.
 */
export function cliKmsEndpoint(env: Environment, region: string): Endpoint {
  return env['KMS_ENDPOINT']
    ? parseEndpoint(env['KMS_ENDPOINT'], 'KMS_ENDPOINT')
    : { protocol: 'https', host: `kms.${region}.aliyuncs.com` };
}

export function createContext(options: {
  region: string | undefined;
  env: Environment;
  output: CliOutput;
  debug: boolean;
  regionless?: boolean;
}): CliContext {
  const region = options.region ?? options.env['ALIBABA_CLOUD_REGION_ID'] ?? (options.regionless ? 'cn-hangzhou' : undefined);
  if (!region) throw new UsageError('no region: pass --region R or set ALIBABA_CLOUD_REGION_ID');
  if (!/^[a-z]{2,}(-[a-z0-9]+)+$/.test(region)) throw new UsageError('ALIBABA_CLOUD_REGION_ID: a region such as cn-hangzhou');
  const config = loadConfig(options.env);
  let credentials: CloudCredentials | undefined;
  let store: SecretStore | undefined;
  let cloudflow: CloudFlowClient | undefined;
  const context: CliContext = {
    region,
    env: options.env,
    config,
    output: options.output,
    debug: options.debug,
    credentials: () => (credentials ??= resolveCredentials(undefined).credentials()),
    store: () =>
      (store ??= new KmsSecretStore({
        endpoint: cliKmsEndpoint(options.env, region),
        regionId: region,
        credentials: context.credentials(),
      })),
    cloudflow: () =>
      (cloudflow ??= new CloudFlowClient({
        ...(options.env['CLOUDFLOW_ENDPOINT'] ? { endpoint: parseEndpoint(options.env['CLOUDFLOW_ENDPOINT'], 'CLOUDFLOW_ENDPOINT') } : {}),
        regionId: region,
        credentials: context.credentials(),
      })),
  };
  return context;
}
