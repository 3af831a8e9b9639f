#!/usr/bin/env node
// The package's bin (CONTRACT: CLI): loads the TypeScript CLI through tsx, so a clone runs it after
// `npm ci` with nothing to build. Output and exit code come from src/cli/main.ts.
import { register } from 'tsx/esm/api';

register();
// `... | head` closes the pipe early: that ends the output, it is not a failure.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw err;
  });
}
const { main } = await import('../src/cli/main.ts');
const output = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
  isTTY: Boolean(process.stderr.isTTY),
};
process.exitCode = await main(process.argv.slice(2), process.env, output);
