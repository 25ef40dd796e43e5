/**
 * Cyclic coordinate descent for the elastic net, scikit-learn's `enet_coordinate_descent`
 * (sklearn/linear_model/_cd_fast.pyx), on data already centred when an intercept is fitted:
 *
 *   minimise  1/(2n)·‖y − X·w‖²  +  α·ρ·‖w‖₁  +  ½·α·(1 − ρ)·‖w‖²       (ρ = l1Ratio; lasso is ρ = 1)
 *
 * Internally the objective is multiplied by n (as scikit-learn does): l1 = α·ρ·n, l2 = α·(1 − ρ)·n.
 * One coordinate update is exact: with r the residual y − X·w,
 *
 *   w_j ← soft(X_jᵀr + ‖X_j‖²·w_j, l1) / (‖X_j‖² + l2),        soft(t, λ) = sign(t)·max(|t| − λ, 0)
 *
 * Stopping follows scikit-learn so that `tol` means the same thing: after a sweep whose largest weight
 * change is below tol × the largest weight, the duality gap is computed, and the loop stops once the
 * gap is below tol · ‖y‖².
 */
export interface ElasticNetProblem {
  /** Column-major copy of the (centred) features: column j is `columns[j*n .. (j+1)*n)`. */
  readonly columns: Float64Array;
  readonly rows: number;
  readonly cols: number;
  /** The (centred) target. */
  readonly y: Float64Array;
  readonly alpha: number;
  readonly l1Ratio: number;
}

export interface CoordinateDescentOptions {
  readonly maxIter: number;
  readonly tol: number;
  /** Called after every sweep with the sweep number, the weights (a live view) and the mean squared residual. */
  readonly onSweep?: (sweep: number, weights: Float64Array, meanSquaredResidual: number) => void;
  /** Checked between sweeps; when aborted, the descent stops and reports `aborted`. */
  readonly signal?: AbortSignal;
}

export interface CoordinateDescentResult {
  readonly weights: Float64Array;
  readonly sweeps: number;
  readonly converged: boolean;
  readonly dualityGap: number;
  readonly aborted: boolean;
}

/** Hands control back to the event loop this often, so an abort fired elsewhere is seen promptly. */
const YIELD_EVERY_MS = 20;

export async function elasticNetCoordinateDescent(problem: ElasticNetProblem, options: CoordinateDescentOptions): Promise<CoordinateDescentResult> {
  const { columns, rows: n, cols: d, y, alpha, l1Ratio } = problem;
  const l1 = alpha * l1Ratio * n;
  const l2 = alpha * (1 - l1Ratio) * n;
  const weights = new Float64Array(d);
  const residual = Float64Array.from(y);
  const squaredNorms = new Float64Array(d);
  for (let j = 0; j < d; j++) squaredNorms[j] = dot(columns, j * n, columns, j * n, n);
  const yNorm2 = dot(y, 0, y, 0, n);
  const gapTolerance = options.tol * yNorm2;

  let gap = Number.POSITIVE_INFINITY;
  let lastYield = performance.now();
  for (let sweep = 1; sweep <= options.maxIter; sweep++) {
    let maxChange = 0;
    let maxWeight = 0;
    for (let j = 0; j < d; j++) {
      const norm2 = squaredNorms[j] as number;
      if (norm2 === 0) continue; // a constant column after centring: its weight stays 0
      const old = weights[j] as number;
      const start = j * n;
      const t = dot(columns, start, residual, 0, n) + norm2 * old;
      const updated = Math.sign(t) * Math.max(Math.abs(t) - l1, 0) / (norm2 + l2);
      if (updated !== old) {
        // r ← r − X_j·(w_new − w_old)
        const change = updated - old;
        for (let i = 0; i < n; i++) residual[i] = (residual[i] as number) - change * (columns[start + i] as number);
        weights[j] = updated;
      }
      maxChange = Math.max(maxChange, Math.abs(updated - old));
      maxWeight = Math.max(maxWeight, Math.abs(updated));
    }
    options.onSweep?.(sweep, weights, dot(residual, 0, residual, 0, n) / n);
    if (maxWeight === 0 || maxChange / maxWeight < options.tol || sweep === options.maxIter) {
      gap = dualityGap(problem, weights, residual, l1, l2);
      if (gap < gapTolerance) return { weights, sweeps: sweep, converged: true, dualityGap: gap, aborted: false };
    }
    if (performance.now() - lastYield >= YIELD_EVERY_MS) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      lastYield = performance.now();
    }
    if (options.signal?.aborted === true) return { weights, sweeps: sweep, converged: false, dualityGap: gap, aborted: true };
  }
  return { weights, sweeps: options.maxIter, converged: false, dualityGap: gap, aborted: false };
}

/**
 * The duality gap of the (n-scaled) elastic-net problem at `weights`, as scikit-learn computes it: the
 * dual point is the residual scaled so that ‖Xᵀθ − l2·w‖∞ ≤ l1. Zero exactly at the minimiser.
 */
function dualityGap(problem: ElasticNetProblem, weights: Float64Array, residual: Float64Array, l1: number, l2: number): number {
  const { columns, rows: n, cols: d, y } = problem;
  let dualNorm = 0;
  let l1Norm = 0;
  let w2 = 0;
  for (let j = 0; j < d; j++) {
    const w = weights[j] as number;
    dualNorm = Math.max(dualNorm, Math.abs(dot(columns, j * n, residual, 0, n) - l2 * w));
    l1Norm += Math.abs(w);
    w2 += w * w;
  }
  const r2 = dot(residual, 0, residual, 0, n);
  let scale = 1;
  let gap = r2;
  if (dualNorm > l1) {
    scale = l1 / dualNorm;
    gap = 0.5 * (r2 + r2 * scale * scale);
  }
  gap += l1 * l1Norm - scale * dot(residual, 0, y, 0, n) + 0.5 * l2 * (1 + scale * scale) * w2;
  return gap;
}

function dot(a: Float64Array, aStart: number, b: Float64Array, bStart: number, n: number): number {
  let sum = 0;
  for (let i = 0; i < n; i++) sum += (a[aStart + i] as number) * (b[bStart + i] as number);
  return sum;
}
