/**
 * For `status`: how many sessions are still open on the account ACSPrevious holds, the account whose
 * password the next rotation changes (README: Clients still on the previous account). Counted through
 * the master of a self-managed secret with alternating accounts, as `set` counts them; null whenever
 * that cannot be known here (RDS, one account, no master, a master without PROCESS, no network path).
 */
import { withConnection } from '../backends/mysql/connection.js';
import { countSessions } from '../backends/mysql/sessions.js';
import { createLogger } from '../log.js';
import { MasterSecretSchema, parseSecret, parseSecretJson, Stage } from '../secrets/schema.js';
import type { CliContext } from './context.js';
import { accountOf, backendOf, type SecretView } from './secret-view.js';

export async function previousAccountSessions(context: CliContext, view: SecretView): Promise<number | null> {
  if (view.instanceId || !view.current || !view.previous || view.previous.versionId === view.current.versionId) return null;
  const backend = await backendOf(context, view);
  const current = await accountOf(context, backend, view, view.current);
  const previous = await accountOf(context, backend, view, view.previous);
  if (!current?.masterSecret || current.strategy !== 'alternate' || !previous || previous.account.user === current.account.user)
    return null;
  try {
    const value = await context.store().find(current.masterSecret, { stage: Stage.Current });
    if (!value) return null;
    const label = `master secret ${current.masterSecret}`;
    const master = parseSecret(MasterSecretSchema, parseSecretJson(value.data, label), label);
    const log = createLogger({ sink: context.debug ? (line) => context.output.err(line) : () => {} });
    const counted = await withConnection(
      { user: master.AccountName, password: master.AccountPassword, endpoint: master.Endpoint, port: master.Port, ssl: master.SSL },
      { ca: context.config.mysqlCa, log, label: `secret ${view.secretName}` },
      (session) => countSessions(session, previous.account.user),
    );
    return counted.visible ? counted.count : null;
  } catch {
    // A status is worth showing without this count: the master may be out of reach from here.
    return null;
  }
}
