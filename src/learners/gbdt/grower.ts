/**
 * Grows one regression tree on gradients and hessians, leaf-wise (best-first, as LightGBM and
 * scikit-learn's HistGradientBoosting): among the current leaves, always split the one whose best split
 * gains most, until `numLeaves` leaves, `maxDepth`, or no split gains anything.
 *
 * Speed comes from:
 *   - binned features (Uint8Array, column-major) and histograms (./histogram.ts) instead of sorting;
 *   - one row-index buffer partitioned in place: every node owns a contiguous range of it, kept in
 *     increasing row order (a stable partition), so histogram building reads bin columns forwards;
 *   - the subtraction trick: only the smaller child's histogram is built, the larger one is the
 *     parent's minus it, written over the parent's buffer;
 *   - histograms without row counts: counts are built only where the split finder needs them
 *     (categorical features, features with missing values, and the rare node where hessian bounds
 *     cannot settle minSamplesLeaf; see ./split-finder.ts);
 *   - with `quantizedGradients` (the default), gradients and hessians packed into one number per row
 *     (./quantize.ts), so histograms take one addition per row and feature (./histogram-packed.ts);
 *     splits, leaf values and gains come from the quantised sums (LightGBM's default);
 *   - preallocated buffers (row indices, a pool of histograms) reused across trees:
 *     nothing is allocated per row.
 */
import { BIN_STRIDE, MISSING_BIN, type BinnedMatrix, type FeatureBins, type NumericFeatureBins } from '../hist/binning.js';
import { finalMix32 } from '../../core/hash-mix.js';
import { buildCountHistogram, buildHistogram, countHistogramLength, histogramLength, histogramScratch, subtractHistogram } from './histogram.js';
import { buildPackedHistogram, packedScratch, type PackedScratch } from './histogram-packed.js';
import type { GradientBound } from './losses.js';
import { quantizeInPlace, type QuantizedTree } from './quantize.js';
import { findBestSplit, hessianSlack, NEEDS_COUNTS, type RowCounts } from './split-finder.js';
import { leafValue, type NodeSums, type Split, type SplitConstraints } from './split.js';
import type { Tree } from './tree.js';

export interface GrowerOptions extends SplitConstraints {
  readonly numLeaves: number;
  /** Most edges from the root to a leaf; null for no limit. */
  readonly maxDepth: number | null;
  /** Shrinkage applied to leaf values. */
  readonly learningRate: number;
  /** Grow on quantised gradients (./quantize.ts); false: on the exact float64 ones. */
  readonly quantizedGradients: boolean;
}

/** A leaf of a grown tree and the range of the row buffer holding its training rows. */
export interface GrownLeaf {
  readonly node: number;
  readonly start: number;
  readonly end: number;
}

export interface GrownTree {
  readonly tree: Tree;
  /** Bin-level split of each internal node (the threshold bin, −1 for categorical), for routing binned rows. */
  readonly splitBin: Int32Array;
  /** Categorical splits as bin membership (1 = left); null elsewhere. */
  readonly splitLeftBins: readonly (Uint8Array | null)[];
  readonly leaves: readonly GrownLeaf[];
  /** Row indices: leaf `l` holds `rows[l.start..l.end)`. Valid until the next `grow`. */
  readonly rows: Int32Array;
}

interface GrowingNode {
  readonly id: number;
  readonly start: number;
  readonly end: number;
  readonly depth: number;
  readonly sums: NodeSums;
  hist: Float64Array | null;
  /** Row counts per bin of the counted features (see `counted`), or null when there are none. */
  counts: Float64Array | null;
  split: Split | null;
}

/** An executed split: where unseen missing values go is settled (see Split.missingLeft). */
type ExecutedSplit = Split & { readonly missingLeft: boolean };

/** What every node of one tree shares while it is grown. */
interface Scan {
  /** The tree's rows (`rows[start..end)` of a node), or null: row k is position k (no subsample). */
  readonly rowList: Int32Array | null;
  readonly features: Int32Array;
  /** The listed features that always get counts (see TreeGrower.counted). */
  readonly countedFeatures: Int32Array;
  readonly hessMin: number;
  readonly hessMax: number;
  readonly slack: number;
}

