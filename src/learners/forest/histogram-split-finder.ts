/**
 * Histogram split finding for forests: features are binned once (src/learners/hist/binning.ts, ≤ 255
 * bins), and a node sums its rows' statistics per bin of each drawn feature, then scans the bins instead
 * of sorting values. Two modes:
 *
 *   - 'best' (random forests): the best boundary between two non-empty bins;
 *   - 'random' (extra trees): one random boundary per feature, drawn uniformly in value between the
 *     node's smallest and largest bin edges (scikit-learn's RandomSplitter draws uniformly between the
 *     node's min and max value), keeping the best feature.
 *
 * Bins decide how the node's rows are divided; the threshold is then placed midway between the largest
 * value going left and the smallest going right (float32, like every tree threshold), exactly where
 * exact CART would put it — a bin's own edge would hug the left values and generalise worse. Those two
 * values lie in the two non-empty bins on either side of the cut, so only the rows of those bins are
 * looked up. The predictor and its ONNX export need no bins at all.
 *
 * The rows live in node order (./node-rows.ts), so a node's codes are read sequentially, with a fixed
 * stride. Small nodes (most nodes of a fully grown tree) sort their bin codes instead of building a
 * 256-bin histogram; both ways sum each bin's rows in position order and hand the same list of
 * non-empty bins to one scan, so they choose identical splits.
 * The slow, obvious oracle of this finder is ./histogram-split-finder.naive.ts.
 */
import type { Rng } from '../../core/rng.js';
import { float32Threshold } from '../../onnx/tree-ensemble.js';
import { COUNT as COUNT_INDEX, SUMS as SUMS_INDEX, WEIGHT as WEIGHT_INDEX, type Criterion } from '../tree/criterion.js';
import type { FeatureSampler } from '../tree/feature-sampler.js';
import type { Split, SplitFinder, TreeTargets } from '../tree/grow-tree.js';
import { NodeRows, type RowMajorCodes } from './node-rows.js';

// The statistics record layout (../tree/criterion.ts) as this module's own constants: the hot loops read
// them at every step, and an imported binding may be a getter call under a transpiling loader (tsx).
const COUNT = COUNT_INDEX;
const WEIGHT = WEIGHT_INDEX;
const SUMS = SUMS_INDEX;

export type SplitMode = 'best' | 'random';

/** Nodes with at most this many rows sort their codes rather than build histograms. */
const SMALL_NODE = 96;
const BINS = 256;

export interface BinnedFeatures {
  readonly rows: number;
  readonly cols: number;
  /** Bin codes, row-major (see ./node-rows.ts). */
  readonly codes: RowMajorCodes;
  /** Per feature, the float32 upper edge of each value bin but the last. */
  readonly thresholds: readonly Float32Array[];
  /** The raw values as float32, column-major (`values[f * rows + i]`): thresholds are placed between them. */
  readonly values: Float32Array;
}

export class HistogramSplitFinder implements SplitFinder {
  private readonly nodeRows: NodeRows;
  private readonly entry: number;
  /** Raw histogram of BINS × rawStride (see collectHistogram for its layout), all zero between features. */
  private readonly hist: Float64Array;
  private readonly countRows: boolean;
  private readonly rawStride: number;
  private readonly left: Float64Array;
  private readonly right: Float64Array;
  private readonly keys: Int32Array;
  /** The current feature's non-empty bins in the node, in order, and their statistics. */
  private readonly binIds = new Int32Array(BINS);
  private readonly binStats: Float64Array;
  // What chooseBin found for the current feature (fields, not an object per feature).
  private foundBin = -1;
  private foundProxy = -Infinity;
  private foundLeftBin = -1;
  private foundRightBin = -1;

