// The deployable bundle: `npm run build` → dist/index.js, one CommonJS file whose handler rotates a secret
// when called as FC calls it, handler(Buffer, {requestId, credentials}).
import { execFileSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { LOCAL_CREDENTIALS } from '../src/local/kms-admin.js';
import { Fixture, REGION } from './support/fixture.js';

type Handler = (event: unknown, context: unknown) => Promise<{ VersionId: string; Skipped?: string }>;

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

let handler: Handler;
/** What the bundle wrote to stdout: its log lines, as FC would collect them. */
const stdout: string[] = [];
beforeAll(() => {
  execFileSync(process.execPath, ['scripts/build.mjs'], { stdio: 'pipe' });
  const bundled = (createRequire(import.meta.url)('../dist/index.js') as { handler: Handler }).handler;
  handler = async (event, context) => {
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: unknown) => stdout.push(String(chunk)) > 0);
    try {
      return await bundled(event, context);
    } finally {
      spy.mockRestore();
    }
  };
}, 60_000);

describe('dist/index.js', () => {
  it('is one self-contained CommonJS file', () => {
    const source = readFileSync('dist/index.js', 'utf8');
    expect(statSync('dist/index.js').size).toBeGreaterThan(10_000);
    expect(source).not.toMatch(/require\(["'](mysql2|zod|@alicloud\/[^"']+)["']\)/);
    expect(JSON.parse(readFileSync('dist/package.json', 'utf8'))).toEqual({ type: 'commonjs' });
    expect(typeof handler).toBe('function');
  });

  it('rejects with the CONTRACT error name as errorType, and logs it as one JSON line', async () => {
    const err = await handler(Buffer.from('{"Step":"new"}'), { requestId: 'r' }).catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).name).toBe('InvalidEventError');
    expect((err as Error).constructor.name).toBe('InvalidEventError');
    const last = JSON.parse(stdout.at(-1)!) as Record<string, unknown>;
    expect(last).toMatchObject({ level: 'error', requestId: 'r', errorName: 'InvalidEventError' });
  });
});

describe('dist/index.js on a self-managed MySQL secret', () => {
  let fx: Fixture;
  beforeAll(async () => {
    fx = await Fixture.start();
    await fx.seed();
  });
  afterAll(async () => fx?.stop());

  it('rotates it when invoked the way FC invokes it', async () => {
    const before = await fx.secretAt({ stage: 'ACSCurrent' });
    expect(await rotateThroughBundle(handler, { SecretName: fx.secretName, RegionId: REGION }, 'req')).toBe('req-0');
    const current = await fx.secretAt({ stage: 'ACSCurrent' });
    expect(current?.AccountName).toBe(`${fx.sandbox.app.user}_rt`);
    expect(await fx.secretAt({ stage: 'ACSPrevious' })).toEqual(before);
    expect(await fx.login(current!)).toBe('hello');
  });
});

describe('dist/index.js on an RDS secret with InstanceId', () => {
  let fx: Fixture;
  beforeAll(async () => {
    fx = await Fixture.start({ rds: { engineVersion: '5.7' } });
    await fx.seedRds();
  });
  afterAll(async () => fx?.stop());

  it('rotates it twice, logins and privileges checked', async () => {
    const input = { SecretName: fx.secretName, RegionId: REGION, InstanceId: fx.rds!.instanceId };
    for (const [round, expected] of [`${fx.sandbox.app.user}_rt`, fx.sandbox.app.user].entries()) {
      const previous = await fx.secretAt({ stage: 'ACSCurrent' });
      await rotateThroughBundle(handler, input, `rds${round}`);
      const current = await fx.secretAt({ stage: 'ACSCurrent' });
      expect(current?.AccountName).toBe(expected);
      expect(await fx.login(current!)).toBe('hello');
      expect(await fx.login(previous!)).toBe('hello');
      const { api, instanceId } = fx.rds!;
      const privileges = async (name: string) => (await api.describeAccount(instanceId, name))?.privileges;
      expect(await privileges(current!.AccountName)).toEqual(await privileges(previous!.AccountName));
    }
  });
});
