/**
 * Lloyd's algorithm for k-means, as scikit-learn's `lloyd`: alternately assign every row to its nearest
 * centre and move every centre to the mean of its rows, until the centres stop moving (total squared
 * shift ≤ tol), the assignment stops changing, or maxIter iterations.
 *
 * Rows are processed in blocks so the distance kernel's output stays in cache. A centre left without
 * rows is moved onto the row farthest from its own centre (scikit-learn's relocation rule), so k
 * clusters come out even from a poor start.
 */
import type { Matrix } from '../../core/matrix.js';
import { rowSquaredNorms, squaredDistancesBlock } from './squared-distances.js';

const BLOCK_ROWS = 256;
const YIELD_EVERY_MS = 20;

export interface LloydOptions {
  readonly maxIter: number;
  /** Absolute tolerance on Σ‖c_new − c_old‖² (already scaled to the data, see `scaledTolerance`). */
  readonly tol: number;
  readonly signal?: AbortSignal;
  /** After every iteration: its number, the inertia of the assignment it made, and the centres it assigned to. */
  readonly onIteration?: (iteration: number, inertia: number, centres: Float64Array) => void;
}

export interface LloydResult {
  /** k × cols, row-major. */
  readonly centres: Float64Array;
  readonly labels: Int32Array;
  /** Σ_i ‖x_i − c_{label_i}‖² for the returned centres and labels. */
  readonly inertia: number;
  readonly iterations: number;
  readonly aborted: boolean;
}

/** scikit-learn's `_tolerance`: tol × the mean per-feature variance, so tol does not depend on the data's scale. */
export function scaledTolerance(X: Matrix, tol: number): number {
  const { rows: n, cols: d, data: x } = X;
  let total = 0;
  for (let j = 0; j < d; j++) {
    let mean = 0;
    for (let i = 0; i < n; i++) mean += x[i * d + j] as number;
    mean /= n;
    let variance = 0;
    for (let i = 0; i < n; i++) {
      const v = (x[i * d + j] as number) - mean;
      variance += v * v;
    }
    total += variance / n;
  }
  return (total / d) * tol;
}

/**
 * Assigns each row to its nearest centre; writes labels and each row's squared distance to it, and
 * returns the inertia (their sum).
 */
export function assignToNearest(X: Matrix, xNorms: Float64Array, centres: Float64Array, k: number, labels: Int32Array, distances: Float64Array): number {
  const { rows: n, cols: d, data: x } = X;
  const centreNorms = rowSquaredNorms(centres, k, d);
  const block = new Float64Array(BLOCK_ROWS * k);
  let inertia = 0;
  for (let start = 0; start < n; start += BLOCK_ROWS) {
    const end = Math.min(n, start + BLOCK_ROWS);
    squaredDistancesBlock(x, xNorms, start, end, centres, centreNorms, k, d, block);
    for (let i = start; i < end; i++) {
      const offset = (i - start) * k;
      let best = 0;
      let bestDistance = block[offset] as number;
      for (let c = 1; c < k; c++) {
        const v = block[offset + c] as number;
        if (v < bestDistance) {
          bestDistance = v;
          best = c;
        }
      }
      labels[i] = best;
      distances[i] = bestDistance;
      inertia += bestDistance;
    }
  }
  return inertia;
}

export async function lloyd(X: Matrix, initialCentres: Float64Array, k: number, options: LloydOptions): Promise<LloydResult> {
  const { rows: n, cols: d, data: x } = X;
  const xNorms = rowSquaredNorms(x, n, d);
  let centres = Float64Array.from(initialCentres);
  let next = new Float64Array(k * d);
  const counts = new Float64Array(k);
  const labels = new Int32Array(n).fill(-1);
  const previous = new Int32Array(n);
  const distances = new Float64Array(n);
  let lastYield = performance.now();

  for (let iteration = 1; iteration <= options.maxIter; iteration++) {
    previous.set(labels);
    const inertia = assignToNearest(X, xNorms, centres, k, labels, distances);
    options.onIteration?.(iteration, inertia, centres);

    // Strict convergence: the assignment did not change, so neither would the centres.
    let changed = false;
    for (let i = 0; i < n && !changed; i++) changed = labels[i] !== previous[i];
    if (!changed) return { centres, labels, inertia, iterations: iteration, aborted: false };

    // Update: each centre moves to the mean of its rows.
    next.fill(0);
    counts.fill(0);
    for (let i = 0; i < n; i++) {
      const c = labels[i] as number;
      counts[c] = (counts[c] as number) + 1;
      const cStart = c * d;
      const xStart = i * d;
      for (let j = 0; j < d; j++) next[cStart + j] = (next[cStart + j] as number) + (x[xStart + j] as number);
    }
    relocateEmptyClusters(X, labels, distances, counts, next, k);
    let shift = 0;
    for (let c = 0; c < k; c++) {
      const inverse = 1 / (counts[c] as number);
      for (let j = 0; j < d; j++) {
        const idx = c * d + j;
        const v = (next[idx] as number) * inverse;
        next[idx] = v;
        const diff = v - (centres[idx] as number);
        shift += diff * diff;
      }
    }
    [centres, next] = [next, centres];

    if (shift <= options.tol) {
      // Converged on the centres: one last assignment so that labels and inertia match them.
      const finalInertia = assignToNearest(X, xNorms, centres, k, labels, distances);
      return { centres, labels, inertia: finalInertia, iterations: iteration, aborted: false };
    }
    if (performance.now() - lastYield >= YIELD_EVERY_MS) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      lastYield = performance.now();
    }
    if (options.signal?.aborted === true) return { centres, labels, inertia: Number.NaN, iterations: iteration, aborted: true };
  }
  const inertia = assignToNearest(X, xNorms, centres, k, labels, distances);
  return { centres, labels, inertia, iterations: options.maxIter, aborted: false };
}

/**
 * Gives every empty cluster a row: the rows farthest from their own centres (by `distances`, any
 * monotone measure), taken from their old clusters (sums and counts adjusted), as scikit-learn's
 * `_relocate_empty_clusters` does.
 */
export function relocateEmptyClusters(X: Matrix, labels: Int32Array, distances: Float64Array, counts: Float64Array, sums: Float64Array, k: number): void {
  const empty: number[] = [];
  for (let c = 0; c < k; c++) if (counts[c] === 0) empty.push(c);
  if (empty.length === 0) return;
  const d = X.cols;
  const x = X.data;
  // The farthest rows, in decreasing distance.
  const order = Array.from({ length: X.rows }, (_, i) => i).sort((a, b) => (distances[b] as number) - (distances[a] as number));
  let taken = 0;
  for (const c of empty) {
    // Skip rows whose own cluster would become empty.
    let i = order[taken++] as number;
    while ((counts[labels[i] as number] as number) <= 1 && taken < order.length) i = order[taken++] as number;
    const old = labels[i] as number;
    counts[old] = (counts[old] as number) - 1;
    for (let j = 0; j < d; j++) sums[old * d + j] = (sums[old * d + j] as number) - (x[i * d + j] as number);
    labels[i] = c;
    counts[c] = 1;
    for (let j = 0; j < d; j++) sums[c * d + j] = x[i * d + j] as number;
    distances[i] = 0;
  }
}
