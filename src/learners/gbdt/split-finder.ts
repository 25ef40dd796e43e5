/**
 * Finds a node's best split from its gradient histogram (./histogram.ts): per feature one cumulative
 * scan over the bins, so the cost is O(features × bins), independent of the node's row count.
 *
 *   - numeric features: "bin <= b" for every b, with missing values sent right, then (when the node has
 *     missing values in that feature) sent left; the better direction is the learnt default direction.
 *     A node without missing values in the feature leaves the direction to the grower, which sends
 *     them to the larger child (scikit-learn's rule). With missing values, "all present values left,
 *     missing right" is a split too.
 *   - categorical features: LightGBM's approach. Categories with rows are sorted by
 *     gradient/(hessian + catSmooth); the left set is a prefix of that order, taken from either end, of
 *     at most maxCatThreshold categories. Missing and unseen categories go right.
 *
 * Row counts. Histograms hold no counts (./histogram.ts), yet every child must keep minSamplesLeaf rows.
 * For a numeric feature without missing values the scan settles that from hessian sums: when every
 * row's hessian lies in [hessMin, hessMax], a side whose hessian sum is H has between H/hessMax and
 * H/hessMin rows. A candidate is then certainly allowed, certainly not, or undecided. If an undecided
 * candidate could beat (or tie) the best allowed one, the answer is NEEDS_COUNTS: the grower counts the
 * node's rows per bin and asks again, so the result is always the one exact counts give. Categorical
 * features and features with missing values (which must know whether a bin has rows at all) always get
 * exact counts.
 *
 * Ties keep the first candidate in the order features → bins → direction (missing right, then left),
 * which the naive reference (./split-finder.naive.ts) follows too.
 */
import { BIN_STRIDE, MISSING_BIN, type FeatureBins } from '../hist/binning.js';
import { HISTOGRAM_ENTRY } from './histogram.js';
import { MIN_GAIN, nodeScore, type NodeSums, type Split, type SplitConstraints } from './split.js';

/** What the scan knows about the node's row counts per bin. */
export interface RowCounts {
  /** Count histogram (`counts[f * BIN_STRIDE + b]`), or null when none was built. */
  readonly counts: Float64Array | null;
  /** Features whose entries in `counts` are valid (1); the others are bounded by hessians. */
  readonly counted: Uint8Array;
  /** Smallest and largest hessian of any row of the tree (hessMin may be 0). */
  readonly hessMin: number;
  readonly hessMax: number;
  /** Bound on the rounding error of any hessian sum of the tree (see `hessianSlack`). */
  readonly slack: number;
}

/** Answer of `findBestSplit` when hessian bounds could not settle minSamplesLeaf: count, then ask again. */
export const NEEDS_COUNTS = 'needs-counts';

/**
 * A bound on the rounding error of the hessian sums a tree's histograms hold (sums of up to n
 * non-negative terms, and differences of such sums): far above n·ε·(total hessian) for any realistic n.
 */
export function hessianSlack(totalHessian: number): number {
  return 1e-8 * totalHessian;
}

export function findBestSplit(
  hist: Float64Array,
  features: Int32Array,
  bins: readonly FeatureBins[],
  sums: NodeSums,
  constraints: SplitConstraints,
  rowCounts: RowCounts,
): Split | null | typeof NEEDS_COUNTS {
  const search = new SplitSearch(sums, constraints, rowCounts);
  for (let j = 0; j < features.length; j++) {
    const f = features[j] as number;
    const featureBins = bins[f] as FeatureBins;
    const counted = rowCounts.counted[f] === 1;
    if (featureBins.kind === 'numeric') scanNumeric(hist, counted ? rowCounts.counts : null, f, featureBins.nValueBins, search);
    else if (counted) scanCategorical(hist, rowCounts.counts as Float64Array, f, featureBins.nValueBins, search);
    else throw new Error(`categorical feature ${f} needs row counts`);
  }
  if (search.undecidedGain >= search.bestGain && search.undecidedGain > MIN_GAIN) return NEEDS_COUNTS;
  return search.best;
}

