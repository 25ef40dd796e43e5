/**
 * Comparing a model with the trivial answer anyone could give without it: the most frequent class,
 * or the mean. A model that does not beat it has learned nothing (underfitting); one that is almost
 * perfect on held-out rows may have been handed the answer (leakage.ts).
 */
import { diagnoseLeakage, type LeakageEvidence } from './leakage.js';
import type { Diagnosis } from './verdict.js';

export interface BaselineComparison {
  /** The trivial answer, in words: "always answering 0" or "always answering the average, 32.2". */
  readonly baseline: string;
  readonly metric: string;
  readonly baselineScore: number;
  readonly modelScore: number;
  /** Classification: share of errors avoided relative to the baseline; regression: share of squared error avoided (R²). */
  readonly improvement: number;
  /** The comparison in one sentence for a person. */
  readonly sentence: string;
  /** Classification: how many classes the training rows hold. */
  readonly classes?: number;
}

/** Classification: accuracy against always answering the most frequent training class. */
export function classificationBaseline(
  yTrain: Int32Array,
  yTest: Int32Array,
  modelAccuracy: number,
  classLabel: (k: number) => string,
): BaselineComparison {
  const counts = new Map<number, number>();
  for (const y of yTrain) counts.set(y, (counts.get(y) ?? 0) + 1);
  const majority = [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0] - b[0])[0]?.[0] ?? 0;
  let hits = 0;
  for (const y of yTest) if (y === majority) hits++;
  const baselineScore = hits / Math.max(1, yTest.length);
  const baselineErrors = 1 - baselineScore;
  const modelErrors = 1 - modelAccuracy;
  const improvement = baselineErrors === 0 ? 0 : (baselineErrors - modelErrors) / baselineErrors;
  const answer = `always answering "${classLabel(majority)}"`;
  const sentence =
    improvement > 0
      ? `${Math.round(100 * improvement)}% fewer errors than ${answer} (right ${pct(modelAccuracy)} of the time instead of ${pct(baselineScore)}).`
      : `No better than ${answer}, which is right ${pct(baselineScore)} of the time.`;
  return { baseline: answer, metric: 'accuracy', baselineScore, modelScore: modelAccuracy, improvement, sentence, classes: counts.size };
}

/** Regression: R² is exactly the share of the squared error of "always the mean" that the model avoids. */
export function regressionBaseline(yTrain: Float64Array, modelR2: number): BaselineComparison {
  let mean = 0;
  for (let i = 0; i < yTrain.length; i++) mean += ((yTrain[i] as number) - mean) / (i + 1);
  const answer = `always answering the average, ${mean.toPrecision(4)}`;
  const sentence =
    modelR2 > 0
      ? `${Math.round(100 * modelR2)}% less squared error than ${answer}.`
      : `No better than ${answer}.`;
  return { baseline: answer, metric: 'r2', baselineScore: 0, modelScore: modelR2, improvement: modelR2, sentence };
}

export interface BaselineThresholds {
  /** Improvement at or below which the model counts as not having learned (underfitting). */
  readonly underfit: number;
}

export const DEFAULT_BASELINE_THRESHOLDS: BaselineThresholds = { underfit: 0.02 };
/** Held-out ROC AUC from which a yes/no model counts as having learned to rank, whatever its accuracy. */
const RANKS_WELL = 0.7;

/**
 * Leakage (a near-perfect held-out score, leakage.ts) or, failing that, underfitting (no better than
 * the trivial answer) — unless a yes/no model ranks well and only its 50% cut-off keeps it at the
 * majority's answer (`threshold`). `leakage` gives the permutation importances that tell a leaked column from an
 * easy problem; without them a near-perfect score is flagged as likely leakage.
 */
export function diagnoseAgainstBaseline(
  comparison: BaselineComparison,
  heldOut: Readonly<Record<string, number>>,
  leakage?: LeakageEvidence,
  thresholds: BaselineThresholds = DEFAULT_BASELINE_THRESHOLDS,
): Diagnosis[] {
  const leaked = diagnoseLeakage(heldOut, leakage);
  if (leaked.length > 0) return leaked;
  if (comparison.improvement > thresholds.underfit) return [];
  // A yes/no model can rank cases well and still, at the 50% cut-off, almost always give the majority's
  // answer (rare frauds, rare churners): not a model that learned nothing, but a cut-off to choose.
  const auc = heldOut['roc_auc'];
  if (comparison.classes === 2 && auc !== undefined && auc >= RANKS_WELL) {
    return [
      {
        code: 'threshold',
        severity: 'warning',
        message:
          `The model tells the cases apart (ROC AUC ${auc.toFixed(2)}), but at the default cut-off of 50% it is no more ` +
          `accurate than ${comparison.baseline}: the rarer answer seldom reaches 50%.`,
        nextSteps: [
          'Choose the cut-off from what each kind of mistake costs: `kiln report NAME --payoffs tp=…,fp=…,fn=…,tn=…`, or the sliders in the app.',
          'Judge the model by ROC AUC, precision and recall rather than accuracy: with a rare answer, accuracy says little.',
        ],
        evidence: { roc_auc: auc, baseline: comparison.baselineScore, model: comparison.modelScore },
      },
    ];
  }
  return [
    {
      code: 'underfitting',
      severity: 'warning',
      message: `The model has not learned anything useful: ${comparison.sentence}`,
      nextSteps: [
        'Check that the columns can plausibly predict the target.',
        'Try a more flexible learner (gradient boosting) or weaker regularisation.',
        'Add columns that carry information about the outcome.',
      ],
      evidence: { baseline: comparison.baselineScore, model: comparison.modelScore, improvement: comparison.improvement },
    },
  ];
}

const pct = (x: number): string => `${(100 * x).toFixed(0)}%`;
