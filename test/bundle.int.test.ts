// The deployable bundle: `npm run build` → dist/index.js, one CommonJS file whose handler rotates a secret
// when called as FC calls it, handler(Buffer, {requestId, credentials}), beside the vendor-*.js files it
// requires only when a call needs them (the RDS SDK among them): dist/ is self-contained, the
// self-managed path never loads the RDS SDK, and the RDS path's errors keep their CONTRACT names.
import { execFileSync, fork, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { basename } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Environment } from '../src/config.js';
import { LOCAL_CREDENTIALS } from '../src/local/fixtures/kms-admin.js';
import { Fixture, REGION } from './support/fixture.js';
import { loadFlowFile, runExecution, type InvokeRequest } from '../src/local/cloudflow/index.js';
import { RotationWorld } from '../src/local/fixtures/rotation-world.js';
import { shippedFlowPath } from '../src/local/runner/flow.js';
import { adminConnection } from '../src/local/fixtures/mysql-sandbox.js';

/** What FC reports of a failed invocation: the error's name (errorType) and message, and the class that threw it. */
interface InvocationError {
  /** The rejection was an Error (FC reports anything else without an errorType). */
  isError: boolean;
  name: string;
  constructorName: string;
  message: string;
}
type Handler = (event: Buffer, context: unknown) => Promise<{ VersionId: string; Skipped?: string }>;

/** The four steps through the bundle's handler, as CloudFlow drives them; returns the VersionId. */
async function rotateThroughBundle(handler: Handler, input: Record<string, string>, requestPrefix: string): Promise<string> {
  let versionId: string | undefined;
  for (const [i, step] of (['new', 'set', 'test', 'end'] as const).entries()) {
    const event = Buffer.from(JSON.stringify({ ...input, Step: step, ...(versionId ? { VersionId: versionId } : {}) }));
    const result = await handler(event, {
      requestId: `${requestPrefix}-${i}`,
      credentials: { ...LOCAL_CREDENTIALS, securityToken: 'sts-token' },
    });
    expect(result.Skipped).toBeUndefined();
    versionId = result.VersionId;
  }
  return versionId!;
}

/**
 * dist/index.js in a process of its own whose environment is `env`, as FC runs it: the bundle's
 * handler reads its configuration from process.env, which this test process never writes.
 */
class BundleHost {
  /** What the bundle wrote to stdout: its log lines, as FC would collect them. */
  readonly stdout: string[] = [];
  private readonly pending = new Map<number, { resolve(value: unknown): void; reject(err: unknown): void }>();
  private nextId = 0;
  private constructor(private readonly child: ChildProcess) {
    if (child.stdout) createInterface({ input: child.stdout }).on('line', (line) => this.stdout.push(line));
    child.on('message', (m: { id?: number; result?: unknown; error?: InvocationError }) => {
      const call = m.id === undefined ? undefined : this.pending.get(m.id);
      if (!call || m.id === undefined) return;
      this.pending.delete(m.id);
      if (m.error) call.reject(m.error);
      else call.resolve(m.result);
    });
  }

  static async start(env: Environment = {}): Promise<BundleHost> {
    const child = fork('test/support/fc-host.mjs', ['dist/index.js'], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
    });
    await new Promise<void>((resolve, reject) => {
      child.once('message', () => resolve());
      child.once('exit', (code) => reject(new Error(`the FC host exited with code ${code}`)));
    });
    return new BundleHost(child);
  }

  readonly handler: Handler = (event, context) =>
    new Promise((resolve, reject) => {
      const id = this.nextId++;
      this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      this.child.send({ id, event: event.toString('base64'), context });
    });

  /** The files of dist/ the host process has loaded so far (its require.cache), by name. */
  loadedFiles(): Promise<string[]> {
    return new Promise<unknown>((resolve, reject) => {
      const id = this.nextId++;
      this.pending.set(id, { resolve, reject });
      this.child.send({ id, loaded: true });
    }).then((files) => (files as string[]).filter((f) => f.includes('/dist/')).map((f) => basename(f)));
  }

  async stop(): Promise<void> {
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.disconnect();
    await exited;
  }
}

