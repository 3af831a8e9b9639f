// Not part of the suite (no .test.ts): run by secret-guard.test.ts in a child vitest. It registers
// the three passwords it is given and leaks each through another channel, never raw to its own
// output, so a raw password in the run's output could only come from the guard's message.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { it } from 'vitest';
import { registerSecret } from '../support/secret-registry.js';

const [viaStdout = '', viaConsole = '', viaChild = ''] = (process.env['LEAK_GUARD_PASSWORDS'] ?? '').split('\n');

it('leaks through process.stdout, console.log and a child process it collects', async () => {
  for (const p of [viaStdout, viaConsole, viaChild]) registerSecret(p);
  process.stdout.write(`leaking ${encodeURIComponent(viaStdout)}\n`);
  console.log(JSON.stringify({ AccountPassword: viaConsole }));
  // Collected by the test, not printed: only the guard's tap on the child's pipe sees it.
  await promisify(execFile)(process.execPath, ['-e', 'process.stdout.write(process.argv[1])', viaChild]);
});
