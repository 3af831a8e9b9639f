// A stand-in for FC's Node.js runtime, for the bundle tests: a process of its own, whose environment
// is the function's configuration, that loads dist/index.js with require() and calls handler(event,
// context) for each message from its parent. Stdout carries only the function's own log lines; results
// and errors (name, constructor name, message: what FC reports) travel back over the IPC channel.
// A message {id, loaded: true} is answered with the files loaded so far (require.cache's keys), so a
// test can tell which of dist/'s files an invocation made the process read.
import { createRequire } from 'node:module';
import { resolve } from 'node:path';

const require = createRequire(import.meta.url);
const { handler } = require(resolve(process.argv[2] ?? 'dist/index.js'));

process.on('message', async ({ id, event, context, loaded }) => {
  if (loaded) {
    process.send({ id, result: Object.keys(require.cache) });
    return;
  }
  try {
    const result = await handler(Buffer.from(event, 'base64'), context);
    process.send({ id, result });
  } catch (err) {
    process.send({
      id,
      error: {
        isError: err instanceof Error,
        name: err.name,
        constructorName: err.constructor?.name,
        message: err.message,
        stack: err.stack,
      },
    });
  }
});
process.on('disconnect', () => process.exit(0));
process.send({ ready: true });