beforeAll(() => {
  execFileSync(process.execPath, ['scripts/build.mjs'], { stdio: 'pipe' });
}, 60_000);

describe('dist/index.js', () => {
  let host: BundleHost;
  beforeAll(async () => {
    host = await BundleHost.start();
  });
  afterAll(async () => host?.stop());

  it('is a self-contained CommonJS bundle: index.js at most 1.5 MB, requiring nothing but built-ins and its own files', () => {
    expect(statSync('dist/index.js').size).toBeGreaterThan(10_000);
    expect(statSync('dist/index.js').size).toBeLessThanOrEqual(1_500_000);
    const files = readdirSync('dist').filter((f) => f.endsWith('.js'));
    expect(files).toContain('index.js');
    expect(files).toContain('vendor-rds.js');
    const builtins = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));
    for (const file of files) {
      const source = readFileSync(`dist/${file}`, 'utf8');
      expect(source, file).not.toMatch(/require\(["'](mysql2|zod|@alicloud\/[^"']+)["']\)/);
      expect(source, file).not.toMatch(/\bimport\(/);
      // esbuild writes every require it leaves in the output as require("…"), double-quoted.
      for (const [call, spec] of source.matchAll(/require\("([^"]+)"\)/g)) {
        if (builtins.has(spec!)) continue;
        if (/^\.\/vendor-[\w-]+\.js$/.test(spec!)) {
          expect(files, `${file}: ${call}`).toContain(spec!.slice(2));
          continue;
        }
        // What is left are the libraries' optional add-ons (cardinal for mysql2, bufferutil and
        // utf-8-validate for ws), each required inside a try that does without it.
        expect(source, `${file}: ${call} outside a try`).toMatch(new RegExp(`try\\{[^{}]{0,40}${call.replace(/[().]/g, '\\$&')}`));
      }
    }
    expect(JSON.parse(readFileSync('dist/package.json', 'utf8'))).toEqual({ type: 'commonjs' });
    const required = execFileSync(process.execPath, ['-e', 'process.stdout.write(typeof require("./dist/index.js").handler)']);
    expect(required.toString()).toBe('function');
  });

  it('needs no zod locale but en, the one the build keeps (scripts/build.mjs trims z.locales)', () => {
    const sources = readdirSync('src', { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts'));
    expect(sources.length).toBeGreaterThan(40);
    expect(sources.filter((f) => /\blocales\b/.test(readFileSync(`src/${f}`, 'utf8')))).toEqual([]);
  });

  it('needs none of the zod functions the build replaces by ones that throw (z.fromJSONSchema, z.core.compile)', () => {
    const sources = readdirSync('src', { recursive: true, encoding: 'utf8' }).filter(
      (f) => f.endsWith('.ts') && !/^(local|cli)[\\/]/.test(f),
    );
    expect(sources.length).toBeGreaterThan(40);
    const uses = (f: string) =>
      /\bfromJSONSchema\b|\bz\.core\b|\bcompileFn\b|\bwithParser\b|zod\/v4\/core/.test(readFileSync(`src/${f}`, 'utf8'));
    expect(sources.filter(uses)).toEqual([]);
    expect(readFileSync('dist/index.js', 'utf8')).toContain('is not in this bundle');
  });

  it('rejects with the CONTRACT error name as errorType, and logs it as one JSON line', async () => {
    const err = (await host.handler(Buffer.from('{"Step":"new"}'), { requestId: 'r' }).catch((e: InvocationError) => e)) as InvocationError;
    expect(err.isError).toBe(true);
    expect(err.name).toBe('InvalidEventError');
    expect(err.constructorName).toBe('InvalidEventError');
    // Logs and results travel on two channels: wait for the log line rather than assume its order.
    const last = await vi.waitFor(() => {
      const line = host.stdout.at(-1);
      if (line === undefined) throw new Error('no log line yet');
      return JSON.parse(line) as Record<string, unknown>;
    });
    expect(last).toMatchObject({ level: 'error', requestId: 'r', errorName: 'InvalidEventError' });
  });
});

describe('dist/index.js on a self-managed MySQL secret', () => {
  let fx: Fixture;
  let host: BundleHost;
  beforeAll(async () => {
    fx = await Fixture.start();
    await fx.seed();
    host = await BundleHost.start(fx.env);
  });
  afterAll(async () => {
    await host?.stop();
    await fx?.stop();
  });

  it('rotates it when invoked the way FC invokes it', async () => {
    const before = await fx.secretAt({ stage: 'ACSCurrent' });
    expect(await rotateThroughBundle(host.handler, { SecretName: fx.secretName, RegionId: REGION }, 'req')).toBe('req-0');
    const current = await fx.secretAt({ stage: 'ACSCurrent' });
    expect(current?.AccountName).toBe(`${fx.sandbox.app.user}_rt`);
    expect(await fx.secretAt({ stage: 'ACSPrevious' })).toEqual(before);
    expect(await fx.login(current!)).toBe('hello');
    // A fresh host that served only this secret's steps: the RDS SDK file was never read, nor
    // iconv-lite's encodings but UTF-8's and CESU-8's (its lazy index) nor the credential providers
    // but the static ones (FC's context credentials) nor @darabonba/typescript's file, stream, URL... helpers.
    const loaded = await host.loadedFiles();
    expect(loaded).toContain('index.js');
    expect(loaded).not.toContain('vendor-rds.js');
    expect(loaded).not.toContain('vendor-iconv.js');
    expect(loaded).not.toContain('vendor-credentials-providers.js');
    expect(loaded).not.toContain('vendor-darabonba.js');
  });

  it('without context credentials takes the default chain (environment variables), from the deferred providers file', async () => {
    const chain = await BundleHost.start({
      ...fx.env,
      ALIBABA_CLOUD_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
      ALIBABA_CLOUD_ACCESS_KEY_SECRET: LOCAL_CREDENTIALS.accessKeySecret,
    });
    try {
      const result = await chain.handler(Buffer.from(JSON.stringify({ SecretName: fx.secretName, RegionId: REGION, Step: 'new' })), {
        requestId: 'chain-0',
      });
      expect(result.VersionId).toBe('chain-0');
      expect((await fx.secretAt({ stage: 'ACSPending' }))?.AccountName).toBe(fx.sandbox.app.user);
      expect(await chain.loadedFiles()).toContain('vendor-credentials-providers.js');
    } finally {
      await chain.stop();
    }
  });
});

describe('dist/index.js on an RDS secret with InstanceId', () => {
  let fx: Fixture;
  let host: BundleHost;
  beforeAll(async () => {
    fx = await Fixture.start({ rds: { engineVersion: '5.7' } });
    await fx.seedRds();
    host = await BundleHost.start(fx.env);
  });
  afterAll(async () => {
    await host?.stop();
    await fx?.stop();
  });

  it('rotates it twice, logins and privileges checked', async () => {
    const input = { SecretName: fx.secretName, RegionId: REGION, InstanceId: fx.rds!.instanceId };
    for (const [round, expected] of [`${fx.sandbox.app.user}_rt`, fx.sandbox.app.user].entries()) {
      const previous = await fx.secretAt({ stage: 'ACSCurrent' });
      await rotateThroughBundle(host.handler, input, `rds${round}`);
      const current = await fx.secretAt({ stage: 'ACSCurrent' });
      expect(current?.AccountName).toBe(expected);
      expect(await fx.login(current!)).toBe('hello');
      expect(await fx.login(previous!)).toBe('hello');
      const { api, instanceId } = fx.rds!;
      const privileges = async (name: string) => (await api.describeAccount(instanceId, name))?.privileges;
      expect(await privileges(current!.AccountName)).toEqual(await privileges(previous!.AccountName));
    }
    expect(await host.loadedFiles()).toContain('vendor-rds.js');
  });

  /** What FC reports of a step through the bundle that must fail. */
  const failure = (event: Record<string, string>, requestId: string) =>
    host.handler(Buffer.from(JSON.stringify(event)), { requestId, credentials: { ...LOCAL_CREDENTIALS, securityToken: 'sts-token' } }).then(
      () => undefined,
      (e: InvocationError) => e,
    );

  // The RDS client and backend run in index.js over vendor-rds.js's SDK: the errors they throw are
  // index.js's own classes, so the handler's instanceof RotationError keeps their names (a class it
  // did not know would come back as InternalError).
  it('keeps the RDS errors’ CONTRACT names across the split: InvalidEventError for an unknown instance, TransientError for a busy one', async () => {
    const input = { SecretName: fx.secretName, RegionId: REGION };
    const unknown = { ...input, InstanceId: 'rm-bundle-no-such-instance' };
    const created = await host
      .handler(Buffer.from(JSON.stringify({ ...unknown, Step: 'new' })), {
        requestId: 'noinst-0',
        credentials: { ...LOCAL_CREDENTIALS, securityToken: 'sts-token' },
      })
      .then(
        (r) => r,
        (e: InvocationError) => e,
      );
    const notFound =
      'VersionId' in created ? await failure({ ...unknown, Step: 'set', VersionId: created.VersionId }, 'noinst-1') : created;
    expect(notFound).toMatchObject({ isError: true, name: 'InvalidEventError', constructorName: 'InvalidEventError' });
    expect(notFound?.message).toMatch(/InstanceId: RDS instance rm-bundle-no-such-instance does not exist/);

    const { instanceId, emulator } = fx.rds!;
    const { VersionId } = await host.handler(Buffer.from(JSON.stringify({ ...input, InstanceId: instanceId, Step: 'new' })), {
      requestId: 'busy-0',
      credentials: { ...LOCAL_CREDENTIALS, securityToken: 'sts-token' },
    });
    emulator.makeBusy(instanceId, 1, 'OperationDenied.DBInstanceStatus');
    const busy = await failure({ ...input, InstanceId: instanceId, Step: 'set', VersionId }, 'busy-1');
    expect(busy).toMatchObject({ isError: true, name: 'TransientError', constructorName: 'TransientError' });
  });
});

describe('dist/index.js on single-account secrets (RotationStrategy single)', () => {
  let mysqlFx: Fixture;
  let rdsFx: Fixture;
  let mysqlHost: BundleHost;
  let rdsHost: BundleHost;
  beforeAll(async () => {
    [mysqlFx, rdsFx] = await Promise.all([Fixture.start(), Fixture.start({ rds: { engineVersion: '8.0' } })]);
    // Self-managed without MasterSecret: single by default. RDS: named explicitly.
    await mysqlFx.seed(mysqlFx.appSecret({ MasterSecret: undefined }));
    await rdsFx.seedRds(rdsFx.rdsSecret({ RotationStrategy: 'single' }));
    [mysqlHost, rdsHost] = await Promise.all([BundleHost.start(mysqlFx.env), BundleHost.start(rdsFx.env)]);
  });
  afterAll(async () => {
    await Promise.all([mysqlHost?.stop(), rdsHost?.stop()]);
    await Promise.all([mysqlFx?.stop(), rdsFx?.stop()]);
  });

  it.each([
    ['self-managed MariaDB', () => [mysqlFx, mysqlHost, { SecretName: mysqlFx.secretName, RegionId: REGION }] as const],
    [
      'the RDS API backend',
      () => [rdsFx, rdsHost, { SecretName: rdsFx.secretName, RegionId: REGION, InstanceId: rdsFx.rds!.instanceId }] as const,
    ],
  ])('rotates the account’s own password through %s: same account, only the new password logs in', async (_, setup) => {
    const [fx, host, input] = setup();
    for (const round of [1, 2]) {
      const before = (await fx.secretAt({ stage: 'ACSCurrent' }))!;
      await rotateThroughBundle(host.handler, input, `single${round}`);
      const current = (await fx.secretAt({ stage: 'ACSCurrent' }))!;
      expect(current.AccountName).toBe(fx.sandbox.app.user);
      expect(current.AccountPassword === before.AccountPassword).toBe(false);
      expect(await fx.login(current)).toBe('hello');
      // MariaDB keeps one password: the old one stopped working at set.
      expect(await fx.login(before)).toMatch(/^refused/);
      expect(await fx.secretAt({ stage: 'ACSPrevious' })).toEqual(before);
    }
    const accounts = await adminConnection(fx.sandbox.server).then(async (conn) => {
      try {
        const [rows] = await conn.query('SELECT User FROM mysql.user WHERE User = ?', [`${fx.sandbox.app.user}_rt`]);
        return rows as unknown[];
      } finally {
        await conn.end();
      }
    });
    expect(accounts).toEqual([]);
    const passwords = [(await fx.secretAt({ stage: 'ACSCurrent' }))!.AccountPassword];
    expect(passwords.map((p) => host.stdout.join('\n').includes(p))).toEqual([false]);
  });
});

describe('the shipped flows over dist/index.js', () => {
  let world: RotationWorld;
  let host: BundleHost;
  beforeAll(async () => {
    world = await RotationWorld.start({ rds: true });
    host = await BundleHost.start(world.env);
  });
  afterAll(async () => {
    await host?.stop();
    await world?.close();
  });

  /** What CloudFlow does with FC: the body as the event, a thrown error as {errorType, errorMessage}. */
  const invoke = (request: InvokeRequest): Promise<unknown> =>
    host.handler(request.body, { requestId: request.requestId, credentials: LOCAL_CREDENTIALS }).catch((err: InvocationError) => {
      throw Object.assign(new Error(err.message), { name: err.name });
    });

  it('rotate-secret and rotate-due run unchanged against the bundle, as under CloudFlow', async () => {
    const secret = await world.addMysqlSecret();
    const single = await runExecution(await loadFlowFile(shippedFlowPath('rotate-secret')), world.inputFor(secret), {
      invoke,
      timeScale: 0,
    });
    expect(single.status).toBe('Succeeded');
    expect(single.output).toMatchObject({ Status: 'Rotated', VersionId: await world.currentVersion(secret.secretName) });

    const due = await world.addRdsSecret({
      ageDays: 31,
      tags: { 'bundle-due': '30d', 'bundle-due-instance': world.rds?.instanceId ?? '' },
    });
    const before = await world.currentVersion(due.secretName);
    const many = await runExecution(
      await loadFlowFile(shippedFlowPath('rotate-due')),
      { RegionId: REGION, TagKey: 'bundle-due' },
      { invoke, timeScale: 0 },
    );
    expect(many.status).toBe('Succeeded');
    expect(many.output).toMatchObject({ Rotated: 1, Failed: 0, Secrets: [due.secretName] });
    expect(await world.currentVersion(due.secretName)).not.toBe(before);
  });

  it("fails a bad input at once with the function's error name, as FC reports it", async () => {
    const result = await runExecution(await loadFlowFile(shippedFlowPath('rotate-secret')), { RegionId: REGION }, { invoke, timeScale: 0 });
    expect(result.status).toBe('Failed');
    expect(result.error?.Code).toBe('InvalidEventError');
    expect(result.error?.Detail).toMatch(/^invalid event: SecretName:/);
  });
});
