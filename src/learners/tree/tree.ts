/**
 * A fitted decision tree as flat parallel arrays (scikit-learn's `tree_` layout): node 0 is the root;
 * an internal node sends a row to `left` when `Math.fround(x[feature]) <= threshold`, else to `right`;
 * a leaf has feature −1. Every node stores its `value` (class fractions, or the mean target), so a tree
 * can be cut at any depth; prediction reads the leaves only.
 *
 * Thresholds are float32 numbers and rows are compared as float32: that is what onnxruntime's
 * TreeEnsemble does with float input, so a tree's ONNX export routes every row exactly like `predict`.
 */
export interface Tree {
  readonly nodeCount: number;
  /** Values per node: nClasses (class fractions) for classifiers, 1 for regressors. */
  readonly nOutputs: number;
  readonly feature: Int32Array;
  readonly threshold: Float32Array;
  readonly left: Int32Array;
  readonly right: Int32Array;
  /** `value[node * nOutputs + k]`. */
  readonly value: Float64Array;
  /**
   * Training weight that reached each node (rows × class weight × bootstrap count): what TreeSHAP
   * averages absent features over. Absent in trees saved before Kiln kept it.
   */
  readonly cover?: Float64Array;
}

export const LEAF = -1;

/** Grows a tree node by node; arrays double in size as needed and are trimmed by `finish`. */
export class TreeBuilder {
  private feature = new Int32Array(64);
  private threshold = new Float32Array(64);
  private left = new Int32Array(64);
  private right = new Int32Array(64);
  private value: Float64Array;
  private cover = new Float64Array(64);
  private count = 0;

  constructor(readonly nOutputs: number) {
    this.value = new Float64Array(64 * nOutputs);
  }

  get nodeCount(): number {
    return this.count;
  }

  /**
   * Adds a leaf holding `value[offset .. offset + nOutputs)` reached by training weight `cover`; returns
   * its id. Split it later with `split`.
   */
  addNode(value: ArrayLike<number>, offset = 0, cover = Number.NaN): number {
    if (this.count === this.feature.length) this.grow();
    const id = this.count++;
    this.feature[id] = LEAF;
    this.cover[id] = cover;
    for (let k = 0; k < this.nOutputs; k++) this.value[id * this.nOutputs + k] = value[offset + k] as number;
    return id;
  }

  /** Turns leaf `node` into the test `x[feature] <= threshold`; its children are set with `setChild`. */
  split(node: number, feature: number, threshold: number): void {
    this.feature[node] = feature;
    this.threshold[node] = threshold;
  }

  /** Makes `child` the left (test true) or right child of `node`. */
  setChild(node: number, side: 'left' | 'right', child: number): void {
    (side === 'left' ? this.left : this.right)[node] = child;
  }

  finish(): Tree {
    const n = this.count;
    return {
      nodeCount: n,
      nOutputs: this.nOutputs,
      feature: this.feature.slice(0, n),
      threshold: this.threshold.slice(0, n),
      left: this.left.slice(0, n),
      right: this.right.slice(0, n),
      value: this.value.slice(0, n * this.nOutputs),
      cover: this.cover.slice(0, n),
    };
  }

  private grow(): void {
    const size = this.feature.length * 2;
    const widen = <T extends Int32Array | Float32Array | Float64Array>(a: T, length: number): T => {
      const b = new (a.constructor as new (n: number) => T)(length);
      b.set(a);
      return b;
    };
    this.feature = widen(this.feature, size);
    this.threshold = widen(this.threshold, size);
    this.left = widen(this.left, size);
    this.right = widen(this.right, size);
    this.value = widen(this.value, size * this.nOutputs);
    this.cover = widen(this.cover, size);
  }
}

