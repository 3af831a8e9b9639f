// Everything a full rotation (and a failing step) writes to stdout and stderr, captured: no password may appear.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { runRotation } from '../src/local/rotate.js';
import { invokeStep } from '../src/local/rotate.js';
import { LOCAL_CREDENTIALS } from '../src/local/kms-admin.js';
import { Fixture, REGION } from './support/fixture.js';

describe('log secrecy', () => {
  let fx: Fixture;
  beforeAll(async () => {
    fx = await Fixture.start();
    // SSL absent: the TLS fallback warning is part of the output under test.
    await fx.seed(fx.appSecret({ SSL: undefined }));
  });
  afterAll(async () => fx?.stop());

  it('never writes a password, whatever the outcome', async () => {
    const output: string[] = [];
    const capture = (chunk: unknown): boolean => {
      output.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8'));
      return true;
    };
    const out = vi.spyOn(process.stdout, 'write').mockImplementation(capture);
    const err = vi.spyOn(process.stderr, 'write').mockImplementation(capture);
    const errors: string[] = [];
    try {
      // The handler's default sink: stdout, as on FC.
      await runRotation({ SecretName: fx.secretName, RegionId: REGION }, { context: { credentials: LOCAL_CREDENTIALS } });
      const bad = await invokeStep({ SecretName: fx.secretName, RegionId: REGION }, 'set', 'no-such-version', { context: { credentials: LOCAL_CREDENTIALS } }).catch(
        (e: Error) => e,
      );
      if (bad instanceof Error) errors.push(`${bad.name}: ${bad.message}\n${bad.stack ?? ''}`);
    } finally {
      out.mockRestore();
      err.mockRestore();
    }
    const current = await fx.secretAt({ stage: 'ACSCurrent' });
    const previous = await fx.secretAt({ stage: 'ACSPrevious' });
    const passwords = [current!.AccountPassword, previous!.AccountPassword, fx.sandbox.master.password];
    expect(new Set(passwords).size).toBe(3);
    const text = output.join('') + errors.join('\n');
    expect(output.length).toBeGreaterThan(8);
    expect(errors).toHaveLength(1);
    expect(text).toContain('"level":"warn"');
    for (const password of passwords) expect(text.includes(password)).toBe(false);
    expect(text).not.toContain('AccountPassword');
    expect(text).not.toContain('SecretData');
  });
});
