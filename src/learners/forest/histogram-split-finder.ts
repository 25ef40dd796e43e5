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
 * exact CART would put it — a bin's own edge would hug the left values and generalise worse. So the
 * predictor and its ONNX export need no bins at all.
 *
 * Small nodes (most nodes of a fully grown tree) sort their bin codes instead of clearing and scanning
 * a 256-bin histogram; both ways sum each bin's rows in the same order and hand the same list of
 * non-empty bins to one scan, so they choose identical splits.
 * The slow, obvious oracle of this finder is ./histogram-split-finder.naive.ts.
 */
import type { Rng } from '../../core/rng.js';
import { float32Threshold } from '../../onnx/tree-ensemble.js';
import { COUNT, SUMS, WEIGHT, type Criterion } from '../tree/criterion.js';
import type { FeatureSampler } from '../tree/feature-sampler.js';
import type { Split, SplitFinder, TreeTargets } from '../tree/grow-tree.js';

export type SplitMode = 'best' | 'random';

/** Nodes with at most this many rows sort their codes rather than build a histogram. */
const SMALL_NODE = 96;
const BINS = 256;

export interface BinnedFeatures {
  readonly rows: number;
  /** Bin codes, column-major: `codes[f * rows + i]`. */
  readonly codes: Uint8Array;
  /** Per feature, the float32 upper edge of each value bin but the last. */
  readonly thresholds: readonly Float32Array[];
  /** The raw values as float32, column-major like `codes`: thresholds are placed between them. */
  readonly values: Float32Array;
}

export class HistogramSplitFinder implements SplitFinder {
  private readonly entry: number;
  /** Raw histogram (see collectHistogram for its layout), all zero between features. */
  private readonly hist: Float64Array;
  private readonly countRows: boolean;
  private readonly rawStride: number;
  private readonly left: Float64Array;
  private readonly right: Float64Array;
  /** Per node row k (gathered once per node): its weight, the slot its value goes to, and the value (w, or w·y). */
  private readonly weight: Float64Array;
  private readonly slot: Int32Array;
  private readonly amount: Float64Array;
  private readonly keys: Int32Array;
  /** Scratch space for the right-hand rows of a partition. */
  private readonly spill: Int32Array;
  /** The current feature's non-empty bins in the node, in order, and their statistics. */
  private readonly binIds = new Int32Array(BINS);
  private readonly binStats: Float64Array;

  constructor(
    private readonly data: BinnedFeatures,
    private readonly targets: TreeTargets,
    private readonly criterion: Criterion,
    private readonly minSamplesLeaf: number,
    private readonly sampler: FeatureSampler,
    private readonly mode: SplitMode,
    private readonly rng: Rng,
  ) {
    this.entry = SUMS + criterion.width;
    this.countRows = minSamplesLeaf > 1;
    this.rawStride = (this.countRows ? 1 : 0) + (targets.classification ? criterion.width : 2);
    this.hist = new Float64Array(BINS * this.rawStride);
    this.left = new Float64Array(this.entry);
    this.right = new Float64Array(this.entry);
    this.binStats = new Float64Array(BINS * this.entry);
    this.weight = new Float64Array(data.rows);
    this.slot = new Int32Array(data.rows);
    this.amount = new Float64Array(data.rows);
    this.spill = new Int32Array(data.rows);
    this.keys = new Int32Array(Math.min(SMALL_NODE, data.rows));
  }

