// Builds dist/index.js: one CommonJS file with every dependency inside (CONTRACT: Build and entry point).
// `node scripts/build.mjs --outdir <dir>` writes the same bundle elsewhere (tests build into a
// temporary directory so they never race on dist/); the default stays dist/.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';

const { values: args } = parseArgs({ options: { outdir: { type: 'string', default: 'dist' } } });
const outdir = args.outdir;

/*
 * No SDK debug output in the bundle. FC sends whatever the function writes to stdout or stderr to
 * its logs, so anything a library prints when an environment variable asks it to is a log line.
 *
 * 1. The `debug` package. httpx (the HTTP client under the Alibaba SDKs we bundle, through
 *    @alicloud/tea-typescript and @darabonba/typescript) logs through `debug` under the namespaces
 *    `httpx:header` and `httpx:body`; with DEBUG=* (or DEBUG=httpx:*) it writes every request's raw
 *    header block to stderr: `x-acs-security-token` (the STS token from FC's context credentials),
 *    `x-acs-accesskey-id`, Authorization, and the request line, whose query string carries an RPC
 *    call's parameters (RDS ResetAccountPassword's AccountPassword, the new password).
 *    @alicloud/credentials (`sign`) and the proxy agents log through it too.
 *    `debug` decides at run time from process.env.DEBUG (and exposes enable()), so instead of a
 *    `define` for one expression, the package itself is replaced by a module whose loggers are
 *    never enabled and print nothing: no environment and no call can switch them on. Our own
 *    logger (src/log.ts, LOG_LEVEL=debug) does not use `debug` and is untouched.
 *
 * 2. Node's own NODE_DEBUG. Node core, not the bundle, reads it once at process start-up, so
 *    nothing in the bundle can turn it off; but its http, https and net channels print the options
 *    an http.Agent is handed for a new connection, and Node hands the agent the whole request
 *    options, headers included: NODE_DEBUG=http (or https, net) prints `x-acs-security-token`.
 *    The agent never uses those headers (the request object sends them), so the SDKs get `http`
 *    and `https` modules whose Agent drops `headers` before it opens or reuses a connection.
 *    Only imports from node_modules are redirected; FC's runtime, which shares the process, keeps
 *    Node's modules as they are. Other NODE_DEBUG channels (stream, fs, ...) are Node's
 *    diagnostics of itself and are not meant to be enabled on a function.
 */
const DEBUG_NOOP = `
function noop() {}
function createDebug(namespace) {
  const logger = function debug() {};
  logger.namespace = String(namespace);
  logger.useColors = false;
  logger.color = 0;
  logger.diff = 0;
  logger.log = noop;
  logger.destroy = function () { return false; };
  logger.extend = function (sub, delimiter) {
    return createDebug(logger.namespace + (delimiter === undefined ? ':' : delimiter) + sub);
  };
  Object.defineProperty(logger, 'enabled', { get: function () { return false; }, set: noop });
  return logger;
}
createDebug.debug = createDebug;
createDebug.default = createDebug;
createDebug.enable = noop;
createDebug.disable = function () { return ''; };
createDebug.enabled = function () { return false; };
createDebug.coerce = function (val) { return val instanceof Error ? val.stack || val.message : val; };
createDebug.humanize = function (ms) { return String(ms) + 'ms'; };
createDebug.selectColor = function () { return 0; };
createDebug.log = noop;
createDebug.formatArgs = noop;
createDebug.save = noop;
createDebug.load = function () { return undefined; };
createDebug.useColors = function () { return false; };
createDebug.init = noop;
createDebug.names = [];
createDebug.skips = [];
createDebug.formatters = {};
createDebug.colors = [];
createDebug.inspectOpts = {};
module.exports = createDebug;
`;

/** `http`/`https` for the SDKs: Node's module, with an Agent that never holds a request's headers. */
const headerlessAgentModule = (name) => `
const core = require('node:${name}');
class Agent extends core.Agent {
  addRequest(req, options, ...rest) {
    if (options !== null && typeof options === 'object' && 'headers' in options) {
      const { headers, ...withoutHeaders } = options;
      options = withoutHeaders;
    }
    return super.addRequest(req, options, ...rest);
  }
}
const wrapped = Object.defineProperties({}, Object.getOwnPropertyDescriptors(core));
Object.defineProperty(wrapped, 'Agent', { value: Agent, enumerable: true, writable: true, configurable: true });
module.exports = wrapped;
`;

/** @type {import('esbuild').Plugin} */
const noSdkDebugOutput = {
  name: 'no-sdk-debug-output',
  setup(b) {
    b.onResolve({ filter: /^debug$/ }, () => ({ path: 'debug', namespace: 'no-sdk-debug' }));
    b.onLoad({ filter: /.*/, namespace: 'no-sdk-debug' }, () => ({ contents: DEBUG_NOOP, loader: 'js' }));
    b.onResolve({ filter: /^(node:)?https?$/ }, (a) => {
      if (a.namespace !== 'file' || !/[\\/]node_modules[\\/]/.test(a.importer)) return undefined;
      return { path: a.path.replace(/^node:/, ''), namespace: 'headerless-agent' };
    });
    b.onLoad({ filter: /.*/, namespace: 'headerless-agent' }, (a) => ({ contents: headerlessAgentModule(a.path), loader: 'js' }));
  },
};

await build({
  entryPoints: ['src/handler.ts'],
  outfile: join(outdir, 'index.js'),
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  // Error class names are the errorType CloudFlow's Retry/Catch rules match: never mangle them.
  keepNames: true,
  minifyWhitespace: true,
  minifySyntax: true,
  legalComments: 'none',
  logLevel: 'warning',
  plugins: [noSdkDebugOutput],
});

// The package is ESM ("type": "module"); this marks the bundle as CommonJS for Node and for FC.
await mkdir(outdir, { recursive: true });
await writeFile(join(outdir, 'package.json'), JSON.stringify({ type: 'commonjs' }) + '\n');
