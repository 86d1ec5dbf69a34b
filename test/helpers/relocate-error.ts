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
