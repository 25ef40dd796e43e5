/**
 * What both text-classify trainers (TF-IDF and sentence embeddings) say about a fitted model: metrics
 * named `train.*` / `test.*`, the baseline and diagnoses, and the model's outputs on the training
 * texts named as the server logs them (the reference for prediction drift).
 */
import { Frame, type Column } from '../../core/frame.js';
import { createMatrix } from '../../core/matrix.js';
import { classificationBaseline, diagnoseAgainstBaseline, type BaselineComparison } from '../../evaluate/diagnostics/baseline.js';
import { diagnoseGeneralisationGap } from '../../evaluate/diagnostics/generalisation-gap.js';
import type { Diagnosis } from '../../evaluate/diagnostics/verdict.js';
import { argmaxRows } from '../../evaluate/metrics/index.js';

/** The model's answers on the training texts, named as the server logs them (prediction drift). */
export function outputsFrame(proba: Float64Array, k: number, classes: readonly (string | number)[]): Frame {
  const rows = proba.length / k;
  const best = argmaxRows(createMatrix(rows, k, proba));
  const numeric = classes.every((c) => typeof c === 'number');
  const label: Column = numeric
    ? { kind: 'numeric', name: 'label', values: Float64Array.from(best, (c) => classes[c] as number) }
    : { kind: 'categorical', name: 'label', values: Array.from(best, (c) => String(classes[c])) };
  return new Frame([
    label,
    ...classes.map((c, j): Column => ({ kind: 'numeric', name: `probability[${c}]`, values: Float64Array.from({ length: rows }, (_, i) => proba[i * k + j] as number) })),
  ]);
}

/**
 * The verdict every Kiln model gets (src/evaluate/diagnostics): accuracy against always answering the
 * most frequent training class, and the warnings that follow from it — learned nothing, suspiciously
 * perfect (leakage), or far better on its training texts than on held-out ones (memorising).
 */
export function judgeTextModel(
  yTrain: Int32Array,
  yTest: Int32Array,
  metrics: { readonly train: Readonly<Record<string, number>>; readonly test: Readonly<Record<string, number>> },
  classes: readonly (string | number)[],
): { baseline: BaselineComparison; diagnoses: Diagnosis[] } {
  const baseline = classificationBaseline(yTrain, yTest, metrics.test['accuracy'] ?? Number.NaN, (k) => String(classes[k] ?? k));
  return { baseline, diagnoses: [...diagnoseAgainstBaseline(baseline, metrics.test), ...diagnoseGeneralisationGap(metrics.train, metrics.test)] };
}

/** `{train: {accuracy}, test: {…}}` as `{'train.accuracy': …}`, the names runs and manifests use. */
export function flatten(metrics: { train: Record<string, number>; test: Record<string, number> }): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [part, values] of Object.entries(metrics)) for (const [k, v] of Object.entries(values)) out[`${part}.${k}`] = v;
  return out;
}
