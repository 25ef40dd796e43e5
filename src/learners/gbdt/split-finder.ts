/**
 * Finds a node's best split from its gradient histogram (./histogram.ts): per feature one cumulative
 * scan over the bins, so the cost is O(features × bins), independent of the node's row count.
 *
 *   - numeric features: "bin <= b" for every b, with missing values sent right, then (when the node has
 *     missing values in that feature) sent left; the better direction is the learnt default direction.
 *     A node without missing values in the feature sends them, at prediction, to the larger child
 *     (scikit-learn's rule). With missing values, "all present values left, missing right" is a split too.
 *   - categorical features: LightGBM's approach. Categories with rows are sorted by
 *     gradient/(hessian + catSmooth); the left set is a prefix of that order, taken from either end, of
 *     at most maxCatThreshold categories. Missing and unseen categories go right.
 *
 * Ties keep the first candidate in the order features → bins → direction (missing right, then left),
 * which the naive reference (./split-finder.naive.ts) follows too.
 */
import { BIN_STRIDE, MISSING_BIN, type FeatureBins } from '../hist/binning.js';
import { HISTOGRAM_ENTRY } from './histogram.js';
import { childrenAllowed, MIN_GAIN, nodeScore, type NodeSums, type Split, type SplitConstraints } from './split.js';

export function findBestSplit(
  hist: Float64Array,
  features: Int32Array,
  bins: readonly FeatureBins[],
  sums: NodeSums,
  constraints: SplitConstraints,
): Split | null {
  let best: Split | null = null;
  for (let j = 0; j < features.length; j++) {
    const f = features[j] as number;
    const featureBins = bins[f] as FeatureBins;
    const candidate =
      featureBins.kind === 'numeric'
        ? bestNumericSplit(hist, f, featureBins.nValueBins, sums, constraints)
        : bestCategoricalSplit(hist, f, featureBins.nValueBins, sums, constraints);
    if (candidate !== null && (best === null || candidate.gain > best.gain)) best = candidate;
  }
  return best;
}

function bestNumericSplit(hist: Float64Array, f: number, nValueBins: number, sums: NodeSums, c: SplitConstraints): Split | null {
  const base = f * BIN_STRIDE * HISTOGRAM_ENTRY;
  const missingAt = base + MISSING_BIN * HISTOGRAM_ENTRY;
  const missGrad = hist[missingAt] as number;
  const missHess = hist[missingAt + 1] as number;
  const missCount = hist[missingAt + 2] as number;
  const l2 = c.l2Regularization;
  const parentScore = nodeScore(sums.grad, sums.hess, l2);
  let bestGain = MIN_GAIN;
  let bestBin = -1;
  let bestMissingLeft = false;
  let g = 0;
  let h = 0;
  let n = 0;
  // The last value bin is a candidate only with missing values (all present values left, missing right).
  const lastBin = missCount > 0 ? nValueBins - 1 : nValueBins - 2;
  for (let b = 0; b <= lastBin; b++) {
    const at = base + b * HISTOGRAM_ENTRY;
    g += hist[at] as number;
    h += hist[at + 1] as number;
    n += hist[at + 2] as number;
    // missing values go right: left = bins 0..b
    if (childrenAllowed(n, h, sums.count - n, sums.hess - h, c)) {
      const gain = nodeScore(g, h, l2) + nodeScore(sums.grad - g, sums.hess - h, l2) - parentScore;
      if (gain > bestGain) {
        bestGain = gain;
        bestBin = b;
        bestMissingLeft = false;
      }
    }
    // missing values go left: left = bins 0..b + missing
    if (missCount > 0 && b < nValueBins - 1) {
      const gl = g + missGrad;
      const hl = h + missHess;
      const nl = n + missCount;
      if (childrenAllowed(nl, hl, sums.count - nl, sums.hess - hl, c)) {
        const gain = nodeScore(gl, hl, l2) + nodeScore(sums.grad - gl, sums.hess - hl, l2) - parentScore;
        if (gain > bestGain) {
          bestGain = gain;
          bestBin = b;
          bestMissingLeft = true;
        }
      }
    }
  }
  if (bestBin < 0) return null;
  return numericSplit(hist, f, bestBin, bestMissingLeft, bestGain, sums);
}

