/**
 * ONNX export of tree ensembles (decision trees, random forests, extra trees, gradient boosting) as one
 * `ai.onnx.ml` TreeEnsembleRegressor node, built from plain per-node and per-leaf arrays.
 *
 * Why the REGRESSOR operator for classifiers too: onnxruntime's TreeEnsembleClassifier treats two classes
 * specially (with one weight per leaf it emits [N, 2] as [-score, score] or [1 - p, p] depending on the
 * post-transform, and it adds a label output whose type depends on class labels). A TreeEnsembleRegressor
 * with `n_targets = nClasses` has none of those special cases: each leaf adds its weight to each target
 * it names, so a forest that stores class fractions in its leaves and aggregates with AVERAGE yields
 * class probabilities directly, and a boosted model with SUM yields raw scores that the caller turns
 * into probabilities (Sigmoid / Softmax), or the operator does with `postTransform`.
 *
 * Float32 thresholds: onnxruntime runs the ensemble in the input's type, so with float input every
 * threshold is a float32 and the test is `float32(x) <= threshold`. A Kiln predictor that must agree
 * with its export (within 1e-5) therefore picks thresholds that are exactly representable in float32
 * (see `float32Threshold`) and compares `Math.fround(x)` with them.
 */
import { attr, type Attr, type GraphBuilder } from './graph-builder.js';

/** How a node routes a row: a `x[feature] <= threshold` test, or a leaf. */
export type TreeNodeMode = 'BRANCH_LEQ' | 'LEAF';

/**
 * The nodes of every tree, one entry per node in each array (parallel arrays, as the operator takes
 * them). Node ids are per tree; the root of each tree is node 0. For leaves, feature, threshold and
 * children are ignored (pass 0).
 */
export interface TreeEnsembleNodes {
  readonly treeIds: ArrayLike<number>;
  readonly nodeIds: ArrayLike<number>;
  readonly featureIds: ArrayLike<number>;
  /** Thresholds, each exactly representable in float32 (see `float32Threshold`). */
  readonly thresholds: ArrayLike<number>;
  readonly modes: readonly TreeNodeMode[];
  /** Node id (within the same tree) of the child taken when `x <= threshold`. */
  readonly trueNodeIds: ArrayLike<number>;
  /** Node id of the child taken otherwise. */
  readonly falseNodeIds: ArrayLike<number>;
  /** 1 where a missing (NaN) value goes to the true child, 0 where it goes to the false child. */
  readonly missingTracksTrue: ArrayLike<number>;
}

/**
 * What the leaves add: one entry per (leaf, target) pair with a weight; a leaf may name several
 * targets (a class-probability leaf names every class) and targets left out add nothing.
 */
export interface TreeEnsembleLeaves {
  readonly treeIds: ArrayLike<number>;
  readonly nodeIds: ArrayLike<number>;
  readonly targetIds: ArrayLike<number>;
  readonly weights: ArrayLike<number>;
}

export interface TreeEnsembleSpec {
  readonly nodes: TreeEnsembleNodes;
  readonly leaves: TreeEnsembleLeaves;
  /** Width of the output: 1 for a regressor or a binary booster, nClasses for class scores. */
  readonly nTargets: number;
  /** How the trees' leaf weights combine: SUM for boosting, AVERAGE for forests. */
  readonly aggregate: 'SUM' | 'AVERAGE' | 'MIN' | 'MAX';
  /** Added to every row's aggregated score, one per target (e.g. a booster's initial prediction). */
  readonly baseValues?: readonly number[];
  /**
   * Applied after aggregation (and base values); default NONE. onnxruntime's TreeEnsembleRegressor
   * ignores its own post_transform attribute, so these are added as standard Sigmoid / Softmax nodes.
   */
  readonly postTransform?: 'NONE' | 'LOGISTIC' | 'SOFTMAX';
  /** A readable hint for node and output names. */
  readonly name?: string;
}

/**
 * Adds the ensemble to `g`, reading `features` (float [N, nFeatures]); returns the name of its
 * float [N, nTargets] output.
 */
