/**
 * `recover <SecretName> [--cancel] [--instance-id ID]` (CONTRACT: CLI): finishes a stuck rotation by
 * running `set`, `test` and `end` for the pending version in this process (each step is idempotent,
 * so a half-done one converges), or with `--cancel` takes ACSPending off it instead. Cancelling is
 * refused when it would leave the database ahead of ACSCurrent: a single-account rotation whose
 * `set` already changed the password (the pending password logs in).
 */
import { z } from 'zod';
import { PreconditionError } from '../../errors.js';
import { invokeStep } from '../../local/runner/rotate.js';
import { Stage } from '../../secrets/schema.js';
import { defineCommand, INSTANCE_ID_HELP, InstanceIdFlag, SecretNameArg } from '../command.js';
import type { CliContext } from '../context.js';
import { functionEnvironment, functionLogSink } from '../in-process.js';
import { accountOf, backendOf, readSecretView, type SecretView } from '../secret-view.js';

async function cancel(context: CliContext, view: SecretView, pendingId: string): Promise<void> {
  const backend = await backendOf(context, view);
  const pending = view.pending ? await accountOf(context, backend, view, view.pending) : undefined;
  if (pending?.strategy === 'single' && (await backend.loginState(pending.account)) === 'works') {
    throw new PreconditionError(
      `secret ${view.secretName}: the pending version's password is already the database's (single-account rotation after set); cancelling would leave ACSCurrent with a password that no longer works. Finish it with recover instead`,
    );
  }
  await context.store().removeStage(view.secretName, Stage.Pending, pendingId);
  context.output.out(`ACSPending removed from version ${pendingId}; ACSCurrent (${view.current?.versionId ?? 'none'}) unchanged.`);
}

export const recoverCommand = defineCommand({
  name: 'recover',
  usage: 'recover <SecretName> [--cancel] [--instance-id ID]',
  summary: 'finish a stuck rotation (set, test, end for the pending version), or --cancel it',
  help: [
    'Runs set, test and end for the ACSPending version in this process (needs a network path to the database),',
    'the same idempotent steps the flow runs. --cancel removes ACSPending instead, leaving ACSCurrent as it is;',
    'refused when the database already holds the pending password (single-account rotation after set).',
    INSTANCE_ID_HELP,
  ].join('\n'),
  options: { cancel: { type: 'boolean' }, 'instance-id': { type: 'string' } },
  positionals: ['SecretName'],
  flags: z.object({ SecretName: SecretNameArg, cancel: z.boolean().optional(), 'instance-id': InstanceIdFlag }),
  async run(flags, context) {
    const view = await readSecretView(context, flags.SecretName, flags['instance-id']);
    const pendingId = view.pending && view.pending.versionId !== view.current?.versionId ? view.pending.versionId : undefined;
    if (pendingId === undefined) {
      context.output.out(`secret ${view.secretName}: no pending version; nothing to recover.`);
      return 0;
    }
    if (flags.cancel) {
      await cancel(context, view, pendingId);
      return 0;
    }
    const input = { SecretName: view.secretName, RegionId: context.region, ...(view.instanceId ? { InstanceId: view.instanceId } : {}) };
    const options = { env: functionEnvironment(context), sink: functionLogSink(context) };
    for (const step of ['set', 'test', 'end'] as const) {
      const started = performance.now();
      const result = await invokeStep(input, step, pendingId, options);
      const note = result.Skipped ? ` (skipped: ${result.Skipped})` : '';
      context.output.out(`${step.padEnd(4)} done  ${String(Math.round(performance.now() - started)).padStart(5)} ms${note}`);
    }
    context.output.out(`recovered: version ${pendingId} is ACSCurrent.`);
    return 0;
  },
});
