/**
 * Growing one CART tree, depth first, whatever finds the splits: the exact finder (sorted feature
 * values, for single decision trees) or the histogram finder (binned features, for forests). This file
 * owns the stopping rules, the node values, the tree layout and the impurity-decrease bookkeeping that
 * feature importances come from.
 */
import { COUNT, SUMS, WEIGHT, type Criterion } from './criterion.js';
import { TreeBuilder, type Tree } from './tree.js';

/** The training targets and row weights a tree is grown on. */
export interface TreeTargets {
  /** Class index per row (classification) or target value per row (regression). */
  readonly y: Int32Array | Float64Array;
  readonly classification: boolean;
  /** Per-row weight (class weight × bootstrap count); rows with weight 0 must not be passed in `rows`. */
  readonly weights: Float64Array;
}

/** A chosen split: rows with `x[feature] <= threshold` (float32 comparison) go left. */
export interface Split {
  readonly feature: number;
  readonly threshold: number;
  /** For histogram splits, the last bin that goes left (−1 for exact splits). */
  readonly bin: number;
}

export interface SplitFinder {
  /**
   * Statistics of the node holding `rows[start..end)`: [count, W, S...] into `out`, and Σ w·y²
   * (regression) as the result. `nodeStatistics` below computes them from the targets; a finder that
   * keeps its own copy of the rows' weights and targets in node order reads them from there.
   */
  statistics(rows: Int32Array, start: number, end: number, out: Float64Array): number;
  /**
   * The best admissible split of the node holding `rows[start..end)` (each side keeping at least
   * minSamplesLeaf rows), or null when there is none. `node` holds the node's statistics.
   */
  find(rows: Int32Array, start: number, end: number, node: Float64Array): Split | null;
  /** Reorders `rows[start..end)` so that the rows going left come first; returns where the right ones start. */
  partition(rows: Int32Array, start: number, end: number, split: Split): number;
}

export interface GrowOptions {
  readonly criterion: Criterion;
  /** Most edges from the root to a leaf (Infinity: grow until pure or too small). */
  readonly maxDepth: number;
  readonly minSamplesSplit: number;
  readonly minSamplesLeaf: number;
}

export interface GrownTree {
  readonly tree: Tree;
  /** Weighted impurity decrease per feature (not normalised). */
  readonly impurityDecrease: Float64Array;
  /** Weighted mean impurity of the leaves: the tree's own training loss on its rows. */
  readonly leafImpurity: number;
}

/** Statistics of rows[start..end): [count, W, S...] into `out`, and Σ w·y² (regression) as the result. */
export function nodeStatistics(targets: TreeTargets, width: number, rows: Int32Array, start: number, end: number, out: Float64Array): number {
  out.fill(0, 0, SUMS + width);
  const { y, weights } = targets;
  let sumSquares = 0;
  let w = 0;
  for (let k = start; k < end; k++) {
    const row = rows[k] as number;
    const wi = weights[row] as number;
    w += wi;
    if (targets.classification) {
      const at = SUMS + (y[row] as number);
      out[at] = (out[at] as number) + wi;
    } else {
      const yi = y[row] as number;
      out[SUMS] = (out[SUMS] as number) + wi * yi;
      sumSquares += wi * yi * yi;
    }
  }
  out[COUNT] = end - start;
  out[WEIGHT] = w;
  return sumSquares;
}

interface Pending {
  readonly start: number;
  readonly end: number;
  readonly depth: number;
  readonly parent: number;
  readonly side: 'left' | 'right';
}

/**
 * Grows a tree over `rows` (which it reorders). Stops at a node when it is pure, at maxDepth, has fewer
 * than minSamplesSplit (or 2·minSamplesLeaf) rows, or the finder has no admissible split — scikit-learn's
 * DepthFirstTreeBuilder rules, so a split is taken even when it does not lower the impurity (XOR-like data).
 */
export function growTree(targets: TreeTargets, rows: Int32Array, nFeatures: number, finder: SplitFinder, options: GrowOptions): GrownTree {
  const { criterion } = options;
  const width = criterion.width;
  const builder = new TreeBuilder(width);
  const stats = new Float64Array(SUMS + width);
  const value = new Float64Array(width);
  // Per node, for the importances: weight, impurity, and (internal nodes) the split feature.
  const nodeWeight: number[] = [];
  const nodeImpurity: number[] = [];
  const nodeFeature: number[] = [];
  const children: number[][] = [];
  let leafImpurity = 0;
  let rootWeight = 0;

  const stack: Pending[] = [{ start: 0, end: rows.length, depth: 0, parent: -1, side: 'left' }];
  while (stack.length > 0) {
    const { start, end, depth, parent, side } = stack.pop() as Pending;
    const sumSquares = finder.statistics(rows, start, end, stats);
    const w = stats[WEIGHT] as number;
    for (let k = 0; k < width; k++) value[k] = (stats[SUMS + k] as number) / w;
    const node = builder.addNode(value, 0, w);
    if (parent >= 0) {
      builder.setChild(parent, side, node);
      (children[parent] as number[]).push(node);
    } else rootWeight = w;
    const impurity = criterion.impurity(stats, 0, sumSquares);
    nodeWeight.push(w);
    nodeImpurity.push(impurity);
    nodeFeature.push(-1);
    children.push([]);

    const count = end - start;
    const pure = targets.classification ? impurity <= 1e-12 : impurity <= 1e-12 * Math.max(1, sumSquares / w);
    const split =
      pure || depth >= options.maxDepth || count < options.minSamplesSplit || count < 2 * options.minSamplesLeaf
        ? null
        : finder.find(rows, start, end, stats);
    if (split === null) {
      leafImpurity += w * impurity;
      continue;
    }
    const mid = finder.partition(rows, start, end, split);
    builder.split(node, split.feature, split.threshold);
    nodeFeature[node] = split.feature;
    // Right pushed first so the left child is grown (and numbered) first, as in scikit-learn.
    stack.push({ start: mid, end, depth: depth + 1, parent: node, side: 'right' });
    stack.push({ start, end: mid, depth: depth + 1, parent: node, side: 'left' });
  }

  const impurityDecrease = new Float64Array(nFeatures);
  for (let node = 0; node < nodeFeature.length; node++) {
    const f = nodeFeature[node] as number;
    if (f < 0) continue;
    let decrease = (nodeWeight[node] as number) * (nodeImpurity[node] as number);
    for (const child of children[node] as number[]) decrease -= (nodeWeight[child] as number) * (nodeImpurity[child] as number);
    impurityDecrease[f] = (impurityDecrease[f] as number) + decrease;
  }
  return { tree: builder.finish(), impurityDecrease, leafImpurity: rootWeight > 0 ? leafImpurity / rootWeight : 0 };
}
