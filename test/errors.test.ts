// Context is added to the CONTRACT's errors by wrapping: same class and name, prefixed message, original untouched.
import { describe, expect, it } from 'vitest';
import { InternalError, PreconditionError, RotationError, stackFrames, TransientError, withContext } from '../src/errors.js';

function thrownHere(): PreconditionError {
  return new PreconditionError('secret app-db (ACSCurrent): the current credentials do not log in');
}

describe('withContext', () => {
  it('makes a new error of the same class and name, with the context before the message', () => {
    const original = thrownHere();
    const wrapped = withContext(original, 'step set');
    expect(wrapped).not.toBe(original);
    expect(wrapped).toBeInstanceOf(PreconditionError);
    expect(wrapped).toBeInstanceOf(RotationError);
    expect(wrapped.name).toBe('PreconditionError');
    expect(wrapped.constructor.name).toBe('PreconditionError');
    expect(wrapped.message).toBe('step set: secret app-db (ACSCurrent): the current credentials do not log in');
  });

  it('leaves the original error exactly as it was', () => {
    const original = new TransientError('KMS GetSecretValue for secret a failed: ECONNRESET');
    const { message, stack } = original;
    withContext(original, 'step new');
    expect(original.message).toBe(message);
    expect(original.stack).toBe(stack);
  });

  it("starts the stack with the error's own name and message and keeps the original frames", () => {
    const original = thrownHere();
    const wrapped = withContext(original, 'step set');
    const [first, ...frames] = wrapped.stack!.split('\n');
    expect(first).toBe(`PreconditionError: ${wrapped.message}`);
    expect(frames.join('\n')).toBe(stackFrames(original.stack));
    expect(frames.join('\n')).toContain('thrownHere');
  });

  it('applies the scrub to the message and the stack, and can add no context at all', () => {
    const original = new InternalError('failed near hunter2-secret');
    const wrapped = withContext(original, undefined, (text) => text.replaceAll('hunter2-secret', '***'));
    expect(wrapped.message).toBe('failed near ***');
    expect(wrapped.stack).not.toContain('hunter2-secret');
    expect(wrapped.stack!.split('\n')[0]).toBe('InternalError: failed near ***');
  });
});

describe('stackFrames', () => {
  it('keeps the at-lines only, so a message line (which could quote a library) never survives', () => {
    expect(stackFrames('Error: SELECT * FROM x WHERE p = "pw"\n    at a (f.js:1:1)\n    at b (g.js:2:2)')).toBe(
      '    at a (f.js:1:1)\n    at b (g.js:2:2)',
    );
    expect(stackFrames(undefined)).toBe('');
  });
});