  /**
   * @param rows the rows the tree is grown on, in the order growTree will be given them.
   * @param rng draws extra trees' random thresholds.
   */
  constructor(
    private readonly data: BinnedFeatures,
    private readonly targets: TreeTargets,
    rows: Int32Array,
    private readonly criterion: Criterion,
    private readonly minSamplesLeaf: number,
    private readonly sampler: FeatureSampler,
    private readonly mode: SplitMode,
    private readonly rng: Rng,
  ) {
    this.nodeRows = new NodeRows(data.codes, targets, rows);
    this.entry = SUMS + criterion.width;
    this.countRows = minSamplesLeaf > 1;
    this.rawStride = (this.countRows ? 1 : 0) + (targets.classification ? criterion.width : 2);
    this.hist = new Float64Array(BINS * this.rawStride);
    this.left = new Float64Array(this.entry);
    this.right = new Float64Array(this.entry);
    this.binStats = new Float64Array(BINS * this.entry);
    this.keys = new Int32Array(Math.min(SMALL_NODE, rows.length));
  }

  statistics(_rows: Int32Array, start: number, end: number, out: Float64Array): number {
    return this.nodeRows.statistics(start, end, this.criterion.width, out);
  }

  find(rows: Int32Array, start: number, end: number, node: Float64Array): Split | null {
    const n = end - start;
    const { sampler } = this;
    let bestFeature = -1;
    let bestBin = -1;
    let bestProxy = -Infinity;
    let bestLeftBin = -1;
    let bestRightBin = -1;
    sampler.begin();
    for (let f = sampler.next(); f >= 0; f = sampler.next()) {
      const m = n <= SMALL_NODE ? this.collectSorted(f, start, n) : this.collectHistogram(f, start, end);
      if (m < 2) continue; // constant in this node
      sampler.informativeFound();
      this.chooseBin(f, m, node);
      if (this.foundBin >= 0 && this.foundProxy > bestProxy) {
        bestFeature = f;
        bestBin = this.foundBin;
        bestProxy = this.foundProxy;
        bestLeftBin = this.foundLeftBin;
        bestRightBin = this.foundRightBin;
      }
    }
    if (bestFeature < 0) return null;
    return { feature: bestFeature, bin: bestBin, threshold: this.cutBetweenValues(bestFeature, bestLeftBin, bestRightBin, rows, start, end) };
  }

  /**
   * The threshold of a split of feature f between bins leftBin and rightBin (the non-empty bins either
   * side of the cut): midway between the largest value of leftBin and the smallest of rightBin in this
   * node, as exact CART does — bins decide which rows go where; values decide where, between them, the
   * cut lies (which matters for rows not seen in training).
   */
  private cutBetweenValues(f: number, leftBin: number, rightBin: number, rows: Int32Array, start: number, end: number): number {
    const { values } = this.data;
    const { codes, stride } = this.nodeRows;
    const base = f * this.data.rows;
    let maxLeft = -Infinity;
    let minRight = Infinity;
    for (let p = start; p < end; p++) {
      const b = codes[p * stride + f] as number;
      if (b === leftBin) {
        const v = values[base + (rows[p] as number)] as number;
        if (v > maxLeft) maxLeft = v;
      } else if (b === rightBin) {
        const v = values[base + (rows[p] as number)] as number;
        if (v < minRight) minRight = v;
      }
    }
    return float32Threshold(maxLeft, minRight);
  }

  partition(rows: Int32Array, start: number, end: number, split: Split): number {
    return this.nodeRows.partition(rows, start, end, split.feature, split.bin);
  }