/** A numeric split with its children's sums (recomputed once for the winner only). */
export function numericSplit(hist: Float64Array, f: number, bin: number, missingLeft: boolean, gain: number, sums: NodeSums): Split {
  const base = f * BIN_STRIDE * HISTOGRAM_ENTRY;
  let g = 0;
  let h = 0;
  let n = 0;
  for (let b = 0; b <= bin; b++) {
    const at = base + b * HISTOGRAM_ENTRY;
    g += hist[at] as number;
    h += hist[at + 1] as number;
    n += hist[at + 2] as number;
  }
  const missingAt = base + MISSING_BIN * HISTOGRAM_ENTRY;
  const missCount = hist[missingAt + 2] as number;
  if (missingLeft) {
    g += hist[missingAt] as number;
    h += hist[missingAt + 1] as number;
    n += missCount;
  }
  const left = { grad: g, hess: h, count: n };
  const right = { grad: sums.grad - g, hess: sums.hess - h, count: sums.count - n };
  // Without missing values here, unseen missing values follow the majority (scikit-learn's rule).
  const missingGoesLeft = missCount > 0 ? missingLeft : left.count > right.count;
  return { gain, feature: f, bin, missingLeft: missingGoesLeft, leftBins: null, left, right };
}

/** The categories (bins) with rows, ordered by gradient/(hessian + catSmooth), ties by bin. */
export function orderedCategories(hist: Float64Array, f: number, nValueBins: number, catSmooth: number): number[] {
  const base = f * BIN_STRIDE * HISTOGRAM_ENTRY;
  const present: number[] = [];
  for (let b = 0; b < nValueBins; b++) if ((hist[base + b * HISTOGRAM_ENTRY + 2] as number) > 0) present.push(b);
  const ratio = (b: number): number => (hist[base + b * HISTOGRAM_ENTRY] as number) / ((hist[base + b * HISTOGRAM_ENTRY + 1] as number) + catSmooth);
  return present.sort((p, q) => ratio(p) - ratio(q) || p - q);
}

function bestCategoricalSplit(hist: Float64Array, f: number, nValueBins: number, sums: NodeSums, c: SplitConstraints): Split | null {
  const base = f * BIN_STRIDE * HISTOGRAM_ENTRY;
  const order = orderedCategories(hist, f, nValueBins, c.catSmooth);
  const m = order.length;
  if (m < 2) return null;
  const l2 = c.l2Regularization;
  const parentScore = nodeScore(sums.grad, sums.hess, l2);
  const maxLeft = Math.min(c.maxCatThreshold, m - 1);
  let bestGain = MIN_GAIN;
  let bestSize = 0;
  let bestFromEnd = false;
  for (const fromEnd of [false, true]) {
    let g = 0;
    let h = 0;
    let n = 0;
    for (let size = 1; size <= maxLeft; size++) {
      const b = order[fromEnd ? m - size : size - 1] as number;
      const at = base + b * HISTOGRAM_ENTRY;
      g += hist[at] as number;
      h += hist[at + 1] as number;
      n += hist[at + 2] as number;
      if (!childrenAllowed(n, h, sums.count - n, sums.hess - h, c)) continue;
      const gain = nodeScore(g, h, l2) + nodeScore(sums.grad - g, sums.hess - h, l2) - parentScore;
      if (gain > bestGain) {
        bestGain = gain;
        bestSize = size;
        bestFromEnd = fromEnd;
      }
    }
  }
  if (bestSize === 0) return null;
  const chosen = bestFromEnd ? order.slice(m - bestSize) : order.slice(0, bestSize);
  return categoricalSplit(hist, f, chosen, bestGain, sums);
}

/** A categorical split sending the bins `leftCategories` left, with its children's sums. */
export function categoricalSplit(hist: Float64Array, f: number, leftCategories: readonly number[], gain: number, sums: NodeSums): Split {
  const base = f * BIN_STRIDE * HISTOGRAM_ENTRY;
  const leftBins = new Uint8Array(BIN_STRIDE);
  let g = 0;
  let h = 0;
  let n = 0;
  for (const b of leftCategories) {
    leftBins[b] = 1;
    const at = base + b * HISTOGRAM_ENTRY;
    g += hist[at] as number;
    h += hist[at + 1] as number;
    n += hist[at + 2] as number;
  }
  const left = { grad: g, hess: h, count: n };
  const right = { grad: sums.grad - g, hess: sums.hess - h, count: sums.count - n };
  return { gain, feature: f, bin: -1, missingLeft: false, leftBins, left, right };
}
