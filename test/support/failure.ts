/** The error a promise rejects with, checked against the shape an SDK gives its errors; throws if it resolves. */
import type { z } from 'zod';

export async function failure<S extends z.ZodType>(promise: Promise<unknown>, shape: S): Promise<z.infer<S>> {
  try {
    await promise;
  } catch (err) {
    return shape.parse(err);
  }
  throw new Error('expected the call to fail');
}

/** The error a synchronous call throws; throws if it returns. */
export function errorOf(fn: () => unknown): Error {
  try {
    fn();
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected a throw');
}

/** The error a promise rejects with; throws if it resolves. */
export async function refusal(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected a refusal');
}
