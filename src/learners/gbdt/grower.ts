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
 *   - preallocated buffers (row indices, a pool of histograms) reused across trees:
 *     nothing is allocated per row.
 */
import { BIN_STRIDE, MISSING_BIN, type BinnedMatrix, type FeatureBins, type NumericFeatureBins } from '../hist/binning.js';
import { buildHistogram, histogramLength, subtractHistogram, toRowMajor } from './histogram.js';
import { findBestSplit } from './split-finder.js';
import { leafValue, type NodeSums, type Split, type SplitConstraints } from './split.js';
import type { Tree } from './tree.js';

export interface GrowerOptions extends SplitConstraints {
  readonly numLeaves: number;
  /** Most edges from the root to a leaf; null for no limit. */
  readonly maxDepth: number | null;
  /** Shrinkage applied to leaf values. */
  readonly learningRate: number;
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
  split: Split | null;
}

/** Reusable tree grower over one binned training set. */
export class TreeGrower {
  private readonly rowBuffer: Int32Array;
  private readonly spare: Int32Array;
  /** Row-major copy of the codes for histogram building (see ./histogram.ts). */
  private readonly rowCodes: Uint8Array;
  private readonly pool: Float64Array[] = [];
  private readonly histLength: number;

  constructor(
    private readonly data: BinnedMatrix,
    private readonly bins: readonly FeatureBins[],
    private readonly options: GrowerOptions,
  ) {
    this.rowBuffer = new Int32Array(data.rows);
    this.spare = new Int32Array(data.rows);
    this.rowCodes = toRowMajor(data);
    this.histLength = histogramLength(data.cols);
  }

  /**
   * Grows a tree on the rows `sample` (null: every row) using only `features`. `gradHess` holds each
   * row's gradient and hessian, interleaved: `[g0, h0, g1, h1, …]`.
   */
  grow(gradHess: Float64Array, sample: Int32Array | null, features: Int32Array): GrownTree {
    const { options } = this;
    const rows = this.rowBuffer;
    const nSample = sample === null ? this.data.rows : sample.length;
    if (sample === null) for (let i = 0; i < nSample; i++) rows[i] = i;
    else rows.set(sample);

    // Tree arrays, filled as nodes are created (at most 2·numLeaves − 1 nodes).
    const nodes: GrowingNode[] = [];
    const splits: (Split | null)[] = [];
    const children: [number, number][] = [];

    let g = 0;
    let h = 0;
    for (let k = 0; k < nSample; k++) {
      const r = rows[k] as number;
      g += gradHess[2 * r] as number;
      h += gradHess[2 * r + 1] as number;
    }
    const root: GrowingNode = { id: 0, start: 0, end: nSample, depth: 0, sums: { grad: g, hess: h, count: nSample }, hist: null, split: null };
    nodes.push(root);
    splits.push(null);
    children.push([-1, -1]);
    if (this.splittable(root)) {
      root.hist = this.acquire();
      const rowList = sample === null ? null : rows;
      buildHistogram(this.rowCodes, this.data.cols, features, rowList, 0, nSample, gradHess, root.hist);
      root.split = findBestSplit(root.hist, features, this.bins, root.sums, options);
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
      const split = parent.split as Split;
      const mid = this.partition(parent, split);
      nLeaves++;
      const left: GrowingNode = { id: nodes.length, start: parent.start, end: mid, depth: parent.depth + 1, sums: split.left, hist: null, split: null };
      const right: GrowingNode = { id: nodes.length + 1, start: mid, end: parent.end, depth: parent.depth + 1, sums: split.right, hist: null, split: null };
      nodes.push(left, right);
      splits.push(null, null);
      children.push([-1, -1], [-1, -1]);
      splits[parent.id] = split;
      children[parent.id] = [left.id, right.id];

      const room = nLeaves < options.numLeaves;
      const leftOk = room && this.splittable(left);
      const rightOk = room && this.splittable(right);
      const parentHist = parent.hist as Float64Array;
      parent.hist = null;
      if (leftOk || rightOk) {
        const [small, large] = left.end - left.start <= right.end - right.start ? [left, right] : [right, left];
        const smallHist = this.acquire();
        this.buildFor(small, gradHess, features, smallHist);
        small.hist = smallHist;
        subtractHistogram(parentHist, smallHist, features);
        large.hist = parentHist;
        for (const child of [left, right]) {
          if (child === left ? leftOk : rightOk) child.split = findBestSplit(child.hist as Float64Array, features, this.bins, child.sums, options);
          if (child.split === null) this.release(child);
        }
      } else {
        this.pool.push(parentHist);
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

  private acquire(): Float64Array {
    return this.pool.pop() ?? new Float64Array(this.histLength);
  }

  private release(node: GrowingNode): void {
    if (node.hist !== null) this.pool.push(node.hist);
    node.hist = null;
  }

  private buildFor(node: GrowingNode, gradHess: Float64Array, features: Int32Array, hist: Float64Array): void {
    buildHistogram(this.rowCodes, this.data.cols, features, this.rowBuffer, node.start, node.end, gradHess, hist);
  }

  /** Stable in-place partition of the node's rows: left rows first. Returns where the right rows start. */
  private partition(node: GrowingNode, split: Split): number {
    const rows = this.rowBuffer;
    const spare = this.spare;
    const codes = this.data.codes;
    const offset = split.feature * this.data.rows;
    let l = node.start;
    let s = 0;
    if (split.leftBins !== null) {
      const leftBins = split.leftBins;
      for (let k = node.start; k < node.end; k++) {
        const r = rows[k] as number;
        if (leftBins[codes[offset + r] as number] === 1) rows[l++] = r;
        else spare[s++] = r;
      }
    } else {
      const bin = split.bin;
      const missingBin = split.missingLeft ? MISSING_BIN : -1;
      for (let k = node.start; k < node.end; k++) {
        const r = rows[k] as number;
        const b = codes[offset + r] as number;
        // MISSING_BIN (255) exceeds every value bin, so "b <= bin" sends missing values right by itself.
        if (b <= bin || b === missingBin) rows[l++] = r;
        else spare[s++] = r;
      }
    }
    rows.set(spare.subarray(0, s), l);
    return l;
  }

  private finish(nodes: readonly GrowingNode[], splits: readonly (Split | null)[], children: readonly [number, number][]): GrownTree {
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
