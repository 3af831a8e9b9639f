// Everything a full rotation (and a failing step) writes to stdout and stderr, captured: no password may appear.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { LOCAL_CREDENTIALS } from '../src/local/fixtures/kms-admin.js';
import { invokeStep, runRotation, type RotationInput } from '../src/local/runner/rotate.js';
import { quoteIdentifier } from '../src/backends/mysql/sql.js';
import { adminConnection } from '../src/local/fixtures/mysql-sandbox.js';
import { Fixture, REGION } from './support/fixture.js';

/** Runs `work` with stdout and stderr captured; returns what was written plus the text of any error it threw. */
async function captured(work: () => Promise<void>): Promise<string> {
  const output: string[] = [];
  const capture = (chunk: unknown): boolean => {
    output.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8'));
    return true;
  };
  const out = vi.spyOn(process.stdout, 'write').mockImplementation(capture);
  const err = vi.spyOn(process.stderr, 'write').mockImplementation(capture);
  try {
    await work();
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
  return output.join('');
}

/** A full rotation through the handler's default sink (stdout, as on FC), then a step that fails. */
async function rotateAndFail(fx: Fixture, input: RotationInput): Promise<{ text: string; failure: string }> {
  let failure = '';
  const text = await captured(async () => {
    await runRotation(input, { env: fx.env, context: { credentials: LOCAL_CREDENTIALS } });
    const bad = await invokeStep(input, 'set', 'no-such-version', { env: fx.env, context: { credentials: LOCAL_CREDENTIALS } }).catch(
      (e: Error) => e,
    );
    if (bad instanceof Error) failure = `${bad.name}: ${bad.message}\n${bad.stack ?? ''}`;
  });
  return { text: text + failure, failure };
}

async function passwordsOf(fx: Fixture): Promise<string[]> {
  const current = await fx.secretAt({ stage: 'ACSCurrent' });
  const previous = await fx.secretAt({ stage: 'ACSPrevious' });
  return [current!.AccountPassword, previous!.AccountPassword];
}

describe('log secrecy', () => {
  let fx: Fixture | undefined;
  afterEach(async () => fx?.stop());

  it('self-managed MySQL: never writes a password, whatever the outcome', async () => {
    fx = await Fixture.start();
    // SSL absent: the TLS fallback warning is part of the output under test.
    await fx.seed(fx.appSecret({ SSL: undefined }));
    const { text, failure } = await rotateAndFail(fx, { SecretName: fx.secretName, RegionId: REGION });
    const passwords = [...(await passwordsOf(fx)), fx.sandbox.master.password];
    expect(new Set(passwords).size).toBe(3);
    expect(failure).toMatch(/^SecretNotFoundError/);
    expect(text.split('\n').filter((l) => l.startsWith('{')).length).toBeGreaterThan(8);
    expect(text).toContain('"level":"warn"');
    for (const password of passwords) expect(text.includes(password)).toBe(false);
    // The mask is the second guard: nothing may have needed it.
    expect(text).not.toContain('***');
    expect(text).not.toContain('AccountPassword');
    expect(text).not.toContain('SecretData');
  });

  it('self-managed MySQL: a statement failing inside set writes no password either', async () => {
    fx = await Fixture.start();
    await fx.seed();
    const conn = await adminConnection(fx.sandbox.server);
    try {
      // A grant on a table that is gone: SHOW GRANTS still lists it, copying it fails on the server
      // after every check passed (the master could grant it, had the table existed).
      const table = `${quoteIdentifier(fx.sandbox.database)}.${quoteIdentifier('gone')}`;
      await conn.query(`CREATE TABLE ${table} (id INT)`);
      await conn.query(`GRANT SELECT ON ${table} TO ?@?`, [fx.sandbox.app.user, fx.sandbox.app.host]);
      await conn.query(`DROP TABLE ${table}`);
    } finally {
      await conn.end();
    }
    const input = { SecretName: fx.secretName, RegionId: REGION };
    const env = fx.env;
    let failure: Error | undefined;
    const text = await captured(async () => {
      const { VersionId } = await invokeStep(input, 'new', undefined, { env, context: { credentials: LOCAL_CREDENTIALS } });
      failure = await invokeStep(input, 'set', VersionId, { env, context: { credentials: LOCAL_CREDENTIALS } }).then(
        () => undefined,
        (e: Error) => e,
      );
    });
    expect(failure?.name).toBe('DatabaseError');
    expect(failure?.message).toMatch(/^step set: secret .*: a statement as .* failed: ER_/);
    const pending = await fx.secretAt({ stage: 'ACSPending' });
    const all = `${text}\n${failure?.message}\n${failure?.stack}`;
    for (const password of [pending!.AccountPassword, fx.sandbox.app.password, fx.sandbox.master.password])
      expect(all.includes(password)).toBe(false);
    expect(all).not.toContain('***');
    expect(all).not.toMatch(/IDENTIFIED BY/i);
  });

  it('RDS API backend: never writes a password, whatever the outcome', async () => {
    fx = await Fixture.start({ rds: {} });
    await fx.seedRds();
    const { text, failure } = await rotateAndFail(fx, { SecretName: fx.secretName, RegionId: REGION, InstanceId: fx.rds!.instanceId });
    const passwords = await passwordsOf(fx);
    expect(new Set(passwords).size).toBe(2);
    expect(failure).toMatch(/^SecretNotFoundError/);
    expect(text).toContain('"backend":"rds-api"');
    for (const password of passwords) expect(text.includes(password)).toBe(false);
    expect(text).not.toContain('***');
    expect(text).not.toContain('AccountPassword');
  });
});
