// The invokers behave as FC does for a Sync invocation: a Buffer body, a context with the requestId
// and the caller's credentials, a JSON result, a thrown error reduced to its name and message.
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { inProcessInvoker, moduleInvoker, runExecution, type FcInvocationContext } from '../../../src/local/cloudflow/index.js';
import { ARN, flow, task } from './support.js';

const request = (body: unknown, resourceArn = ARN) => ({
  resourceArn,
  invocationType: 'Sync' as const,
  body: Buffer.from(JSON.stringify(body)),
  requestId: 'req-1',
});

describe('inProcessInvoker', () => {
  it('hands the handler the Buffer body and {requestId, credentials}, and returns the result as JSON', async () => {
    const seen: { event: unknown; context: FcInvocationContext }[] = [];
    const credentials = { accessKeyId: 'STS.id', accessKeySecret: 'secret', securityToken: 'token' };
    const invoke = inProcessInvoker(
      async (event, context) => {
        seen.push({ event, context });
        return { At: new Date(0), Gone: undefined, N: 1 };
      },
      { credentials },
    );
    const result = await invoke(request({ Step: 'new' }));
    expect(Buffer.isBuffer(seen[0]?.event)).toBe(true);
    expect((seen[0]?.event as Buffer).toString('utf8')).toBe('{"Step":"new"}');
    expect(seen[0]?.context).toEqual({ requestId: 'req-1', credentials });
    // As FC serialises it: a Date becomes its ISO text, undefined keys disappear.
    expect(result).toEqual({ At: '1970-01-01T00:00:00.000Z', N: 1 });
  });

  it('rejects with the thrown error’s name and message only, as FC reports errorType and errorMessage', async () => {
    class TransientError extends Error {
      override readonly name = 'TransientError';
      readonly retryAfter = 5;
    }
    const invoke = inProcessInvoker(async () => {
      throw new TransientError('throttled');
    });
    const error = (await invoke(request({})).then(
      () => undefined,
      (e: unknown) => e,
    )) as Error & { retryAfter?: number };
    expect(error).toBeInstanceOf(Error);
    expect(error).toMatchObject({ name: 'TransientError', message: 'throttled' });
    expect(error.retryAfter).toBeUndefined();
    await expect(
      inProcessInvoker(() => {
        throw 'text';
      })(request({})),
    ).rejects.toMatchObject({ name: 'Error', message: 'text' });
  });

  it('ignores the region and account, and checks the function name when the context names the function', async () => {
    const invoke = inProcessInvoker(async () => ({ ok: true }), { function: { name: 'rotator' } });
    await expect(invoke(request({}, 'acs:fc:eu-central-1:999:functions/rotator/prod'))).resolves.toEqual({ ok: true });
    await expect(invoke(request({}, 'acs:fc:cn-hangzhou:1:functions/other'))).rejects.toMatchObject({ name: 'FC.FunctionNotFound' });
  });

  it('runs a flow end to end against a handler', async () => {
    const invoke = inProcessInvoker(async (event) => ({ Echo: JSON.parse((event as Buffer).toString('utf8')) }));
    const result = await runExecution(flow([task('A', { OutputConstructor: { 'Got.$': '$Output.Body.Echo.Step' } })]), {}, { invoke });
    expect(result).toMatchObject({ status: 'Succeeded', output: { Got: 'A' } });
  });
});

describe('moduleInvoker', () => {
  it('loads a CommonJS bundle and calls its handler as FC would', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cloudflow-bundle-'));
    const path = join(dir, 'index.cjs');
    await writeFile(
      path,
      `exports.handler = async (event, context) => {
        const body = JSON.parse(event.toString('utf8'));
        if (body.Step === 'fail') { const e = new Error('refused'); e.name = 'PreconditionError'; throw e; }
        return { IsBuffer: Buffer.isBuffer(event), RequestId: context.requestId, Step: body.Step };
      };\n`,
    );
    const invoke = moduleInvoker(path);
    await expect(invoke(request({ Step: 'new' }))).resolves.toEqual({ IsBuffer: true, RequestId: 'req-1', Step: 'new' });
    await expect(invoke(request({ Step: 'fail' }))).rejects.toMatchObject({ name: 'PreconditionError', message: 'refused' });
  });

  it('refuses a module that exports no handler, when it is loaded', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cloudflow-bundle-'));
    const path = join(dir, 'empty.cjs');
    await writeFile(path, 'exports.other = 1;\n');
    expect(() => moduleInvoker(path)).toThrow(/exports no handler function/);
  });
});
