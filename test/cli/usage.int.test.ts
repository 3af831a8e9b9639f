// The CLI's command line as a user meets it: --help everywhere, and every usage error exits 2 with
// one line naming the problem and the usage, before any credentials or network are needed.
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { runCli, type CliRun } from '../support/cli.js';

/** The dispatcher in this process, for the many cases that need no child: same parsing, same exit codes. */
async function inProcess(args: readonly string[], env: Record<string, string> = {}): Promise<CliRun> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(args, env, { out: (l) => out.push(l), err: (l) => err.push(l), isTTY: false });
  return { code, stdout: out.join('\n'), stderr: err.join('\n') };
}

const COMMANDS = ['rotate', 'status', 'recover', 'rollback', 'plan', 'emulate', 'flow validate', 'flow run'];

describe('fc-secret-rotation', () => {
  it('lists every command, and exits 2 when given none', async () => {
    const run = await runCli([]);
    expect(run.code).toBe(2);
    for (const command of COMMANDS) expect(run.stderr).toContain(`  ${command} `);
    const help = await runCli(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('usage: fc-secret-rotation <command>');
  });

  it('prints a command’s usage for --help and exits 2 on a usage error through the bin as well', async () => {
    const help = await runCli(['rotate', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^usage: fc-secret-rotation rotate <SecretName>/);
    const usage = await runCli(['status']);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/status: missing <SecretName>/);
  });

  it.each(COMMANDS)('%s --help prints its usage and exits 0', async (command) => {
    const run = await inProcess([...command.split(' '), '--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(new RegExp(`^usage: fc-secret-rotation ${command}`));
  });

  it.each([
    [['bogus'], /unknown command "bogus"/],
    [['status'], /status: missing <SecretName>/],
    [['status', 'a', 'b'], /unexpected argument/],
    [['status', 'a', '--bogus'], /Unknown option '--bogus'/],
    [['status', "a'; DROP", '--region', 'cn-hangzhou'], /<SecretName>: letters, digits/],
    [['status', 'a', '--region', 'hangzhou'], /--region takes a region such as cn-hangzhou/],
    [['status', 'a'], /no region: pass --region R or set ALIBABA_CLOUD_REGION_ID/],
    [['rotate', 'a', '--instance-id', 'rm 1', '--region', 'cn-hangzhou'], /--instance-id takes an RDS instance id/],
    [['rotate', 'a', '--flow', 'x y', '--region', 'cn-hangzhou'], /--flow takes a flow name/],
    [['rollback', 'a', '--region', 'cn-hangzhou'], /pass --yes to confirm/],
    [['emulate', '--kms-port', 'x', '--region', 'cn-hangzhou'], /--kms-port takes a port number/],
    [['flow', 'run', 'flows/rotate-secret.yaml', '--region', 'cn-hangzhou'], /--input takes the execution input/],
    [['flow', 'run', 'flows/rotate-secret.yaml', '--input', '[1]', '--region', 'cn-hangzhou'], /--input must be a JSON object/],
  ])('%j is a usage error (exit 2)', async (args, message) => {
    const run = await inProcess(args);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });

  it('validates a definition file: the shipped ones pass, a broken one is refused naming the state and field', async () => {
    const ok = await inProcess(['flow', 'validate', 'flows/rotate-many.yaml', '--region', 'cn-hangzhou']);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('valid (rotate-many');
    // It touches no cloud API: no region needed. The README's half-done rotation is a valid flow too.
    const example = await inProcess(['flow', 'validate', 'examples/local/half-rotation.yaml']);
    expect(example.code, example.stderr).toBe(0);
    const { writeFileSync, mkdtempSync } = await import('node:fs');
    const dir = mkdtempSync('/tmp/flow-');
    writeFileSync(
      `${dir}/bad.yaml`,
      'Type: StateMachine\nName: x\nSpecVersion: v1\nStartAt: A\nStates:\n  - Type: Pass\n    Name: A\n    Nxt: B\n',
    );
    const bad = await inProcess(['flow', 'validate', `${dir}/bad.yaml`, '--region', 'cn-hangzhou']);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(/A.*Nxt/);
  });
});
