/**
 * `status <SecretName> [--instance-id ID] [--json]` (CONTRACT: CLI): the secret's versions and
 * stages, and where its rotation stands — idle, rotating (an ACSPending younger than 15 minutes) or
 * stuck (older) — with what was found (does the pending version log in?) and the exact command that
 * finishes or cancels it. Exit 3 when stuck. Reads only; never prints a password.
 */
import { z } from 'zod';
import { TransientError } from '../../errors.js';
import { defineCommand, INSTANCE_ID_HELP, InstanceIdFlag, SecretNameArg } from '../command.js';
import type { CliContext } from '../context.js';
import { previousAccountSessions } from '../previous-sessions.js';
import { accountNameOf, backendOf, isoTime, loginStateOf, readSecretView, type SecretView } from '../secret-view.js';

/** An ACSPending older than this is no longer a rotation under way. */
export const STUCK_AFTER_MS = 15 * 60_000;

export interface StatusReport {
  SecretName: string;
  State: 'idle' | 'rotating' | 'stuck';
  Current: { VersionId: string; AccountName: string | null; CreateTime: string | null } | null;
  Pending: null | { VersionId: string; AccountName: string | null; CreateTime: string | null; LogsIn: boolean | null };
  Previous: null | { VersionId: string; AccountName: string | null };
  /** Sessions still open on the ACSPrevious account, whose password the next rotation changes; null when unknown here. */
  PreviousSessions: number | null;
  Versions: { VersionId: string; Stages: string[]; CreateTime: string | null }[];
  Advice: string;
}

function commandFor(verb: string, view: SecretView, extra = ''): string {
  return `fc-secret-rotation ${verb} ${view.secretName}${view.instanceId ? ` --instance-id ${view.instanceId}` : ''}${extra}`;
}

export async function statusOf(context: CliContext, view: SecretView, now = Date.now()): Promise<StatusReport> {
  const { current, pending, previous } = view;
  let logsIn: boolean | null = null;
  if (pending && pending.versionId !== current?.versionId) {
    let state: Awaited<ReturnType<typeof loginStateOf>>;
    try {
      state = await loginStateOf(context, await backendOf(context, view), view, pending);
    } catch (err) {
      // No network path from here to the database: the status is still worth showing, without the login.
      if (!(err instanceof TransientError)) throw err;
      state = undefined;
    }
    logsIn = state === undefined || state === 'unknown' ? null : state === 'works';
  }
  const pendingAge = pending?.createdAt === undefined ? Infinity : now - pending.createdAt;
  const state: StatusReport['State'] =
    !pending || pending.versionId === current?.versionId ? 'idle' : pendingAge < STUCK_AFTER_MS ? 'rotating' : 'stuck';
  const advice =
    state === 'idle'
      ? `no rotation under way; rotate now with: ${commandFor('rotate', view)}`
      : state === 'rotating'
        ? `a rotation started ${Math.round(pendingAge / 60_000)} min ago is under way; look again with: ${commandFor('status', view)}`
        : logsIn === true
          ? `the pending version logs in; finish the rotation with: ${commandFor('recover', view)}`
          : `the pending version ${logsIn === false ? 'does not log in' : 'could not be checked'}; finish the rotation (set creates or updates its account) with: ${commandFor('recover', view)}, or cancel it with: ${commandFor('recover', view, ' --cancel')}`;
  return {
    SecretName: view.secretName,
    State: state,
    Current: current
      ? {
          VersionId: current.versionId,
          AccountName: await accountNameOf(context, view.secretName, current),
          CreateTime: isoTime(current.createdAt),
        }
      : null,
    Pending:
      pending && state !== 'idle'
        ? {
            VersionId: pending.versionId,
            AccountName: await accountNameOf(context, view.secretName, pending),
            CreateTime: isoTime(pending.createdAt),
            LogsIn: logsIn,
          }
        : null,
    Previous: previous ? { VersionId: previous.versionId, AccountName: await accountNameOf(context, view.secretName, previous) } : null,
    PreviousSessions: await previousAccountSessions(context, view),
    Versions: view.versions.map((v) => ({ VersionId: v.versionId, Stages: [...v.stages].sort(), CreateTime: isoTime(v.createdAt) })),
    Advice: advice,
  };
}

function printText(context: CliContext, report: StatusReport): void {
  const out = context.output.out;
  const yesNo = (v: boolean | null) => (v === null ? 'unknown' : v ? 'yes' : 'no');
  out(`secret    ${report.SecretName}`);
  out(`state     ${report.State}`);
  if (report.Current)
    out(`current   ${report.Current.VersionId}  ${report.Current.AccountName ?? '?'}  created ${report.Current.CreateTime ?? '?'}`);
  if (report.Pending) {
    out(
      `pending   ${report.Pending.VersionId}  ${report.Pending.AccountName ?? '?'}  created ${report.Pending.CreateTime ?? '?'}  logs in: ${yesNo(report.Pending.LogsIn)}`,
    );
  }
  if (report.Previous) {
    const sessions = report.PreviousSessions === null ? '' : `  open sessions: ${report.PreviousSessions}`;
    out(`previous  ${report.Previous.VersionId}  ${report.Previous.AccountName ?? '?'}${sessions}`);
  }
  out('versions');
  for (const v of report.Versions) out(`  ${v.VersionId.padEnd(38)} ${(v.Stages.join(', ') || '(none)').padEnd(26)} ${v.CreateTime ?? ''}`);
  out(`advice    ${report.Advice}`);
}

export const statusCommand = defineCommand({
  name: 'status',
  usage: 'status <SecretName> [--instance-id ID] [--json]',
  summary: 'where a secret’s rotation stands: idle, rotating or stuck, and what to do',
  help: [
    'Prints the versions and their stages, the account each holds and when ACSCurrent was created, and',
    'the rotation state: idle, rotating (ACSPending younger than 15 minutes) or stuck (older), whether the',
    'pending version logs in, and the command that finishes or cancels it. Exit 3 when stuck.',
    INSTANCE_ID_HELP,
    '--json         one JSON object: {SecretName, State, Current, Pending, Previous, PreviousSessions, Versions, Advice}',
  ].join('\n'),
  options: { 'instance-id': { type: 'string' }, json: { type: 'boolean' } },
  positionals: ['SecretName'],
  flags: z.object({ SecretName: SecretNameArg, 'instance-id': InstanceIdFlag, json: z.boolean().optional() }),
  async run(flags, context) {
    const view = await readSecretView(context, flags.SecretName, flags['instance-id']);
    const report = await statusOf(context, view);
    if (flags.json) context.output.out(JSON.stringify(report));
    else printText(context, report);
    return report.State === 'stuck' ? 3 : 0;
  },
});
