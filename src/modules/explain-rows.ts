/**
 * "Why this prediction?": the top reasons behind each scored row, as the columns a person knows
 * (one-hot and text features are added up per column), in the model's raw score (log-odds for yes/no
 * questions). Positive contributions push towards the predicted outcome.
 *
 * Models with an exact method (boosting, trees and forests, linear models) are explained by exact SHAP
 * values (shap-values.ts), added up per column. Every other model — a soft-voting mix, a network,
 * neighbours, naive Bayes — by baseline Shapley values over the columns (baseline-shapley.ts): the same
 * additive reasons against the average training row, computed from the model's predictions alone.
 */
import { KilnError } from '../core/errors.js';
import type { Frame } from '../core/frame.js';
import type { Matrix } from '../core/matrix.js';
import { baselineShapley } from '../evaluate/explain/baseline-shapley.js';
import { exactShapMethod } from '../evaluate/explain/shap-values.js';
import { TabularPreprocessor, type SerializedPreprocessor } from '../features/tabular-preprocessor.js';
import type { SerializedPredictor, SupervisedPredictor } from '../learners/learner.js';
import { loadPredictor } from '../learners/registry.js';
import type { ModuleManifest, ModuleTask } from './manifest.js';
import { explainTextRows, isSavedTextModel } from './text/explain-text.js';

/** What training saves next to the ONNX graph (`predictor.json`). */
export interface SavedModel {
  readonly preprocessor: SerializedPreprocessor;
  readonly predictor: SerializedPredictor;
  /** Mean of each feature over the training rows: the "nothing known" reference of linear SHAP. */
  readonly featureMeans?: readonly number[];
}

export interface Reason {
  readonly column: string;
  readonly value: string | number | null;
  /** Share of the raw score this column moved, in raw-score units (log-odds for classifiers). */
  readonly contribution: number;
}

export interface RowExplanation {
  readonly row: number;
  /** The outcome explained: the predicted class (classification) or "prediction" (regression). */
  readonly outcome: string | number;
  /** Raw score of the average training row, and of this row (= base + Σ contributions). */
  readonly base: number;
  readonly score: number;
  readonly reasons: readonly Reason[];
}

/**
 * The tasks whose predictions have reasons by column: a cluster's segment, a recommendation and an
 * anomaly score are not a predicted column (their reports describe them instead), and their saved
 * models are not a preprocessor with a supervised predictor.
 */
const EXPLAINABLE_TASKS: ReadonlySet<ModuleTask> = new Set(['binary', 'multiclass', 'regression', 'text-classify']);

const INSTEAD: Partial<Record<ModuleTask, string>> = {
  cluster: '`kiln report` describes what sets each segment apart',
  recommend: '`kiln report` says how well its recommendations rank',
  'detect-anomalies': 'its predictions name the column that makes each row unusual (`reason`), and `kiln report` explains the threshold',
};

/** NOT_EXPLAINABLE, saying what to use instead, for a module whose predictions have no reasons by column. */
export function checkExplainable(manifest: ModuleManifest): void {
  if (EXPLAINABLE_TASKS.has(manifest.task)) return;
  const instead = INSTEAD[manifest.task];
  throw new KilnError('NOT_EXPLAINABLE', { model: manifest.name, reason: `it is a ${manifest.task} module, which predicts no column of the table${instead === undefined ? '' : `; ${instead}`}` });
}