/** Reusable tree grower over one binned training set. */
export class TreeGrower {
  private readonly rowBuffer: Int32Array;
  private readonly spare: Int32Array;
  /** Gradients gathered for histogram building (see ./histogram.ts). */
  private readonly scratch = histogramScratch();
  /** With quantizedGradients: the packed kernel's buffers; null otherwise. */
  private readonly packedScratch: PackedScratch | null;
  /** Trees grown so far: each tree's rounding seed mixes it with the grower's seed. */
  private treesGrown = 0;
  private readonly pool: Float64Array[] = [];
  private readonly countPool: Float64Array[] = [];
  private readonly histLength: number;
  /**
   * Features that always get exact row counts (1): categorical ones (a category is a candidate only if
   * it has rows) and those with missing values (whether a node has any decides its candidates).
   */
  private readonly counted: Uint8Array;
  private readonly everyFeatureCounted: Uint8Array;
  /** Which bins the split being executed sends left (see partition). */
  private readonly goesLeft = new Uint8Array(BIN_STRIDE);

  /**
   * `seed` drives the stochastic rounding of quantised gradients (the same seed, the same trees);
   * `gradientBound` is the loss's bound on gradients and hessians, if any (see BoostingLoss).
   */
  constructor(
    private readonly data: BinnedMatrix,
    private readonly bins: readonly FeatureBins[],
    private readonly options: GrowerOptions,
    private readonly seed = 0,
    private readonly gradientBound: GradientBound | null = null,
  ) {
    this.packedScratch = options.quantizedGradients ? packedScratch(data) : null;
    this.rowBuffer = new Int32Array(data.rows);
    this.spare = new Int32Array(data.rows);
    this.histLength = histogramLength(data.cols);
    this.counted = new Uint8Array(data.cols);
    for (let f = 0; f < data.cols; f++) {
      const column = data.codes.subarray(f * data.rows, (f + 1) * data.rows);
      this.counted[f] = (bins[f] as FeatureBins).kind === 'categorical' || column.includes(MISSING_BIN) ? 1 : 0;
    }
    this.everyFeatureCounted = new Uint8Array(data.cols).fill(1);
  }