  /**
   * Collects feature f's non-empty bins among positions [start, end) into binIds/binStats through a
   * histogram; returns how many there are. One feature at a time: the codes are read with a fixed
   * stride, which the hardware prefetches (all drawn features in one pass measured slower).
   *
   * The histogram keeps only what each row must add, to keep the hottest loop short: per bin the class
   * weights S_k (classification; W is their sum) or W and Σ w·y (regression), after a row count only
   * when minSamplesLeaf > 1. With minSamplesLeaf = 1 every non-empty bin is given a count of 1: counts
   * are then only compared with 1, and a prefix of non-empty bins has at least one row on each side.
   */
  private collectHistogram(f: number, start: number, end: number): number {
    const { hist, rawStride, countRows } = this;
    const { codes, stride, weight, cls, y } = this.nodeRows;
    const offset = countRows ? 1 : 0;
    if (this.targets.classification && !countRows) {
      // the common case, kept apart: the hottest loop of a forest
      for (let p = start, c = start * stride + f; p < end; p++, c += stride) {
        const s = (codes[c] as number) * rawStride + (cls[p] as number);
        hist[s] = (hist[s] as number) + (weight[p] as number);
      }
    } else if (this.targets.classification) {
      for (let p = start, c = start * stride + f; p < end; p++, c += stride) {
        const at = (codes[c] as number) * rawStride;
        const s = at + offset + (cls[p] as number);
        hist[s] = (hist[s] as number) + (weight[p] as number);
        hist[at] = (hist[at] as number) + 1;
      }
    } else {
      for (let p = start, c = start * stride + f; p < end; p++, c += stride) {
        const b = codes[c] as number;
        const at = b * rawStride + offset;
        const w = weight[p] as number;
        hist[at] = (hist[at] as number) + w;
        hist[at + 1] = (hist[at + 1] as number) + w * (y[p] as number);
        if (countRows) hist[at - 1] = (hist[at - 1] as number) + 1;
      }
    }
    return this.compactHistogram();
  }

  /**
   * Compacts the raw histogram into binIds/binStats (the non-empty bins in increasing order, in the full
   * [count, W, S...] layout), leaving it zeroed; returns how many bins there are. (Scanning all bins
   * measured faster than tracking the lowest and highest bin in the loop above.)
   */
  private compactHistogram(): number {
    const { hist, entry, binIds, binStats, countRows, rawStride } = this;
    const classification = this.targets.classification;
    const offset = countRows ? 1 : 0;
    const width = entry - SUMS;
    let m = 0;
    if (classification && width === 2 && !countRows) {
      // two classes, no counts (the default classifier): scalars, ~7% less time per tree than the loops below
      for (let b = 0; b < BINS; b++) {
        const at = b * 2;
        const s0 = hist[at] as number;
        const s1 = hist[at + 1] as number;
        const w = s0 + s1;
        if (w === 0) continue;
        const out = m * entry;
        binIds[m] = b;
        binStats[out + COUNT] = 1;
        binStats[out + WEIGHT] = w;
        binStats[out + SUMS] = s0;
        binStats[out + SUMS + 1] = s1;
        hist[at] = 0;
        hist[at + 1] = 0;
        m++;
      }
      return m;
    }
    for (let b = 0; b < BINS; b++) {
      const at = b * rawStride;
      let w = 0;
      if (classification) for (let k = 0; k < width; k++) w += hist[at + offset + k] as number;
      else w = hist[at + offset] as number;
      if (w === 0) continue;
      const out = m * entry;
      binIds[m] = b;
      binStats[out + COUNT] = countRows ? (hist[at] as number) : 1;
      binStats[out + WEIGHT] = w;
      if (classification) for (let k = 0; k < width; k++) binStats[out + SUMS + k] = hist[at + offset + k] as number;
      else binStats[out + SUMS] = hist[at + offset + 1] as number;
      for (let e = 0; e < rawStride; e++) hist[at + e] = 0;
      m++;
    }
    return m;
  }

  /** Collects feature f's non-empty bins among positions [start, start + n) by sorting their codes. */
  private collectSorted(f: number, start: number, n: number): number {
    const { entry, binIds, binStats } = this;
    const { codes, stride, weight, cls, y } = this.nodeRows;
    const classification = this.targets.classification;
    const keys = this.keys.subarray(0, n);
    for (let k = 0; k < n; k++) keys[k] = ((codes[(start + k) * stride + f] as number) << 16) | k;
    keys.sort();
    let m = 0;
    let at = -entry;
    let current = -1;
    for (let c = 0; c < n; c++) {
      const key = keys[c] as number;
      const b = key >>> 16;
      const p = start + (key & 0xffff);
      if (b !== current) {
        // a new bin: its record starts at zero (a loop: a fill() call per bin costs more here)
        current = b;
        at += entry;
        binIds[m++] = b;
        for (let e = 0; e < entry; e++) binStats[at + e] = 0;
      }
      const w = weight[p] as number;
      binStats[at + COUNT] = (binStats[at + COUNT] as number) + 1;
      binStats[at + WEIGHT] = (binStats[at + WEIGHT] as number) + w;
      if (classification) {
        const s = at + SUMS + (cls[p] as number);
        binStats[s] = (binStats[s] as number) + w;
      } else binStats[at + SUMS] = (binStats[at + SUMS] as number) + w * (y[p] as number);
    }
    return m;
  }