export function explainRows(saved: SavedModel, manifest: ModuleManifest, frame: Frame, top = 5): RowExplanation[] {
  checkExplainable(manifest);
  // Text modules: the terms of each text that moved its prediction (src/modules/text/explain-text.ts).
  if (isSavedTextModel(saved)) return explainTextRows(saved, manifest, frame, top);
  const preprocessor = TabularPreprocessor.fromJSON(saved.preprocessor);
  const predictor = loadPredictor(saved.predictor) as SupervisedPredictor;
  const X = preprocessor.transform(frame);
  const background = Float64Array.from(saved.featureMeans ?? new Array<number>(X.cols).fill(0));
  const byColumn = columnContributions(predictor, X, background, preprocessor.featureColumns());
  const classes = manifest.classes ?? [];
  const predicted = predictor.kind === 'classifier' ? predictor.predictProba(X) : undefined;
  const C = byColumn.columns.length;

  return Array.from({ length: frame.nRows }, (_, r) => {
    // binary models have one raw score (class 1): explain it from the predicted class's side
    let k = 0;
    let sign = 1;
    let outcome: string | number = 'prediction';
    if (predicted !== undefined) {
      const row = predicted.data.subarray(r * predicted.cols, (r + 1) * predicted.cols);
      const best = row.indexOf(Math.max(...row));
      outcome = classes[best] ?? best;
      if (byColumn.nOutputs === 1) sign = best === 1 ? 1 : -1;
      else k = best;
    }
    const at = (r * byColumn.nOutputs + k) * C;
    const contributions = byColumn.columns.map((column, c) => ({ column, value: cell(frame, column, r), contribution: sign * (byColumn.values[at + c] as number) }));
    const total = contributions.reduce((a, c) => a + c.contribution, 0);
    const reasons = contributions
      .sort((a, b) => Math.abs(b.contribution) - Math.abs(a.contribution))
      .slice(0, top);
    const base = sign * (byColumn.base[k] as number);
    return { row: r, outcome, base, score: base + total, reasons };
  });
}

/** Contributions per column: values[(row * nOutputs + k) * columns.length + c], adding up to raw score k minus base[k]. */
interface ColumnContributions {
  readonly columns: readonly string[];
  readonly nOutputs: number;
  readonly base: Float64Array;
  readonly values: Float64Array;
}

function columnContributions(predictor: SupervisedPredictor, X: Matrix, background: Float64Array, featureColumns: readonly string[]): ColumnContributions {
  const columns = [...new Set(featureColumns)];
  const index = new Map(columns.map((c, i) => [c, i]));
  const groupOf = Int32Array.from(featureColumns, (c) => index.get(c) as number);
  const C = columns.length;
  const exact = exactShapMethod(predictor);
  if (exact === undefined) {
    const { nOutputs, score } = rawScore(predictor);
    const { base, values } = baselineShapley(score, nOutputs, X, background, groupOf, C);
    return { columns, nOutputs, base, values };
  }
  const shap = exact(X, background);
  const values = new Float64Array(X.rows * shap.nOutputs * C);
  for (let row = 0; row < X.rows * shap.nOutputs; row++) {
    for (let j = 0; j < shap.nFeatures; j++) values[row * C + (groupOf[j] as number)] = (values[row * C + (groupOf[j] as number)] as number) + (shap.values[row * shap.nFeatures + j] as number);
  }
  return { columns, nOutputs: shap.nOutputs, base: shap.base, values };
}

/** Probabilities are kept this far from 0 and 1 before taking logs (a log-odds of about ±13.8). */
const PROBABILITY_FLOOR = 1e-6;

/**
 * The raw score a model without an exact method is explained in, as exact SHAP values of the other
 * models are: the log-odds of the second class for yes/no questions, the log-probability of each
 * class for several classes, the prediction for regression.
 */
function rawScore(predictor: SupervisedPredictor): { nOutputs: number; score: (X: Matrix) => Float64Array } {
  if (predictor.kind === 'regressor') return { nOutputs: 1, score: (X) => predictor.predict(X) };
  const clip = (p: number) => Math.min(1 - PROBABILITY_FLOOR, Math.max(PROBABILITY_FLOOR, p));
  if (predictor.nClasses === 2) {
    return {
      nOutputs: 1,
      score: (X) => {
        const proba = predictor.predictProba(X);
        return Float64Array.from({ length: X.rows }, (_, i) => {
          const p = clip(proba.data[i * 2 + 1] as number);
          return Math.log(p / (1 - p));
        });
      },
    };
  }
  return { nOutputs: predictor.nClasses, score: (X) => predictor.predictProba(X).data.map((p) => Math.log(clip(p))) };
}

function cell(frame: Frame, column: string, r: number): string | number | null {
  const c = frame.get(column);
  if (c === undefined) return null;
  const v = c.values[r];
  return typeof v === 'number' ? (Number.isNaN(v) ? null : v) : (v ?? null);
}

/** One reason in words: "Sex = male (−1.23)". */
export function reasonText(r: Reason): string {
  const sign = r.contribution >= 0 ? '+' : '−';
  return `${r.column} = ${r.value === null ? 'missing' : String(r.value)} (${sign}${Math.abs(r.contribution).toFixed(2)})`;
}
