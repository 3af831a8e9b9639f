/**
 * Helpers for the flow tests: run a shipped flow in a RotationWorld without waiting out retry delays,
 * and collect every password the world holds, so a test can show none reached a state's data.
 */
import type { ExecutionResult } from '../../src/local/cloudflow/index.js';
import { LOCAL_CREDENTIALS } from '../../src/local/fixtures/kms-admin.js';
import type { RotationWorld } from '../../src/local/fixtures/rotation-world.js';
import { runFlow, type ShippedFlow } from '../../src/local/runner/flow.js';

export function runShipped(
  world: RotationWorld,
  flow: ShippedFlow,
  input: Record<string, unknown>,
  logs: string[] = [],
): Promise<ExecutionResult> {
  return runFlow(flow, input, { env: world.env, credentials: LOCAL_CREDENTIALS, timeScale: 0, sink: (line) => logs.push(line) });
}

/** Every AccountPassword in every version of every secret of the world, masters included. */
export async function worldPasswords(world: RotationWorld): Promise<string[]> {
  const passwords: string[] = [];
  const names = world.secrets.flatMap((s) => [s.secretName, ...(s.masterName ? [s.masterName] : [])]);
  for (const name of names) {
    for (const version of await world.store.listVersions(name)) {
      const value = await world.store.find(name, { versionId: version.versionId });
      const password = value ? (JSON.parse(value.data) as { AccountPassword?: unknown }).AccountPassword : undefined;
      if (typeof password === 'string') passwords.push(password);
    }
  }
  return passwords;
}

/** The states' data of an execution as one text: every input, output and error its events carry. */
export function stateDataText(result: ExecutionResult): string {
  return JSON.stringify(result.events) + JSON.stringify(result.output ?? null) + JSON.stringify(result.failedStateInput ?? null);
}
