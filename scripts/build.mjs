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
import { isDeepStrictEqual, parseArgs } from 'node:util';
import { createRequire } from 'node:module';
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
 *   InstanceId), mysql2's SSL profiles (behind an `ssl` given as a profile name). esbuild evaluates a bundled
 *   CommonJS module on its first require, so the file is read then and only then.
 * - `deferred`: a module its importer requires at load time but only uses inside calls (lodash,
 *   moment, ws and the proxy agents under @darabonba/typescript's `ws`/proxy helpers, the XML
 *   parsers of the KMS SDKs' XML answers, mysql2's error-name table, @alicloud/credentials'
 *   providers but the static ones, @darabonba/typescript's file/stream/URL/... helpers). The
 *   stand-in is a Proxy that requires the file on its first
 *   property access. It reports `__esModule` (so TypeScript's
 *   __importDefault/__importStar helpers keep it as it is, untouched) and maps `default` to the
 *   module itself, as those helpers would have.
 * - `keyed`: `deferred` for a module whose importer copies its exports name by name when it is
 *   loaded (@darabonba/typescript's WebSocket client): see keyedStandIn.
 * - `construct`: a class its importer only ever instantiates (long, under mysql2's packet reader):
 *   the stand-in is a function whose `new` requires the file and returns an instance of the real class.
 *
 * Not a SPLIT rule but the same idea: iconv-lite's encodings (vendor-iconv.js) behind a lazy index
 * (iconvLazyIndex below), and mysql2's charset table written as data (DATA_MODULES below).
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
  // @alicloud/credentials' providers but the static ones: FC hands the function STS credentials in
  // its context, which the SDK clients are given as a static `sts` configuration, so only the
  // static providers run there; the default chain (no credentials in the context: a local run)
  // and the RAM role, OIDC, ECS, URI, profile and environment providers, with the RSA key pair
  // credential, are required from here when a configuration names them. Their client.js exports
  // them as getters (CREDENTIALS_CLIENT below), so that loading it does not load them.
  {
    file: 'vendor-credentials-providers.js',
    mode: 'deferred',
    spec: /^\.\/(providers\/(ram_role_arn|oidc_role_arn|ecs_ram_role|default|uri|cli_profile|profile|env)|rsa_key_pair_credential)$/,
    importer: /[\\/]@alicloud[\\/]credentials[\\/]dist[\\/]src[\\/]client\.js$/,
  },
  // @darabonba/typescript's file, form, stream, URL, XML and date helpers: its index.js exports each
  // through a getter, read only when a call uses it; the KMS calls (JSON over RPC) use none of them.
  {
    file: 'vendor-darabonba.js',
    mode: 'deferred',
    spec: /^\.\/(file|form|stream|url|xml|date)$/,
    importer: /[\\/]@darabonba[\\/]typescript[\\/]dist[\\/]index\.js$/,
  },
  // Its WebSocket client (with ws and the proxy agents), which index.js re-exports name by name.
  {
    file: 'vendor-darabonba.js',
    mode: 'keyed',
    spec: /^\.\/websocket$/,
    importer: /[\\/]@darabonba[\\/]typescript[\\/]dist[\\/]index\.js$/,
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
 * `keyed`: `deferred` for a module whose importer copies its exports by name when it is loaded
 * (TypeScript's __exportStar: for-in over the module, then each property's descriptor): the
 * stand-in knows the module's enumerable names from the build (which requires the module to list
 * them) and describes each as a getter, so that the copy is made without loading the module and
 * each name is read from it when it is used.
 */
const keyedStandIn = (file, key, path) => {
  const keys = Object.keys(createRequire(path)(path));
  if (keys.length === 0) throw new Error(`${path} exports nothing by name: it needs no keyed stand-in`);
  return `${deferredStandIn(file, key).replace(/module\.exports = new Proxy\(\{\}, \{[\s\S]*$/, '')}
const KEYS = ${JSON.stringify(keys)};
module.exports = new Proxy({}, {
  get,
  has: (_, name) => name === '__esModule' || (real === undefined ? KEYS.includes(name) : name in real),
  ownKeys: () => (real === undefined ? [...KEYS] : Reflect.ownKeys(real)),
  getOwnPropertyDescriptor(_, name) {
    if (real === undefined) {
      return KEYS.includes(name) ? { get: () => load()[name], enumerable: true, configurable: true } : undefined;
    }
    const d = Reflect.getOwnPropertyDescriptor(real, name);
    return d && { ...d, configurable: true };
  },
  set: (_, name, value) => Reflect.set(load(), name, value),
});
`;
};

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

/*
 * Data modules, written as data. mysql2's charset table (constants/charsets.js) is ~310 statements
 * `exports.NAME = number;` that each add a property to the module's exports, about 2 ms of every
 * first connection (ConnectionConfig looks the connection's charset up in it). Its value is plain
 * data, so the build requires it and writes it as one JSON.parse of the same object: the same
 * names, in the same order, with the same numbers. The build checks that the module is only that
 * (every value a number, the JSON text giving back an equal object); if mysql2 ever puts anything
 * else in it, the build stops.
 */
const DATA_MODULES = [/[\\/]mysql2[\\/]lib[\\/]constants[\\/]charsets\.js$/];

/** `module.exports = JSON.parse(...)` for a module whose exports are numbers by name, checked. */
function dataModule(path) {
  const value = createRequire(path)(path);
  const entries = Object.entries(value);
  const text = JSON.stringify(value);
  if (
    entries.length === 0 ||
    entries.some(([, v]) => typeof v !== 'number' || !Number.isFinite(v)) ||
    !isDeepStrictEqual(JSON.parse(text), { ...value })
  )
    throw new Error(`${path} is no longer a table of numbers: the build cannot write it as data`);
  return `module.exports = JSON.parse(${JSON.stringify(text)});\n`;
}

/**
 * @alicloud/credentials' client.js re-exports each provider class (`exports.X = x_1.default;`) when it
 * is loaded, which would load a deferred one at once: for the modules SPLIT defers, those lines
 * become getters of the same names, read when (and if) the export is. Everything else in the file is
 * as published; the build stops if the lines are not found where they are expected, or if a
 * deferred module's value is still read at load time.
 */
const CREDENTIALS_CLIENT = /[\\/]@alicloud[\\/]credentials[\\/]dist[\\/]src[\\/]client\.js$/;
function credentialsClientSource(path, source) {
  const rule = SPLIT.find((r) => r.file === 'vendor-credentials-providers.js');
  const deferred = [...source.matchAll(/^const (\w+) = __importDefault\(require\("([^"]+)"\)\);$/gm)]
    .filter((m) => rule.spec.test(m[2]))
    .map((m) => m[1]);
  let patched = source;
  let getters = 0;
  for (const name of deferred) {
    patched = patched.replace(new RegExp(`^exports\\.(\\w+) = ${name}\\.default;$`, 'gm'), (_, exported) => {
      getters++;
      return `Object.defineProperty(exports, ${JSON.stringify(exported)}, { enumerable: true, configurable: true, get: () => ${name}.default });`;
    });
  }
  const loadTime = patched.slice(0, patched.search(/^class /m));
  if (
    deferred.length < 9 ||
    getters < 8 ||
    deferred.some((name) => new RegExp(`\\b${name}\\.`).test(loadTime.replace(/get: \(\) => \w+\.default/g, '')))
  )
    throw new Error(
      `${path}: its providers are no longer re-exported as the build expects (${deferred.length} deferred, ${getters} getters)`,
    );
  return patched;
}

/** What each vendor file holds, as index.js's build found it: file -> (key -> absolute path). */
const vendorFiles = new Map();

/*
 * iconv-lite's encodings, as a lazy index. mysql2 decodes the server version of every handshake as
 * 'cesu8', so the first connection has iconv-lite look up a codec, which requires its encodings
 * index, which requires every encoding module (the single-byte tables, the double-byte ones with
 * their codecs, UTF-16/32/7) and merges their exports (name -> alias string, alias object with
 * options, or codec class) into one object that getCodec copies with for-in and then reads by name.
 * Here, iconv-lite's `../encodings` is an index built from those same exports: the entries of
 * encodings/internal.js (UTF-8, CESU-8, UCS-2, binary, base64, hex and their codec, what mysql2
 * uses with a UTF-8 connection) are the module itself, in index.js; every other entry is a
 * stand-in, and the modules behind them are in vendor-iconv.js, required on the first use of one:
 * an alias string is the string itself (data, written in at build time), an alias object is a
 * Proxy of the real object (getCodec reads its keys with for-in, then its fields), and a codec
 * class is a function whose `new` returns an instance of the real class (getCodec only ever
 * constructs it). The build requires each module to find its entries (the last module naming an
 * entry wins, as iconv-lite's merge does) and checks the result against iconv-lite's own index:
 * the same names, each to the very same value, none missing or left over; an entry of a kind
 * with no stand-in (neither string, object nor function) stops the build too.
 */
const ICONV_DIR = join(ROOT, 'node_modules/iconv-lite/encodings');
const ICONV_EAGER = './internal';

/** The lazy index's source, from the encoding modules iconv-lite's index.js requires, in its order. */
async function iconvLazyIndex() {
  const indexSource = await readFile(join(ICONV_DIR, 'index.js'), 'utf8');
  const modules = [...indexSource.matchAll(/require\("(\.\/[\w-]+)"\)/g)].map((m) => m[1]);
  if (modules[0] !== ICONV_EAGER)
    throw new Error(`iconv-lite's encodings index no longer starts with ${ICONV_EAGER}: ${modules.join(', ')}`);
  const req = createRequire(join(ICONV_DIR, 'index.js'));
  /** name -> [module, value] of the module that names it last. */
  const entries = new Map();
  for (const module of modules) for (const [name, value] of Object.entries(req(module))) entries.set(name, [module, value]);
  const real = req('./index.js');
  const names = Object.keys(real);
  if (names.length !== entries.size || names.some((name) => !entries.has(name) || entries.get(name)[1] !== real[name]))
    throw new Error(`iconv-lite's encodings index is not the merge of ${modules.join(', ')}: the lazy index would be incomplete`);
  const key = (module) => relative(ROOT, req.resolve(module)).split(sep).join('/');
  /** The entries that are data, and the names of the others, by kind and by the file that holds them. */
  const strings = {};
  const lazy = { alias: {}, codec: {} };
  for (const [name, [module, value]] of entries) {
    if (module === ICONV_EAGER) continue;
    const kind = typeof value === 'function' ? 'codec' : value !== null && typeof value === 'object' ? 'alias' : typeof value;
    if (kind === 'string') strings[name] = value;
    else if (kind in lazy) (lazy[kind][key(module)] ??= []).push(name);
    else throw new Error(`iconv-lite's encoding ${name} (${module}) is a ${kind}: the lazy index has no stand-in for it`);
  }
  vendorFiles.set('vendor-iconv.js', new Map(modules.filter((m) => m !== ICONV_EAGER).map((m) => [key(m), req.resolve(m)])));
  return `
const internal = require(${JSON.stringify(join(ICONV_DIR, 'internal.js'))});
for (const name in internal) if (Object.prototype.hasOwnProperty.call(internal, name)) exports[name] = internal[name];
Object.assign(exports, JSON.parse(${JSON.stringify(JSON.stringify(strings))}));
function load(t) {
  return require("./vendor-iconv.js")[t.module][t.name];
}
const aliasHandler = {
  get: (t, key) => load(t)[key],
  has: (t, key) => key in load(t),
  ownKeys: (t) => Reflect.ownKeys(load(t)),
  getOwnPropertyDescriptor(t, key) {
    const d = Reflect.getOwnPropertyDescriptor(load(t), key);
    return d && { ...d, configurable: true };
  },
};
function codec(t) {
  return function () {
    if (new.target === undefined) throw new TypeError("a class constructor cannot be invoked without new");
    return Reflect.construct(load(t), arguments);
  };
}
const lazy = ${JSON.stringify(lazy)};
for (const module in lazy.alias) for (const name of lazy.alias[module]) exports[name] = new Proxy({ module, name }, aliasHandler);
for (const module in lazy.codec) for (const name of lazy.codec[module]) exports[name] = codec({ module, name });
`;
}

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
      return { path: key, namespace: 'vendor-stand-in', pluginData: { rule, path: found.path } };
    });
    b.onLoad({ filter: /.*/, namespace: 'vendor-stand-in' }, (a) => ({
      contents: { deferred: deferredStandIn, keyed: keyedStandIn, construct: constructStandIn, require: requireStandIn }[
        a.pluginData.rule.mode
      ](a.pluginData.rule.file, a.path, a.pluginData.path),
      loader: 'js',
    }));
    // The stand-ins' own require('./vendor-*.js'): left as it is, resolved next to index.js at run time.
    b.onResolve({ filter: /^\.\/vendor-[\w-]+\.js$/, namespace: 'vendor-stand-in' }, (a) => ({ path: a.path, external: true }));

    b.onResolve({ filter: /^\.\.\/encodings$/ }, (a) =>
      a.namespace === 'file' && /[\\/]iconv-lite[\\/]lib[\\/]index\.js$/.test(a.importer)
        ? { path: 'iconv-lite/encodings', namespace: 'iconv-lazy-index' }
        : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'iconv-lazy-index' }, async () => ({
      contents: await iconvLazyIndex(),
      resolveDir: ICONV_DIR,
      loader: 'js',
    }));
    b.onResolve({ filter: /^\.\/vendor-iconv\.js$/, namespace: 'iconv-lazy-index' }, (a) => ({ path: a.path, external: true }));

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
    b.onLoad({ filter: CREDENTIALS_CLIENT }, async (a) => ({
      contents: credentialsClientSource(a.path, await readFile(a.path, 'utf8')),
      loader: 'js',
    }));
    for (const filter of DATA_MODULES) b.onLoad({ filter }, (a) => ({ contents: dataModule(a.path), loader: 'js' }));
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
// proxy agents and xml2js (under @darabonba/typescript) and of @alicloud/credentials' providers
// become stand-ins for the deferred files too, which its build adds to before they are written.
// Then vendor-credentials-providers.js and vendor-darabonba.js, through the split as well (the CLI
// profile provider's external-process one stays in vendor-credentials-external.js, the XML helper's
// xml2js in vendor-xml.js), each before the files it adds to. The other vendor files are built whole.
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
const SPLIT_THROUGH = ['vendor-rds.js', 'vendor-credentials-providers.js', 'vendor-darabonba.js'];
for (const file of SPLIT_THROUGH) if (vendorFiles.has(file)) await vendorBuild(file, [noSdkDebugOutput, splitVendorFiles]);
for (const file of vendorFiles.keys()) if (!SPLIT_THROUGH.includes(file)) await vendorBuild(file, [noSdkDebugOutput]);

// The package is ESM ("type": "module"); this marks the bundle as CommonJS for Node and for FC.
await writeFile(join(outdir, 'package.json'), JSON.stringify({ type: 'commonjs' }) + '\n');