/** The best candidate so far, and the best gain of candidates whose row counts are undecided. */
class SplitSearch {
  best: Split | null = null;
  bestGain = MIN_GAIN;
  undecidedGain = Number.NEGATIVE_INFINITY;
  private readonly parentScore: number;
  private readonly minHess: number;
  private readonly minCount: number;
  /** Hessian sums below which a side certainly has too few rows, above which certainly enough. */
  private readonly tooFewBelow: number;
  private readonly enoughFrom: number;

  constructor(
    readonly sums: NodeSums,
    readonly c: SplitConstraints,
    bounds: RowCounts,
  ) {
    this.parentScore = nodeScore(sums.grad, sums.hess, c.l2Regularization);
    this.minHess = c.minSumHessianInLeaf;
    this.minCount = c.minSamplesLeaf;
    this.tooFewBelow = c.minSamplesLeaf * bounds.hessMin - bounds.slack;
    this.enoughFrom = c.minSamplesLeaf * bounds.hessMax + bounds.slack;
  }

  /**
   * The gain of a candidate with left sums (g, h) and, when counted, n left rows (NaN when not);
   * −∞ when a constraint certainly rules it out. Undecided candidates are noted, and also get −∞.
   */
  gain(g: number, h: number, n: number): number {
    const { sums, c } = this;
    const hRight = sums.hess - h;
    if (h < this.minHess || hRight < this.minHess) return Number.NEGATIVE_INFINITY;
    const gain = nodeScore(g, h, c.l2Regularization) + nodeScore(sums.grad - g, hRight, c.l2Regularization) - this.parentScore;
    if (n === n) {
      // Counted: exact.
      return n >= this.minCount && sums.count - n >= this.minCount ? gain : Number.NEGATIVE_INFINITY;
    }
    if (h < this.tooFewBelow || hRight < this.tooFewBelow) return Number.NEGATIVE_INFINITY;
    if (h >= this.enoughFrom && hRight >= this.enoughFrom) return gain;
    if (gain > this.undecidedGain) this.undecidedGain = gain;
    return Number.NEGATIVE_INFINITY;
  }
}

function scanNumeric(hist: Float64Array, counts: Float64Array | null, f: number, nValueBins: number, search: SplitSearch): void {
  const base = f * BIN_STRIDE * HISTOGRAM_ENTRY;
  const countBase = f * BIN_STRIDE;
  const missingAt = base + MISSING_BIN * HISTOGRAM_ENTRY;
  const missGrad = hist[missingAt] as number;
  const missHess = hist[missingAt + 1] as number;
  // Uncounted features have no missing values at all (the grower counts the others).
  const missCount = counts === null ? 0 : (counts[countBase + MISSING_BIN] as number);
  let bestGain = search.bestGain;
  let bestBin = -1;
  let bestMissingLeft = false;
  let g = 0;
  let h = 0;
  let n = counts === null ? Number.NaN : 0;
  // The last value bin is a candidate only with missing values (all present values left, missing right).
  const lastBin = missCount > 0 ? nValueBins - 1 : nValueBins - 2;
  for (let b = 0; b <= lastBin; b++) {
    const at = base + b * HISTOGRAM_ENTRY;
    g += hist[at] as number;
    h += hist[at + 1] as number;
    if (counts !== null) n += counts[countBase + b] as number;
    // missing values go right: left = bins 0..b
    const gain = search.gain(g, h, n);
    if (gain > bestGain) {
      bestGain = gain;
      bestBin = b;
      bestMissingLeft = false;
    }
    // missing values go left: left = bins 0..b + missing
    if (missCount > 0 && b < nValueBins - 1) {
      const gainLeft = search.gain(g + missGrad, h + missHess, n + missCount);
      if (gainLeft > bestGain) {
        bestGain = gainLeft;
        bestBin = b;
        bestMissingLeft = true;
      }
    }
  }
  if (bestBin < 0) return;
  search.bestGain = bestGain;
  search.best = numericSplit(hist, f, bestBin, missCount > 0 ? bestMissingLeft : null, bestGain, search.sums);
}

