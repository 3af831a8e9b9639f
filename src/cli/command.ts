/**
 * How one CLI command is declared and parsed: its usage line, its parseArgs options, its positional
 * arguments, and a zod schema that checks and types them at this one boundary. Every command takes
 * `--region R`, `--help` and `--debug`. Unknown flags, missing or extra arguments and values that
 * fail the schema are UsageErrors (exit 2); a message names the flag, never echoes its value.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { z } from 'zod';
import { describeIssues } from '../zod-issues.js';
import type { CliContext } from './context.js';

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export type OptionsConfig = NonNullable<ParseArgsConfig['options']>;

export interface CommandSpec<Flags> {
  /** `rotate`, or `flow validate` for a sub-command. */
  readonly name: string;
  readonly usage: string;
  readonly summary: string;
  /** What `--help` prints under the usage line. */
  readonly help: string;
  readonly options: OptionsConfig;
  /** Names of the positional arguments, in order; all required. */
  readonly positionals: readonly string[];
  /** true: the command touches no cloud API, so it needs no region (flow validate). */
  readonly regionless?: boolean;
  /** Checks `{...flags, ...positionals by name}`; its messages name the flag. */
  readonly flags: z.ZodType<Flags>;
  run(flags: Flags, context: CliContext): Promise<number>;
}

/** A command whatever its flags' type, as the dispatcher holds them. */
export interface Command {
  readonly name: string;
  readonly usage: string;
  readonly summary: string;
  readonly help: string;
  /** Parses `args` (after the command's name) and runs the command. */
  parse(args: readonly string[]): { global: GlobalFlags; run: (context: CliContext) => Promise<number> } | 'help';
  readonly regionless: boolean;
}

export interface GlobalFlags {
  region: string | undefined;
  debug: boolean;
}

const GLOBAL_OPTIONS: OptionsConfig = {
  region: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
  debug: { type: 'boolean' },
};

const Region = z
  .string()
  .regex(/^[a-z]{2,}(-[a-z0-9]+)+$/, '--region takes a region such as cn-hangzhou')
  .optional();

export function defineCommand<Flags>(spec: CommandSpec<Flags>): Command {
  return {
    name: spec.name,
    usage: spec.usage,
    summary: spec.summary,
    help: spec.help,
    regionless: spec.regionless ?? false,
    parse(args) {
      let parsed: ReturnType<typeof parseArgs>;
      try {
        parsed = parseArgs({ args: [...args], strict: true, allowPositionals: true, options: { ...GLOBAL_OPTIONS, ...spec.options } });
      } catch (err) {
        // parseArgs names the flag ("Unknown option '--x'"); it never quotes another flag's value.
        throw new UsageError(err instanceof Error ? (err.message.split('\n')[0] ?? 'bad flags') : 'bad flags');
      }
      const { region, help, debug, ...own } = parsed.values as Record<string, unknown>;
      if (help === true) return 'help';
      const positionals = parsed.positionals;
      if (positionals.length < spec.positionals.length) {
        throw new UsageError(
          `missing ${spec.positionals
            .slice(positionals.length)
            .map((p) => `<${p}>`)
            .join(' ')}`,
        );
      }
      if (positionals.length > spec.positionals.length)
        throw new UsageError(`unexpected argument after ${spec.usage.split(' ')[0] ?? 'the command'}`);
      const regionResult = Region.safeParse(region);
      if (!regionResult.success) throw new UsageError(describeIssues(regionResult.error, '--region'));
      const named = Object.fromEntries(spec.positionals.map((name, i) => [name, positionals[i]]));
      const result = spec.flags.safeParse({ ...own, ...named });
      if (!result.success) throw new UsageError(describeIssues(result.error, 'flags'));
      const flags = result.data;
      return { global: { region: regionResult.data, debug: debug === true }, run: (context) => spec.run(flags, context) };
    },
  };
}

/** A secret name as the function accepts it, named in messages as the argument. */
export const SecretNameArg = z
  .string()
  .min(1)
  .max(192)
  .regex(/^[A-Za-z0-9_/+=.@-]+$/, '<SecretName>: letters, digits and _/+=.@- only');

export const InstanceIdFlag = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,64}$/, '--instance-id takes an RDS instance id such as rm-...')
  .optional();

/** The `--instance-id` line of the help of every command that reads a secret. */
export const INSTANCE_ID_HELP =
  '--instance-id  the RDS instance of an RDS API secret (default: the secret’s <ROTATION_TAG_KEY>-instance tag)';
