/**
 * Exact TreeSHAP (Lundberg, Erion & Lee 2018, "Consistent individualized feature attribution for
 * tree ensembles", Algorithm 2): the Shapley value of every feature for one row and one tree, in
 * polynomial time, with "absent" features averaged over the training rows that reached each node
 * (the node covers). Per tree, the values plus the tree's expected value sum to the tree's output.
 *
 * The recursion keeps the unique path of features met so far with, for each, the fraction of
 * training rows that went the row's way (zero fraction) and whether the row itself went that way
 * (one fraction); `extend`, `unwind` and `unwoundSum` maintain the permutation weights.
 * `naiveTreeShap` below computes the same values by enumerating every subset: the test oracle.
 */

/** A tree as TreeSHAP needs it; leaves have left = right = −1. */
export interface ShapTree {
  readonly left: Int32Array;
  readonly right: Int32Array;
  readonly feature: Int32Array;
  /** Output at each leaf (raw score contribution). */
  readonly value: Float64Array;
  /** Training rows (or their weight) that reached each node. */
  readonly cover: Float64Array;
  /** The child `row` goes to at internal node `node` (missing values and categories included). */
  next(node: number, row: Float64Array, offset: number): number;
}

interface PathElement {
  feature: number;
  zero: number;
  one: number;
  weight: number;
}

const isLeaf = (t: ShapTree, node: number): boolean => (t.left[node] as number) < 0;

/** The mean output of the tree over its training rows (cover-weighted leaf values). */
export function expectedValue(tree: ShapTree): number {
  const walk = (node: number): number => {
    if (isLeaf(tree, node)) return tree.value[node] as number;
    const l = tree.left[node] as number;
    const r = tree.right[node] as number;
    const c = tree.cover[node] as number;
    return ((tree.cover[l] as number) * walk(l) + (tree.cover[r] as number) * walk(r)) / c;
  };
  return walk(0);
}

/** Adds the tree's SHAP values for the row at `offset` into `phi` (length nFeatures). */
export function treeShap(tree: ShapTree, row: Float64Array, offset: number, phi: Float64Array): void {
  recurse(tree, row, offset, phi, 0, [], 1, 1, -1);
}

function recurse(
  tree: ShapTree,
  row: Float64Array,
  offset: number,
  phi: Float64Array,
  node: number,
  parentPath: readonly PathElement[],
  zero: number,
  one: number,
  feature: number,
): void {
  const path = parentPath.map((e) => ({ ...e }));
  extend(path, zero, one, feature);
  if (isLeaf(tree, node)) {
    const v = tree.value[node] as number;
    for (let i = 1; i < path.length; i++) {
      const e = path[i] as PathElement;
      phi[e.feature] = (phi[e.feature] as number) + unwoundSum(path, i) * (e.one - e.zero) * v;
    }
    return;
  }
  const split = tree.feature[node] as number;
  const hot = tree.next(node, row, offset);
  const cold = hot === tree.left[node] ? (tree.right[node] as number) : (tree.left[node] as number);
  const cover = tree.cover[node] as number;
  let incomingZero = 1;
  let incomingOne = 1;
  const k = path.findIndex((e) => e.feature === split);
  if (k >= 0) {
    // the feature was met higher up: undo that split so it can be redone here
    incomingZero = (path[k] as PathElement).zero;
    incomingOne = (path[k] as PathElement).one;
    unwind(path, k);
  }
  recurse(tree, row, offset, phi, hot, path, ((tree.cover[hot] as number) / cover) * incomingZero, incomingOne, split);
  recurse(tree, row, offset, phi, cold, path, ((tree.cover[cold] as number) / cover) * incomingZero, 0, split);
}

function extend(path: PathElement[], zero: number, one: number, feature: number): void {
  const depth = path.length;
  path.push({ feature, zero, one, weight: depth === 0 ? 1 : 0 });
  for (let i = depth - 1; i >= 0; i--) {
    const e = path[i] as PathElement;
    (path[i + 1] as PathElement).weight += (one * e.weight * (i + 1)) / (depth + 1);
    e.weight = (zero * e.weight * (depth - i)) / (depth + 1);
  }
}

function unwind(path: PathElement[], index: number): void {
  const depth = path.length - 1;
  const { one, zero } = path[index] as PathElement;
  let next = (path[depth] as PathElement).weight;
  for (let i = depth - 1; i >= 0; i--) {
    const e = path[i] as PathElement;
    if (one !== 0) {
      const tmp = e.weight;
      e.weight = (next * (depth + 1)) / ((i + 1) * one);
      next = tmp - (e.weight * zero * (depth - i)) / (depth + 1);
    } else {
      e.weight = (e.weight * (depth + 1)) / (zero * (depth - i));
    }
  }
  for (let i = index; i < depth; i++) {
    const a = path[i] as PathElement;
    const b = path[i + 1] as PathElement;
    a.feature = b.feature;
    a.zero = b.zero;
    a.one = b.one;
  }
  path.pop();
}

/** The total permutation weight if element `index` were unwound. */
function unwoundSum(path: readonly PathElement[], index: number): number {
  const depth = path.length - 1;
  const { one, zero } = path[index] as PathElement;
  let next = (path[depth] as PathElement).weight;
  let total = 0;
  for (let i = depth - 1; i >= 0; i--) {
    if (one !== 0) {
      const tmp = next / ((i + 1) * one);
      total += tmp;
      next = (path[i] as PathElement).weight - tmp * zero * (depth - i);
    } else {
      total += (path[i] as PathElement).weight / (zero * (depth - i));
    }
  }
  return total * (depth + 1);
}

/**
 * The same SHAP values by definition: for every subset S of the features, the tree's expected output
 * when only S is known (unknown features averaged by cover), combined with Shapley weights.
 * Exponential in the number of features: a test oracle for small trees only.
 */
export function naiveTreeShap(tree: ShapTree, row: Float64Array, offset: number, nFeatures: number): Float64Array {
  const known = (mask: number): number => {
    const walk = (node: number): number => {
      if (isLeaf(tree, node)) return tree.value[node] as number;
      const f = tree.feature[node] as number;
      if (mask & (1 << f)) return walk(tree.next(node, row, offset));
      const l = tree.left[node] as number;
      const r = tree.right[node] as number;
      return ((tree.cover[l] as number) * walk(l) + (tree.cover[r] as number) * walk(r)) / (tree.cover[node] as number);
    };
    return walk(0);
  };
  const factorial = (n: number): number => (n <= 1 ? 1 : n * factorial(n - 1));
  const phi = new Float64Array(nFeatures);
  for (let i = 0; i < nFeatures; i++) {
    for (let mask = 0; mask < 1 << nFeatures; mask++) {
      if (mask & (1 << i)) continue;
      let size = 0;
      for (let b = mask; b; b &= b - 1) size++;
      const weight = (factorial(size) * factorial(nFeatures - size - 1)) / factorial(nFeatures);
      phi[i] = (phi[i] as number) + weight * (known(mask | (1 << i)) - known(mask));
    }
  }
  return phi;
}
