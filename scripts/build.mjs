// Builds dist/: index.js, one CommonJS file holding the function and every dependency it runs on,
// plus a few vendor-*.js files holding third-party code that index.js requires only when a call needs
// it (CONTRACT: Build and entry point; dist/ is self-contained: no install step, no layer).
// `node scripts/build.mjs --outdir <dir>` writes the same bundle elsewhere (tests build into a
// temporary directory so they never race on dist/); the default stays dist/.
// `node scripts/build.mjs --single-file` writes the former single-file bundle (everything in
// index.js, nothing split or trimmed), for the bench's cold-start comparison; `--metafile <path>`
// writes esbuild's metafile of index.js there.
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';

const { values: args } = parseArgs({
  options: {
    outdir: { type: 'string', default: 'dist' },
    'single-file': { type: 'boolean', default: false },
    metafile: { type: 'string' },
  },
});
const outdir = args.outdir;
const singleFile = args['single-file'];
const ROOT = resolve(dirname(new URL(import.meta.url).pathname), '..');

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

/*
 * Cold start: what index.js does not hold. Every FC cold start of every step parses and runs
 * index.js; the self-managed path used to pay for the generated RDS SDK (5 MB) and for SDK
 * dependencies no call of it runs. Third-party modules only (no file of src/): each rule below takes
 * a module out of index.js into dist/<file>, and index.js gets a stand-in in its place:
 *
 * - `require`: `module.exports = require('./<file>')[key]`, for a module that is itself only
 *   required when it is used: the RDS SDK (behind clients.ts's import(), so only for an event with
 *   InstanceId), iconv-lite's codecs (loaded on the first string in a charset other than UTF-8),
 *   mysql2's SSL profiles (behind an `ssl` given as a profile name). esbuild evaluates a bundled
 *   CommonJS module on its first require, so the file is read then and only then.
 * - `deferred`: a module its importer requires at load time but only uses inside calls (lodash,
 *   moment, ws and the proxy agents under @darabonba/typescript's `ws`/proxy helpers, the XML
 *   parsers of the KMS SDKs' XML answers, mysql2's error-name table). The stand-in is a Proxy that
 *   requires the file on its first property access. It reports `__esModule` (so TypeScript's
 *   __importDefault/__importStar helpers keep it as it is, untouched) and maps `default` to the
 *   module itself, as those helpers would have.
 *
 * No class of ours crosses a file boundary: src/ (errors.ts and its RotationError classes, the
 * logger, the error mapping in src/alibaba/errors.ts) is only ever in index.js, so every
 * `instanceof RotationError` sees one class. What crosses is data and SDK objects used by duck type:
 * the RDS client built in index.js's client.ts from rds20140815's class, the credentials object
 * (openapi-core only calls getCredential() on it) and SDK errors, which src/alibaba/errors.ts reads
 * by their fields (code, data, statusCode), never by class; isSdkCastError compares with the global
 * Error, one across files. Each vendor file is built with the same no-debug-output plugin and holds
 * its own copies of what it needs, but for vendor-rds.js's deferred modules, which are stand-ins for
 * the same vendor files as index.js's; dist/ needs nothing outside it but Node's built-ins.
 *
 * Trimmed, not moved: zod's `locales` namespace (z.locales.*, 40 translations of its messages)
 * keeps only `en`, the default zod registers itself; src/ never selects another locale.
 */
const SPLIT = [
  // Imported by src/backends/rds/client.ts (the `importer` is relative to the repository root).
  { file: 'vendor-rds.js', mode: 'require', spec: /^@alicloud\/(rds20140815|openapi-core)$/, importer: /^src[\\/]/ },
  {
    file: 'vendor-iconv.js',
    mode: 'require',
    spec: /^\.\.\/encodings$/,
    path: /[\\/]iconv-lite[\\/]encodings[\\/]index\.js$/,
  },
  {
    file: 'vendor-mysql2-ssl-profiles.js',
    mode: 'require',
    spec: /ssl_profiles(\.js)?$/,
    path: /[\\/]mysql2[\\/]lib[\\/]constants[\\/]ssl_profiles\.js$/,
  },
  {
    file: 'vendor-mysql2-errors.js',
    mode: 'deferred',
    spec: /constants\/errors(\.js)?$/,
    path: /[\\/]mysql2[\\/]lib[\\/]constants[\\/]errors\.js$/,
  },
  { file: 'vendor-lodash.js', mode: 'deferred', spec: /^lodash$/ },
  { file: 'vendor-moment.js', mode: 'deferred', spec: /^moment$/ },
  { file: 'vendor-ws.js', mode: 'deferred', spec: /^ws$/ },
  { file: 'vendor-proxy-agents.js', mode: 'deferred', spec: /^(https?|socks)-proxy-agent$/ },
  { file: 'vendor-xml.js', mode: 'deferred', spec: /^xml2js$/ },
];

