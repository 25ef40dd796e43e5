/**
 * Reading a learning curve (training and validation loss per iteration) the way an engineer would:
 *   - overfitting: validation loss ends well above training loss and the gap kept widening;
 *   - divergence: the losses grow or become non-finite (learning rate too high);
 *   - instability: validation loss jumps up and down by a large fraction of its level.
 * Thresholds are deliberately conservative: a diagnostic that fires on healthy models is ignored.
 */
import type { Diagnosis } from './verdict.js';

export interface LossPoint {
  readonly iteration: number;
  readonly trainLoss: number;
  readonly validationLoss?: number;
}

export interface CurveThresholds {
  /** Relative gap (validation − train) / validation at the end that counts as overfitting. */
  readonly overfitGap: number;
  /** How much the best validation loss must have risen by the end (relative) to count as overfitting. */
  readonly overfitRise: number;
  /** Final loss relative to the first that counts as divergence. */
  readonly divergenceGrowth: number;
  /** Mean absolute relative step-to-step change of the validation loss that counts as unstable. */
  readonly instability: number;
}

export const DEFAULT_CURVE_THRESHOLDS: CurveThresholds = { overfitGap: 0.3, overfitRise: 0.1, divergenceGrowth: 1.5, instability: 0.15 };

/**
 * `trivialLoss`, when known, is the training loss of the trivial answer (the log loss of the class
 * shares, or the variance of a regression target): a model that ends far above it has diverged even
 * if its loss fell from a huge start.
 */
export function diagnoseLearningCurve(
  curve: readonly LossPoint[],
  thresholds: CurveThresholds = DEFAULT_CURVE_THRESHOLDS,
  trivialLoss?: number,
): Diagnosis[] {
  const found: Diagnosis[] = [];
  if (curve.length < 2) return found;
  const first = curve[0] as LossPoint;
  const last = curve[curve.length - 1] as LossPoint;

  const nonFinite = curve.some((p) => !Number.isFinite(p.trainLoss) || (p.validationLoss !== undefined && !Number.isFinite(p.validationLoss)));
  const growth = last.trainLoss / Math.max(first.trainLoss, 1e-12);
  const aboveTrivial = trivialLoss !== undefined && trivialLoss > 0 ? last.trainLoss / trivialLoss : 0;
  if (nonFinite || growth >= thresholds.divergenceGrowth || aboveTrivial >= thresholds.divergenceGrowth) {
    found.push({
      code: 'divergence',
      severity: 'critical',
      message: nonFinite
        ? 'Training blew up: the loss became infinite or not a number, so the model learned nothing reliable.'
        : growth >= thresholds.divergenceGrowth
          ? `Training went the wrong way: the training loss ended ${growth.toFixed(1)}× higher than it started.`
          : `Training never settled: its loss ends ${aboveTrivial.toFixed(1)}× higher than that of always giving the average answer.`,
      nextSteps: ['Lower the learning rate (try a tenth of it).', 'Standardise numeric features if they are on very different scales.'],
      evidence: { first_train_loss: first.trainLoss, last_train_loss: last.trainLoss, ...(trivialLoss === undefined ? {} : { trivial_loss: trivialLoss }) },
    });
    return found;
  }

  const validation = curve.filter((p): p is LossPoint & { validationLoss: number } => p.validationLoss !== undefined);
  if (validation.length < 3) return found;
  const v = validation.map((p) => p.validationLoss);
  const t = validation.map((p) => p.trainLoss);
  const lastV = v[v.length - 1] as number;
  const lastT = t[t.length - 1] as number;
  const bestV = Math.min(...v);
  const bestAt = v.indexOf(bestV);
  const gap = (lastV - lastT) / Math.max(Math.abs(lastV), 1e-12);
  const rise = (lastV - bestV) / Math.max(Math.abs(bestV), 1e-12);
  const midGap = gapAt(validation, Math.floor(validation.length / 2));
  if (gap >= thresholds.overfitGap && rise >= thresholds.overfitRise && gap > midGap) {
    found.push({
      code: 'overfitting',
      severity: 'warning',
      message:
        `The model memorises its training rows: on new rows its loss is ${(100 * gap).toFixed(0)}% higher, ` +
        `and it was best at iteration ${validation[bestAt]?.iteration} before getting worse.`,
      nextSteps: [
        'Stop training earlier (turn on early stopping).',
        'Make the model simpler: shallower trees, fewer leaves, or stronger regularisation.',
        'Collect more rows if you can.',
      ],
      evidence: { final_gap: gap, rise_from_best: rise, best_iteration: validation[bestAt]?.iteration ?? 0 },
    });
  }

  let jitter = 0;
  for (let i = 1; i < v.length; i++) jitter += Math.abs((v[i] as number) - (v[i - 1] as number)) / Math.max(Math.abs(v[i - 1] as number), 1e-12);
  jitter /= v.length - 1;
  if (jitter >= thresholds.instability) {
    found.push({
      code: 'instability',
      severity: 'warning',
      message: `The validation loss jumps around by ${(100 * jitter).toFixed(0)}% from one iteration to the next, so the final model is partly luck.`,
      nextSteps: ['Lower the learning rate.', 'Use larger batches or more rows per leaf.', 'Average several models (an ensemble).'],
      evidence: { mean_relative_step: jitter },
    });
  }
  return found;
}

function gapAt(points: readonly (LossPoint & { validationLoss: number })[], i: number): number {
  const p = points[i] as LossPoint & { validationLoss: number };
  return (p.validationLoss - p.trainLoss) / Math.max(Math.abs(p.validationLoss), 1e-12);
}
