/**
 * Lloyd's iterations with Hamerly's bounds (Hamerly 2010, "Making k-means even faster"): the same
 * assignments and centres as ./lloyd.ts (its test oracle), with most distance computations skipped.
 *
 * Each row keeps an upper bound u on the distance to its own centre and a lower bound l on the distance
 * to every other centre. When centres move by p_c, u grows by its centre's move and l shrinks by the
 * largest move of another centre. A row with u ≤ m = max(l, half the distance from its centre to the
 * nearest other centre) cannot change cluster; otherwise u is tightened to the exact distance, and
 * only if still u > m are all k distances computed. Cluster sums are updated only for rows that
 * change cluster. With few clusters (k ≲ 20) this skips most of the work once the centres settle.
 *
 * The inertia reported per iteration is Σu², an upper bound (exact where bounds were tightened); the
 * returned inertia is exact.
 */
import type { Matrix } from '../../core/matrix.js';
import { relocateEmptyClusters, type LloydOptions, type LloydResult } from './lloyd.js';
import { squaredDistanceNaive } from './squared-distances.js';

const YIELD_EVERY_MS = 20;

export async function hamerly(X: Matrix, initialCentres: Float64Array, k: number, options: LloydOptions): Promise<LloydResult> {
  const { rows: n, cols: d, data: x } = X;
  let centres = Float64Array.from(initialCentres);
  let next = new Float64Array(k * d);
  const counts = new Float64Array(k);
  const labels = new Int32Array(n);
  const upper = new Float64Array(n);
  const lower = new Float64Array(n);
  const squared = new Float64Array(n);
  const moves = new Float64Array(k);
  const halfGap = new Float64Array(k);
  let lastYield = performance.now();

  /** Every distance for row i: sets its label and both bounds exactly; true if the label changed. */
  const assignFully = (i: number): boolean => {
    let best = -1;
    let bestDistance = Number.POSITIVE_INFINITY;
    let second = Number.POSITIVE_INFINITY;
    for (let c = 0; c < k; c++) {
      const v = squaredDistanceNaive(x, i * d, centres, c * d, d);
      if (v < bestDistance) {
        second = bestDistance;
        bestDistance = v;
        best = c;
      } else if (v < second) {
        second = v;
      }
    }
    const changed = labels[i] !== best;
    labels[i] = best;
    upper[i] = Math.sqrt(bestDistance);
    lower[i] = Math.sqrt(second);
    squared[i] = bestDistance;
    return changed;
  };

  /** Exact labels and inertia for the final centres. */
  const finish = (iterations: number): LloydResult => {
    let exact = 0;
    for (let i = 0; i < n; i++) {
      assignFully(i);
      exact += squared[i] as number;
    }
    return { centres, labels, inertia: exact, iterations, aborted: false };
  };

  labels.fill(-1);
  let inertia = 0;
  for (let i = 0; i < n; i++) {
    assignFully(i);
    inertia += squared[i] as number;
  }
  // Per-cluster sums and counts, kept up to date as rows move.
  const sums = new Float64Array(k * d);
  for (let i = 0; i < n; i++) {
    const c = labels[i] as number;
    counts[c] = (counts[c] as number) + 1;
    for (let j = 0; j < d; j++) sums[c * d + j] = (sums[c * d + j] as number) + (x[i * d + j] as number);
  }
  let iteration = 1;
  options.onIteration?.(iteration, inertia, centres);

  for (;;) {
    // Update: each centre moves to the mean of its rows (empty ones take the farthest rows).
    let relocated = false;
    for (let c = 0; c < k && !relocated; c++) relocated = counts[c] === 0;
    if (relocated) relocateEmptyClusters(X, labels, squared, counts, sums, k);
    let shift = 0;
    for (let c = 0; c < k; c++) {
      const inverse = 1 / (counts[c] as number);
      let move = 0;
      for (let j = 0; j < d; j++) {
        const idx = c * d + j;
        const v = (sums[idx] as number) * inverse;
        next[idx] = v;
        const diff = v - (centres[idx] as number);
        move += diff * diff;
      }
      moves[c] = Math.sqrt(move);
      shift += move;
    }
    [centres, next] = [next, centres];

    // Converged on the centres: one last exact assignment so that labels and inertia match them.
    if (shift <= options.tol || iteration >= options.maxIter) return finish(iteration);

    // Loosen the bounds by how far the centres moved; a relocation invalidates every lower bound.
    let largest = 0;
    let largestAt = 0;
    let secondLargest = 0;
    for (let c = 0; c < k; c++) {
      const m = moves[c] as number;
      if (m > largest) {
        secondLargest = largest;
        largest = m;
        largestAt = c;
      } else if (m > secondLargest) {
        secondLargest = m;
      }
    }
    for (let c = 0; c < k; c++) {
      let nearest = Number.POSITIVE_INFINITY;
      for (let o = 0; o < k; o++) if (o !== c) nearest = Math.min(nearest, squaredDistanceNaive(centres, c * d, centres, o * d, d));
      halfGap[c] = 0.5 * Math.sqrt(nearest);
    }

    // Assign, skipping rows the bounds prove cannot move.
    let changed = false;
    inertia = 0;
    for (let i = 0; i < n; i++) {
      const a = labels[i] as number;
      const lo = relocated ? 0 : (lower[i] as number) - (a === largestAt ? secondLargest : largest);
      lower[i] = lo;
      let up = (upper[i] as number) + (moves[a] as number);
      const bound = Math.max(halfGap[a] as number, lo);
      if (up > bound) {
        const own = squaredDistanceNaive(x, i * d, centres, a * d, d);
        up = Math.sqrt(own);
        squared[i] = own;
        if (up > bound && assignFully(i)) {
          changed = true;
          const b = labels[i] as number;
          counts[a] = (counts[a] as number) - 1;
          counts[b] = (counts[b] as number) + 1;
          for (let j = 0; j < d; j++) {
            const v = x[i * d + j] as number;
            sums[a * d + j] = (sums[a * d + j] as number) - v;
            sums[b * d + j] = (sums[b * d + j] as number) + v;
          }
          up = upper[i] as number;
        }
      } else {
        squared[i] = up * up;
      }
      upper[i] = up;
      inertia += up * up;
    }
    iteration++;
    options.onIteration?.(iteration, inertia, centres);
    // Strict convergence: the assignment did not change, so neither would the centres.
    if (!changed) return finish(iteration);

    if (performance.now() - lastYield >= YIELD_EVERY_MS) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      lastYield = performance.now();
    }
    if (options.signal?.aborted === true) return { centres, labels, inertia: Number.NaN, iterations: iteration, aborted: true };
  }
}