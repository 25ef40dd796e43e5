/**
 * One isolation tree (Liu, Ting & Zhou 2008): a random partition of a small sample of rows. Each node
 * picks a random feature that is not constant among its rows and a threshold uniformly between that
 * feature's minimum and maximum there; rows ≤ threshold go left. Growth stops at a depth limit
 * ⌈log2 ψ⌉ (ψ = sample size) or when a node holds one row (or only identical rows).
 *
 * Anomalies are isolated in few splits, so the path length of a row (depth of its leaf, plus the
 * expected depth c(m) of the unbuilt subtree below a leaf that still holds m rows) is short for them.
 *
 * Features are compared as float32 (`Math.fround`), and thresholds are float32 values, because the
 * ONNX export's TreeEnsembleRegressor compares in float32: the tree then routes every row the same way
 * in both (see src/onnx/tree-ensemble.ts).
 */
import type { Rng } from '../../core/rng.js';

/** A tree as flat arrays; node 0 is the root. `feature[n] = -1` marks a leaf. */
export interface IsolationTree {
  readonly feature: Int32Array;
  readonly threshold: Float64Array;
  readonly left: Int32Array;
  readonly right: Int32Array;
  /** For leaves: depth + c(rows in the leaf), the path length a row ending here gets. 0 for splits. */
  readonly pathLength: Float64Array;
}

const EULER_GAMMA = 0.5772156649015329;

/**
 * c(m): the average path length of an unsuccessful search in a binary search tree of m items, which is
 * the expected depth of isolating one of m rows (scikit-learn's `_average_path_length`).
 */
export function averagePathLength(m: number): number {
  if (m <= 1) return 0;
  if (m === 2) return 1;
  return 2 * (Math.log(m - 1) + EULER_GAMMA) - (2 * (m - 1)) / m;
}

/**
 * Grows a tree on rows `sample` of `x` (float32 values, row-major, `cols` wide). `sample` is reordered
 * in place (rows are partitioned between the children as the tree grows).
 */
export function growIsolationTree(x: Float32Array, cols: number, sample: Int32Array, maxDepth: number, rng: Rng): IsolationTree {
  const feature: number[] = [];
  const threshold: number[] = [];
  const left: number[] = [];
  const right: number[] = [];
  const pathLength: number[] = [];
  const featureOrder = Int32Array.from({ length: cols }, (_, j) => j);

  const addNode = (): number => {
    feature.push(-1);
    threshold.push(0);
    left.push(-1);
    right.push(-1);
    pathLength.push(0);
    return feature.length - 1;
  };

  // Depth-first with an explicit stack: [node, start, end, depth] over sample[start, end).
  const stack: [number, number, number, number][] = [[addNode(), 0, sample.length, 0]];
  while (stack.length > 0) {
    const [node, start, end, depth] = stack.pop()!;
    const size = end - start;
    const split = depth < maxDepth && size > 1 ? chooseSplit(x, cols, sample, start, end, featureOrder, rng) : undefined;
    if (split === undefined) {
      pathLength[node] = depth + averagePathLength(size);
      continue;
    }
    // Partition: rows ≤ threshold to the front.
    let mid = start;
    for (let k = start; k < end; k++) {
      const row = sample[k] as number;
      if ((x[row * cols + split.feature] as number) <= split.threshold) {
        sample[k] = sample[mid] as number;
        sample[mid] = row;
        mid++;
      }
    }
    feature[node] = split.feature;
    threshold[node] = split.threshold;
    const l = addNode();
    const r = addNode();
    left[node] = l;
    right[node] = r;
    stack.push([r, mid, end, depth + 1], [l, start, mid, depth + 1]);
  }
  return {
    feature: Int32Array.from(feature),
    threshold: Float64Array.from(threshold),
    left: Int32Array.from(left),
    right: Int32Array.from(right),
    pathLength: Float64Array.from(pathLength),
  };
}

/**
 * A random non-constant feature (features are tried in random order) and a float32 threshold in
 * [min, max) of its values among the node's rows, so both children get rows; undefined if every
 * feature is constant here.
 */
function chooseSplit(
  x: Float32Array,
  cols: number,
  sample: Int32Array,
  start: number,
  end: number,
  featureOrder: Int32Array,
  rng: Rng,
): { feature: number; threshold: number } | undefined {
  for (let tried = 0; tried < cols; tried++) {
    // Partial Fisher–Yates: the next untried feature, uniformly.
    const pick = tried + rng.int(cols - tried);
    const j = featureOrder[pick] as number;
    featureOrder[pick] = featureOrder[tried] as number;
    featureOrder[tried] = j;
    let min = Number.POSITIVE_INFINITY;
    let max = Number.NEGATIVE_INFINITY;
    for (let k = start; k < end; k++) {
      const v = x[(sample[k] as number) * cols + j] as number;
      if (v < min) min = v;
      if (v > max) max = v;
    }
    if (min < max) {
      let threshold = Math.fround(min + rng.next() * (max - min));
      if (threshold >= max) threshold = min;
      return { feature: j, threshold };
    }
  }
  return undefined;
}

/** The path length of row `row` of `x` (any numeric array, compared as float32) in `tree`. */
export function pathLengthOf(tree: IsolationTree, x: ArrayLike<number>, rowStart: number): number {
  let node = 0;
  for (;;) {
    const f = tree.feature[node] as number;
    if (f < 0) return tree.pathLength[node] as number;
    node = Math.fround(x[rowStart + f] as number) <= (tree.threshold[node] as number) ? (tree.left[node] as number) : (tree.right[node] as number);
  }
}