  /**
   * Grows a tree on the rows `sample` (null: every row) using only `features`. `gradHess` holds each
   * row's gradient and hessian, interleaved: `[g0, h0, g1, h1, …]`; with quantizedGradients they are
   * overwritten by their packed form (see ./quantize.ts).
   */
  grow(gradHess: Float64Array, sample: Int32Array | null, features: Int32Array): GrownTree {
    const { options } = this;
    const rows = this.rowBuffer;
    const nSample = sample === null ? this.data.rows : sample.length;
    if (sample === null) fillRowIndices(rows, nSample);
    else rows.set(sample);

    // Tree arrays, filled as nodes are created (at most 2·numLeaves − 1 nodes).
    const nodes: GrowingNode[] = [];
    const splits: (ExecutedSplit | null)[] = [];
    const children: [number, number][] = [];

    // The root's sums and the range of row hessians: exact, or those of the quantised gradients the
    // histograms will hold.
    const rowList = sample === null ? null : rows;
    let quantized: QuantizedTree | null = null;
    let g = 0;
    let h = 0;
    let hessMin = Number.POSITIVE_INFINITY;
    let hessMax = 0;
    if (this.packedScratch !== null) {
      this.treesGrown++;
      const treeSeed = finalMix32((this.seed + Math.imul(this.treesGrown, 0x9e3779b1)) | 0);
      quantized = quantizeInPlace(gradHess, rowList, nSample, treeSeed, this.gradientBound);
      ({ grad: g, hess: h, hessMin, hessMax } = quantized);
    } else {
      ({ grad: g, hess: h, hessMin, hessMax } = exactRootSums(gradHess, rows, nSample));
    }
    const countedFeatures = features.filter((f) => this.counted[f] === 1);
    const scan: Scan = { rowList, features, countedFeatures, hessMin, hessMax, slack: hessianSlack(h) };
    const fill = (rowsOf: Int32Array | null, start: number, end: number, hist: Float64Array): void => {
      if (quantized === null || this.packedScratch === null) buildHistogram(this.data, features, rowsOf, start, end, gradHess, this.scratch, hist);
      else buildPackedHistogram(this.data, features, rowsOf, start, end, quantized, this.packedScratch, hist);
    };
    const root: GrowingNode = { id: 0, start: 0, end: nSample, depth: 0, sums: { grad: g, hess: h, count: nSample }, hist: null, counts: null, split: null };
    nodes.push(root);
    splits.push(null);
    children.push([-1, -1]);
    if (this.splittable(root)) {
      root.hist = this.acquire();
      fill(rowList, 0, nSample, root.hist);
      if (countedFeatures.length > 0) {
        root.counts = this.acquireCounts();
        buildCountHistogram(this.data, countedFeatures, scan.rowList, 0, nSample, root.counts);
      }
      root.split = this.findSplit(root, scan);
    }

    let nLeaves = 1;
    const open: GrowingNode[] = [root];
    while (nLeaves < options.numLeaves) {
      // The open leaf whose split gains most (the first on ties: deterministic).
      let bestAt = -1;
      for (let k = 0; k < open.length; k++) {
        const s = (open[k] as GrowingNode).split;
        if (s !== null && (bestAt < 0 || s.gain > ((open[bestAt] as GrowingNode).split as Split).gain)) bestAt = k;
      }
      if (bestAt < 0) break;
      const parent = open[bestAt] as GrowingNode;
      open.splice(bestAt, 1);
      const chosen = parent.split as Split;
      const mid = this.partition(parent, chosen);
      nLeaves++;
      const nLeft = mid - parent.start;
      const nRight = parent.end - mid;
      // Without missing values in the node, unseen ones follow the larger child (scikit-learn's rule).
      const split: ExecutedSplit = { ...chosen, missingLeft: chosen.missingLeft ?? nLeft > nRight };
      const left: GrowingNode = { id: nodes.length, start: parent.start, end: mid, depth: parent.depth + 1, sums: { ...split.left, count: nLeft }, hist: null, counts: null, split: null };
      const right: GrowingNode = { id: nodes.length + 1, start: mid, end: parent.end, depth: parent.depth + 1, sums: { ...split.right, count: nRight }, hist: null, counts: null, split: null };
      nodes.push(left, right);
      splits.push(null, null);
      children.push([-1, -1], [-1, -1]);
      splits[parent.id] = split;
      children[parent.id] = [left.id, right.id];

      const room = nLeaves < options.numLeaves;
      const leftOk = room && this.splittable(left);
      const rightOk = room && this.splittable(right);
      const parentHist = parent.hist as Float64Array;
      const parentCounts = parent.counts;
      parent.hist = null;
      parent.counts = null;
      if (leftOk || rightOk) {
        const [small, large] = left.end - left.start <= right.end - right.start ? [left, right] : [right, left];
        small.hist = this.acquire();
        fill(rows, small.start, small.end, small.hist);
        subtractHistogram(parentHist, small.hist, features);
        large.hist = parentHist;
        if (parentCounts !== null) {
          small.counts = this.acquireCounts();
          buildCountHistogram(this.data, countedFeatures, rows, small.start, small.end, small.counts);
          subtractHistogram(parentCounts, small.counts, countedFeatures, BIN_STRIDE);
          large.counts = parentCounts;
        }
        for (const child of [left, right]) {
          if (child === left ? leftOk : rightOk) child.split = this.findSplit(child, scan);
          if (child.split === null) this.release(child);
        }
      } else {
        this.pool.push(parentHist);
        if (parentCounts !== null) this.countPool.push(parentCounts);
      }
      open.push(left, right);
    }
    for (const node of open) this.release(node);
    return this.finish(nodes, splits, children);
  }

