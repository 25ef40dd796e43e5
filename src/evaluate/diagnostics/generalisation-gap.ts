/**
 * Overfitting read off the final scores: a model far better on the rows it trained on than on rows it
 * never saw has memorised its training data. This catches models without a learning curve (a single
 * deep tree, k-nearest neighbours with k = 1) that the curve diagnostics cannot see.
 */
import type { Diagnosis } from './verdict.js';

/** Gap in accuracy, ROC AUC or R² (training minus held-out) that counts as overfitting. */
export const DEFAULT_GAP_THRESHOLD = 0.15;

export function diagnoseGeneralisationGap(
  train: Readonly<Record<string, number>>,
  heldOut: Readonly<Record<string, number>>,
  threshold = DEFAULT_GAP_THRESHOLD,
): Diagnosis[] {
  for (const metric of ['roc_auc', 'accuracy', 'r2']) {
    const t = train[metric];
    const h = heldOut[metric];
    if (t === undefined || h === undefined || !Number.isFinite(t) || !Number.isFinite(h)) continue;
    const gap = t - h;
    if (gap < threshold) return [];
    return [
      {
        code: 'overfitting',
        severity: 'warning',
        message:
          `The model memorises its training rows: ${metric} is ${t.toFixed(3)} on them but ${h.toFixed(3)} on rows it never saw.`,
        nextSteps: [
          'Make the model simpler: limit tree depth, raise the minimum rows per leaf, or regularise more.',
          'Prefer a model that averages many trees (random forest, gradient boosting) over a single deep tree.',
          'Collect more rows if you can.',
        ],
        evidence: { [`train_${metric}`]: t, [`held_out_${metric}`]: h, gap },
      },
    ];
  }
  return [];
}