export function addTreeEnsemble(g: GraphBuilder, features: string, spec: TreeEnsembleSpec): string {
  checkSpec(spec);
  const { nodes, leaves } = spec;
  const ints = (a: ArrayLike<number>): Attr => attr.ints(Array.from(a));
  const attrs: Record<string, Attr> = {
    n_targets: attr.int(spec.nTargets),
    aggregate_function: attr.string(spec.aggregate),
    post_transform: attr.string('NONE'),
    nodes_treeids: ints(nodes.treeIds),
    nodes_nodeids: ints(nodes.nodeIds),
    nodes_featureids: ints(nodes.featureIds),
    nodes_values: attr.floats(Array.from(nodes.thresholds)),
    nodes_modes: attr.strings(nodes.modes),
    nodes_truenodeids: ints(nodes.trueNodeIds),
    nodes_falsenodeids: ints(nodes.falseNodeIds),
    nodes_missing_value_tracks_true: ints(nodes.missingTracksTrue),
    target_treeids: ints(leaves.treeIds),
    target_nodeids: ints(leaves.nodeIds),
    target_ids: ints(leaves.targetIds),
    target_weights: attr.floats(Array.from(leaves.weights)),
  };
  if (spec.baseValues !== undefined) attrs['base_values'] = attr.floats(spec.baseValues);
  const name = spec.name ?? 'tree_ensemble';
  const scores = g.op('TreeEnsembleRegressor', [features], attrs, { domain: 'ai.onnx.ml', name: spec.postTransform === undefined || spec.postTransform === 'NONE' ? name : `${name}_scores` });
  switch (spec.postTransform ?? 'NONE') {
    case 'NONE':
      return scores;
    case 'LOGISTIC':
      return g.op('Sigmoid', [scores], {}, { name });
    case 'SOFTMAX':
      return g.op('Softmax', [scores], { axis: attr.int(1) }, { name });
  }
}

/**
 * A split threshold between two adjacent distinct feature values `lo < hi` that is exactly a float32,
 * so that a float32 comparison (onnxruntime's) routes every value as a float64 one would: values ≤ lo
 * go left and values ≥ hi go right, provided lo and hi are themselves float32 values (compare
 * `Math.fround(x)` with the threshold in the predictor). The midpoint is rounded to float32; if
 * rounding lands on `hi` (lo and hi are neighbouring floats), `lo` is used instead.
 */
export function float32Threshold(lo: number, hi: number): number {
  const mid = Math.fround(lo / 2 + hi / 2);
  if (mid >= hi) return Math.fround(lo);
  if (mid < lo) return Math.fround(lo);
  return mid;
}

function checkSpec(spec: TreeEnsembleSpec): void {
  const { nodes, leaves } = spec;
  const n = nodes.nodeIds.length;
  const nodeArrays: [string, ArrayLike<number> | readonly string[]][] = [
    ['treeIds', nodes.treeIds],
    ['featureIds', nodes.featureIds],
    ['thresholds', nodes.thresholds],
    ['modes', nodes.modes],
    ['trueNodeIds', nodes.trueNodeIds],
    ['falseNodeIds', nodes.falseNodeIds],
    ['missingTracksTrue', nodes.missingTracksTrue],
  ];
  for (const [name, a] of nodeArrays) {
    if (a.length !== n) throw new RangeError(`tree ensemble: nodes.${name} has ${a.length} entries, nodeIds has ${n}`);
  }
  const m = leaves.nodeIds.length;
  for (const [name, a] of [['treeIds', leaves.treeIds], ['targetIds', leaves.targetIds], ['weights', leaves.weights]] as const) {
    if (a.length !== m) throw new RangeError(`tree ensemble: leaves.${name} has ${a.length} entries, nodeIds has ${m}`);
  }
  if (!Number.isInteger(spec.nTargets) || spec.nTargets < 1) throw new RangeError(`tree ensemble: nTargets must be a positive integer, got ${spec.nTargets}`);
  if (spec.baseValues !== undefined && spec.baseValues.length !== spec.nTargets) {
    throw new RangeError(`tree ensemble: ${spec.baseValues.length} base values for ${spec.nTargets} targets`);
  }
  for (let k = 0; k < m; k++) {
    const t = leaves.targetIds[k] as number;
    if (t < 0 || t >= spec.nTargets) throw new RangeError(`tree ensemble: leaf entry ${k} names target ${t}, outside 0..${spec.nTargets - 1}`);
  }
}