  /** Whether a node may be split at all (before looking at its histogram). */
  private splittable(node: GrowingNode): boolean {
    const { options } = this;
    const n = node.end - node.start;
    return (
      (options.maxDepth === null || node.depth < options.maxDepth) &&
      n >= 2 * options.minSamplesLeaf &&
      node.sums.hess >= 2 * options.minSumHessianInLeaf
    );
  }

  /**
   * The node's best split. When hessian bounds leave minSamplesLeaf undecided (NEEDS_COUNTS), counts
   * the node's rows per bin for every feature and asks again: the answer is the exactly counted one.
   */
  private findSplit(node: GrowingNode, scan: Scan): Split | null {
    const hist = node.hist as Float64Array;
    const { features, hessMin, hessMax, slack } = scan;
    const bounded: RowCounts = { counts: node.counts, counted: this.counted, hessMin, hessMax, slack };
    const split = findBestSplit(hist, features, this.bins, node.sums, this.options, bounded);
    if (split !== NEEDS_COUNTS) return split;
    const counts = node.counts ?? this.acquireCounts();
    buildCountHistogram(this.data, features, scan.rowList, node.start, node.end, counts);
    node.counts = counts;
    const exact = findBestSplit(hist, features, this.bins, node.sums, this.options, { ...bounded, counts, counted: this.everyFeatureCounted });
    if (exact === NEEDS_COUNTS) throw new Error('the split finder asked for counts it was given');
    return exact;
  }

  private acquire(): Float64Array {
    return this.pool.pop() ?? new Float64Array(this.histLength);
  }

  private acquireCounts(): Float64Array {
    return this.countPool.pop() ?? new Float64Array(countHistogramLength(this.data.cols));
  }

  private release(node: GrowingNode): void {
    if (node.hist !== null) this.pool.push(node.hist);
    if (node.counts !== null) this.countPool.push(node.counts);
    node.hist = null;
    node.counts = null;
  }

  /** Stable in-place partition of the node's rows: left rows first. Returns where the right rows start. */
  private partition(node: GrowingNode, split: Split): number {
    const rows = this.rowBuffer;
    const spare = this.spare;
    const codes = this.data.codes;
    const offset = split.feature * this.data.rows;
    // One table for both kinds of split: goesLeft[bin] is 1 for the bins sent left.
    const goesLeft = this.goesLeft;
    if (split.leftBins !== null) {
      goesLeft.set(split.leftBins);
    } else {
      // Bins 0..bin, and the missing bin when missing values go left (MISSING_BIN exceeds every value bin).
      goesLeft.fill(1, 0, split.bin + 1);
      goesLeft.fill(0, split.bin + 1);
      if (split.missingLeft === true) goesLeft[MISSING_BIN] = 1;
    }
    // Branch-free: each row is written to both places and only the matching cursor moves on. Whether a
    // row goes left is a coin flip to the CPU's branch predictor; a mispredicted branch per row cost
    // more than the extra store. Writing rows[l] is safe: l <= k, so only rows already read are replaced.
    let l = node.start;
    let s = 0;
    for (let k = node.start; k < node.end; k++) {
      const r = rows[k] as number;
      const left = goesLeft[codes[offset + r] as number] as number;
      rows[l] = r;
      spare[s] = r;
      l += left;
      s += 1 - left;
    }
    rows.set(spare.subarray(0, s), l);
    return l;
  }

