// The deployable bundle: `npm run build` → dist/index.js, one CommonJS file whose handler rotates a secret
// when called as FC calls it, handler(Buffer, {requestId, credentials}).
import { execFileSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_CREDENTIALS } from '../src/local/kms-admin.js';
import { Fixture, REGION } from './support/fixture.js';

type Handler = (event: unknown, context: unknown) => Promise<{ VersionId: string; Skipped?: string }>;

describe('dist/index.js', () => {
  let fx: Fixture;
  let handler: Handler;
  beforeAll(async () => {
    execFileSync(process.execPath, ['scripts/build.mjs'], { stdio: 'pipe' });
    handler = (createRequire(import.meta.url)('../dist/index.js') as { handler: Handler }).handler;
    fx = await Fixture.start();
    await fx.seed();
  }, 60_000);
  afterAll(async () => fx?.stop());

  it('is one self-contained CommonJS file', () => {
    const source = readFileSync('dist/index.js', 'utf8');
    expect(statSync('dist/index.js').size).toBeGreaterThan(10_000);
    expect(source).not.toMatch(/require\(["'](mysql2|zod|@alicloud\/[^"']+)["']\)/);
    expect(JSON.parse(readFileSync('dist/package.json', 'utf8'))).toEqual({ type: 'commonjs' });
    expect(typeof handler).toBe('function');
  });

  it('rotates a secret when invoked the way FC invokes it', async () => {
    const before = await fx.secretAt({ stage: 'ACSCurrent' });
    let versionId: string | undefined;
    for (const [i, step] of (['new', 'set', 'test', 'end'] as const).entries()) {
      const event = Buffer.from(JSON.stringify({ SecretName: fx.secretName, RegionId: REGION, Step: step, ...(versionId ? { VersionId: versionId } : {}) }));
      const result = await handler(event, { requestId: `req-${i}`, credentials: { ...LOCAL_CREDENTIALS, securityToken: 'sts-token' } });
      versionId = result.VersionId;
      expect(result.Skipped).toBeUndefined();
    }
    expect(versionId).toBe('req-0');
    const current = await fx.secretAt({ stage: 'ACSCurrent' });
    expect(current?.AccountName).toBe(`${fx.sandbox.app.user}_rt`);
    expect(await fx.secretAt({ stage: 'ACSPrevious' })).toEqual(before);
    expect(await fx.login(current!)).toBe('hello');
  });

  it('rejects with the CONTRACT error name as errorType', async () => {
    const err = await handler(Buffer.from('{"Step":"new"}'), { requestId: 'r' }).catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).name).toBe('InvalidEventError');
    expect((err as Error).constructor.name).toBe('InvalidEventError');
  });
});
