/**
 * SHAP values of a fitted model for rows of its feature matrix, in the model's raw-score space
 * (log-odds for binary classifiers, per-class scores for multiclass, the prediction for regression):
 * for every row, `base[k] + Σ_j values[row][k][j]` equals raw output k.
 *
 *   - gradient boosting: exact TreeSHAP, tree by tree;
 *   - decision trees, random forests and extra trees: exact TreeSHAP of each tree's class fractions
 *     (the probability of the positive class for binary classifiers) or mean target, averaged over
 *     the trees as the forest averages its predictions;
 *   - linear models: exact for independent features, w_j · (x_j − E[x_j]) with E taken over the
 *     training rows (the `background` feature means).
 * Other learners have no exact method here and are refused with a coded error.
 */
import { KilnError } from '../../core/errors.js';
import type { Matrix } from '../../core/matrix.js';
import type { BoostedEnsemble } from '../../learners/gbdt/predictor.js';
import type { Tree as BoostedTree } from '../../learners/gbdt/tree.js';
import type { SupervisedPredictor } from '../../learners/learner.js';
import type { Tree as CartTree } from '../../learners/tree/tree.js';
import { expectedValue, treeShap, type ShapTree } from './tree-shap.js';

export interface ShapResult {
  /** Raw outputs per row (1 for binary and regression, nClasses for multiclass). */
  readonly nOutputs: number;
  readonly nFeatures: number;
  /** Expected raw output of each output. */
  readonly base: Float64Array;
  /** values[(row * nOutputs + k) * nFeatures + j]. */
  readonly values: Float64Array;
}

/** Routing of a boosted tree at one node: the same decision as the predictor's `leafIndex`. */
export function boostedShapTree(tree: BoostedTree): ShapTree {
  return {
    left: tree.left,
    right: tree.right,
    feature: tree.feature,
    value: tree.value,
    cover: tree.count,
    next(node, row, offset) {
      const x = row[offset + (tree.feature[node] as number)] as number;
      const categories = tree.leftCategories[node];
      const goLeft =
        categories != null ? categories.includes(x) : x !== x ? tree.missingLeft[node] === 1 : Math.fround(x) <= (tree.threshold[node] as number);
      return (goLeft ? tree.left[node] : tree.right[node]) as number;
    },
  };
}

export function boostedShap(model: BoostedEnsemble, X: Matrix): ShapResult {
  const K = model.nOutputs;
  const F = model.nFeatures;
  const trees = model.trees.map(boostedShapTree);
  const base = Float64Array.from(model.baseline);
  trees.forEach((t, i) => (base[i % K] = (base[i % K] as number) + expectedValue(t)));
  const values = new Float64Array(X.rows * K * F);
  const phi = new Float64Array(F);
  for (let r = 0; r < X.rows; r++) {
    for (let t = 0; t < trees.length; t++) {
      const k = t % K;
      phi.fill(0);
      treeShap(trees[t] as ShapTree, X.data, r * X.cols, phi);
      const at = (r * K + k) * F;
      for (let j = 0; j < F; j++) values[at + j] = (values[at + j] as number) + (phi[j] as number);
    }
  }
  return { nOutputs: K, nFeatures: F, base, values };
}

/** One output of a CART tree (class `output`'s fraction, or the mean target) as TreeSHAP sees it. */
export function cartShapTree(tree: CartTree, output: number): ShapTree {
  const cover = tree.cover;
  if (cover === undefined || cover.some(Number.isNaN)) {
    throw new KilnError('UNSUPPORTED_TASK', {
      task: 'explaining single predictions of a tree model saved without node covers',
      available: 'retrain the model with this Kiln version (it records how many training rows reached each node)',
    });
  }
  const value = Float64Array.from({ length: tree.nodeCount }, (_, node) => tree.value[node * tree.nOutputs + output] as number);
  // A CART leaf is marked by its feature; TreeSHAP looks at the children, so leaves get −1 there.
  const isLeaf = (node: number) => (tree.feature[node] as number) < 0;
  return {
    left: tree.left.map((child, node) => (isLeaf(node) ? -1 : child)),
    right: tree.right.map((child, node) => (isLeaf(node) ? -1 : child)),
    feature: tree.feature,
    value,
    cover,
    next(node, row, offset) {
      // As leafOf: float32 comparison; a missing value (NaN) fails every test and goes right.
      const goLeft = Math.fround(row[offset + (tree.feature[node] as number)] as number) <= (tree.threshold[node] as number);
      return (goLeft ? tree.left[node] : tree.right[node]) as number;
    },
  };
}

