/**
 * Histogram gradient boosting, scikit-learn's HistGradientBoostingClassifier / Regressor and
 * LightGBM's approach: features binned once (../hist/binning.ts), trees grown leaf-wise on gradient
 * histograms (./grower.ts), native missing values and categorical splits, early stopping.
 *
 *   learner 'gradient-boosting'            binary (log loss on log-odds) and multiclass (softmax)
 *   learner 'gradient-boosting-regressor'  squared, absolute or Huber loss
 */
import { KilnError } from '../../core/errors.js';
import type { Matrix } from '../../core/matrix.js';
import { parseParams } from '../../core/params.js';
import type { ClassifierLearner, FitOptions, RegressorLearner, SerializedPredictor } from '../learner.js';
import { boost } from './boosting.js';
import { checkCategoricalFeatures, checkClasses, checkFeatures, checkFiniteTargets, checkTargetLength } from './check-data.js';
import { absoluteError, binaryLogLoss, huberLoss, multiclassLogLoss, squaredError, type BoostingLoss } from './losses.js';
import { gradientBoostingClassifierParams, gradientBoostingRegressorParams } from './params.js';
import { CLASSIFIER_NAME, GradientBoostingClassifier, GradientBoostingRegressor, REGRESSOR_NAME } from './predictor.js';

export interface GradientBoostingClassifierLearner extends ClassifierLearner<typeof gradientBoostingClassifierParams> {
  fit(X: Matrix, y: Int32Array, nClasses: number, params: unknown, options?: FitOptions): Promise<GradientBoostingClassifier>;
  load(serialized: SerializedPredictor): GradientBoostingClassifier;
}

export interface GradientBoostingRegressorLearner extends RegressorLearner<typeof gradientBoostingRegressorParams> {
  fit(X: Matrix, y: Float64Array, params: unknown, options?: FitOptions): Promise<GradientBoostingRegressor>;
  load(serialized: SerializedPredictor): GradientBoostingRegressor;
}

export const gradientBoosting: GradientBoostingClassifierLearner = {
  name: CLASSIFIER_NAME,
  kind: 'classifier',
  family: 'boosted-trees',
  summary: 'Boosted decision trees on binned features (like LightGBM); usually the most accurate on tables, handles missing values and categories natively.',
  paramsSchema: gradientBoostingClassifierParams,

  async fit(X, y, nClasses, rawParams, options = {}) {
    const params = parseParams(gradientBoostingClassifierParams, rawParams, 'gradient boosting parameters');
    checkFeatures(X, params.missing);
    checkTargetLength(X, y);
    checkClasses(y, nClasses, true);
    checkCategoricalFeatures(params.categoricalFeatures, X.cols);
    checkValidation(options, X.cols, params.missing, nClasses);
    if (options.signal?.aborted === true) throw new KilnError('CANCELLED', { what: 'training' });
    const loss = nClasses === 2 ? binaryLogLoss : multiclassLogLoss(nClasses);
    const model = await boost(X, y, loss, params, options);
    return new GradientBoostingClassifier({ ...model, loss: loss.name }, nClasses);
  },

  load(serialized) {
    return GradientBoostingClassifier.fromJSON(serialized);
  },
};

export const gradientBoostingRegressor: GradientBoostingRegressorLearner = {
  name: REGRESSOR_NAME,
  kind: 'regressor',
  family: 'boosted-trees',
  summary: 'Boosted decision trees on binned features (like LightGBM) for numeric targets; squared, absolute or Huber loss.',
  paramsSchema: gradientBoostingRegressorParams,

  async fit(X, y, rawParams, options = {}) {
    const params = parseParams(gradientBoostingRegressorParams, rawParams, 'gradient boosting regressor parameters');
    checkFeatures(X, params.missing);
    checkTargetLength(X, y);
    checkFiniteTargets(y);
    checkCategoricalFeatures(params.categoricalFeatures, X.cols);
    checkValidation(options, X.cols, params.missing);
    if (options.signal?.aborted === true) throw new KilnError('CANCELLED', { what: 'training' });
    const loss: BoostingLoss =
      params.loss === 'absolute_error' ? absoluteError : params.loss === 'huber' ? huberLoss(params.huberQuantile) : squaredError;
    const model = await boost(X, y, loss, params, options);
    return new GradientBoostingRegressor({ ...model, loss: loss.name });
  },

  load(serialized) {
    return GradientBoostingRegressor.fromJSON(serialized);
  },
};

function checkValidation(options: FitOptions, nFeatures: number, missing: 'learn' | 'error', nClasses?: number): void {
  const v = options.validation;
  if (v === undefined) return;
  checkFeatures(v.X, missing, 'the validation data');
  if (v.X.cols !== nFeatures) throw new KilnError('INPUT_SHAPE', { input: 'the validation data', got: `[${v.X.rows}, ${v.X.cols}]`, expected: `[N, ${nFeatures}]` });
  checkTargetLength(v.X, v.y);
  if (nClasses !== undefined) checkClasses(v.y, nClasses, false);
  else checkFiniteTargets(v.y);
}
