/**
 * `flow validate <FILE>` and `flow run <FILE> --input JSON` (CONTRACT: CLI): the local CloudFlow
 * runner on any definition. `validate` lists every problem (state, field, message) and exits 1 if
 * there is one; `run` executes it with FC:InvokeFunction tasks calling this function in-process,
 * printing the execution as the console shows it, and exits 1 unless it ends Succeeded.
 */
import { z } from 'zod';
import { FlowDefinitionError, loadFlowFile } from '../../local/cloudflow/index.js';
import { runFlow } from '../../local/runner/flow.js';
import { defineCommand, UsageError } from '../command.js';
import { functionEnvironment, functionLogSink } from '../in-process.js';
import { executionPrinter } from '../progress.js';

const FileArg = z.string().min(1, '<FILE>: a flow definition file (YAML or JSON)');

export const flowValidateCommand = defineCommand({
  name: 'flow validate',
  usage: 'flow validate <FILE>',
  regionless: true,
  summary: 'check a CloudFlow definition against what the local runner implements',
  help: 'Reports every problem (unknown keys or state types, missing Next/End, unreachable or duplicate states, ...) with its state and field.',
  options: {},
  positionals: ['FILE'],
  flags: z.object({ FILE: FileArg }),
  async run(flags, context) {
    try {
      const definition = await loadFlowFile(flags.FILE);
      context.output.out(`${flags.FILE}: valid (${definition.Name}, ${definition.States.length} states)`);
      return 0;
    } catch (err) {
      if (!(err instanceof FlowDefinitionError)) throw err;
      for (const p of err.problems) context.output.out(`${flags.FILE}: ${[p.path, p.field].filter(Boolean).join(' ')}: ${p.message}`);
      return 1;
    }
  },
});

export const flowRunCommand = defineCommand({
  name: 'flow run',
  usage: 'flow run <FILE> --input JSON',
  summary: 'execute a CloudFlow definition locally, its tasks calling this function in-process',
  help: [
    'Runs the definition with the local CloudFlow runner; FC:InvokeFunction tasks call this function in this',
    'process with the CLI’s environment. Prints each event, then the result; exit 1 unless Succeeded.',
    '--input  the execution input, a JSON object',
  ].join('\n'),
  options: { input: { type: 'string' } },
  positionals: ['FILE'],
  flags: z.object({ FILE: FileArg, input: z.string({ error: () => '--input takes the execution input as a JSON object' }) }),
  async run(flags, context) {
    let input: unknown;
    try {
      input = JSON.parse(flags.input);
    } catch {
      throw new UsageError('--input is not valid JSON');
    }
    if (input === null || typeof input !== 'object' || Array.isArray(input)) throw new UsageError('--input must be a JSON object');
    const result = await runFlow({ path: flags.FILE }, input as Record<string, unknown>, {
      env: functionEnvironment(context),
      sink: functionLogSink(context),
      onEvent: executionPrinter(context.output),
    });
    context.output.out(
      JSON.stringify({
        Status: result.status,
        Output: result.output ?? null,
        Error: result.error ?? null,
        FailedStateInput: result.failedStateInput ?? null,
      }),
    );
    return result.status === 'Succeeded' ? 0 : 1;
  },
});
