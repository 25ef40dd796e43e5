/** Assertions shared by the learner and kernel tests. */
import assert from 'node:assert/strict';
import { isKilnError, type ErrorCode } from '../../src/core/errors.js';

export const maxAbsDiff = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  assert.equal(a.length, b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
};

/** For `assert.throws(fn, expectCode('X'))`: the error is a KilnError with that code (and passes `check`). */
export const expectCode = (code: ErrorCode, check: (details: Record<string, unknown>) => void = () => {}) => (err: unknown): boolean => {
  assert.ok(isKilnError(err, code), `expected ${code}, got ${String(err)}`);
  check(err.details);
  return true;
};
