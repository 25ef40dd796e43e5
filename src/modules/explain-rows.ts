/**
 * "Why this prediction?": the top reasons behind each scored row, as the columns a person knows
 * (one-hot and text features are added up per column), from exact SHAP values in the model's raw
 * score (log-odds for yes/no questions). Positive contributions push towards the predicted outcome.
 */
import type { Frame } from '../core/frame.js';
import { shapValues } from '../evaluate/explain/shap-values.js';
import { TabularPreprocessor, type SerializedPreprocessor } from '../features/tabular-preprocessor.js';
import type { SerializedPredictor, SupervisedPredictor } from '../learners/learner.js';
import { loadPredictor } from '../learners/registry.js';
import type { ModuleManifest } from './manifest.js';
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

export function explainRows(saved: SavedModel, manifest: ModuleManifest, frame: Frame, top = 5): RowExplanation[] {
  // Text modules: the terms of each text that moved its prediction (src/modules/text/explain-text.ts).
  if (isSavedTextModel(saved)) return explainTextRows(saved, manifest, frame, top);
  const preprocessor = TabularPreprocessor.fromJSON(saved.preprocessor);
  const predictor = loadPredictor(saved.predictor) as SupervisedPredictor;
  const X = preprocessor.transform(frame);
  const background = Float64Array.from(saved.featureMeans ?? new Array<number>(X.cols).fill(0));
  const shap = shapValues(predictor, X, background);
  const columns = preprocessor.featureColumns();
  const classes = manifest.classes ?? [];
  const predicted = predictor.kind === 'classifier' ? predictor.predictProba(X) : undefined;

  return Array.from({ length: frame.nRows }, (_, r) => {
    // binary models have one raw score (class 1): explain it from the predicted class's side
    let k = 0;
    let sign = 1;
    let outcome: string | number = 'prediction';
    if (predicted !== undefined) {
      const row = predicted.data.subarray(r * predicted.cols, (r + 1) * predicted.cols);
      const best = row.indexOf(Math.max(...row));
      outcome = classes[best] ?? best;
      if (shap.nOutputs === 1) sign = best === 1 ? 1 : -1;
      else k = best;
    }
    const at = (r * shap.nOutputs + k) * shap.nFeatures;
    const byColumn = new Map<string, number>();
    columns.forEach((c, j) => byColumn.set(c, (byColumn.get(c) ?? 0) + sign * (shap.values[at + j] as number)));
    const total = [...byColumn.values()].reduce((a, b) => a + b, 0);
    const reasons = [...byColumn.entries()]
      .map(([column, contribution]) => ({ column, value: cell(frame, column, r), contribution }))
      .sort((a, b) => Math.abs(b.contribution) - Math.abs(a.contribution))
      .slice(0, top);
    const base = sign * (shap.base[k] as number);
    return { row: r, outcome, base, score: base + total, reasons };
  });
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
