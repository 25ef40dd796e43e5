/**
 * The standard metric sets Kiln reports for a trained model, under scikit-learn's names (the keys
 * appear as-is in JSON output, run records and `--where "metrics.roc_auc > 0.8"` filters).
 */
import type { Matrix } from '../../core/matrix.js';
import { accuracy, argmaxRows, logLoss, rocAuc } from './classification.js';
import { mae, r2, rmse } from './regression.js';

export { accuracy, argmaxRows, binaryRocAuc, logLoss, rocAuc } from './classification.js';
export { mae, r2, rmse } from './regression.js';

export interface ClassificationMetrics {
  readonly accuracy: number;
  /** NaN when y holds a single class (see `rocAuc`). */
  readonly roc_auc: number;
  readonly log_loss: number;
}

export interface RegressionMetrics {
  readonly rmse: number;
  readonly mae: number;
  readonly r2: number;
}

/** Accuracy (of the most probable class), ROC AUC and log loss, from class probabilities. */
export function classificationMetrics(yTrue: Int32Array, proba: Matrix): ClassificationMetrics {
  return {
    accuracy: accuracy(yTrue, argmaxRows(proba)),
    roc_auc: rocAuc(yTrue, proba),
    log_loss: logLoss(yTrue, proba),
  };
}

export function regressionMetrics(yTrue: Float64Array, yPred: Float64Array): RegressionMetrics {
  return { rmse: rmse(yTrue, yPred), mae: mae(yTrue, yPred), r2: r2(yTrue, yPred) };
}
