/**
 * The predictor of every tree learner: a single decision tree is an ensemble of one. Predictions are
 * the average of the trees' leaf values — class fractions for classifiers (scikit-learn's
 * `predict_proba` for trees and forests), mean targets for regressors.
 *
 * The ONNX export is one TreeEnsembleRegressor with AVERAGE aggregation (see src/onnx/tree-ensemble.ts
 * for why classifiers use it too): it outputs the probabilities or predictions directly.
 */
import { KilnError } from '../../core/errors.js';
import { createMatrix, type Matrix } from '../../core/matrix.js';
import { z } from '../../core/params.js';
import type { GraphBuilder } from '../../onnx/graph-builder.js';
import { addTreeEnsemble, type TreeNodeMode } from '../../onnx/tree-ensemble.js';
import { checkPredictionInput } from '../check-training-data.js';
import type { ClassifierPredictor, RegressorPredictor, SerializedPredictor } from '../learner.js';
import { deserializeTree, LEAF, leafOf, serializeTree, type Tree } from './tree.js';

/** What tree predictors add to the contract. */
interface TreeEnsembleDetails {
  /** The fitted trees (read-only by convention). */
  readonly trees: readonly Tree[];
  /** Out-of-bag score (accuracy or R²) when the forest computed one, else null. */
  readonly oobScore: number | null;
}

export interface TreeClassifierPredictor extends ClassifierPredictor, TreeEnsembleDetails {}
export interface TreeRegressorPredictor extends RegressorPredictor, TreeEnsembleDetails {}

export interface TreeEnsembleState {
  readonly nFeatures: number;
  /** Classes for classifiers; 0 for regressors. */
  readonly nClasses: number;
  readonly trees: readonly Tree[];
  /** Normalised mean decrease in impurity per feature. */
  readonly importances: Float64Array;
  readonly oobScore: number | null;
}

const FORMAT = 1;

const serializedTreeSchema = z.strictObject({
  nOutputs: z.number().int().positive(),
  feature: z.string(),
  threshold: z.string(),
  left: z.string(),
  right: z.string(),
  value: z.string(),
  cover: z.string().optional(),
});

const stateSchema = z.strictObject({
  nFeatures: z.number().int().positive(),
  nClasses: z.number().int().min(0),
  trees: z.array(serializedTreeSchema).min(1),
  importances: z.array(z.number()),
  oobScore: z.number().nullable(),
});

/** Mean of the trees' leaf values for every row: rows × width. */
function averageLeafValues(trees: readonly Tree[], X: Matrix, width: number): Float64Array {
  // float32 copy of X: trees compare float32 values with float32 thresholds, like onnxruntime.
  const X32 = new Float32Array(X.data);
  const out = new Float64Array(X.rows * width);
  for (const tree of trees) {
    const value = tree.value;
    for (let i = 0; i < X.rows; i++) {
      const at = leafOf(tree, X32, i, X.cols) * width;
      for (let k = 0; k < width; k++) out[i * width + k] = (out[i * width + k] as number) + (value[at + k] as number);
    }
  }
  const scale = 1 / trees.length;
  for (let k = 0; k < out.length; k++) out[k] = (out[k] as number) * scale;
  return out;
}

function addOnnx(g: GraphBuilder, features: string, trees: readonly Tree[], width: number, classifier: boolean, name: string): string {
  const treeIds: number[] = [];
  const nodeIds: number[] = [];
  const featureIds: number[] = [];
  const thresholds: number[] = [];
  const modes: TreeNodeMode[] = [];
  const trueNodeIds: number[] = [];
  const falseNodeIds: number[] = [];
  const leafTree: number[] = [];
  const leafNode: number[] = [];
  const leafTarget: number[] = [];
  const leafWeight: number[] = [];
  trees.forEach((tree, t) => {
    for (let node = 0; node < tree.nodeCount; node++) {
      const leaf = tree.feature[node] === LEAF;
      treeIds.push(t);
      nodeIds.push(node);
      featureIds.push(leaf ? 0 : (tree.feature[node] as number));
      thresholds.push(leaf ? 0 : (tree.threshold[node] as number));
      modes.push(leaf ? 'LEAF' : 'BRANCH_LEQ');
      trueNodeIds.push(leaf ? 0 : (tree.left[node] as number));
      falseNodeIds.push(leaf ? 0 : (tree.right[node] as number));
      if (!leaf) continue;
      for (let k = 0; k < width; k++) {
        const v = tree.value[node * width + k] as number;
        // A class with no rows in the leaf adds nothing: leave it out (keeps forests' graphs small).
        if (classifier && v === 0) continue;
        leafTree.push(t);
        leafNode.push(node);
        leafTarget.push(k);
        leafWeight.push(v);
      }
    }
  });
  return addTreeEnsemble(g, features, {
    nodes: { treeIds, nodeIds, featureIds, thresholds, modes, trueNodeIds, falseNodeIds, missingTracksTrue: new Array<number>(treeIds.length).fill(0) },
    leaves: { treeIds: leafTree, nodeIds: leafNode, targetIds: leafTarget, weights: leafWeight },
    nTargets: width,
    aggregate: 'AVERAGE',
    name,
  });
}

