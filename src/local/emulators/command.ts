/**
 * How an emulator runs from a command line: the flags every emulator takes (--host, --port,
 * --access-key), the one shape an emulator's command has, and serving until a signal. Prints the
 * endpoint and nothing else on stdout (a caller may read it there); never prints a secret.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { ListenOptions } from './acs-rpc/server.js';
import type { CallRecord } from './faults.js';

/** A running emulator, as far as its command line needs to know it. */
export interface Served {
  readonly endpoint: string;
  close(): Promise<void>;
}

/** One emulator's command: `serve.ts <name> [flags]`. */
export interface EmulatorCommand {
  readonly name: string;
  readonly summary: string;
  readonly defaultPort: number;
  /** The emulator's own flags, beside the common ones. */
  readonly options: NonNullable<ParseArgsConfig['options']>;
  /** Starts the emulator from the parsed flags (common ones already read into `listen`). */
  start(values: Record<string, unknown>, listen: ListenOptions<CallRecord>): Promise<Served>;
}

/** Parses `args` for `command` (unknown flags are an error) and starts it. */
export async function startFromArgs(command: EmulatorCommand, args: readonly string[]): Promise<Served> {
  const { values } = parseArgs({
    args: [...args],
    strict: true,
    allowPositionals: false,
    options: {
      host: { type: 'string' },
      port: { type: 'string', default: String(command.defaultPort) },
      'access-key': { type: 'string', multiple: true },
      ...command.options,
    },
  });
  return command.start(values, listenSettings(values));
}

function listenSettings(values: Record<string, unknown>): ListenOptions<CallRecord> {
  const accessKeys: Record<string, string> = {};
  for (const pair of (values['access-key'] as string[] | undefined) ?? []) {
    const at = pair.indexOf(':');
    if (at <= 0) throw new Error('--access-key takes ID:SECRET');
    accessKeys[pair.slice(0, at)] = pair.slice(at + 1);
  }
  const port = Number(values['port']);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error('--port takes a port number');
  const settings: ListenOptions<CallRecord> = { port };
  if (typeof values['host'] === 'string' && values['host'] !== '') settings.host = values['host'];
  if (Object.keys(accessKeys).length > 0) settings.accessKeys = accessKeys;
  return settings;
}

/** Prints the endpoint (and nothing else) and serves until SIGINT/SIGTERM. */
export function serveUntilSignalled(served: Served): void {
  console.log(served.endpoint);
  const stop = (): void => void served.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