/**
 * TreeSHAP of a tree ensemble that averages its trees (a single decision tree is an ensemble of one):
 * binary classifiers explain the positive class's probability, multiclass ones every class's, regressors
 * the prediction.
 */
export function cartEnsembleShap(trees: readonly CartTree[], classifier: boolean, X: Matrix): ShapResult {
  const width = trees[0]?.nOutputs ?? 1;
  const outputs = classifier && width === 2 ? [1] : Array.from({ length: width }, (_, k) => k);
  const K = outputs.length;
  const F = X.cols;
  const scale = 1 / trees.length;
  const shapTrees = trees.map((tree) => outputs.map((k) => cartShapTree(tree, k)));
  const base = new Float64Array(K);
  for (const perOutput of shapTrees) perOutput.forEach((t, k) => (base[k] = (base[k] as number) + scale * expectedValue(t)));
  const values = new Float64Array(X.rows * K * F);
  const phi = new Float64Array(F);
  for (let r = 0; r < X.rows; r++) {
    for (const perOutput of shapTrees) {
      perOutput.forEach((t, k) => {
        phi.fill(0);
        treeShap(t, X.data, r * X.cols, phi);
        const at = (r * K + k) * F;
        for (let j = 0; j < F; j++) values[at + j] = (values[at + j] as number) + scale * (phi[j] as number);
      });
    }
  }
  return { nOutputs: K, nFeatures: F, base, values };
}

interface LinearView {
  coefficients(): { weights: Float64Array[] | Float64Array; intercepts?: Float64Array | readonly number[]; intercept?: number };
}

/** Exact SHAP of a linear model given the training feature means. */
export function linearShap(model: LinearView, X: Matrix, background: Float64Array): ShapResult {
  const c = model.coefficients();
  const weights = Array.isArray(c.weights) ? c.weights : [c.weights as Float64Array];
  const intercepts = c.intercepts !== undefined ? Array.from(c.intercepts) : [c.intercept ?? 0];
  const K = weights.length;
  const F = X.cols;
  const base = new Float64Array(K);
  weights.forEach((w, k) => {
    let b = intercepts[k] ?? 0;
    for (let j = 0; j < F; j++) b += (w[j] as number) * (background[j] as number);
    base[k] = b;
  });
  const values = new Float64Array(X.rows * K * F);
  for (let r = 0; r < X.rows; r++) {
    for (let k = 0; k < K; k++) {
      const w = weights[k] as Float64Array;
      for (let j = 0; j < F; j++) values[(r * K + k) * F + j] = (w[j] as number) * ((X.data[r * F + j] as number) - (background[j] as number));
    }
  }
  return { nOutputs: K, nFeatures: F, base, values };
}

/**
 * The exact method of a predictor's learner (boosting, trees and forests, models linear in their
 * inputs), or undefined when it has none (the per-row reasons of those come from baseline-shapley.ts).
 */
export function exactShapMethod(predictor: SupervisedPredictor): ((X: Matrix, background: Float64Array) => ShapResult) | undefined {
  const p = predictor as SupervisedPredictor & {
    ensemble?: () => BoostedEnsemble;
    coefficients?: LinearView['coefficients'];
    trees?: readonly CartTree[];
    linearInInputs?: boolean;
  };
  if (typeof p.ensemble === 'function') {
    const ensemble = p.ensemble.bind(p);
    return (X) => boostedShap(ensemble(), X);
  }
  const trees = p.trees;
  if (Array.isArray(trees) && trees.length > 0) return (X) => cartEnsembleShap(trees, predictor.kind === 'classifier', X);
  // a linear model over reshaped columns or pairwise products is not linear in its inputs: no exact method here
  if (typeof p.coefficients === 'function' && p.linearInInputs !== false) return (X, background) => linearShap(p as LinearView, X, background);
  return undefined;
}

/** SHAP values for the learners that have an exact method (exactShapMethod); others are refused. */
export function shapValues(predictor: SupervisedPredictor, X: Matrix, background: Float64Array): ShapResult {
  const method = exactShapMethod(predictor);
  if (method === undefined) {
    throw new KilnError('UNSUPPORTED_TASK', {
      task: `exact SHAP values of ${predictor.learner}`,
      available: 'gradient boosting, decision trees and forests (TreeSHAP) and linear models',
    });
  }
  return method(X, background);
}