function toJSON(learner: string, s: TreeEnsembleState): SerializedPredictor {
  return {
    learner,
    format: FORMAT,
    state: {
      nFeatures: s.nFeatures,
      nClasses: s.nClasses,
      trees: s.trees.map(serializeTree),
      importances: Array.from(s.importances),
      oobScore: s.oobScore,
    },
  };
}

/** Reads back what `toJSON` wrote, checking it thoroughly (INVALID_PREDICTOR otherwise). */
export function treeEnsembleStateFromJSON(learner: string, serialized: SerializedPredictor, kind: 'classifier' | 'regressor'): TreeEnsembleState {
  const invalid = (reason: string): KilnError => new KilnError('INVALID_PREDICTOR', { learner, reason });
  if (serialized.learner !== learner) throw invalid(`it was saved by learner "${serialized.learner}"`);
  if (serialized.format !== FORMAT) throw invalid(`format ${serialized.format} is not the supported format ${FORMAT}`);
  const parsed = stateSchema.safeParse(serialized.state);
  if (!parsed.success) throw invalid(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
  const { nFeatures, nClasses, importances, oobScore } = parsed.data;
  const width = kind === 'classifier' ? nClasses : 1;
  if (kind === 'classifier' ? nClasses < 2 : nClasses !== 0) throw invalid(`nClasses ${nClasses} does not fit a ${kind}`);
  if (importances.length !== nFeatures) throw invalid(`${importances.length} importances for ${nFeatures} features`);
  const trees = parsed.data.trees.map((t, k) => {
    if (t.nOutputs !== width) throw invalid(`tree ${k} has ${t.nOutputs} outputs, expected ${width}`);
    try {
      return deserializeTree(t, nFeatures);
    } catch (err) {
      throw invalid(`tree ${k}: ${(err as Error).message}`);
    }
  });
  return { nFeatures, nClasses, trees, importances: Float64Array.from(importances), oobScore };
}

export class TreeEnsembleClassifier implements TreeClassifierPredictor {
  readonly kind = 'classifier';
  readonly nFeatures: number;
  readonly nClasses: number;
  readonly trees: readonly Tree[];
  readonly oobScore: number | null;

  constructor(
    readonly learner: string,
    private readonly state: TreeEnsembleState,
  ) {
    this.nFeatures = state.nFeatures;
    this.nClasses = state.nClasses;
    this.trees = state.trees;
    this.oobScore = state.oobScore;
  }

  predictProba(X: Matrix): Matrix {
    checkPredictionInput(X, this.nFeatures, this.learner);
    return createMatrix(X.rows, this.nClasses, averageLeafValues(this.trees, X, this.nClasses));
  }

  toOnnx(g: GraphBuilder, features: string): { readonly probabilities: string } {
    return { probabilities: addOnnx(g, features, this.trees, this.nClasses, true, `${this.learner}_probabilities`) };
  }

  featureImportances(): Float64Array {
    return this.state.importances.slice();
  }

  toJSON(): SerializedPredictor {
    return toJSON(this.learner, this.state);
  }
}

export class TreeEnsembleRegressor implements TreeRegressorPredictor {
  readonly kind = 'regressor';
  readonly nFeatures: number;
  readonly trees: readonly Tree[];
  readonly oobScore: number | null;

  constructor(
    readonly learner: string,
    private readonly state: TreeEnsembleState,
  ) {
    this.nFeatures = state.nFeatures;
    this.trees = state.trees;
    this.oobScore = state.oobScore;
  }

  predict(X: Matrix): Float64Array {
    checkPredictionInput(X, this.nFeatures, this.learner);
    return averageLeafValues(this.trees, X, 1);
  }

  toOnnx(g: GraphBuilder, features: string): { readonly prediction: string } {
    return { prediction: addOnnx(g, features, this.trees, 1, false, `${this.learner}_prediction`) };
  }

  featureImportances(): Float64Array {
    return this.state.importances.slice();
  }

  toJSON(): SerializedPredictor {
    return toJSON(this.learner, this.state);
  }
}

/** Mean decrease in impurity: each tree's decreases normalised to sum 1, averaged, normalised again (scikit-learn). */
export function meanDecreaseInImpurity(perTree: readonly Float64Array[], nFeatures: number): Float64Array {
  const out = new Float64Array(nFeatures);
  for (const decrease of perTree) {
    let total = 0;
    for (let f = 0; f < nFeatures; f++) total += decrease[f] as number;
    if (total <= 0) continue;
    for (let f = 0; f < nFeatures; f++) out[f] = (out[f] as number) + (decrease[f] as number) / total;
  }
  let total = 0;
  for (let f = 0; f < nFeatures; f++) total += out[f] as number;
  if (total > 0) for (let f = 0; f < nFeatures; f++) out[f] = (out[f] as number) / total;
  return out;
}