  /**
   * Picks the split among the m ≥ 2 collected bins of feature f by the finder's mode, into foundBin
   * (the last bin going left; −1 if no cut leaves minSamplesLeaf rows on both sides), foundProxy, and
   * foundLeftBin/foundRightBin (the non-empty bins either side of the cut).
   */
  private chooseBin(f: number, m: number, node: Float64Array): void {
    const { left, right, entry, criterion, binIds, binStats } = this;
    const minLeaf = this.minSamplesLeaf;
    const total = node[COUNT] as number;
    this.foundBin = -1;
    this.foundProxy = -Infinity;
    left.fill(0);
    if (this.mode === 'random') {
      const chosen = randomBin(this.data.thresholds[f] as Float32Array, binIds[0] as number, binIds[m - 1] as number, this.rng);
      let j = 0;
      for (; j < m && (binIds[j] as number) <= chosen; j++) {
        for (let e = 0; e < entry; e++) left[e] = (left[e] as number) + (binStats[j * entry + e] as number);
      }
      const leftCount = left[COUNT] as number;
      if (leftCount < minLeaf || total - leftCount < minLeaf) return;
      for (let e = 0; e < entry; e++) right[e] = (node[e] as number) - (left[e] as number);
      this.foundBin = chosen;
      this.foundProxy = criterion.proxy(left, 0, right, 0);
      this.foundLeftBin = binIds[j - 1] as number;
      this.foundRightBin = binIds[j] as number;
      return;
    }
    const bestJ =
      criterion.name === 'gini' ? this.bestCutGini(m, node) : criterion.name === 'squared_error' ? this.bestCutSquaredError(m, node) : this.bestCut(m, node);
    if (bestJ < 0) return;
    this.foundBin = binIds[bestJ] as number;
    this.foundLeftBin = this.foundBin;
    this.foundRightBin = binIds[bestJ + 1] as number;
  }

  /**
   * The best cut among the m collected bins, any criterion: the index j of the last bin going left (−1
   * if none leaves minSamplesLeaf rows on both sides), its proxy in foundProxy.
   */
  private bestCut(m: number, node: Float64Array): number {
    const { left, right, entry, criterion, binStats } = this;
    const minLeaf = this.minSamplesLeaf;
    const total = node[COUNT] as number;
    let bestJ = -1;
    for (let j = 0; j < m - 1; j++) {
      for (let e = 0; e < entry; e++) left[e] = (left[e] as number) + (binStats[j * entry + e] as number);
      const leftCount = left[COUNT] as number;
      if (leftCount < minLeaf) continue;
      if (total - leftCount < minLeaf) break;
      for (let e = 0; e < entry; e++) right[e] = (node[e] as number) - (left[e] as number);
      const proxy = criterion.proxy(left, 0, right, 0);
      if (proxy > this.foundProxy) {
        this.foundProxy = proxy;
        bestJ = j;
      }
    }
    return bestJ;
  }