const requireStandIn = (file, key) => `module.exports = require(${JSON.stringify(`./${file}`)})[${JSON.stringify(key)}];\n`;
const deferredStandIn = (file, key) => `
let real;
function load() {
  if (real === undefined) real = require(${JSON.stringify(`./${file}`)})[${JSON.stringify(key)}];
  return real;
}
function get(_, name) {
  if (name === '__esModule') return true;
  const m = load();
  if (name === 'default' && !(m && m.__esModule)) return m;
  return m[name];
}
module.exports = new Proxy({}, {
  get,
  has: (_, name) => name === '__esModule' || name in load(),
  ownKeys: () => Reflect.ownKeys(load()),
  getOwnPropertyDescriptor(_, name) {
    const d = Reflect.getOwnPropertyDescriptor(load(), name);
    return d && { ...d, configurable: true };
  },
  set: (_, name, value) => Reflect.set(load(), name, value),
});
`;

/** What each vendor file holds, as index.js's build found it: file -> (key -> absolute path). */
const vendorFiles = new Map();

/** @type {import('esbuild').Plugin} */
const splitVendorFiles = {
  name: 'split-vendor-files',
  setup(b) {
    b.onResolve({ filter: /.*/ }, async (a) => {
      if (a.namespace !== 'file' || a.pluginData?.splitting) return undefined;
      const rule = SPLIT.find((r) => r.spec.test(a.path) && (!r.importer || r.importer.test(relative(ROOT, a.importer))));
      if (!rule) return undefined;
      const found = await b.resolve(a.path, {
        kind: a.kind,
        importer: a.importer,
        resolveDir: a.resolveDir,
        pluginData: { splitting: true },
      });
      if (found.errors.length > 0 || found.external || !found.path) return found.errors.length > 0 ? { errors: found.errors } : undefined;
      if (rule.path && !rule.path.test(found.path)) return undefined;
      const key = relative(ROOT, found.path).split('\\').join('/');
      if (!vendorFiles.has(rule.file)) vendorFiles.set(rule.file, new Map());
      vendorFiles.get(rule.file).set(key, found.path);
      return { path: key, namespace: 'vendor-stand-in', pluginData: { rule } };
    });
    b.onLoad({ filter: /.*/, namespace: 'vendor-stand-in' }, (a) => ({
      contents: (a.pluginData.rule.mode === 'deferred' ? deferredStandIn : requireStandIn)(a.pluginData.rule.file, a.path),
      loader: 'js',
    }));
    // The stand-ins' own require('./vendor-*.js'): left as it is, resolved next to index.js at run time.
    b.onResolve({ filter: /^\.\/vendor-[\w-]+\.js$/, namespace: 'vendor-stand-in' }, (a) => ({ path: a.path, external: true }));

    b.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (a) =>
      /[\\/]zod[\\/]v4[\\/](classic|core)[\\/]/.test(a.importer)
        ? { path: join(a.resolveDir, '..', 'locales', 'index.js'), namespace: 'zod-locales' }
        : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'zod-locales' }, (a) => ({
      contents: 'export { default as en } from "./en.js";\n',
      resolveDir: dirname(a.path),
      loader: 'js',
    }));
  },
};

/** @type {import('esbuild').BuildOptions} */
const common = {
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
};

// Vendor files of an earlier build would stay beside a single-file index.js, unused: remove them.
await mkdir(outdir, { recursive: true });
for (const name of await readdir(outdir)) if (/^vendor-.*\.js$/.test(name)) await rm(join(outdir, name), { force: true });
const index = await build({
  ...common,
  metafile: args.metafile !== undefined,
  entryPoints: ['src/handler.ts'],
  outfile: join(outdir, 'index.js'),
  plugins: singleFile ? [noSdkDebugOutput] : [noSdkDebugOutput, splitVendorFiles],
});

// `--metafile <path>`: esbuild's account of what index.js holds, for size work (esbuild.github.io/analyze).
if (args.metafile !== undefined) await writeFile(args.metafile, JSON.stringify(index.metafile));

// Each vendor file: `module.exports = {key: require(path), ...}`, self-contained like index.js.
// vendor-rds.js first, through the same split: the RDS SDK's own copies of lodash, moment, ws, the
// proxy agents and xml2js (under @darabonba/typescript) become stand-ins for the deferred files too,
// which its build adds to before they are written. The other vendor files are built whole.
const vendorBuild = async (file, plugins) => {
  const entries = [...vendorFiles.get(file)].map(([key, path]) => `  ${JSON.stringify(key)}: require(${JSON.stringify(path)}),`);
  const built = await build({
    ...common,
    metafile: true,
    stdin: { contents: `module.exports = {\n${entries.join('\n')}\n};\n`, resolveDir: ROOT, sourcefile: file, loader: 'js' },
    outfile: join(outdir, file),
    plugins,
  });
  // A module of ours in a vendor file would be a second copy of its classes (instanceof would fail).
  const ours = Object.keys(built.metafile.inputs).filter((input) => /^src[\\/]/.test(input));
  if (ours.length > 0) throw new Error(`${file} would hold modules of src/: ${ours.join(', ')}`);
};
if (vendorFiles.has('vendor-rds.js')) await vendorBuild('vendor-rds.js', [noSdkDebugOutput, splitVendorFiles]);
for (const file of vendorFiles.keys()) if (file !== 'vendor-rds.js') await vendorBuild(file, [noSdkDebugOutput]);

// The package is ESM ("type": "module"); this marks the bundle as CommonJS for Node and for FC.
await writeFile(join(outdir, 'package.json'), JSON.stringify({ type: 'commonjs' }) + '\n');
