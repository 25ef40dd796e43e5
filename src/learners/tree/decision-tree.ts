/**
 * CART decision trees with exact splits: scikit-learn's DecisionTreeClassifier (gini or entropy) and
 * DecisionTreeRegressor (squared error), with the same parameters and stopping rules. A classifier's
 * leaves hold class fractions (its probabilities); a regressor's hold the mean target.
 */
import { KilnError } from '../../core/errors.js';
import type { Matrix } from '../../core/matrix.js';
import { parseParams, z } from '../../core/params.js';
import { Rng } from '../../core/rng.js';
import { checkClassificationData, checkRegressionData, checkValidationData } from '../check-training-data.js';
import type { ClassifierLearner, FitOptions, RegressorLearner, SerializedPredictor } from '../learner.js';
import { makeCriterion } from './criterion.js';
import { ExactSplitFinder } from './exact-split-finder.js';
import { FeatureSampler, maxFeaturesSchema, resolveMaxFeatures } from './feature-sampler.js';
import { growTree, type TreeTargets } from './grow-tree.js';
import { classWeights, float32Columns, meanLogLoss, meanSquaredError } from './training-rows.js';
import {
  meanDecreaseInImpurity,
  TreeEnsembleClassifier,
  TreeEnsembleRegressor,
  treeEnsembleStateFromJSON,
  type TreeClassifierPredictor,
  type TreeRegressorPredictor,
} from './tree-ensemble-predictor.js';

const CLASSIFIER = 'decision-tree';
const REGRESSOR = 'decision-tree-regressor';

const shapeParams = {
  maxDepth: z.number().int().positive().nullable().default(null).describe('Most levels below the root; null grows until leaves are pure or too small.'),
  minSamplesSplit: z.number().int().min(2).default(2).describe('A node needs at least this many rows to be split.'),
  minSamplesLeaf: z.number().int().min(1).default(1).describe('Every leaf keeps at least this many rows.'),
  maxFeatures: maxFeaturesSchema(null),
};

export const decisionTreeParams = z.strictObject({
  criterion: z.enum(['gini', 'entropy']).default('gini').describe('Impurity a split lowers: Gini impurity or entropy (information gain).'),
  ...shapeParams,
  classWeight: z
    .enum(['balanced'])
    .nullable()
    .default(null)
    .describe('"balanced" weighs each class inversely to its frequency, so rare classes count as much as common ones.'),
});

export const decisionTreeRegressorParams = z.strictObject({
  criterion: z.enum(['squared_error']).default('squared_error').describe('Impurity a split lowers: the variance of the target.'),
  ...shapeParams,
});

const cancelled = (): KilnError => new KilnError('CANCELLED', { what: 'training' });

/** The decision-tree learner, typed to return its tree predictor (with `trees`). */
export interface DecisionTreeLearner extends ClassifierLearner<typeof decisionTreeParams> {
  fit(X: Matrix, y: Int32Array, nClasses: number, params: unknown, options?: FitOptions): Promise<TreeClassifierPredictor>;
  load(serialized: SerializedPredictor): TreeClassifierPredictor;
}

export interface DecisionTreeRegressorLearner extends RegressorLearner<typeof decisionTreeRegressorParams> {
  fit(X: Matrix, y: Float64Array, params: unknown, options?: FitOptions): Promise<TreeRegressorPredictor>;
  load(serialized: SerializedPredictor): TreeRegressorPredictor;
}

export const decisionTree: DecisionTreeLearner = {
  name: CLASSIFIER,
  kind: 'classifier',
  family: 'tree',
  summary: 'One CART decision tree (exact splits): readable if-then rules; a baseline more than a final model.',
  paramsSchema: decisionTreeParams,

  async fit(X, y, nClasses, rawParams, options = {}) {
    const params = parseParams(decisionTreeParams, rawParams, `${CLASSIFIER} parameters`);
    const counts = checkClassificationData(X, y, nClasses);
    if (options.validation !== undefined) checkValidationData(options.validation.X, options.validation.y, X.cols, nClasses);
    if (options.signal?.aborted === true) throw cancelled();
    const perClass = classWeights(counts, X.rows, params.classWeight);
    const weights = Float64Array.from(y, (k) => perClass[k] as number);
    const targets: TreeTargets = { y, classification: true, weights };
    const grown = grow(X, targets, makeCriterion(params.criterion, nClasses), params, options.seed ?? 0);
    const predictor = new TreeEnsembleClassifier(CLASSIFIER, {
      nFeatures: X.cols,
      nClasses,
      trees: [grown.tree],
      importances: meanDecreaseInImpurity([grown.impurityDecrease], X.cols),
      oobScore: null,
    });
    const validation = options.validation;
    options.onProgress?.({
      iteration: 1,
      maxIterations: 1,
      trainLoss: grown.leafImpurity,
      ...(validation === undefined ? {} : { validationLoss: meanLogLoss(predictor.predictProba(validation.X).data, validation.y, nClasses) }),
    });
    return predictor;
  },

  load(serialized) {
    return new TreeEnsembleClassifier(CLASSIFIER, treeEnsembleStateFromJSON(CLASSIFIER, serialized, 'classifier'));
  },
};

export const decisionTreeRegressor: DecisionTreeRegressorLearner = {
  name: REGRESSOR,
  kind: 'regressor',
  family: 'tree',
  summary: 'One CART regression tree (exact splits): piecewise-constant predictions as readable rules.',
  paramsSchema: decisionTreeRegressorParams,

  async fit(X, y, rawParams, options = {}) {
    const params = parseParams(decisionTreeRegressorParams, rawParams, `${REGRESSOR} parameters`);
    checkRegressionData(X, y);
    if (options.validation !== undefined) checkValidationData(options.validation.X, options.validation.y, X.cols);
    if (options.signal?.aborted === true) throw cancelled();
    const targets: TreeTargets = { y, classification: false, weights: new Float64Array(X.rows).fill(1) };
    const grown = grow(X, targets, makeCriterion('squared_error', 1), params, options.seed ?? 0);
    const predictor = new TreeEnsembleRegressor(REGRESSOR, {
      nFeatures: X.cols,
      nClasses: 0,
      trees: [grown.tree],
      importances: meanDecreaseInImpurity([grown.impurityDecrease], X.cols),
      oobScore: null,
    });
    const validation = options.validation;
    options.onProgress?.({
      iteration: 1,
      maxIterations: 1,
      trainLoss: grown.leafImpurity,
      ...(validation === undefined ? {} : { validationLoss: meanSquaredError(predictor.predict(validation.X), validation.y) }),
    });
    return predictor;
  },

  load(serialized) {
    return new TreeEnsembleRegressor(REGRESSOR, treeEnsembleStateFromJSON(REGRESSOR, serialized, 'regressor'));
  },
};

function grow(
  X: Matrix,
  targets: TreeTargets,
  criterion: ReturnType<typeof makeCriterion>,
  params: Omit<z.output<typeof decisionTreeRegressorParams>, 'criterion'>,
  seed: number,
): ReturnType<typeof growTree> {
  const sampler = new FeatureSampler(X.cols, resolveMaxFeatures(params.maxFeatures, X.cols), new Rng(seed));
  const finder = new ExactSplitFinder(float32Columns(X), X.rows, targets, criterion, params.minSamplesLeaf, sampler);
  const rows = Int32Array.from({ length: X.rows }, (_, i) => i);
  return growTree(targets, rows, X.cols, finder, {
    criterion,
    maxDepth: params.maxDepth ?? Infinity,
    minSamplesSplit: params.minSamplesSplit,
    minSamplesLeaf: params.minSamplesLeaf,
  });
}
