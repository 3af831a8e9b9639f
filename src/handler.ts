/**
 * FC 3.0 entry point (CONTRACT: Build and entry point): parse and validate the event, load the
 * configuration the caller passes, build the secret store and the backend, run the step, resolve to
 * {VersionId, ...}; or, for the many-secret flows, `discover` the due secrets or `report` a Map's outcome. Only `handler` reads process.env; `handle` takes its environment from the caller,
 * so runners may rotate against different endpoints at once. Every failure leaves as one of the
 * CONTRACT's named errors, with no value in its message; no other module may turn errors into
 * the returned shape.
 */
import type { ContextCredentials } from './alibaba/credentials.js';
import { backendFor, secretStoreFor } from './clients.js';
import { debugLogging, loadConfig, type Environment } from './config.js';
import { InternalError, RotationError, stackFrames, withContext } from './errors.js';
import { discover, type DiscoverResult } from './batch/discover.js';
import { report, type ReportResult } from './batch/report.js';
import { createThrottleScope, inThrottleScope, type ThrottleScope } from './alibaba/throttle.js';
import { parseEvent, type FunctionStep } from './event.js';
import { createLogger, SecretMask, type LogSink } from './log.js';
import { runStep, type StepResult } from './steps/index.js';

export interface FcContext {
  requestId?: string;
  credentials?: ContextCredentials;
}

/** What the caller hands `handle`: FC's handler passes process.env; runners and tests their own. */
export interface HandlerOptions {
  /** The function's environment variables (CONTRACT: Configuration). */
  env: Environment;
  sink?: LogSink;
}

/** What an invocation resolves to: a rotation step's result, discover's due list or report's summary. */
export type HandlerResult = StepResult | DiscoverResult | ReportResult;

export async function handle(rawEvent: unknown, context: FcContext | undefined, options: HandlerOptions): Promise<HandlerResult> {
  const mask = new SecretMask();
  const requestId = context?.requestId ?? `local-${Date.now().toString(36)}`;
  let log = createLogger({ mask, debug: debugLogging(options.env), ...(options.sink ? { sink: options.sink } : {}), base: { requestId } });
  const started = Date.now();
  let step: FunctionStep | undefined;
  // Throttled KMS/RDS calls retried inside this invocation, counted for the step's last log line.
  let throttle: ThrottleScope | undefined;
  try {
    const event = parseEvent(rawEvent);
    step = event.Step;
    const config = loadConfig(options.env);
    if (event.Step === 'report') {
      log = log.child({ step });
      return report(event, log);
    }
    if (event.Step === 'discover') {
      const tagKey = event.TagKey ?? config.rotationTagKey;
      log = log.child({ step, tagKey });
      log.info('step started');
      const scope = (throttle = createThrottleScope(log));
      const result = await inThrottleScope(scope, () =>
        discover(secretStoreFor(event.RegionId, config, context?.credentials), { regionId: event.RegionId, tagKey, now: Date.now() }, log),
      );
      log.info('step finished', { durationMs: Date.now() - started, throttled: scope.throttled });
      return result;
    }
    const backendKind = event.InstanceId !== undefined ? 'rds-api' : 'mysql';
    log = log.child({ step, secret: event.SecretName, backend: backendKind, ...(event.VersionId ? { versionId: event.VersionId } : {}) });
    log.info('step started');
    const scope = (throttle = createThrottleScope(log));
    const stepLog = log;
    const result = await inThrottleScope(scope, async () =>
      runStep(event, {
        secretName: event.SecretName,
        requestId,
        store: secretStoreFor(event.RegionId, config, context?.credentials),
        backend: await backendFor(event, config, context?.credentials, stepLog),
        passwordConfig: config,
        log: stepLog,
        mask,
      }),
    );
    log.info('step finished', {
      durationMs: Date.now() - started,
      throttled: scope.throttled,
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
      if (err instanceof Error && err.stack) log.error('unexpected error', { errorName: err.name, frames: stackFrames(err.stack) });
    }
    // CONTRACT: the message names the step. Messages are written without values; the mask is a
    // second guard for anything a library slipped in.
    const returned = withContext(failure, step ? `step ${step}` : undefined, (text) => mask.apply(text));
    log.error('step failed', {
      durationMs: Date.now() - started,
      errorName: returned.name,
      errorMessage: returned.message,
      ...(throttle ? { throttled: throttle.throttled } : {}),
    });
    throw returned;
  }
}

/** FC handler `index.handler`: the event arrives as a Buffer holding JSON. */
export async function handler(event: unknown, context?: FcContext): Promise<HandlerResult> {
  return handle(event, context, { env: process.env });
}