  find(rows: Int32Array, start: number, end: number, node: Float64Array): Split | null {
    const n = end - start;
    const { targets, weight, slot, amount } = this;
    const { y, weights } = targets;
    for (let k = 0; k < n; k++) {
      const row = rows[start + k] as number;
      const w = weights[row] as number;
      weight[k] = w;
      if (targets.classification) {
        slot[k] = SUMS + (y[row] as number);
        amount[k] = w;
      } else {
        slot[k] = SUMS;
        amount[k] = w * (y[row] as number);
      }
    }
    let best: Split | null = null;
    let bestProxy = -Infinity;
    this.sampler.begin();
    for (let f = this.sampler.next(); f >= 0; f = this.sampler.next()) {
      const m = this.collectBins(f, rows, start, n);
      if (m < 2) continue; // constant in this node
      this.sampler.informativeFound();
      const found = this.chooseBin(f, m, node);
      if (found.bin >= 0 && found.proxy > bestProxy) {
        bestProxy = found.proxy;
        best = { feature: f, threshold: 0, bin: found.bin };
      }
    }
    return best === null ? null : { ...best, threshold: this.cutBetweenValues(best.feature, best.bin, rows, start, end) };
  }

  /**
   * The threshold of a split "bin <= b" of feature f: midway between the largest value going left and
   * the smallest going right in this node, as exact CART does (bins decide which rows go where; values
   * decide where, between them, the cut lies — which matters for rows not seen in training).
   */
  private cutBetweenValues(f: number, b: number, rows: Int32Array, start: number, end: number): number {
    const { codes, values } = this.data;
    const base = f * this.data.rows;
    let maxLeft = -Infinity;
    let minRight = Infinity;
    for (let k = start; k < end; k++) {
      const row = rows[k] as number;
      const v = values[base + row] as number;
      if ((codes[base + row] as number) <= b) {
        if (v > maxLeft) maxLeft = v;
      } else if (v < minRight) minRight = v;
    }
    return float32Threshold(maxLeft, minRight);
  }

  /**
   * A stable partition: rows keep their relative order on each side. The root's rows are increasing,
   * so every node's rows stay increasing, and the histogram loops read each feature column forwards
   * instead of jumping around it (several times faster on large data, where columns miss the cache).
   */
  partition(rows: Int32Array, start: number, end: number, split: Split): number {
    const base = split.feature * this.data.rows;
    const codes = this.data.codes;
    const b = split.bin;
    const spill = this.spill;
    let l = start;
    let r = 0;
    for (let k = start; k < end; k++) {
      const row = rows[k] as number;
      if ((codes[base + row] as number) <= b) rows[l++] = row;
      else spill[r++] = row;
    }
    rows.set(spill.subarray(0, r), l);
    return l;
  }

  /**
   * Collects feature f's non-empty bins in the node, in increasing order, into binIds/binStats (through
   * a histogram for large nodes, by sorting codes for small ones); returns how many there are.
   */
  private collectBins(f: number, rows: Int32Array, start: number, n: number): number {
    return n <= SMALL_NODE ? this.collectSorted(f, rows, start, n) : this.collectHistogram(f, rows, start, n);
  }

