/**
 * How an emulator runs from a command line: the flags every emulator takes (--host, --port,
 * --access-key), each emulator's own flags checked with zod at this one boundary, and serving until
 * a signal. Prints the endpoint and nothing else on stdout (a caller may read it there). A refused
 * flag is named with its rule, never echoed: --access-key and --instance can hold secrets.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { z } from 'zod';
import { describeIssues } from '../../zod-issues.js';
import type { ListenOptions } from './acs-rpc/server.js';
import type { CallRecord } from './faults.js';

/** A running emulator, as far as its command line needs to know it. */
export interface Served {
  readonly endpoint: string;
  close(): Promise<void>;
}

/** One emulator's command as its module defines it: its own flags, their schema, and how to start it. */
export interface EmulatorSpec<Flags> {
  readonly name: string;
  readonly summary: string;
  readonly defaultPort: number;
  /** The emulator's own parseArgs options, beside the common ones. */
  readonly options: NonNullable<ParseArgsConfig['options']>;
  /** The emulator's own flags as parseArgs returns them, checked and typed. */
  readonly flags: z.ZodType<Flags>;
  start(flags: Flags, listen: ListenOptions<CallRecord>): Promise<Served>;
}

/** `serve.ts <name> [flags]`: an emulator's command, whatever its flags' type. */
export interface EmulatorCommand {
  readonly name: string;
  readonly summary: string;
  readonly defaultPort: number;
  /** Parses `args` (unknown flags are an error) and starts the emulator. */
  start(args: readonly string[]): Promise<Served>;
}

const CommonFlags = z.object({
  host: z.string().min(1, '--host takes a host name or address').optional(),
  port: z
    .string()
    .regex(/^\d{1,5}$/, '--port takes a port number')
    .transform(Number)
    .pipe(z.number().max(65535, '--port takes a port number')),
  'access-key': z.array(z.string().regex(/^[^:]+:.*$/, '--access-key takes ID:SECRET')).optional(),
});

export function emulatorCommand<Flags>(spec: EmulatorSpec<Flags>): EmulatorCommand {
  return {
    name: spec.name,
    summary: spec.summary,
    defaultPort: spec.defaultPort,
    async start(args) {
      const { values } = parseArgs({
        args: [...args],
        strict: true,
        allowPositionals: false,
        options: {
          host: { type: 'string' },
          port: { type: 'string', default: String(spec.defaultPort) },
          'access-key': { type: 'string', multiple: true },
          ...spec.options,
        },
      });
      const { host, port, 'access-key': accessKey, ...own } = values;
      const common = checked(CommonFlags, { host, port, 'access-key': accessKey });
      return spec.start(checked(spec.flags, own), listenSettings(common));
    },
  };
}

function checked<T>(schema: z.ZodType<T>, values: unknown): T {
  const result = schema.safeParse(values);
  if (!result.success) throw new Error(describeIssues(result.error, 'flags'));
  return result.data;
}

function listenSettings(flags: z.infer<typeof CommonFlags>): ListenOptions<CallRecord> {
  const settings: ListenOptions<CallRecord> = { port: flags.port };
  if (flags.host !== undefined) settings.host = flags.host;
  const pairs = flags['access-key'] ?? [];
  if (pairs.length > 0) {
    settings.accessKeys = Object.fromEntries(pairs.map((pair) => [pair.slice(0, pair.indexOf(':')), pair.slice(pair.indexOf(':') + 1)]));
  }
  return settings;
}

/** Prints the endpoint (and nothing else) and serves until SIGINT/SIGTERM. */
export function serveUntilSignalled(served: Served): void {
  console.log(served.endpoint);
  const stop = (): void => void served.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
