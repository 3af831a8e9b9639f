/**
 * A step context on the in-memory store and the scripted backend, with the logger writing to an
 * array and a real secret mask, so a step test can also show that no output carries a password.
 */
import { createLogger, SecretMask } from '../../src/log.js';
import type { StepContext } from '../../src/steps/types.js';
import { MemorySecretStore } from './memory-store.js';
import { ScriptedBackend } from './scripted-backend.js';

export const SECRET = 'app-db';
export const MASTER = 'app-db-master';

export interface StepHarness {
  store: MemorySecretStore;
  backend: ScriptedBackend;
  mask: SecretMask;
  /** The log lines written, as JSON text. */
  logs: string[];
  /** The context a step is called with, for this VersionId (none: `new` without one). */
  context<V extends string | undefined>(versionId: V): StepContext<V>;
}

export function stepHarness(options: { store?: MemorySecretStore; backend?: ScriptedBackend; requestId?: string } = {}): StepHarness {
  const store = options.store ?? new MemorySecretStore();
  const backend = options.backend ?? new ScriptedBackend();
  const mask = new SecretMask();
  const logs: string[] = [];
  // Debug lines on: a step's secrecy is checked over every line it could write.
  const log = createLogger({ mask, debug: true, sink: (line) => logs.push(line) });
  return {
    store,
    backend,
    mask,
    logs,
    context: (versionId) => ({
      secretName: SECRET,
      versionId,
      requestId: options.requestId ?? 'request-1',
      store,
      backend,
      passwordConfig: { passwordLength: 32, excludeCharacters: '/@"\'\\' },
      log,
      mask,
    }),
  };
}

/** The self-managed app secret of the CONTRACT, for account `user`. */
export function appSecret(user = 'appuser', password = 'Current-Password-1', extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { Endpoint: '10.0.0.5', Port: 3306, AccountName: user, AccountPassword: password, MasterSecret: MASTER, SSL: false, ...extra };
}

export function masterSecret(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { Endpoint: '10.0.0.5', Port: 3306, AccountName: 'admin', AccountPassword: 'Master-Password-1', ...extra };
}