  /**
   * The histogram keeps only what each row must add, to keep the hottest loop short: per bin the class
   * weights S_k (classification; W is their sum) or W and Σ w·y (regression), plus a row count only when
   * minSamplesLeaf > 1. With minSamplesLeaf = 1 every non-empty bin is given a count of 1: counts are
   * then only compared with 1, and a prefix of non-empty bins has at least one row on each side.
   */
  private collectHistogram(f: number, rows: Int32Array, start: number, n: number): number {
    const { hist, entry, weight, slot, amount, binIds, binStats, countRows, rawStride } = this;
    const codes = this.data.codes;
    const base = f * this.data.rows;
    const classification = this.targets.classification;
    let minBin = BINS;
    let maxBin = -1;
    if (classification) {
      // raw layout per bin: [count?] S_0..S_{K-1}; slot[k] is SUMS + class, so shift by the layout offset.
      const shift = (countRows ? 1 : 0) - SUMS;
      for (let k = 0; k < n; k++) {
        const b = codes[base + (rows[start + k] as number)] as number;
        if (b < minBin) minBin = b;
        if (b > maxBin) maxBin = b;
        const at = b * rawStride;
        const s = at + shift + (slot[k] as number);
        hist[s] = (hist[s] as number) + (amount[k] as number);
        if (countRows) hist[at] = (hist[at] as number) + 1;
      }
    } else {
      // raw layout per bin: [count?] W, Σ w·y
      const offset = countRows ? 1 : 0;
      for (let k = 0; k < n; k++) {
        const b = codes[base + (rows[start + k] as number)] as number;
        if (b < minBin) minBin = b;
        if (b > maxBin) maxBin = b;
        const at = b * rawStride + offset;
        hist[at] = (hist[at] as number) + (weight[k] as number);
        hist[at + 1] = (hist[at + 1] as number) + (amount[k] as number);
        if (countRows) hist[at - 1] = (hist[at - 1] as number) + 1;
      }
    }
    // Compact the non-empty bins into the full [count, W, S...] layout, leaving the histogram zeroed.
    const offset = countRows ? 1 : 0;
    const width = entry - SUMS;
    let m = 0;
    for (let b = minBin; b <= maxBin; b++) {
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

  private collectSorted(f: number, rows: Int32Array, start: number, n: number): number {
    const { entry, weight, slot, amount, binIds, binStats } = this;
    const codes = this.data.codes;
    const base = f * this.data.rows;
    const keys = this.keys.subarray(0, n);
    for (let k = 0; k < n; k++) keys[k] = ((codes[base + (rows[start + k] as number)] as number) << 16) | k;
    keys.sort();
    let m = -1;
    let current = -1;
    for (let c = 0; c < n; c++) {
      const key = keys[c] as number;
      const b = key >>> 16;
      const k = key & 0xffff;
      if (b !== current) {
        current = b;
        m++;
        binIds[m] = b;
        binStats.fill(0, m * entry, (m + 1) * entry);
      }
      const at = m * entry;
      binStats[at + COUNT] = (binStats[at + COUNT] as number) + 1;
      binStats[at + WEIGHT] = (binStats[at + WEIGHT] as number) + (weight[k] as number);
      const s = at + (slot[k] as number);
      binStats[s] = (binStats[s] as number) + (amount[k] as number);
    }
    return m + 1;
  }

  /**
   * Picks the split among the m ≥ 2 collected bins of feature f by the finder's mode: the bin after
   * which to cut (−1 if no cut leaves minSamplesLeaf rows on both sides) and its proxy.
   */
  private chooseBin(f: number, m: number, node: Float64Array): { bin: number; proxy: number } {
    const { left, right, entry, criterion, binIds, binStats } = this;
    const minLeaf = this.minSamplesLeaf;
    const total = node[COUNT] as number;
    left.fill(0);
    if (this.mode === 'random') {
      const chosen = randomBin(this.data.thresholds[f] as Float32Array, binIds[0] as number, binIds[m - 1] as number, this.rng);
      for (let j = 0; j < m && (binIds[j] as number) <= chosen; j++) {
        for (let e = 0; e < entry; e++) left[e] = (left[e] as number) + (binStats[j * entry + e] as number);
      }
      const leftCount = left[COUNT] as number;
      if (leftCount < minLeaf || total - leftCount < minLeaf) return { bin: -1, proxy: -Infinity };
      for (let e = 0; e < entry; e++) right[e] = (node[e] as number) - (left[e] as number);
      return { bin: chosen, proxy: criterion.proxy(left, 0, right, 0) };
    }
    let bestBin = -1;
    let bestProxy = -Infinity;
    for (let j = 0; j < m - 1; j++) {
      for (let e = 0; e < entry; e++) left[e] = (left[e] as number) + (binStats[j * entry + e] as number);
      const leftCount = left[COUNT] as number;
      if (leftCount < minLeaf) continue;
      if (total - leftCount < minLeaf) break;
      for (let e = 0; e < entry; e++) right[e] = (node[e] as number) - (left[e] as number);
      const proxy = criterion.proxy(left, 0, right, 0);
      if (proxy > bestProxy) {
        bestProxy = proxy;
        bestBin = j;
      }
    }
    return { bin: bestBin < 0 ? -1 : (binIds[bestBin] as number), proxy: bestProxy };
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
