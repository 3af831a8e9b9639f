// Builds dist/: index.js, one CommonJS file holding the function and every dependency it runs on,
// plus a few vendor-*.js files holding third-party code that index.js requires only when a call needs
// it (CONTRACT: Build and entry point; dist/ is self-contained: no install step, no layer).
// `node scripts/build.mjs --outdir <dir>` writes the same bundle elsewhere (tests build into a
// temporary directory so they never race on dist/); the default stays dist/.
// `node scripts/build.mjs --single-file` writes the former single-file bundle (everything in
// index.js, nothing split, trimmed or tuned: the cold-start work below is the split build's only),
// for the bench's cold-start comparison; `--metafile <path>` writes esbuild's metafile of index.js there.
import { mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { parseArgs } from 'node:util';
import { build, transform } from 'esbuild';

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
 *   parsers of the KMS SDKs' XML answers, mysql2's error-name table, @alicloud/credentials'
 *   external-process provider). The stand-in is a Proxy that requires the file on its first
 *   property access. It reports `__esModule` (so TypeScript's
 *   __importDefault/__importStar helpers keep it as it is, untouched) and maps `default` to the
 *   module itself, as those helpers would have.
 * - `construct`: a class its importer only ever instantiates (long, under mysql2's packet reader):
 *   the stand-in is a function whose `new` requires the file and returns an instance of the real class.
 *
 * No class of ours crosses a file boundary: src/ (errors.ts and its RotationError classes, the
 * logger, the error mapping in src/alibaba/errors.ts) is only ever in index.js, so every
 * `instanceof RotationError` sees one class. What crosses is data and SDK objects used by duck type:
 * the RDS client built in index.js's client.ts from rds20140815's class, the credentials object
 * (openapi-core only calls getCredential() on it) and SDK errors, which src/alibaba/errors.ts reads
 * by their fields (code, data, statusCode), never by class; isSdkCastError compares with the global
 * Error, one across files. The external-process provider's credentials and long's instances are read
 * by their fields and methods too. Each vendor file is built with the same no-debug-output plugin and holds
 * its own copies of what it needs, but for vendor-rds.js's deferred modules, which are stand-ins for
 * the same vendor files as index.js's; dist/ needs nothing outside it but Node's built-ins.
 *
 * Trimmed, not moved: zod's `locales` namespace (z.locales.*, 40 translations of its messages)
 * keeps only `en`, the default zod registers itself; src/ never selects another locale. And two
 * zod modules become functions that throw (ZOD_TRIMMED below): z.fromJSONSchema (JSON Schema to
 * zod, whose module copies every zod export into an object when it is loaded) and z.core.compile
 * (zod's ahead-of-time parser compiler, 50 kB no parse runs); src/ uses neither (test/bundle.int.test.ts).
 * zod runs jitless (ZOD_CONFIG below).
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
  // @alicloud/credentials' external-process provider (a CLI profile in `External` mode): it loads
  // node:child_process when it is loaded, and only a CLI profile on disk ever calls it.
  {
    file: 'vendor-credentials-external.js',
    mode: 'deferred',
    spec: /^\.\/external$/,
    path: /[\\/]@alicloud[\\/]credentials[\\/]dist[\\/]src[\\/]providers[\\/]external\.js$/,
  },
  // long (64-bit integers, with a WebAssembly module it instantiates when it is loaded): mysql2's
  // packet reader only ever calls `new Long(low, high, unsigned)`, for BIGINT values in the binary
  // protocol and lengths past 2^53, which the function's queries never read.
  { file: 'vendor-long.js', mode: 'construct', spec: /^long$/, importer: /[\\/]mysql2[\\/]lib[\\/]packets[\\/]packet\.js$/ },
];

/** `construct`: a class its importer only ever instantiates; `new` on the stand-in returns an instance of the real one. */
const constructStandIn = (file, key) => `
module.exports = function () {
  if (new.target === undefined) throw new TypeError('a class constructor cannot be invoked without new');
  return Reflect.construct(require(${JSON.stringify(`./${file}`)})[${JSON.stringify(key)}], arguments);
};
`;
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

/**
 * zod without its JIT: an object schema's first parse otherwise generates and compiles a parser
 * (`new Function`), which pays off over many parses and costs a cold start that parses a few
 * documents. jitless is zod's own interpreted path (the one it takes where eval is forbidden), with
 * the same results. Set where zod creates its process-wide configuration, before any schema exists.
 */
const ZOD_CONFIG = /(\(_a\.__zod_globalConfig = )\{\}\)/;

/** zod modules src/ never runs, replaced by functions that throw (see "Trimmed, not moved" above). */
const ZOD_TRIMMED = {
  './from-json-schema.js': {
    importer: /[\\/]zod[\\/]v4[\\/]classic[\\/]/,
    module: 'classic/from-json-schema.js',
    exports: ['fromJSONSchema'],
  },
  './compile.js': {
    importer: /[\\/]zod[\\/]v4[\\/]core[\\/]index\.js$/,
    module: 'core/compile.js',
    exports: ['INVALID', 'ZodCompileAsyncError', 'ZodCompileUnsupportedError', 'compile', 'withParser', 'compileFn'],
    contents: [
      'export const INVALID = Symbol.for("zod.compile.invalid");',
      'export class ZodCompileAsyncError extends Error {}',
      'export class ZodCompileUnsupportedError extends Error {}',
      ...['compile', 'withParser', 'compileFn'].map(
        (name) => `export function ${name}() {\n  throw new Error("zod's ${name} is not in this bundle");\n}`,
      ),
      '',
    ].join('\n'),
  },
};

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
      contents: { deferred: deferredStandIn, construct: constructStandIn, require: requireStandIn }[a.pluginData.rule.mode](
        a.pluginData.rule.file,
        a.path,
      ),
      loader: 'js',
    }));
    // The stand-ins' own require('./vendor-*.js'): left as it is, resolved next to index.js at run time.
    b.onResolve({ filter: /^\.\/vendor-[\w-]+\.js$/, namespace: 'vendor-stand-in' }, (a) => ({ path: a.path, external: true }));

    b.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (a) =>
      /[\\/]zod[\\/]v4[\\/](classic|core)[\\/]/.test(a.importer)
        ? { path: join(a.resolveDir, '..', 'locales', 'index.js'), namespace: 'zod-locales' }
        : undefined,
    );
    b.onResolve({ filter: /^\.\/(from-json-schema|compile)\.js$/ }, (a) => {
      const trimmed = ZOD_TRIMMED[a.path];
      return trimmed && trimmed.importer.test(a.importer) ? { path: a.path, namespace: 'zod-trimmed', pluginData: { trimmed } } : undefined;
    });
    b.onLoad({ filter: /.*/, namespace: 'zod-trimmed' }, async (a) => {
      const { module, exports } = a.pluginData.trimmed;
      // The stand-in has the module's exports by name; if zod changes them, the build says so.
      const found = [
        ...(await readFile(join(ROOT, 'node_modules/zod/v4', module), 'utf8')).matchAll(/^export (?:const|class|function) (\w+)/gm),
      ].map((m) => m[1]);
      if (found.join() !== exports.join())
        throw new Error(`zod/v4/${module} exports ${found.join(', ')}; the build trims ${exports.join(', ')}`);
      const text = (name) =>
        `export function ${name}() {\n  throw new Error(${JSON.stringify(`zod's ${name} is not in this bundle`)});\n}\n`;
      return { contents: a.pluginData.trimmed.contents ?? exports.map(text).join(''), loader: 'js' };
    });
    b.onLoad({ filter: /[\\/]zod[\\/]v4[\\/]core[\\/]core\.js$/ }, async (a) => {
      const source = await readFile(a.path, 'utf8');
      const patched = source.replace(ZOD_CONFIG, '$1{ jitless: true })');
      if (patched === source) throw new Error(`${a.path}: zod's global configuration is no longer where the build sets jitless`);
      return { contents: patched, loader: 'js' };
    });
    b.onLoad({ filter: /.*/, namespace: 'zod-locales' }, (a) => ({
      contents: 'export { default as en } from "./en.js";\n',
      resolveDir: dirname(a.path),
      loader: 'js',
    }));
  },
};

