/**
 * `fc-secret-rotation <command> ...`: the operator CLI's dispatcher (CONTRACT: CLI). Finds the
 * command, parses its flags at one boundary, builds the context, runs it, and turns every outcome
 * into an exit code: 0 done, 1 failed or refused, 2 usage error, 3 (`status`) a stuck rotation.
 * An error is one line on stderr, its name and message (which never carry a value); the stack only
 * with --debug.
 */
import type { Environment } from '../config.js';
import { RotationError } from '../errors.js';
import { UsageError, type Command } from './command.js';
import { createContext, type CliOutput } from './context.js';
import { emulateCommand } from './commands/emulate.js';
import { flowRunCommand, flowValidateCommand } from './commands/flow.js';
import { planCommand } from './commands/plan.js';
import { recoverCommand } from './commands/recover.js';
import { rollbackCommand } from './commands/rollback.js';
import { rotateCommand } from './commands/rotate.js';
import { statusCommand } from './commands/status.js';

export const EXIT = { done: 0, failed: 1, usage: 2, stuck: 3 } as const;

const COMMANDS: readonly Command[] = [
  rotateCommand,
  statusCommand,
  recoverCommand,
  rollbackCommand,
  planCommand,
  emulateCommand,
  flowValidateCommand,
  flowRunCommand,
];

function overview(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    'usage: fc-secret-rotation <command> [flags]   (every command takes --region R, --help, --debug)',
    '',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Endpoints from KMS_ENDPOINT, RDS_ENDPOINT, CLOUDFLOW_ENDPOINT; region from --region or ALIBABA_CLOUD_REGION_ID;',
    "credentials from Alibaba's default chain (ALIBABA_CLOUD_ACCESS_KEY_ID, ...). `fc-secret-rotation <command> --help` for one command.",
  ].join('\n');
}

/** The command named by the first one or two arguments (`flow validate`), and the rest. */
function find(args: readonly string[]): { command: Command; rest: readonly string[] } | undefined {
  for (const command of COMMANDS) {
    const words = command.name.split(' ');
    if (words.every((word, i) => args[i] === word)) return { command, rest: args.slice(words.length) };
  }
  return undefined;
}

/** Failures outside our errors that still deserve their own words: they hold no value. */
function knownFailure(err: unknown): string | undefined {
  const e = err as { code?: unknown; port?: unknown } | undefined;
  if (e?.code === 'EADDRINUSE') return `port ${String(e.port ?? '')} is in use; choose another with the command's --*-port flag`;
  return undefined;
}

export async function main(args: readonly string[], env: Environment, output: CliOutput): Promise<number> {
  if (args.length === 0 || args[0] === '--help' || args[0] === '-h' || args[0] === 'help') {
    (args.length === 0 ? output.err : output.out)(overview());
    return args.length === 0 ? EXIT.usage : EXIT.done;
  }
  const found = find(args);
  if (!found) {
    output.err(`fc-secret-rotation: unknown command ${JSON.stringify(args.slice(0, 2).join(' ').slice(0, 40))}\n\n${overview()}`);
    return EXIT.usage;
  }
  const { command, rest } = found;
  const debug = rest.includes('--debug');
  try {
    const parsed = command.parse(rest);
    if (parsed === 'help') {
      output.out(`usage: fc-secret-rotation ${command.usage}\n\n${command.help}`);
      return EXIT.done;
    }
    const context = createContext({
      region: parsed.global.region,
      env,
      output,
      debug: parsed.global.debug,
      regionless: command.regionless,
    });
    return await parsed.run(context);
  } catch (err) {
    if (err instanceof UsageError) {
      output.err(`fc-secret-rotation ${command.name}: ${err.message}\nusage: fc-secret-rotation ${command.usage}`);
      return EXIT.usage;
    }
    const name = err instanceof Error ? err.name : 'Error';
    // Our errors' messages never carry a value; a library's might, so only its name is printed.
    const known = knownFailure(err);
    const message =
      err instanceof RotationError ? err.message : (known ?? (debug && err instanceof Error ? err.message : 'failed unexpectedly'));
    output.err(`fc-secret-rotation ${command.name}: ${name}: ${message}`);
    if (debug && err instanceof Error && err.stack) output.err(err.stack);
    return EXIT.failed;
  }
}
