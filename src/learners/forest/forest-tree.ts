/**
 * Training ONE tree of a forest: draw its bootstrap sample, grow it with histogram splits, and predict
 * the rows it did not see (out-of-bag). This is the unit of work a forest hands to a worker thread, so
 * everything it needs travels in a `ForestTreeTask` (large arrays in SharedArrayBuffers) and everything
 * it makes comes back as typed arrays in a `ForestTreeResult`.
 *
 * Each tree draws from its own seeded random stream (`treeSeed`), so a forest is the same whatever the
 * number of threads or the order in which trees finish.
 */
import { Rng } from '../../core/rng.js';
import { makeCriterion, type CriterionName } from '../tree/criterion.js';
import { FeatureSampler } from '../tree/feature-sampler.js';
import { growTree, type TreeTargets } from '../tree/grow-tree.js';
import { LEAF, type Tree } from '../tree/tree.js';
import { HistogramSplitFinder, type SplitMode } from './histogram-split-finder.js';
import type { RowMajorCodes } from './node-rows.js';

/** What every tree of one forest shares (read-only; the arrays may live in SharedArrayBuffers). */
export interface ForestData {
  readonly rows: number;
  readonly cols: number;
  /** Bin codes, row-major (in shared memory for worker threads). */
  readonly codes: RowMajorCodes;
  /** Per feature, the float32 upper edges of its value bins. */
  readonly thresholds: readonly Float32Array[];
  /** Raw values as float32, column-major. */
  readonly values: Float32Array;
  readonly y: Int32Array | Float64Array;
  readonly classification: boolean;
  /** nClasses for classifiers, 1 for regressors. */
  readonly width: number;
  /** Weight of each class (classifiers; empty for regressors). */
  readonly classWeights: Float64Array;
  readonly criterion: CriterionName;
  readonly mode: SplitMode;
  readonly bootstrap: boolean;
  /** Predict the out-of-bag rows (needs bootstrap). */
  readonly outOfBag: boolean;
  readonly maxDepth: number;
  readonly minSamplesSplit: number;
  readonly minSamplesLeaf: number;
  /** Features each split considers (already resolved to a count). */
  readonly maxFeatures: number;
}

export interface ForestTreeTask {
  readonly data: ForestData;
  readonly treeIndex: number;
  readonly seed: number;
}

export interface ForestTreeResult {
  readonly treeIndex: number;
  readonly tree: Tree;
  readonly impurityDecrease: Float64Array;
  readonly leafImpurity: number;
  /** Rows not in the bootstrap sample, and the tree's prediction for each (width values per row). */
  readonly oobRows: Int32Array;
  readonly oobValues: Float64Array;
}

/** The seed of tree `t`'s random stream, from the forest's seed. */
export function treeSeed(seed: number, t: number): number {
  return (Math.imul(seed >>> 0, 0x9e3779b1) ^ Math.imul(t + 1, 0x85ebca6b)) >>> 0;
}

export function trainForestTree(task: ForestTreeTask): ForestTreeResult {
  const { data } = task;
  const n = data.rows;
  const rng = new Rng(treeSeed(task.seed, task.treeIndex));

  // Bootstrap: n draws with replacement, kept as per-row counts that multiply the row weights
  // (scikit-learn does the same); rows drawn 0 times are left out of the tree and are out-of-bag.
  const counts = new Int32Array(n);
  if (data.bootstrap) {
    for (let k = 0; k < n; k++) {
      const i = rng.int(n);
      counts[i] = (counts[i] as number) + 1;
    }
  } else counts.fill(1);
  const weights = new Float64Array(n);
  let inBag = 0;
  for (let i = 0; i < n; i++) {
    const c = counts[i] as number;
    if (c === 0) continue;
    weights[i] = data.classification ? c * (data.classWeights[data.y[i] as number] as number) : c;
    inBag++;
  }
  const rows = new Int32Array(inBag);
  for (let i = 0, k = 0; i < n; i++) if ((counts[i] as number) > 0) rows[k++] = i;

  const targets: TreeTargets = { y: data.y, classification: data.classification, weights };
  const criterion = makeCriterion(data.criterion, data.width);
  const sampler = new FeatureSampler(data.cols, data.maxFeatures, rng);
  const finder = new HistogramSplitFinder(data, targets, rows, criterion, data.minSamplesLeaf, sampler, data.mode, rng);
  const grown = growTree(targets, rows, data.cols, finder, {
    criterion,
    maxDepth: data.maxDepth,
    minSamplesSplit: data.minSamplesSplit,
    minSamplesLeaf: data.minSamplesLeaf,
  });

  let oobRows: Int32Array = new Int32Array(0);
  let oobValues: Float64Array = new Float64Array(0);
  if (data.outOfBag) {
    oobRows = new Int32Array(n - inBag);
    for (let i = 0, k = 0; i < n; i++) if (counts[i] === 0) oobRows[k++] = i;
    oobValues = predictTrainingRows(grown.tree, data, oobRows);
  }
  return { treeIndex: task.treeIndex, tree: grown.tree, impurityDecrease: grown.impurityDecrease, leafImpurity: grown.leafImpurity, oobRows, oobValues };
}

/** The tree's leaf values for training rows (their float32 values are at hand in `data.values`). */
export function predictTrainingRows(tree: Tree, data: ForestData, rowIndices: Int32Array): Float64Array {
  const width = tree.nOutputs;
  const out = new Float64Array(rowIndices.length * width);
  for (let k = 0; k < rowIndices.length; k++) {
    const row = rowIndices[k] as number;
    let node = 0;
    let f = tree.feature[0] as number;
    while (f !== LEAF) {
      node = (data.values[f * data.rows + row] as number) <= (tree.threshold[node] as number) ? (tree.left[node] as number) : (tree.right[node] as number);
      f = tree.feature[node] as number;
    }
    for (let j = 0; j < width; j++) out[k * width + j] = tree.value[node * width + j] as number;
  }
  return out;
}

/** The buffers of a result, to transfer (not copy) it from a worker. */
export function resultBuffers(r: ForestTreeResult): ArrayBuffer[] {
  const t = r.tree;
  const arrays = [t.feature, t.threshold, t.left, t.right, t.value, r.impurityDecrease, r.oobRows, r.oobValues];
  if (t.cover !== undefined) arrays.push(t.cover);
  return arrays.map((a) => a.buffer as ArrayBuffer);
}
