import { expect } from 'vitest';
import { FormatError } from '../../src/errors.js';

/** The FormatError that `read` throws; fails the test if it throws anything else or nothing. */
export function refusal(read: () => unknown): FormatError {
  try {
    read();
  } catch (error) {
    expect(error).toBeInstanceOf(FormatError);
    return error as FormatError;
  }
  throw new Error('expected a FormatError');
}
