/**
 * A local KMS Secrets Manager endpoint (API 2016-01-20) speaking Alibaba's RPC wire protocol, so the
 * real SDK clients can be tested against it. It binds the actions to the KMS state and never logs
 * or answers with SecretData it was not asked for.
 */
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import type { AcsParams, AcsResult } from '../acs-rpc/params.js';
import { describeCallBy, listenOptions, startAcsRpcServer, type AcsAction, type ListenOptions } from '../acs-rpc/server.js';
import { describeIssues } from '../../../zod-issues.js';
import { emulatorCommand } from '../command.js';
import { getRandomPassword } from './random-password.js';
import { SlidingWindowLimiter, type RateLimit } from './rate-limit.js';
import { KmsState, SECRET_TYPES, type KmsStateOptions, type SecretType } from './state.js';

/** One request as the emulator saw it; it never holds SecretData. */
export interface KmsCall {
  action: string;
  secretName?: string;
  at: number;
}

export interface KmsEmulatorOptions extends ListenOptions<KmsCall> {
  /** Used in secret ARNs. */
  regionId?: string;
  /** Injectable clock, so a test can step past a recovery window. */
  now?: () => number;
  /**
   * Secrets created before the server listens, through the same rules as CreateSecret (first version `v1`).
   * The only way to get a non-Generic secret from rpc-client users: its CreateSecretRequest has no SecretType.
   */
  seed?: readonly KmsSeedSecret[];
  /**
   * KMS's request quota: above `callsPerSecond` admitted calls in any sliding 1 s window, a call is answered
   * HTTP 429 `Rejected.Throttling` ("QPS Limit Exceeded"), counted in `throttledCount`, kept out of `calls`
   * and never applied. `setRateLimit` changes it while the emulator runs.
   */
  rateLimit?: RateLimit;
}

export interface KmsSeedSecret {
  SecretName: string;
  SecretData: string;
  SecretType?: SecretType;
  /** Tag key → value, checked by CreateSecret's tag rules. */
  Tags?: Record<string, string>;
}

export interface KmsEmulator {
  /** 'http://127.0.0.1:PORT'. The SDKs take the endpoint without the scheme plus `protocol: 'http'`. */
  readonly endpoint: string;
  readonly port: number;
  /** Every call received and admitted (not throttled), in order. */
  readonly calls: readonly KmsCall[];
  /** Calls refused by the rate limit so far. */
  readonly throttledCount: number;
  /** Sets, changes or (undefined) lifts the rate limit on the running emulator. */
  setRateLimit(limit: RateLimit | undefined): void;
  /** A deep copy of every secret's versions (ids, data, stages, type) and tags, a `StateSnapshot`, for before/after equality checks. */
  snapshot(): unknown;
  close(): Promise<void>;
}

export type { RateLimit } from './rate-limit.js';

export const KMS_API_VERSION = '2016-01-20';

type ActionHandler = (state: KmsState, params: AcsParams) => AcsResult;

const ACTIONS: ReadonlyMap<string, ActionHandler> = new Map<string, ActionHandler>([
  ['CreateSecret', (s, p) => s.createSecret(p)],
  ['GetSecretValue', (s, p) => s.getSecretValue(p)],
  ['PutSecretValue', (s, p) => s.putSecretValue(p)],
  ['UpdateSecretVersionStage', (s, p) => s.updateSecretVersionStage(p)],
  ['ListSecretVersionIds', (s, p) => s.listSecretVersionIds(p)],
  ['DescribeSecret', (s, p) => s.describeSecret(p)],
  ['ListSecrets', (s, p) => s.listSecrets(p)],
  ['TagResource', (s, p) => s.tagResource(p)],
  ['UntagResource', (s, p) => s.untagResource(p)],
  ['GetRandomPassword', (_, p) => getRandomPassword(p)],
  ['DeleteSecret', (s, p) => s.deleteSecret(p)],
  ['RestoreSecret', (s, p) => s.restoreSecret(p)],
]);

/** Binds an action to the state; the state throws AcsApiError, which the wire layer answers as is. */
function onState(state: KmsState, handler: ActionHandler): AcsAction<KmsCall> {
  return (params) => handler(state, params);
}

/** A seed entry's tag map as CreateSecret's `Tags` parameter. */
function seedTags(tags: Record<string, string>): string {
  return JSON.stringify(Object.entries(tags).map(([TagKey, TagValue]) => ({ TagKey, TagValue })));
}

export async function startKmsEmulator(options: KmsEmulatorOptions = {}): Promise<KmsEmulator> {
  const stateOptions: KmsStateOptions = {};
  if (options.now) stateOptions.now = options.now;
  if (options.regionId) stateOptions.regionId = options.regionId;
  const state = new KmsState(stateOptions);
  for (const { Tags: tags, ...entry } of options.seed ?? []) {
    const params = { ...entry, SecretType: entry.SecretType ?? 'Generic', VersionId: 'v1' };
    state.createSecret(tags ? { ...params, Tags: seedTags(tags) } : params);
  }
  const limiter = new SlidingWindowLimiter(options.rateLimit);
  const server = await startAcsRpcServer({
    ...listenOptions(options),
    name: 'kms-emulator',
    apiVersion: KMS_API_VERSION,
    actions: new Map([...ACTIONS].map(([action, handler]) => [action, onState(state, handler)])),
    describeCall: describeCallBy('SecretName', 'secretName'),
    internalError: { code: 'InternalFailure', message: 'An internal error occurred.' },
    admit: () => limiter.admit(),
  });

  return {
    endpoint: server.endpoint,
    port: server.port,
    get calls(): readonly KmsCall[] {
      return server.calls;
    },
    get throttledCount(): number {
      return limiter.throttledCount;
    },
    setRateLimit: (limit) => limiter.set(limit),
    snapshot: () => state.snapshot(),
    close: () => server.close(),
  };
}

const SeedFile = z.array(
  z.object({
    SecretName: z.string().min(1),
    SecretData: z.string(),
    SecretType: z.enum(SECRET_TYPES).optional(),
    Tags: z.record(z.string(), z.string()).optional(),
  }),
);

/** The seed file's secrets. Its text never reaches a message: a JSON error would quote SecretData. */
export async function readSeedFile(path: string): Promise<KmsSeedSecret[]> {
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(path, 'utf8'));
  } catch (err) {
    const reason = err instanceof SyntaxError ? 'is not valid JSON' : 'cannot be read';
    throw new Error(`--seed: the file ${reason}`);
  }
  const parsed = SeedFile.safeParse(raw);
  if (!parsed.success) throw new Error(`--seed: ${describeIssues(parsed.error, 'the file')}`);
  return parsed.data;
}

/** `serve.ts kms [--seed secrets.json]`: the seed file is a JSON array of {SecretName, SecretData, SecretType?, Tags?}. */
export const kmsCommand = emulatorCommand({
  name: 'kms',
  summary: 'KMS Secrets Manager API (2016-01-20)',
  defaultPort: 8300,
  options: { seed: { type: 'string' } },
  flags: z.object({ seed: z.string().min(1, '--seed takes a file').optional() }),
  async start(flags, listen) {
    const options: KmsEmulatorOptions = { ...listen };
    if (flags.seed !== undefined) options.seed = await readSeedFile(flags.seed);
    return startKmsEmulator(options);
  },
});
