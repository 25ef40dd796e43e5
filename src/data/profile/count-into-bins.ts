/**
 * Counting values into the reference's quantile buckets: the one hot loop of a large drift check
 * (a million rows × a hundred columns is a hundred million lookups), so it avoids a branchy binary
 * search per value: a lookup table over an even grid between the first and last edge gives each value a
 * starting bucket, from which a short scan (usually zero or one step, since quantile edges are dense
 * where values are) finds the exact one.
 *
 * Buckets (B bins, edges e_0 … e_B): 0 holds values ≤ e_0, k holds (e_{k−1}, e_k], B + 1 holds values
 * > e_B. Missing values (NaN) are skipped. Beside the count, each bucket keeps the sum of its values: with
 * it the integral of the empirical CDF over a bucket is exact (see binnedWasserstein).
 */

/** Grid cells per bin of the lookup table: enough that a cell rarely spans more than one edge. */
const CELLS_PER_BIN = 16;

export function countIntoBins(values: ArrayLike<number>, edges: Float64Array, counts: Float64Array, sums: Float64Array): void {
  const nEdges = edges.length;
  if (nEdges === 0) return;
  const low = edges[0] as number;
  const high = edges[nEdges - 1] as number;
  const cells = Math.max(1, (nEdges - 1) * CELLS_PER_BIN);
  const scale = high > low ? cells / (high - low) : 0;
  // start[c]: the number of edges strictly below the low end of cell c (a guess the scans below correct)
  const start = new Int32Array(cells);
  let k = 0;
  for (let c = 0; c < cells; c++) {
    const cellLow = low + c / scale;
    while (k < nEdges && (edges[k] as number) < cellLow) k++;
    start[c] = k;
  }
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    let bucket: number;
    if (v <= low) {
      bucket = 0;
    } else if (v > high) {
      bucket = nEdges;
    } else {
      if (v !== v) continue; // NaN (missing) fails every comparison and lands here
      let cell = ((v - low) * scale) | 0;
      if (cell >= cells) cell = cells - 1;
      bucket = start[cell] as number;
      // bucket = number of edges strictly below v
      while (bucket < nEdges && (edges[bucket] as number) < v) bucket++;
      while (bucket > 0 && (edges[bucket - 1] as number) >= v) bucket--;
    }
    counts[bucket] = (counts[bucket] as number) + 1;
    sums[bucket] = (sums[bucket] as number) + v;
  }
}
