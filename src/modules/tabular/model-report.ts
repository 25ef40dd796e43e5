/**
 * The "diagnose & explain" stage of a tabular module: how the model compares with the trivial
 * answer, what the learning curve and the held-out scores say (overfitting, underfitting, divergence,
 * leakage), and which columns matter — computed once at training time and stored with the version.
 */
import type { Frame } from '../../core/frame.js';
import { takeValues, type Matrix } from '../../core/matrix.js';
import { precisionRecallCurve, rocCurve, type Curve } from '../../evaluate/metrics/curves.js';
import { argmaxRows, calibrationCurve, classificationMetrics, confusionMatrix, regressionMetrics } from '../../evaluate/metrics/index.js';
import type { CalibrationCurve } from '../../evaluate/metrics/probability.js';
import { classificationBaseline, diagnoseAgainstBaseline, regressionBaseline, type BaselineComparison } from '../../evaluate/diagnostics/baseline.js';
import { diagnoseGeneralisationGap } from '../../evaluate/diagnostics/generalisation-gap.js';
import { diagnoseLearningCurve, type LossPoint } from '../../evaluate/diagnostics/learning-curve.js';
import type { Diagnosis } from '../../evaluate/diagnostics/verdict.js';
import { permutationImportance, type ColumnImportance } from '../../evaluate/explain/permutation-importance.js';
import { robustnessCheck, type RobustnessResult } from '../../evaluate/robustness.js';
import type { TabularPreprocessor } from '../../features/tabular-preprocessor.js';
import type { SupervisedPredictor } from '../../learners/learner.js';
import { trainingGapMeansMemorising } from '../../learners/learner-family.js';
import { getLearner } from '../../learners/registry.js';
import type { TargetEncoding } from './plan-columns.js';
import { thresholdTable, type Payoffs } from '../../evaluate/business/threshold.js';
import type { DecisionCounts } from '../../evaluate/business/price-thresholds.js';

/** Counts only: what each decision is worth is chosen later (`kiln report --payoffs`, the app's sliders). */
const NO_PAYOFFS: Payoffs = { truePositive: 0, falsePositive: 0, falseNegative: 0, trueNegative: 0 };

export interface ModelReport {
  readonly baseline: BaselineComparison;
  readonly diagnoses: readonly Diagnosis[];
  /** Permutation importance of each input column on the held-out rows, most important first. */
  readonly importances: readonly ColumnImportance[];
  readonly learningCurve: readonly LossPoint[];
  /** The held-out score with noisier inputs (jitter, swapped categories, missing values). */
  readonly robustness: readonly RobustnessResult[];
  /** Which score importances and robustness are measured in. */
  readonly scoreMetric: string;
  /** What the report draws, from the held-out rows. */
  readonly charts: ReportCharts;
}

export interface ReportCharts {
  readonly confusion?: { readonly labels: readonly string[]; readonly counts: readonly (readonly number[])[] };
  readonly roc?: Curve;
  readonly pr?: Curve;
  readonly calibration?: CalibrationCurve;
  /** Up to 500 held-out rows: the actual value and the prediction (regression). */
  readonly predictedVsActual?: { readonly actual: readonly number[]; readonly predicted: readonly number[] };
  /**
   * Yes/no models: for each cut-off 0.00, 0.01, …, 1.00 on P(positive class), the held-out rows' counts of
   * true/false positives/negatives — enough to price any cost/benefit choice later without the data.
   */
  readonly thresholds?: { readonly positiveClass: string; readonly rows: readonly ThresholdCounts[] };
}

/** Decisions at one cut-off on the held-out rows (a row is "yes" when its probability ≥ threshold). */
export type ThresholdCounts = DecisionCounts;

/** Permutation importance is O(columns × repeats × rows): score at most this many held-out rows. */
const IMPORTANCE_ROWS = 2000;

export interface ReportInput {
  readonly predictor: SupervisedPredictor;
  readonly preprocessor: TabularPreprocessor;
  readonly target: TargetEncoding;
  readonly trainRows: Int32Array;
  readonly testRows: Int32Array;
  readonly testFrame: Frame;
  readonly trainMetrics: Readonly<Record<string, number>>;
  readonly testMetrics: Readonly<Record<string, number>>;
  readonly learningCurve: readonly LossPoint[];
  readonly seed: number;
}

