/**
 * `npm start [-- --scenario mysql|rds] [-- --due N]`: the deployed flow, run on this machine. The
 * shipped `flows/rotate-secret.yaml` (or, with `--due N`, `flows/rotate-due.yaml` over N tagged demo
 * secrets) is executed by the local CloudFlow runner, the real handler in-process, against the
 * embedded KMS (and RDS) emulators and the local MySQL/MariaDB (MYSQL_URL, default
 * mysql://root@127.0.0.1:3306). The execution is printed as the console shows it, then the outcome
 * is checked, and everything made is removed. Never prints a password.
 */
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { describeIssues } from '../../zod-issues.js';
import { adminConnection, serverFromUrl } from '../fixtures/mysql-sandbox.js';
import { runDueDemo } from './due.js';
import { runSingleDemo } from './single.js';

const Flags = z.object({
  scenario: z.enum(['mysql', 'rds'], {
    error: () => '--scenario must be mysql (self-managed MySQL, the default) or rds (RDS API backend)',
  }),
  due: z
    .string()
    .regex(/^\d+$/, '--due takes a number of demo secrets')
    .transform(Number)
    .pipe(z.number().int().min(1, '--due takes at least 1').max(100, '--due takes at most 100'))
    .optional(),
});

async function main(): Promise<number> {
  const { values } = parseArgs({ options: { scenario: { type: 'string', default: 'mysql' }, due: { type: 'string' } } });
  const flags = Flags.safeParse(values);
  if (!flags.success) {
    console.error(describeIssues(flags.error, 'flags'));
    return 2;
  }
  const server = serverFromUrl();
  try {
    await (await adminConnection(server)).end();
  } catch (err) {
    const code = (err as { code?: string }).code ?? 'unknown error';
    console.error(`No MySQL/MariaDB answers at ${server.host}:${server.port} as ${server.user} (${code}).`);
    console.error(
      'Start one (e.g. `start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd`) or set MYSQL_URL=mysql://user:password@host:port',
    );
    return 1;
  }
  return flags.data.due !== undefined ? runDueDemo(server, flags.data.due) : runSingleDemo(server, flags.data.scenario);
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`demo failed: ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}`);
    process.exit(1);
  },
);
