import { expect } from 'vitest';
import { RelocateError } from '../../src/core/errors.js';

/** The RelocateError a promise rejects with; fails the test when it resolves or rejects with anything else. */
export async function errorOf(p: Promise<unknown>): Promise<RelocateError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(RelocateError);
    return err as RelocateError;
  }
  throw new Error('expected a RelocateError, and the call succeeded');
}

/** The RelocateError `fn` throws; fails the test when it returns or throws anything else. */
export function thrownError(fn: () => unknown): RelocateError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(RelocateError);
    return err as RelocateError;
  }
  throw new Error('expected a RelocateError, and nothing was thrown');
}