  private finish(nodes: readonly GrowingNode[], splits: readonly (ExecutedSplit | null)[], children: readonly [number, number][]): GrownTree {
    const n = nodes.length;
    const { learningRate, l2Regularization } = this.options;
    const feature = new Int32Array(n).fill(-1);
    const threshold = new Float64Array(n).fill(Number.NaN);
    const missingLeft = new Uint8Array(n);
    const leftCategories: (Float64Array | null)[] = new Array<Float64Array | null>(n).fill(null);
    const left = new Int32Array(n).fill(-1);
    const right = new Int32Array(n).fill(-1);
    const value = new Float64Array(n);
    const gain = new Float64Array(n);
    const count = new Float64Array(n);
    const splitBin = new Int32Array(n).fill(-1);
    const splitLeftBins: (Uint8Array | null)[] = new Array<Uint8Array | null>(n).fill(null);
    const leaves: GrownLeaf[] = [];
    for (let j = 0; j < n; j++) {
      const node = nodes[j] as GrowingNode;
      value[j] = learningRate * leafValue(node.sums.grad, node.sums.hess, l2Regularization);
      count[j] = node.sums.count;
      const split = splits[j];
      if (split == null) {
        leaves.push({ node: j, start: node.start, end: node.end });
        continue;
      }
      const [l, r] = children[j] as [number, number];
      feature[j] = split.feature;
      left[j] = l;
      right[j] = r;
      gain[j] = split.gain;
      const featureBins = this.bins[split.feature] as FeatureBins;
      if (split.leftBins !== null) {
        const categories = (featureBins as Extract<FeatureBins, { kind: 'categorical' }>).categories;
        const codes: number[] = [];
        for (let b = 0; b < BIN_STRIDE; b++) if (split.leftBins[b] === 1) codes.push(categories[b] as number);
        leftCategories[j] = Float64Array.from(codes);
        splitLeftBins[j] = split.leftBins;
      } else {
        const thresholds = (featureBins as NumericFeatureBins).thresholds;
        threshold[j] = split.bin < thresholds.length ? (thresholds[split.bin] as number) : Number.POSITIVE_INFINITY;
        missingLeft[j] = split.missingLeft ? 1 : 0;
        splitBin[j] = split.bin;
      }
    }
    const tree: Tree = { feature, threshold, missingLeft, leftCategories, left, right, value, gain, count };
    return { tree, splitBin, splitLeftBins, leaves, rows: this.rowBuffer };
  }
}

/*
 * Loops over every row live in functions of their own: V8 compiles a long loop while it runs (on-stack
 * replacement), and code after that loop in the same function, not yet run, made the compiled code bail
 * out on every call (once per tree, then running the rest of `grow` unoptimised).
 */

function fillRowIndices(rows: Int32Array, n: number): void {
  for (let i = 0; i < n; i++) rows[i] = i;
}

/** Sums of the exact gradients and hessians of rows[0..n), and the range of the hessians. */
function exactRootSums(gradHess: Float64Array, rows: Int32Array, n: number): { grad: number; hess: number; hessMin: number; hessMax: number } {
  let grad = 0;
  let hess = 0;
  let hessMin = Number.POSITIVE_INFINITY;
  let hessMax = 0;
  for (let k = 0; k < n; k++) {
    const r = rows[k] as number;
    const rowHess = gradHess[2 * r + 1] as number;
    grad += gradHess[2 * r] as number;
    hess += rowHess;
    if (rowHess < hessMin) hessMin = rowHess;
    if (rowHess > hessMax) hessMax = rowHess;
  }
  return { grad, hess, hessMin, hessMax };
}

/** Adds the tree's output for every row of a binned matrix (routing on bins) to `raw[i * stride + output]`. */
export function addGrownTreeOutputBinned(grown: GrownTree, data: BinnedMatrix, raw: Float64Array, stride: number, output: number): void {
  const { tree, splitBin, splitLeftBins } = grown;
  const { codes, rows } = data;
  for (let i = 0; i < rows; i++) {
    let node = 0;
    for (;;) {
      const f = tree.feature[node] as number;
      if (f < 0) break;
      const b = codes[f * rows + i] as number;
      const leftBins = splitLeftBins[node];
      const goLeft = leftBins != null ? leftBins[b] === 1 : b === MISSING_BIN ? tree.missingLeft[node] === 1 : b <= (splitBin[node] as number);
      node = (goLeft ? tree.left[node] : tree.right[node]) as number;
    }
    const at = i * stride + output;
    raw[at] = (raw[at] as number) + (tree.value[node] as number);
  }
}
