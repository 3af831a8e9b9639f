/**
 * FC 3.0 entry point (CONTRACT: Build and entry point): parse and validate the event, build the
 * secret store and the backend, dispatch to the step, resolve to {VersionId, ...}.
 * Clients are built once per container and keyed by credentials, which FC rotates.
 * Every failure leaves as one of the CONTRACT's named errors, with no value in its message.
 */
import { loadConfig, type Config } from './config.js';
import { resolveCredentials, type ContextCredentials } from './credentials.js';
import { InternalError, RotationError } from './errors.js';
import { parseEvent, type RotationEvent, type Step } from './event.js';
import { createLogger, SecretMask, type Logger, type LogSink } from './log.js';
import type { Backend } from './backends/backend.js';
import { MysqlBackend } from './backends/mysql.js';
import { KmsSecretStore } from './secrets/kms-store.js';
import type { SecretStore } from './secrets/store.js';
import type { StepContext, StepResult } from './steps/context.js';
import { endStep } from './steps/end.js';
import { newStep } from './steps/new.js';
import { setStep } from './steps/set.js';
import { testStep } from './steps/test.js';

export interface FcContext {
  requestId?: string;
  credentials?: ContextCredentials;
}

const STEP_HANDLERS: Record<Step, (ctx: StepContext) => Promise<StepResult>> = {
  new: newStep,
  set: setStep,
  test: testStep,
  end: endStep,
};

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

function secretStore(event: RotationEvent, config: Config, context: FcContext | undefined): SecretStore {
  const endpoint = config.kmsEndpoint(event.RegionId);
  const { key, credentials } = resolveCredentials(context?.credentials);
  return cached(
    `kms|${endpoint.protocol}://${endpoint.host}|${event.RegionId}|${key}`,
    () => new KmsSecretStore({ endpoint, regionId: event.RegionId, credentials: credentials() }),
  );
}

async function backendFor(event: RotationEvent, config: Config, context: FcContext | undefined, log: Logger): Promise<Backend> {
  const label = `secret ${event.SecretName}`;
  const common = { label, log, ca: config.mysqlCa, accountNameMaxLength: config.accountNameMaxLength };
  if (event.InstanceId === undefined) return new MysqlBackend(common);
  // Loaded on first use: the generated RDS SDK is most of the bundle and would slow every cold start.
  const [{ RdsApiBackend }, { RdsClient }] = await Promise.all([import('./backends/rds-api.js'), import('./backends/rds-client.js')]);
  const endpoint = config.rdsEndpoint;
  const { key, credentials } = resolveCredentials(context?.credentials);
  const api = cached(
    `rds|${endpoint ? `${endpoint.protocol}://${endpoint.host}` : 'sdk-default'}|${event.RegionId}|${key}`,
    () => new RdsClient({ endpoint, regionId: event.RegionId, credentials: credentials() }),
  );
  return new RdsApiBackend({ ...common, instanceId: event.InstanceId, api });
}

/** Options for local runners and tests; FC calls handler(event, context) only. */
export interface HandlerOptions {
  sink?: LogSink;
}

export async function handle(rawEvent: unknown, context: FcContext | undefined, options: HandlerOptions = {}): Promise<StepResult> {
  const mask = new SecretMask();
  const requestId = context?.requestId ?? `local-${Date.now().toString(36)}`;
  let log = createLogger({ mask, ...(options.sink ? { sink: options.sink } : {}), base: { requestId } });
  const started = Date.now();
  let step: Step | undefined;
  try {
    const event = parseEvent(rawEvent);
    step = event.Step;
    const config = loadConfig();
    const backendKind = event.InstanceId !== undefined ? 'rds-api' : 'mysql';
    log = log.child({ step, secret: event.SecretName, backend: backendKind, ...(event.VersionId ? { versionId: event.VersionId } : {}) });
    log.info('step started');
    const ctx: StepContext = {
      secretName: event.SecretName,
      versionId: event.VersionId,
      requestId,
      store: secretStore(event, config, context),
      backend: await backendFor(event, config, context, log),
      passwordConfig: config,
      log,
      mask,
    };
    const result = await STEP_HANDLERS[event.Step](ctx);
    log.info('step finished', {
      durationMs: Date.now() - started,
      versionId: result.VersionId,
      outcome: result.Skipped ? 'skipped' : 'done',
    });
    return result;
  } catch (err) {
    let failure: RotationError;
    if (err instanceof RotationError) failure = err;
    else {
      failure = new InternalError(`failed unexpectedly: ${err instanceof Error ? err.name : typeof err}`);
      // A library's message may quote a request or a statement: keep only where it happened.
      if (err instanceof Error && err.stack) log.error('unexpected error', { errorName: err.name, frames: framesOf(err.stack) });
    }
    // CONTRACT: the message names the step. Messages are written without values; the mask is a
    // second guard for anything a library slipped in.
    const message = mask.apply(step ? `step ${step}: ${failure.message}` : failure.message);
    if (failure.stack) failure.stack = mask.apply(`${failure.name}: ${message}\n${framesOf(failure.stack)}`);
    failure.message = message;
    log.error('step failed', { durationMs: Date.now() - started, errorName: failure.name, errorMessage: failure.message });
    throw failure;
  }
}

/** The `at ...` lines of a stack, without the message line above them. */
function framesOf(stack: string): string {
  return stack
    .split('\n')
    .filter((line) => line.trimStart().startsWith('at '))
    .join('\n');
}

/** FC handler `index.handler`: the event arrives as a Buffer holding JSON. */
export async function handler(event: unknown, context?: FcContext): Promise<StepResult> {
  return handle(event, context);
}
