/**
 * Greedy k-means++ seeding, as scikit-learn does it (`_kmeans_plusplus`; Arthur & Vassilvitskii 2007):
 * the first centre is a uniformly random row; each next centre is the best of `2 + ⌊ln k⌋` candidates
 * drawn with probability proportional to their squared distance to the nearest centre chosen so far,
 * "best" meaning the candidate that leaves the smallest total squared distance. Spreading the seeds out
 * this way makes Lloyd's iterations start near a good solution and converge in few steps.
 */
import type { Matrix } from '../../core/matrix.js';
import type { Rng } from '../../core/rng.js';
import { rowSquaredNorms, squaredDistanceNaive, squaredDistancesBlock } from './squared-distances.js';

const BLOCK_ROWS = 256;

/** k rows of X chosen as initial centres (copied), `k × cols` row-major. */
export function kmeansPlusPlus(X: Matrix, k: number, rng: Rng): Float64Array {
  const { rows: n, cols: d, data: x } = X;
  const centres = new Float64Array(k * d);
  const trials = 2 + Math.floor(Math.log(k));
  const xNorms = rowSquaredNorms(x, n, d);
  const first = rng.int(n);
  centres.set(x.subarray(first * d, (first + 1) * d), 0);

  // Squared distance of each row to its nearest chosen centre.
  let closest: Float64Array = new Float64Array(n);
  for (let i = 0; i < n; i++) closest[i] = squaredDistanceNaive(x, i * d, x, first * d, d);
  const cumulative = new Float64Array(n);
  // Per candidate: each row's squared distance to the nearest centre if that candidate were added.
  const candidateClosest: Float64Array[] = Array.from({ length: trials }, () => new Float64Array(n));
  const candidates = new Float64Array(trials * d);
  const candidateNorms = new Float64Array(trials);
  const potentials = new Float64Array(trials);
  const block = new Float64Array(BLOCK_ROWS * trials);

  for (let c = 1; c < k; c++) {
    let running = 0;
    for (let i = 0; i < n; i++) {
      running += closest[i] as number;
      cumulative[i] = running;
    }
    for (let t = 0; t < trials; t++) {
      const id = Math.min(searchSorted(cumulative, rng.next() * running), n - 1);
      candidates.set(x.subarray(id * d, (id + 1) * d), t * d);
      candidateNorms[t] = xNorms[id] as number;
    }
    // All candidates against a block of rows at once: the distance kernel shares each row's loads.
    potentials.fill(0);
    for (let start = 0; start < n; start += BLOCK_ROWS) {
      const end = Math.min(n, start + BLOCK_ROWS);
      squaredDistancesBlock(x, xNorms, start, end, candidates, candidateNorms, trials, d, block);
      for (let t = 0; t < trials; t++) {
        const out = candidateClosest[t] as Float64Array;
        let potential = 0;
        for (let i = start; i < end; i++) {
          const v = Math.min(closest[i] as number, block[(i - start) * trials + t] as number);
          out[i] = v;
          potential += v;
        }
        potentials[t] = (potentials[t] as number) + potential;
      }
    }
    let best = 0;
    for (let t = 1; t < trials; t++) if ((potentials[t] as number) < (potentials[best] as number)) best = t;
    centres.set(candidates.subarray(best * d, (best + 1) * d), c * d);
    const chosen = candidateClosest[best] as Float64Array;
    candidateClosest[best] = closest;
    closest = chosen;
  }
  return centres;
}

/** The first index whose cumulative value reaches `value` (numpy's searchsorted, side 'left'). */
function searchSorted(cumulative: Float64Array, value: number): number {
  let lo = 0;
  let hi = cumulative.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((cumulative[mid] as number) < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
