import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NotPositiveDefiniteError, choleskyFactor, choleskySolve, solvePositiveDefinite } from '../../src/core/linalg/cholesky.js';
import { Rng } from '../../src/core/rng.js';

/** A random SPD matrix BᵀB + I. */
function randomSpd(n: number, rng: Rng): Float64Array {
  const b = Float64Array.from({ length: n * n }, () => rng.normal());
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let sum = i === j ? 1 : 0;
      for (let k = 0; k < n; k++) sum += b[k * n + i]! * b[k * n + j]!;
      a[i * n + j] = sum;
    }
  }
  return a;
}

test('L·Lᵀ reproduces A, with L lower triangular', () => {
  const n = 12;
  const a = randomSpd(n, new Rng(1));
  const l = choleskyFactor(a, n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      if (j > i) assert.equal(l[i * n + j], 0);
      let sum = 0;
      for (let k = 0; k < n; k++) sum += l[i * n + k]! * l[j * n + k]!;
      assert.ok(Math.abs(sum - a[i * n + j]!) < 1e-10 * Math.abs(a[i * n + i]!));
    }
  }
});

test('solves A·x = b for a known x', () => {
  const n = 30;
  const rng = new Rng(2);
  const a = randomSpd(n, rng);
  const x = Float64Array.from({ length: n }, () => rng.normal());
  const b = new Float64Array(n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) b[i] = b[i]! + a[i * n + j]! * x[j]!;
  const solved = solvePositiveDefinite(a, n, b);
  for (let i = 0; i < n; i++) assert.ok(Math.abs(solved[i]! - x[i]!) < 1e-9);
  // The factor can be reused for another right-hand side.
  assert.deepEqual(Array.from(choleskySolve(choleskyFactor(a, n), n, new Float64Array(n))), new Array(n).fill(0));
});

test('a matrix that is not positive definite is reported with its failing pivot', () => {
  // Eigenvalues 3 and -1.
  assert.throws(() => choleskyFactor(Float64Array.from([1, 2, 2, 1]), 2), (err: unknown) => err instanceof NotPositiveDefiniteError && err.pivot === 1);
  // Singular: the second row is twice the first.
  assert.throws(() => choleskyFactor(Float64Array.from([1, 2, 2, 4]), 2), NotPositiveDefiniteError);
  assert.throws(() => choleskyFactor(Float64Array.from([Number.NaN]), 1), NotPositiveDefiniteError);
});
