/**
 * The naive reference of ./split-finder.ts, the test oracle of the fast scan: it lists every candidate
 * split explicitly (the same candidates, in the same order) and sums each side from the node's rows
 * directly, rather than from a histogram with running sums. Slow (O(candidates × rows)) and obvious.
 */
import { BIN_STRIDE, MISSING_BIN, type FeatureBins } from '../hist/binning.js';
import { childrenAllowed, MIN_GAIN, nodeScore, type NodeSums, type Split, type SplitConstraints } from './split.js';

/** Sums of the rows (of `rows`) for which `goesLeft(bin)` holds in feature f. */
function sideSums(codes: Uint8Array, nRows: number, f: number, rows: readonly number[], grad: ArrayLike<number>, hess: ArrayLike<number>, goesLeft: (bin: number) => boolean): NodeSums {
  let g = 0;
  let h = 0;
  let n = 0;
  for (const r of rows) {
    if (!goesLeft(codes[f * nRows + r] as number)) continue;
    g += grad[r] as number;
    h += hess[r] as number;
    n += 1;
  }
  return { grad: g, hess: h, count: n };
}

export function findBestSplitNaive(
  codes: Uint8Array,
  nRows: number,
  rows: readonly number[],
  grad: ArrayLike<number>,
  hess: ArrayLike<number>,
  features: readonly number[],
  bins: readonly FeatureBins[],
  c: SplitConstraints,
): Split | null {
  const total = sideSums(codes, nRows, 0, rows, grad, hess, () => true);
  const parentScore = nodeScore(total.grad, total.hess, c.l2Regularization);
  let best: Split | null = null;
  const consider = (f: number, bin: number, missingLeft: boolean, leftBins: Uint8Array | null, goesLeft: (b: number) => boolean): void => {
    const left = sideSums(codes, nRows, f, rows, grad, hess, goesLeft);
    const right = { grad: total.grad - left.grad, hess: total.hess - left.hess, count: total.count - left.count };
    if (!childrenAllowed(left.count, left.hess, right.count, right.hess, c)) return;
    const gain = nodeScore(left.grad, left.hess, c.l2Regularization) + nodeScore(right.grad, right.hess, c.l2Regularization) - parentScore;
    if (gain > MIN_GAIN && (best === null || gain > best.gain)) {
      best = { gain, feature: f, bin, missingLeft, leftBins, left: { grad: left.grad, hess: left.hess }, right: { grad: right.grad, hess: right.hess } };
    }
  };
  for (const f of features) {
    const featureBins = bins[f] as FeatureBins;
    const missing = sideSums(codes, nRows, f, rows, grad, hess, (b) => b === MISSING_BIN).count;
    if (featureBins.kind === 'numeric') {
      const nb = featureBins.nValueBins;
      for (let b = 0; b < nb; b++) {
        if (b < nb - 1 || missing > 0) consider(f, b, false, null, (x) => x !== MISSING_BIN && x <= b);
        if (missing > 0 && b < nb - 1) consider(f, b, true, null, (x) => x === MISSING_BIN || x <= b);
      }
      continue;
    }
    // Categorical: categories with rows, by gradient / (hessian + catSmooth), prefixes from both ends.
    const stats: { bin: number; ratio: number }[] = [];
    for (let b = 0; b < featureBins.nValueBins; b++) {
      const s = sideSums(codes, nRows, f, rows, grad, hess, (x) => x === b);
      if (s.count > 0) stats.push({ bin: b, ratio: s.grad / (s.hess + c.catSmooth) });
    }
    stats.sort((p, q) => p.ratio - q.ratio || p.bin - q.bin);
    const order = stats.map((s) => s.bin);
    const maxLeft = Math.min(c.maxCatThreshold, order.length - 1);
    for (const fromEnd of [false, true]) {
      for (let size = 1; size <= maxLeft; size++) {
        const chosen = fromEnd ? order.slice(order.length - size) : order.slice(0, size);
        const leftBins = new Uint8Array(BIN_STRIDE);
        for (const b of chosen) leftBins[b] = 1;
        consider(f, -1, false, leftBins, (x) => leftBins[x] === 1);
      }
    }
  }
  // A numeric split of a node without missing values in its feature leaves their direction open (null).
  const found = best as Split | null;
  if (found !== null && found.leftBins === null) {
    const missing = sideSums(codes, nRows, found.feature, rows, grad, hess, (b) => b === MISSING_BIN).count;
    if (missing === 0) return { ...found, missingLeft: null };
  }
  return found;
}
