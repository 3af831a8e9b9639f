// report: a rotation Map's verdict. Any failure fails the invocation, naming the secrets, the step and the error.
import { describe, expect, it } from 'vitest';
import { report } from '../../src/batch/report.js';
import { RotationFailedError } from '../../src/errors.js';
import { createLogger, SecretMask } from '../../src/log.js';
import { errorOf } from '../support/failure.js';

const log = createLogger({ mask: new SecretMask(), sink: () => {} });

describe('report', () => {
  it('summarises a Map in which every secret rotated', () => {
    const result = report(
      {
        Step: 'report',
        Results: [
          { SecretName: 'a', Status: 'Rotated', VersionId: 'v2' },
          { SecretName: 'b', Status: 'Rotated', VersionId: 'v3' },
        ],
      },
      log,
    );
    expect(result).toEqual({ Rotated: 2, Failed: 0, Problems: 0, Deferred: 0, Secrets: ['a', 'b'] });
  });

  it('fails with RotationFailedError naming each failed secret, its step and its error', () => {
    const err = errorOf(() =>
      report(
        {
          Step: 'report',
          Results: [
            { SecretName: 'a', Status: 'Rotated' },
            { SecretName: 'b', Status: 'Failed', Step: 'set', Error: 'TransientError' },
            { SecretName: null, Status: 'Failed', Step: 'new', Error: 'InvalidEventError' },
          ],
        },
        log,
      ),
    );
    expect(err).toBeInstanceOf(RotationFailedError);
    expect(err.name).toBe('RotationFailedError');
    expect(err.message).toBe('2 of 3 secrets failed: b (set: TransientError), item 3 (new: InvalidEventError)');
  });

  it('fails on discovery problems too, so a misconfigured tag is noticed', () => {
    const err = errorOf(() =>
      report(
        { Step: 'report', Results: [], Problems: [{ SecretName: 'c', Reason: 'the value of tag fc-rotation is not an interval' }] },
        log,
      ),
    );
    expect(err.message).toBe('1 tagged secret could not be judged: c: the value of tag fc-rotation is not an interval');
  });

  it('says how many due secrets discover left for the next run', () => {
    const result = report(
      { Step: 'report', Results: [{ SecretName: 'a', Status: 'Rotated' }], Truncated: { Secrets: 7, Problems: 0 } },
      log,
    );
    expect(result).toMatchObject({ Rotated: 1, Deferred: 7 });
    const err = errorOf(() =>
      report(
        {
          Step: 'report',
          Results: [{ SecretName: 'a', Status: 'Failed', Step: 'set', Error: 'TransientError' }],
          Truncated: { Secrets: 7, Problems: 0 },
        },
        log,
      ),
    );
    expect(err.message).toBe('1 of 1 secrets failed: a (set: TransientError); 7 more due secrets wait for the next run');
  });

  it('repeats neither a reason nor a secret name that discover would not write', () => {
    const err = errorOf(() => report({ Step: 'report', Results: [], Problems: [{ SecretName: 'bad name!', Reason: 'line\nbreak' }] }, log));
    expect(err.message).toBe('1 tagged secret could not be judged: a secret: a problem');
  });

  it('never repeats an error name a flow would not write, and counts what it does not list', () => {
    const results = Array.from({ length: 25 }, (_, i) => ({
      SecretName: `s${i}`,
      Status: 'Failed' as const,
      Step: 'end',
      Error: 'x y<script>',
    }));
    const err = errorOf(() => report({ Step: 'report', Results: results }, log));
    expect(err.message).not.toContain('<script>');
    expect(err.message).toContain('s0 (end: an unnamed error)');
    expect(err.message).toMatch(/and 5 more$/);
  });
});
