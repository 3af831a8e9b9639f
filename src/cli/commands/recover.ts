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
import { STUCK_AFTER_MS } from './status.js';

/**
 * Taking ACSPending off is safe when ACSCurrent's credentials do not depend on it: always for the
 * alternating accounts (set changed only the alternate); for one account only when the database
 * provably still holds the current password and not the pending one. Anything unknown is refused.
 */
async function cancel(context: CliContext, view: SecretView, pendingId: string): Promise<void> {
  const label = `secret ${view.secretName}`;
  const backend = await backendOf(context, view);
  const pending = view.pending ? await accountOf(context, backend, view, view.pending) : undefined;
  if (pending?.strategy !== 'alternate') {
    const current = view.current ? await accountOf(context, backend, view, view.current) : undefined;
    const pendingState = pending ? await backend.loginState(pending.account) : undefined;
    const currentState = current ? await backend.loginState(current.account) : undefined;
    if (pendingState !== 'refused' || currentState !== 'works') {
      throw new PreconditionError(
        `${label}: cancelling is safe only while the database still holds the ACSCurrent password; ${
          pendingState === 'works'
            ? 'it already holds the pending one (single-account rotation after set), so ACSCurrent would no longer work'
            : 'that cannot be shown here (the logins were not both conclusive)'
        }. Finish it with recover instead`,
      );
    }
  }
  await context.store().removeStage(view.secretName, Stage.Pending, pendingId);
  context.output.out(`ACSPending removed from version ${pendingId}; ACSCurrent (${view.current?.versionId ?? 'none'}) unchanged.`);
}

export const recoverCommand = defineCommand({
  name: 'recover',
  usage: 'recover <SecretName> [--cancel] [--force] [--instance-id ID]',
  summary: 'finish a stuck rotation (set, test, end for the pending version), or --cancel it',
  help: [
    'Runs set, test and end for the ACSPending version in this process (needs a network path to the database),',
    'the same idempotent steps the flow runs. --cancel removes ACSPending instead, leaving ACSCurrent as it is;',
    'refused when the database already holds the pending password (single-account rotation after set).',
    'Both are refused while the pending version is younger than 15 minutes (a rotation may be running): --force.',
    INSTANCE_ID_HELP,
  ].join('\n'),
  options: { cancel: { type: 'boolean' }, force: { type: 'boolean' }, 'instance-id': { type: 'string' } },
  positionals: ['SecretName'],
  flags: z.object({
    SecretName: SecretNameArg,
    cancel: z.boolean().optional(),
    force: z.boolean().optional(),
    'instance-id': InstanceIdFlag,
  }),
  async run(flags, context) {
    const view = await readSecretView(context, flags.SecretName, flags['instance-id']);
    const pendingId = view.pending && view.pending.versionId !== view.current?.versionId ? view.pending.versionId : undefined;
    if (pendingId === undefined) {
      context.output.out(`secret ${view.secretName}: no pending version; nothing to recover.`);
      return 0;
    }
    const age = view.pending?.createdAt === undefined ? Infinity : Date.now() - view.pending.createdAt;
    if (age < STUCK_AFTER_MS && !flags.force) {
      throw new PreconditionError(
        `secret ${view.secretName}: the pending version is ${Math.round(age / 60_000)} min old, so a rotation may still be running; look again with status, or pass --force`,
      );
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
