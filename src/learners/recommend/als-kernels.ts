/**
 * The alternating least squares half-steps: with one side's factors held fixed, every row of the other
 * side has a small ridge regression of its own, solved exactly through its normal equations
 * (d × d, d = factors (+1 with a bias), Cholesky). The same function solves users (rows = the user's
 * items) and items (rows = the item's users).
 *
 * Only the lower triangle of each normal matrix is accumulated: Cholesky reads no more.
 */
import { solvePositiveDefinite } from '../../core/linalg/cholesky.js';
import type { CompressedRows } from './interactions.js';

/**
 * Biased explicit ALS, one side. For row r with entries (j, rating):
 *
 *   [w_r, b_r] = argmin Σ_j (rating − μ − b_j − w_r·v_j − b_r)² + λ_r (|w_r|² + b_r²)
 *
 * with λ_r = λ·n_r when `weighted` (ALS-WR, Zhou et al. 2008: busy rows are regularised in proportion
 * to their data) or λ otherwise. Rows without entries keep zero factors and bias.
 */
export function explicitAlsHalfStep(
  rows: CompressedRows,
  fixed: Float64Array,
  fixedBias: Float64Array,
  solved: Float64Array,
  solvedBias: Float64Array,
  factors: number,
  globalMean: number,
  lambda: number,
  weighted: boolean,
): void {
  const d = factors + 1;
  const a = new Float64Array(d * d);
  const b = new Float64Array(d);
  const x = new Float64Array(d);
  const nRows = rows.ptr.length - 1;
  for (let r = 0; r < nRows; r++) {
    const start = rows.ptr[r] as number;
    const end = rows.ptr[r + 1] as number;
    if (end === start) continue;
    a.fill(0);
    b.fill(0);
    for (let p = start; p < end; p++) {
      const j = rows.index[p] as number;
      for (let c = 0; c < factors; c++) x[c] = fixed[j * factors + c] as number;
      x[factors] = 1;
      const y = (rows.value[p] as number) - globalMean - (fixedBias[j] as number);
      accumulateLower(a, b, x, d, 1, y);
    }
    const reg = weighted ? lambda * (end - start) : lambda;
    for (let c = 0; c < d; c++) a[c * d + c] = (a[c * d + c] as number) + reg;
    const w = solvePositiveDefinite(a, d, b);
    for (let c = 0; c < factors; c++) solved[r * factors + c] = w[c] as number;
    solvedBias[r] = w[factors] as number;
  }
}

/**
 * Implicit ALS (Hu, Koren & Volinsky 2008), one side. Every (row, item) pair of the whole matrix counts,
 * with preference p = 1 where there was an interaction (value v) and 0 elsewhere, and confidence
 * c = 1 + α·v (1 elsewhere):
 *
 *   x_r = (YᵀY + Yᵀ(C_r − I)Y + λI)⁻¹ Yᵀ C_r p_r
 *
 * YᵀY is shared by all rows, so each row costs O(n_r·f² + f³) instead of O(nItems·f²).
 */
export function implicitAlsHalfStep(rows: CompressedRows, fixed: Float64Array, solved: Float64Array, factors: number, alpha: number, lambda: number): void {
  const f = factors;
  const gram = gramLower(fixed, f);
  const a = new Float64Array(f * f);
  const b = new Float64Array(f);
  const y = new Float64Array(f);
  const nRows = rows.ptr.length - 1;
  for (let r = 0; r < nRows; r++) {
    const start = rows.ptr[r] as number;
    const end = rows.ptr[r + 1] as number;
    a.set(gram);
    b.fill(0);
    for (let p = start; p < end; p++) {
      const j = rows.index[p] as number;
      for (let c = 0; c < f; c++) y[c] = fixed[j * f + c] as number;
      const confidence = 1 + alpha * (rows.value[p] as number);
      // A += (c − 1)·y yᵀ (the pair's extra confidence over the shared YᵀY), b += c·p·y with p = 1
      for (let i = 0; i < f; i++) {
        const yi = y[i] as number;
        const w = (confidence - 1) * yi;
        const row = i * f;
        for (let j = 0; j <= i; j++) a[row + j] = (a[row + j] as number) + w * (y[j] as number);
        b[i] = (b[i] as number) + confidence * yi;
      }
    }
    for (let c = 0; c < f; c++) a[c * f + c] = (a[c * f + c] as number) + lambda;
    const x = solvePositiveDefinite(a, f, b);
    solved.set(x, r * f);
  }
}

