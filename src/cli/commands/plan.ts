/**
 * `plan <SecretName> [--instance-id ID] [--json]` (CONTRACT: CLI): a dry run. Reads the secret, runs
 * every check `new` and `set` would run, and prints what a rotation would do: the KMS calls, then the
 * RDS API calls or the exact SQL statements (identifiers quoted as they would be, every password
 * `<redacted>`). Changes nothing anywhere; a rotation that would be refused fails here with the
 * same error (exit 1). The plan comes from the steps' and backends' own code (planRotation,
 * Backend.preview), not from a second description that could drift from `set`.
 */
import { z } from 'zod';
import { createLogger, SecretMask } from '../../log.js';
import { planRotation, type RotationPreview } from '../../steps/index.js';
import { defineCommand, INSTANCE_ID_HELP, InstanceIdFlag, SecretNameArg } from '../command.js';
import type { CliContext } from '../context.js';
import { functionLogSink } from '../in-process.js';
import { backendOf, readSecretView } from '../secret-view.js';

function printPlan(context: CliContext, plan: RotationPreview, mask: SecretMask): void {
  // Nothing in a plan holds a password; the mask is the second guard, as in the function's logs.
  const out = (line: string) => context.output.out(mask.apply(line));
  out(
    `plan for secret ${plan.SecretName} (${plan.Backend === 'rds-api' ? 'RDS API backend' : 'self-managed MySQL'}): ${plan.CurrentAccount} -> ${plan.PendingAccount}`,
  );
  if (plan.PendingVersionId) out(`reuses the pending version ${plan.PendingVersionId} an earlier attempt staged`);
  out('KMS:');
  for (const call of plan.Kms) out(`  ${call.step.padEnd(4)} ${call.action.padEnd(25)} ${call.detail}`);
  out(plan.Backend === 'rds-api' ? 'RDS API (set):' : 'SQL through the master account (set):');
  for (const change of plan.Changes) {
    if (change.kind === 'sql') out(`  ${change.statement};`);
    else if (change.kind === 'rds')
      out(
        `  ${change.action} ${Object.entries(change.params)
          .map(([k, v]) => `${k}=${v}`)
          .join(' ')}`,
      );
    else out(`  (${change.text})`);
  }
  out('nothing was changed.');
}

export const planCommand = defineCommand({
  name: 'plan',
  usage: 'plan <SecretName> [--instance-id ID] [--json]',
  summary: 'dry run: the checks a rotation would make and the KMS calls, RDS calls or SQL it would run',
  help: [
    'Reads the secret and runs every safety check new and set would run, then prints the KMS calls and the RDS API',
    'calls or SQL statements a rotation would make (passwords <redacted>). Changes nothing. Exit 1, with the',
    'refusal, when a rotation would be refused.',
    INSTANCE_ID_HELP,
    '--json         the plan as one JSON object: {SecretName, Backend, CurrentAccount, PendingAccount, Kms, Changes}',
  ].join('\n'),
  options: { 'instance-id': { type: 'string' }, json: { type: 'boolean' } },
  positionals: ['SecretName'],
  flags: z.object({ SecretName: SecretNameArg, 'instance-id': InstanceIdFlag, json: z.boolean().optional() }),
  async run(flags, context) {
    const view = await readSecretView(context, flags.SecretName, flags['instance-id']);
    const mask = new SecretMask();
    const plan = await planRotation({
      secretName: flags.SecretName,
      requestId: `plan-${Date.now().toString(36)}`,
      store: context.store(),
      backend: await backendOf(context, view),
      passwordConfig: context.config,
      log: createLogger({ mask, sink: functionLogSink(context), debug: context.debug }),
      mask,
    });
    if (flags.json) context.output.out(mask.apply(JSON.stringify(plan)));
    else printPlan(context, plan, mask);
    return 0;
  },
});
