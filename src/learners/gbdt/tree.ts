/**
 * A fitted regression tree of a boosted ensemble, as parallel per-node arrays (the layout ONNX's
 * TreeEnsemble, TreeSHAP and compact JSON all want). Node 0 is the root; a leaf has feature −1.
 *
 * Routing a row at an internal node:
 *   - numeric split: left when `Math.fround(x) <= threshold` (thresholds are float32 numbers, see
 *     ../hist/binning.ts, so onnxruntime's float32 comparison decides the same), missing (NaN) values
 *     follow `missingLeft`;
 *   - categorical split: left when x is one of `leftCategories` (category codes); anything else,
 *     including missing values and categories unseen in training, goes right.
 */

export interface Tree {
  /** Feature tested at each node; −1 at leaves. */
  readonly feature: Int32Array;
  /** Numeric split threshold (a float32 number, +Infinity for "every present value"); NaN otherwise. */
  readonly threshold: Float64Array;
  /** 1 where missing values go left (numeric splits). */
  readonly missingLeft: Uint8Array;
  /** Category codes sent left, increasing (categorical splits); null for other nodes. */
  readonly leftCategories: readonly (Float64Array | null)[];
  /** Child node indices; −1 at leaves. */
  readonly left: Int32Array;
  readonly right: Int32Array;
  /** Raw-score contribution, after shrinkage: what a leaf adds; what the node would add as a leaf. */
  readonly value: Float64Array;
  /** Loss reduction of each split (0 at leaves): the gain feature importances sum. */
  readonly gain: Float64Array;
  /** Training rows that reached each node (TreeSHAP's cover). */
  readonly count: Float64Array;
}

/** The index of the leaf that row `x` (nFeatures values starting at `offset`) reaches. */
export function leafIndex(tree: Tree, data: Float64Array, offset: number): number {
  let node = 0;
  for (;;) {
    const f = tree.feature[node] as number;
    if (f < 0) return node;
    const x = data[offset + f] as number;
    const categories = tree.leftCategories[node];
    let goLeft: boolean;
    if (categories != null) goLeft = containsSorted(categories, x);
    else if (x !== x) goLeft = tree.missingLeft[node] === 1; // NaN
    else goLeft = Math.fround(x) <= (tree.threshold[node] as number);
    node = (goLeft ? tree.left[node] : tree.right[node]) as number;
  }
}

/** Adds the tree's output for every row of a row-major matrix to `raw[i * stride + output]`. */
export function addTreeOutput(tree: Tree, data: Float64Array, rows: number, cols: number, raw: Float64Array, stride: number, output: number): void {
  for (let i = 0; i < rows; i++) {
    const at = i * stride + output;
    raw[at] = (raw[at] as number) + (tree.value[leafIndex(tree, data, i * cols)] as number);
  }
}

function containsSorted(sorted: Float64Array, x: number): boolean {
  let lo = 0;
  let hi = sorted.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const v = sorted[mid] as number;
    if (v === x) return true;
    if (v < x) lo = mid + 1;
    else hi = mid - 1;
  }
  return false;
}