  /**
   * bestCut for the Gini criterion, a hot loop of a forest: the same sums and the same proxy
   * (criterion.ts: Σ S_L² / W_L + Σ S_R² / W_R, in the same order, so the same bits), computed in place
   * instead of through records; two classes in scalars (~8% less time per tree than the loop over k).
   */
  private bestCutGini(m: number, node: Float64Array): number {
    const { left, entry, binStats } = this;
    const width = entry - SUMS;
    const minLeaf = this.minSamplesLeaf;
    const total = node[COUNT] as number;
    const nodeWeight = node[WEIGHT] as number;
    let leftCount = 0;
    let leftWeight = 0;
    let bestJ = -1;
    if (width === 2) {
      const n0 = node[SUMS] as number;
      const n1 = node[SUMS + 1] as number;
      let l0 = 0;
      let l1 = 0;
      for (let j = 0; j < m - 1; j++) {
        const at = j * entry;
        leftCount += binStats[at + COUNT] as number;
        leftWeight += binStats[at + WEIGHT] as number;
        l0 += binStats[at + SUMS] as number;
        l1 += binStats[at + SUMS + 1] as number;
        if (leftCount < minLeaf) continue;
        if (total - leftCount < minLeaf) break;
        const r0 = n0 - l0;
        const r1 = n1 - l1;
        const proxy = (l0 * l0 + l1 * l1) / leftWeight + (r0 * r0 + r1 * r1) / (nodeWeight - leftWeight);
        if (proxy > this.foundProxy) {
          this.foundProxy = proxy;
          bestJ = j;
        }
      }
      return bestJ;
    }
    for (let j = 0; j < m - 1; j++) {
      const at = j * entry;
      leftCount += binStats[at + COUNT] as number;
      leftWeight += binStats[at + WEIGHT] as number;
      for (let k = 0; k < width; k++) left[SUMS + k] = (left[SUMS + k] as number) + (binStats[at + SUMS + k] as number);
      if (leftCount < minLeaf) continue;
      if (total - leftCount < minLeaf) break;
      let sl = 0;
      let sr = 0;
      for (let k = 0; k < width; k++) {
        const a = left[SUMS + k] as number;
        const b = (node[SUMS + k] as number) - a;
        sl += a * a;
        sr += b * b;
      }
      const proxy = sl / leftWeight + sr / (nodeWeight - leftWeight);
      if (proxy > this.foundProxy) {
        this.foundProxy = proxy;
        bestJ = j;
      }
    }
    return bestJ;
  }

  /** bestCut for squared error (S_L² / W_L + S_R² / W_R, as criterion.ts), computed in place. */
  private bestCutSquaredError(m: number, node: Float64Array): number {
    const { entry, binStats } = this;
    const minLeaf = this.minSamplesLeaf;
    const total = node[COUNT] as number;
    const nodeWeight = node[WEIGHT] as number;
    const nodeSum = node[SUMS] as number;
    let leftCount = 0;
    let leftWeight = 0;
    let leftSum = 0;
    let bestJ = -1;
    for (let j = 0; j < m - 1; j++) {
      const at = j * entry;
      leftCount += binStats[at + COUNT] as number;
      leftWeight += binStats[at + WEIGHT] as number;
      leftSum += binStats[at + SUMS] as number;
      if (leftCount < minLeaf) continue;
      if (total - leftCount < minLeaf) break;
      const rightSum = nodeSum - leftSum;
      const proxy = (leftSum * leftSum) / leftWeight + (rightSum * rightSum) / (nodeWeight - leftWeight);
      if (proxy > this.foundProxy) {
        this.foundProxy = proxy;
        bestJ = j;
      }
    }
    return bestJ;
  }
}

/**
 * Extra trees' random boundary for a feature spanning bins minBin..maxBin (minBin < maxBin): a value u
 * drawn uniformly between the edges thresholds[minBin] and thresholds[maxBin − 1], and the first bin
 * from minBin whose upper edge reaches u.
 */
export function randomBin(thresholds: Float32Array, minBin: number, maxBin: number, rng: Rng): number {
  const lo = thresholds[minBin] as number;
  const hi = thresholds[maxBin - 1] as number;
  const u = lo + rng.next() * (hi - lo);
  let b = minBin;
  while (b < maxBin - 1 && (thresholds[b] as number) < u) b++;
  return b;
}
