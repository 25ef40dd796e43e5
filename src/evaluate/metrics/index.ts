/**
 * The standard metric sets Kiln reports for a trained model, under scikit-learn's names (the keys
 * appear as-is in JSON output, run records and `--where "metrics.roc_auc > 0.8"` filters).
 */
import type { Matrix } from '../../core/matrix.js';
import { accuracy, argmaxRows, logLoss, rocAuc } from './classification.js';
import { averagedScores, balancedAccuracy } from './confusion.js';
import { prAuc } from './probability.js';
import { mae, mape, r2, rmse } from './regression.js';

export { accuracy, argmaxRows, binaryRocAuc, logLoss, rocAuc } from './classification.js';
export { averagedScores, balancedAccuracy, confusionMatrix, perClassScores } from './confusion.js';
export { averagePrecision, brierScore, calibrationCurve, prAuc } from './probability.js';
export { mae, mape, r2, rmse } from './regression.js';
export { daviesBouldinScore, silhouetteScore } from './clustering.js';
export { rankingMetrics } from './ranking.js';

export interface ClassificationMetrics {
  readonly accuracy: number;
  /** NaN when y holds a single class (see `rocAuc`). */
  readonly roc_auc: number;
  readonly log_loss: number;
  readonly balanced_accuracy: number;
  readonly f1_macro: number;
  readonly precision_macro: number;
  readonly recall_macro: number;
  /** Average precision (binary) or its one-vs-rest macro average. */
  readonly pr_auc: number;
}

export interface RegressionMetrics {
  readonly rmse: number;
  readonly mae: number;
  readonly r2: number;
  readonly mape: number;
}

/** The headline classification metrics from class probabilities (the predicted class is the most probable). */
export function classificationMetrics(yTrue: Int32Array, proba: Matrix): ClassificationMetrics {
  const yPred = argmaxRows(proba);
  const averaged = averagedScores(yTrue, yPred, proba.cols);
  return {
    accuracy: accuracy(yTrue, yPred),
    roc_auc: rocAuc(yTrue, proba),
    log_loss: logLoss(yTrue, proba),
    balanced_accuracy: balancedAccuracy(yTrue, yPred, proba.cols),
    f1_macro: averaged.f1_macro,
    precision_macro: averaged.precision_macro,
    recall_macro: averaged.recall_macro,
    pr_auc: prAuc(yTrue, proba),
  };
}

export function regressionMetrics(yTrue: Float64Array, yPred: Float64Array): RegressionMetrics {
  return { rmse: rmse(yTrue, yPred), mae: mae(yTrue, yPred), r2: r2(yTrue, yPred), mape: mape(yTrue, yPred) };
}
