/**
 * Clients still on the previous account (issue 14, item 6): with alternating accounts, rotation N+1
 * changes the password of the account that was ACSPrevious, and a client that never picked up
 * rotation N (a long cache, a pool never refreshed) fails at its next new connection. Before `set`
 * changes that password, this counts the account's open sessions on the server through the master's
 * session. A master without PROCESS (or SUPER) sees only its own sessions, so the count would be a
 * silent zero: then it says it cannot see, and the caller warns rather than trusting the zero.
 */
import { z } from 'zod';
import { bound, verbatim } from './sql.js';
import type { Session } from './connection.js';

export type SessionCount = { visible: true; count: number } | { visible: false };

const CountRow = z.object({ n: z.coerce.number().int().min(0) });
const GrantRow = z.record(z.string(), z.unknown());

/** Whether the session's own grants let it see every thread: PROCESS, SUPER or ALL on *.*. */
export function grantsSeeAllThreads(grantLines: readonly string[]): boolean {
  return grantLines.some((line) => {
    const global = /^GRANT (.+?) ON \*\.\* TO /i.exec(line);
    if (!global?.[1]) return false;
    const privileges = global[1].split(',').map((p) => p.trim().toUpperCase());
    return privileges.some((p) => p === 'PROCESS' || p === 'SUPER' || p === 'ALL' || p === 'ALL PRIVILEGES');
  });
}

/** The open sessions of `user` (any host) other than this one, as the master sees them. */
export async function countSessions(session: Session, user: string): Promise<SessionCount> {
  const grants = (await session.query(verbatim('SHOW GRANTS'))).map((row) => String(Object.values(GrantRow.parse(row))[0] ?? ''));
  if (!grantsSeeAllThreads(grants)) return { visible: false };
  const rows = await session.query(
    bound('SELECT COUNT(*) AS n FROM information_schema.PROCESSLIST WHERE USER = ? AND ID <> CONNECTION_ID()', user),
  );
  return { visible: true, count: CountRow.parse(rows[0] ?? { n: 0 }).n };
}
