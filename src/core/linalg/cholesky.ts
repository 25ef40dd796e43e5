/**
 * Cholesky factorisation A = L·Lᵀ of a small dense symmetric positive definite matrix, and the
 * solve of A·x = b it makes cheap (two triangular solves). Used for normal equations such as
 * ridge regression's (XᵀX + αI)·w = Xᵀy, where A is d × d with d the number of features.
 *
 * Matrices are n × n, row-major Float64Arrays. Only the lower triangle of A is read.
 */

/** Thrown when A is not (numerically) positive definite: some pivot was not positive. */
export class NotPositiveDefiniteError extends Error {
  constructor(readonly pivot: number) {
    super(`the matrix is not positive definite (pivot ${pivot} is not positive)`);
    this.name = 'NotPositiveDefiniteError';
  }
}

/** The lower-triangular L with A = L·Lᵀ (upper triangle zero), in a new array. Cholesky–Banachiewicz order. */
export function choleskyFactor(a: Float64Array, n: number): Float64Array {
  if (a.length !== n * n) throw new RangeError(`expected ${n} x ${n} = ${n * n} values, got ${a.length}`);
  const l = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    const rowI = i * n;
    for (let j = 0; j <= i; j++) {
      const rowJ = j * n;
      let sum = a[rowI + j] as number;
      for (let k = 0; k < j; k++) sum -= (l[rowI + k] as number) * (l[rowJ + k] as number);
      if (i === j) {
        // `!(sum > 0)` also catches NaN from a non-finite input.
        if (!(sum > 0)) throw new NotPositiveDefiniteError(i);
        l[rowI + i] = Math.sqrt(sum);
      } else {
        l[rowI + j] = sum / (l[rowJ + j] as number);
      }
    }
  }
  return l;
}

/** Solves L·Lᵀ·x = b for x, given the factor from `choleskyFactor`. */
export function choleskySolve(l: Float64Array, n: number, b: ArrayLike<number>): Float64Array {
  if (b.length !== n) throw new RangeError(`expected a right-hand side of ${n} values, got ${b.length}`);
  // Forward substitution: L·z = b.
  const x = Float64Array.from(b);
  for (let i = 0; i < n; i++) {
    let sum = x[i] as number;
    for (let k = 0; k < i; k++) sum -= (l[i * n + k] as number) * (x[k] as number);
    x[i] = sum / (l[i * n + i] as number);
  }
  // Back substitution: Lᵀ·x = z (Lᵀ[i][k] = L[k][i]).
  for (let i = n - 1; i >= 0; i--) {
    let sum = x[i] as number;
    for (let k = i + 1; k < n; k++) sum -= (l[k * n + i] as number) * (x[k] as number);
    x[i] = sum / (l[i * n + i] as number);
  }
  return x;
}

/** x with A·x = b, for symmetric positive definite A. */
export function solvePositiveDefinite(a: Float64Array, n: number, b: ArrayLike<number>): Float64Array {
  return choleskySolve(choleskyFactor(a, n), n, b);
}