/** The leaf that row `row` of `X32` (float32 values, `cols` per row) reaches. */
export function leafOf(tree: Tree, X32: Float32Array, row: number, cols: number): number {
  const { feature, threshold, left, right } = tree;
  const base = row * cols;
  let node = 0;
  let f = feature[0] as number;
  while (f !== LEAF) {
    node = (X32[base + f] as number) <= (threshold[node] as number) ? (left[node] as number) : (right[node] as number);
    f = feature[node] as number;
  }
  return node;
}

/** Deepest root-to-leaf path length (a lone root has depth 0), like scikit-learn's `get_depth()`. */
export function treeDepth(tree: Tree): number {
  let max = 0;
  const depth = new Int32Array(tree.nodeCount);
  for (let node = 0; node < tree.nodeCount; node++) {
    if (tree.feature[node] === LEAF) continue;
    const d = (depth[node] as number) + 1;
    depth[tree.left[node] as number] = d;
    depth[tree.right[node] as number] = d;
    if (d > max) max = d;
  }
  return max;
}

/** Number of leaves. */
export function leafCount(tree: Tree): number {
  let n = 0;
  for (let node = 0; node < tree.nodeCount; node++) if (tree.feature[node] === LEAF) n++;
  return n;
}

/** The tree as JSON-safe data: typed arrays as base64 of their bytes (exact, and compact). */
export interface SerializedTree {
  readonly nOutputs: number;
  readonly feature: string;
  readonly threshold: string;
  readonly left: string;
  readonly right: string;
  readonly value: string;
  readonly cover?: string | undefined;
}

const toBase64 = (a: Int32Array | Float32Array | Float64Array): string => Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');

function fromBase64<T extends Int32Array | Float32Array | Float64Array>(text: string, Type: { new (b: ArrayBuffer): T; BYTES_PER_ELEMENT: number }): T {
  const bytes = Buffer.from(text, 'base64');
  if (bytes.byteLength % Type.BYTES_PER_ELEMENT !== 0) throw new RangeError('a tree array has a byte length that does not fit its type');
  const copy = new ArrayBuffer(bytes.byteLength);
  new Uint8Array(copy).set(bytes);
  return new Type(copy);
}

export function serializeTree(tree: Tree): SerializedTree {
  return {
    nOutputs: tree.nOutputs,
    feature: toBase64(tree.feature),
    threshold: toBase64(tree.threshold),
    left: toBase64(tree.left),
    right: toBase64(tree.right),
    value: toBase64(tree.value),
    ...(tree.cover === undefined ? {} : { cover: toBase64(tree.cover) }),
  };
}

/**
 * Rebuilds a tree and checks that it is well formed (children in range and after their parent, features
 * below `nFeatures`), so that a damaged file fails here rather than looping or reading out of bounds.
 */
export function deserializeTree(s: SerializedTree, nFeatures: number): Tree {
  const feature = fromBase64(s.feature, Int32Array);
  const n = feature.length;
  const tree: Tree = {
    nodeCount: n,
    nOutputs: s.nOutputs,
    feature,
    threshold: fromBase64(s.threshold, Float32Array),
    left: fromBase64(s.left, Int32Array),
    right: fromBase64(s.right, Int32Array),
    value: fromBase64(s.value, Float64Array),
    ...(s.cover === undefined ? {} : { cover: fromBase64(s.cover, Float64Array) }),
  };
  if (
    n === 0 ||
    tree.threshold.length !== n ||
    tree.left.length !== n ||
    tree.right.length !== n ||
    tree.value.length !== n * s.nOutputs ||
    (tree.cover !== undefined && tree.cover.length !== n)
  ) {
    throw new RangeError('the tree arrays have inconsistent lengths');
  }
  for (let node = 0; node < n; node++) {
    const f = feature[node] as number;
    if (f === LEAF) continue;
    const l = tree.left[node] as number;
    const r = tree.right[node] as number;
    if (f < 0 || f >= nFeatures || l <= node || r <= node || l >= n || r >= n) throw new RangeError(`tree node ${node} is malformed`);
  }
  return tree;
}