/** A += w·x xᵀ (lower triangle), b += w·y·x. */
export function accumulateLower(a: Float64Array, b: Float64Array, x: Float64Array, d: number, w: number, y: number): void {
  for (let i = 0; i < d; i++) {
    const wxi = w * (x[i] as number);
    const row = i * d;
    for (let j = 0; j <= i; j++) a[row + j] = (a[row + j] as number) + wxi * (x[j] as number);
    b[i] = (b[i] as number) + wxi * y;
  }
}

/** YᵀY (lower triangle) of an n × f row-major matrix. */
export function gramLower(m: Float64Array, f: number): Float64Array {
  const g = new Float64Array(f * f);
  const n = m.length / f;
  for (let r = 0; r < n; r++) {
    const base = r * f;
    for (let i = 0; i < f; i++) {
      const v = m[base + i] as number;
      if (v === 0) continue;
      const row = i * f;
      for (let j = 0; j <= i; j++) g[row + j] = (g[row + j] as number) + v * (m[base + j] as number);
    }
  }
  return g;
}

/** The full symmetric matrix from its lower triangle (for traces and tests). */
export function symmetricFromLower(lower: Float64Array, d: number): Float64Array {
  const full = Float64Array.from(lower);
  for (let i = 0; i < d; i++) for (let j = i + 1; j < d; j++) full[i * d + j] = full[j * d + i] as number;
  return full;
}

/**
 * The same implicit ALS half-step solved approximately by a few conjugate-gradient steps per row,
 * warm-started from the row's current factors (Takács, Pilászy & Tikk 2011; the `implicit` library's
 * default). Each step costs O(f² + n_r·f) instead of the exact solve's O(f³ + n_r·f²); with f steps it
 * is the exact solution (up to rounding), with 3 the model is as good in practice and much faster.
 */
export function implicitAlsCgHalfStep(
  rows: CompressedRows,
  fixed: Float64Array,
  solved: Float64Array,
  factors: number,
  alpha: number,
  lambda: number,
  steps: number,
): void {
  const f = factors;
  const gram = symmetricFromLower(gramLower(fixed, f), f);
  for (let c = 0; c < f; c++) gram[c * f + c] = (gram[c * f + c] as number) + lambda;
  const r = new Float64Array(f);
  const p = new Float64Array(f);
  const ap = new Float64Array(f);
  const nRows = rows.ptr.length - 1;
  for (let row = 0; row < nRows; row++) {
    const start = rows.ptr[row] as number;
    const end = rows.ptr[row + 1] as number;
    const x = solved.subarray(row * f, (row + 1) * f);
    // r = b − A·x with A = YᵀY + λI + Σ (c − 1) y yᵀ and b = Σ c·y
    symmetricTimes(gram, x, r, f);
    for (let c = 0; c < f; c++) r[c] = -(r[c] as number);
    for (let q = start; q < end; q++) {
      const y = (rows.index[q] as number) * f;
      const confidence = 1 + alpha * (rows.value[q] as number);
      let yx = 0;
      for (let c = 0; c < f; c++) yx += (fixed[y + c] as number) * (x[c] as number);
      const w = confidence - (confidence - 1) * yx;
      for (let c = 0; c < f; c++) r[c] = (r[c] as number) + w * (fixed[y + c] as number);
    }
    p.set(r);
    let rsOld = dotVec(r, r, f);
    for (let step = 0; step < steps && rsOld > 1e-20; step++) {
      symmetricTimes(gram, p, ap, f);
      for (let q = start; q < end; q++) {
        const y = (rows.index[q] as number) * f;
        const confidence = 1 + alpha * (rows.value[q] as number);
        let yp = 0;
        for (let c = 0; c < f; c++) yp += (fixed[y + c] as number) * (p[c] as number);
        const w = (confidence - 1) * yp;
        for (let c = 0; c < f; c++) ap[c] = (ap[c] as number) + w * (fixed[y + c] as number);
      }
      const stepSize = rsOld / dotVec(p, ap, f);
      for (let c = 0; c < f; c++) {
        x[c] = (x[c] as number) + stepSize * (p[c] as number);
        r[c] = (r[c] as number) - stepSize * (ap[c] as number);
      }
      const rsNew = dotVec(r, r, f);
      for (let c = 0; c < f; c++) p[c] = (r[c] as number) + (rsNew / rsOld) * (p[c] as number);
      rsOld = rsNew;
    }
  }
}

function symmetricTimes(a: Float64Array, v: ArrayLike<number>, out: Float64Array, f: number): void {
  for (let i = 0; i < f; i++) {
    let s = 0;
    const row = i * f;
    for (let j = 0; j < f; j++) s += (a[row + j] as number) * (v[j] as number);
    out[i] = s;
  }
}

function dotVec(a: ArrayLike<number>, b: ArrayLike<number>, f: number): number {
  let s = 0;
  for (let c = 0; c < f; c++) s += (a[c] as number) * (b[c] as number);
  return s;
}
