/**
 * Watches, while a run goes on, that every secret's ACSCurrent logs in: sweep after sweep it reads the
 * KMS emulator's state directly (no KMS call, so the rate limit is untouched) and logs in to the
 * secret's sandbox database with ACSCurrent's account and password. A refusal is recorded by secret,
 * version and driver code, never with the password. Dev and test tooling only: never bundled.
 */
import mysql from 'mysql2/promise';
import type { StateSnapshot } from '../emulators/kms/state.js';
import type { RotationWorld, WorldSecret } from '../fixtures/rotation-world.js';

export interface LoginFailure {
  secretName: string;
  versionId: string;
  code: string;
}

export interface ProbeResult {
  logins: number;
  failures: LoginFailure[];
}

async function logsIn(secret: WorldSecret, data: string): Promise<string | undefined> {
  let creds: { AccountName?: unknown; AccountPassword?: unknown };
  try {
    creds = JSON.parse(data) as typeof creds;
  } catch {
    return 'ACSCurrent is not JSON';
  }
  let conn: mysql.Connection | undefined;
  try {
    conn = await mysql.createConnection({
      host: secret.sandbox.server.host,
      port: secret.sandbox.server.port,
      user: String(creds.AccountName ?? ''),
      password: String(creds.AccountPassword ?? ''),
      database: secret.sandbox.database,
      connectTimeout: 5_000,
    });
    return undefined;
  } catch (err) {
    return (err as { code?: string }).code ?? 'unknown';
  } finally {
    await conn?.end().catch(() => undefined);
  }
}

/** Starts sweeping at once; `stop()` finishes the sweep under way and answers what was seen. */
export function probeCurrentLogins(world: RotationWorld, secrets: readonly WorldSecret[]): { stop(): Promise<ProbeResult> } {
  const result: ProbeResult = { logins: 0, failures: [] };
  let stopped = false;
  const sweeping = (async () => {
    while (!stopped) {
      for (const secret of secrets) {
        if (stopped) break;
        const version = (world.kms.snapshot() as StateSnapshot)[secret.secretName]?.versions.find((v) => v.stages.includes('ACSCurrent'));
        if (!version) {
          result.failures.push({ secretName: secret.secretName, versionId: '', code: 'no ACSCurrent' });
          continue;
        }
        const code = await logsIn(secret, version.secretData);
        result.logins += 1;
        if (code !== undefined) result.failures.push({ secretName: secret.secretName, versionId: version.versionId, code });
      }
    }
  })();
  return {
    async stop() {
      stopped = true;
      await sweeping;
      return result;
    },
  };
}