/*
 * Names. Error class names are the errorType CloudFlow's Retry/Catch rules match (src/errors.ts), and
 * a bundle renames a top-level class or function whose name another module uses too. esbuild's
 * keepNames puts the name back with a call per function and class, at load time: for the ~1,900 of
 * the third-party code, that was about 3 ms of every cold start. So the split build keeps the names
 * of src/ only, each file compiled on its own with keepNames before it is bundled; third-party code
 * keeps the names its source gives (the libraries we bundle set their errors' `name` as strings,
 * never from the class; only mysql2's debug output prints a constructor's name). The single-file
 * bundle is built as it always was, with keepNames on everything.
 */
const TSCONFIG = JSON.parse(await readFile(join(ROOT, 'tsconfig.json'), 'utf8'));

/** @type {import('esbuild').Plugin} */
const keepSrcNames = {
  name: 'keep-src-names',
  setup(b) {
    b.onLoad({ filter: /[\\/]src[\\/].*\.ts$/ }, async (a) => {
      if (!relative(ROOT, a.path).startsWith(`src${sep}`)) return undefined;
      const { code } = await transform(await readFile(a.path, 'utf8'), {
        loader: 'ts',
        target: 'node20',
        keepNames: true,
        sourcefile: a.path,
        tsconfigRaw: { compilerOptions: TSCONFIG.compilerOptions },
      });
      return { contents: code, loader: 'js' };
    });
  },
};

/** @type {import('esbuild').BuildOptions} */
const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  // The single-file build turns keepNames on for everything; the split build keeps src/'s names (above).
  keepNames: false,
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
  ...(singleFile ? { keepNames: true, plugins: [noSdkDebugOutput] } : { plugins: [noSdkDebugOutput, splitVendorFiles, keepSrcNames] }),
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