/**
 * A numeric split with its children's sums (recomputed once for the winner only). `missingLeft` null:
 * the node has no missing values in the feature.
 */
export function numericSplit(hist: Float64Array, f: number, bin: number, missingLeft: boolean | null, gain: number, sums: NodeSums): Split {
  const base = f * BIN_STRIDE * HISTOGRAM_ENTRY;
  let g = 0;
  let h = 0;
  for (let b = 0; b <= bin; b++) {
    const at = base + b * HISTOGRAM_ENTRY;
    g += hist[at] as number;
    h += hist[at + 1] as number;
  }
  if (missingLeft === true) {
    const missingAt = base + MISSING_BIN * HISTOGRAM_ENTRY;
    g += hist[missingAt] as number;
    h += hist[missingAt + 1] as number;
  }
  return { gain, feature: f, bin, missingLeft, leftBins: null, left: { grad: g, hess: h }, right: { grad: sums.grad - g, hess: sums.hess - h } };
}

/** The categories (bins) with rows, ordered by gradient/(hessian + catSmooth), ties by bin. */
export function orderedCategories(hist: Float64Array, counts: Float64Array, f: number, nValueBins: number, catSmooth: number): number[] {
  const base = f * BIN_STRIDE * HISTOGRAM_ENTRY;
  const present: number[] = [];
  for (let b = 0; b < nValueBins; b++) if ((counts[f * BIN_STRIDE + b] as number) > 0) present.push(b);
  const ratio = (b: number): number => (hist[base + b * HISTOGRAM_ENTRY] as number) / ((hist[base + b * HISTOGRAM_ENTRY + 1] as number) + catSmooth);
  return present.sort((p, q) => ratio(p) - ratio(q) || p - q);
}

function scanCategorical(hist: Float64Array, counts: Float64Array, f: number, nValueBins: number, search: SplitSearch): void {
  const base = f * BIN_STRIDE * HISTOGRAM_ENTRY;
  const order = orderedCategories(hist, counts, f, nValueBins, search.c.catSmooth);
  const m = order.length;
  if (m < 2) return;
  const maxLeft = Math.min(search.c.maxCatThreshold, m - 1);
  let bestGain = search.bestGain;
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
      n += counts[f * BIN_STRIDE + b] as number;
      const gain = search.gain(g, h, n);
      if (gain > bestGain) {
        bestGain = gain;
        bestSize = size;
        bestFromEnd = fromEnd;
      }
    }
  }
  if (bestSize === 0) return;
  const chosen = bestFromEnd ? order.slice(m - bestSize) : order.slice(0, bestSize);
  search.bestGain = bestGain;
  search.best = categoricalSplit(hist, f, chosen, bestGain, search.sums);
}

/** A categorical split sending the bins `leftCategories` left, with its children's sums. */
export function categoricalSplit(hist: Float64Array, f: number, leftCategories: readonly number[], gain: number, sums: NodeSums): Split {
  const base = f * BIN_STRIDE * HISTOGRAM_ENTRY;
  const leftBins = new Uint8Array(BIN_STRIDE);
  let g = 0;
  let h = 0;
  for (const b of leftCategories) {
    leftBins[b] = 1;
    const at = base + b * HISTOGRAM_ENTRY;
    g += hist[at] as number;
    h += hist[at + 1] as number;
  }
  return { gain, feature: f, bin: -1, missingLeft: false, leftBins, left: { grad: g, hess: h }, right: { grad: sums.grad - g, hess: sums.hess - h } };
}