export function buildModelReport(input: ReportInput): ModelReport {
  const { predictor, preprocessor, target, testMetrics } = input;
  const baseline =
    target.task === 'regression'
      ? regressionBaseline(takeValues(target.values, input.trainRows), testMetrics['r2'] ?? 0)
      : classificationBaseline(takeValues(target.classIndex, input.trainRows), takeValues(target.classIndex, input.testRows), testMetrics['accuracy'] ?? 0, (k) =>
          String(target.classes[k]),
        );
  const n = Math.min(input.testFrame.nRows, IMPORTANCE_ROWS);
  const sample = Int32Array.from({ length: n }, (_, i) => i);
  const frame = input.testFrame.take(sample);
  const rows = input.testRows.subarray(0, n);
  const score =
    predictor.kind === 'classifier'
      ? (f: Frame) => {
          const m = classificationMetrics(takeValues(target.classIndex, rows), predictor.predictProba(preprocessor.transform(f)));
          return predictor.nClasses === 2 && Number.isFinite(m.roc_auc) ? m.roc_auc : m.accuracy;
        }
      : (f: Frame) => regressionMetrics(takeValues(target.values, rows), predictor.predict(preprocessor.transform(f))).r2;
  const importances = permutationImportance(frame, preprocessor.inputColumns().map((c) => c.name), score, { repeats: 5, seed: input.seed });
  const scoreMetric = predictor.kind === 'regressor' ? 'r2' : predictor.nClasses === 2 && Number.isFinite(testMetrics['roc_auc']) ? 'roc_auc' : 'accuracy';
  // what the score is without a model: the importances say how much of the margin above it one column carries
  const chance = scoreMetric === 'roc_auc' ? 0.5 : scoreMetric === 'accuracy' ? baseline.baselineScore : 0;

  const curve = diagnoseLearningCurve(input.learningCurve, undefined, trivialLoss(target, input.trainRows));
  // A bagged forest's training score is near perfect by design (learner-family.ts): on noise it is judged
  // by the baseline (learned nothing), not told to "prefer a model that averages many trees".
  const learner = predictor.kind === 'classifier' ? getLearner(predictor.learner, 'binary') : getLearner(predictor.learner, 'regression');
  const trainScoreTellsMemorising = trainingGapMeansMemorising(learner.family);
  const diagnoses = [
    ...curve,
    // one overfitting verdict is enough: the curve's, when it saw it
    ...(curve.some((d) => d.code === 'overfitting') || !trainScoreTellsMemorising ? [] : diagnoseGeneralisationGap(input.trainMetrics, testMetrics)),
    ...diagnoseAgainstBaseline(baseline, testMetrics, { importances, scoreMetric, chance }),
  ];
  // perturbed by what each column is to the model (a class stored as 1/2/3 is swapped, not jittered)
  const robustness = robustnessCheck(frame, score, { seed: input.seed, kinds: new Map(preprocessor.columns.map((c) => [c.name, c.kind])) });
  const charts = heldOutCharts(predictor, preprocessor.transform(input.testFrame), target, input.testRows);
  return { baseline, diagnoses, importances, learningCurve: input.learningCurve, robustness, scoreMetric, charts };
}

function heldOutCharts(predictor: SupervisedPredictor, X: Matrix, target: TargetEncoding, rows: Int32Array): ReportCharts {
  if (predictor.kind === 'regressor') {
    const n = Math.min(500, rows.length);
    const predicted = predictor.predict(X);
    return { predictedVsActual: { actual: Array.from(takeValues(target.values, rows.subarray(0, n))), predicted: Array.from(predicted.subarray(0, n)) } };
  }
  const proba = predictor.predictProba(X);
  const y = takeValues(target.classIndex, rows);
  const labels = target.classes.map(String);
  const charts: ReportCharts = { confusion: { labels, counts: confusionMatrix(y, argmaxRows(proba), labels.length) } };
  if (predictor.nClasses !== 2) return charts;
  const p1 = Float64Array.from({ length: proba.rows }, (_, i) => proba.data[i * 2 + 1] as number);
  const positive = Uint8Array.from(y, (v) => (v === 1 ? 1 : 0));
  const thresholds = thresholdTable(positive, p1, NO_PAYOFFS).map(({ valuePer1000: _, ...counts }) => counts);
  return {
    ...charts,
    roc: rocCurve(positive, p1),
    pr: precisionRecallCurve(positive, p1),
    calibration: calibrationCurve(y, p1, 10),
    thresholds: { positiveClass: labels[1] as string, rows: thresholds },
  };
}

/** The loss of the trivial answer on the training rows: class-share log loss, or the target's variance. */
function trivialLoss(target: TargetEncoding, rows: Int32Array): number {
  if (target.task === 'regression') {
    const y = takeValues(target.values, rows);
    const mean = y.reduce((a, b) => a + b, 0) / Math.max(1, y.length);
    return y.reduce((a, v) => a + (v - mean) ** 2, 0) / Math.max(1, y.length);
  }
  const counts = new Float64Array(target.classes.length);
  for (const i of rows) counts[target.classIndex[i] as number] = (counts[target.classIndex[i] as number] as number) + 1;
  let loss = 0;
  for (const c of counts) if (c > 0) loss -= (c / rows.length) * Math.log(c / rows.length);
  return loss;
}

