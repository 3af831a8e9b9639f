/**
 * The function run in this process, as `rotate --local` and `recover` use it: the real handler with
 * the CLI's environment (KMS at the CLI's endpoint, which is the public one unless KMS_ENDPOINT says
 * otherwise) and no FC context credentials, so it takes Alibaba's default chain as the CLI does.
 */
import type { Environment } from '../config.js';
import { cliKmsEndpoint, type CliContext } from './context.js';

export function functionEnvironment(context: CliContext): Environment {
  const kms = cliKmsEndpoint(context.env, context.region);
  return { ...context.env, KMS_ENDPOINT: `${kms.protocol}://${kms.host}` };
}

/** The function's log lines go to stderr with --debug, nowhere otherwise: the command prints its own progress. */
export function functionLogSink(context: CliContext): (line: string) => void {
  return context.debug ? (line) => context.output.err(line) : () => {};
}
