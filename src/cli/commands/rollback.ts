/**
 * `rollback <SecretName> --yes [--instance-id ID]` (CONTRACT: CLI): moves ACSCurrent back to the
 * ACSPrevious version after checking that its credentials still log in (true for alternating
 * accounts until the next rotation), and gives the version it leaves ACSPrevious, so a rollback can
 * itself be rolled back. Refused, with nothing changed, while a rotation is pending or when the
 * previous credentials do not log in.
 */
import { z } from 'zod';
import { PreconditionError } from '../../errors.js';
import { Stage } from '../../secrets/schema.js';
import { defineCommand, INSTANCE_ID_HELP, InstanceIdFlag, SecretNameArg, UsageError } from '../command.js';
import { accountNameOf, backendOf, loginStateOf, readSecretView } from '../secret-view.js';

export const rollbackCommand = defineCommand({
  name: 'rollback',
  usage: 'rollback <SecretName> --yes [--instance-id ID]',
  summary: 'move ACSCurrent back to ACSPrevious, once its credentials are proven to log in',
  help: [
    'Checks that the ACSPrevious version still logs in, then moves ACSCurrent to it and ACSPrevious to the',
    'version it leaves. Refused, changing nothing, while a rotation is pending or when the previous credentials',
    'do not log in. --yes is required: applications pick the old credentials up at their next read.',
    INSTANCE_ID_HELP,
  ].join('\n'),
  options: { yes: { type: 'boolean' }, 'instance-id': { type: 'string' } },
  positionals: ['SecretName'],
  flags: z.object({ SecretName: SecretNameArg, yes: z.boolean().optional(), 'instance-id': InstanceIdFlag }),
  async run(flags, context) {
    if (!flags.yes) throw new UsageError('rollback moves ACSCurrent: pass --yes to confirm');
    const view = await readSecretView(context, flags.SecretName, flags['instance-id']);
    const { current, previous, pending } = view;
    const label = `secret ${view.secretName}`;
    if (!current) throw new PreconditionError(`${label}: no version holds ACSCurrent`);
    if (!previous || previous.versionId === current.versionId)
      throw new PreconditionError(`${label}: no ACSPrevious version to roll back to`);
    if (pending && pending.versionId !== current.versionId) {
      throw new PreconditionError(`${label}: a rotation is pending (version ${pending.versionId}); recover or cancel it first`);
    }
    const state = await loginStateOf(context, await backendOf(context, view), view, previous);
    if (state !== 'works') {
      const why =
        state === undefined
          ? 'cannot be read as this backend’s secret'
          : state === 'unknown'
            ? 'cannot be checked'
            : state === 'refused'
              ? 'are refused'
              : `belong to an account that is ${state}`;
      throw new PreconditionError(
        `${label}: the credentials of ACSPrevious (version ${previous.versionId}) ${why}; ACSCurrent stays where it is`,
      );
    }
    const store = context.store();
    await store.moveStage(view.secretName, Stage.Current, previous.versionId, current.versionId);
    // KMS may or may not hand ACSPrevious to the version ACSCurrent left: make sure it does.
    const after = await store.listVersions(view.secretName);
    const previousHolder = after.find((v) => v.stages.includes(Stage.Previous));
    if (previousHolder?.versionId !== current.versionId) {
      await store.moveStage(view.secretName, Stage.Previous, current.versionId, previousHolder?.versionId);
    }
    const account = await accountNameOf(context, view.secretName, previous);
    context.output.out(
      `rolled back: ACSCurrent is version ${previous.versionId} (${account ?? 'account unknown'}); ACSPrevious is ${current.versionId}.`,
    );
    return 0;
  },
});
