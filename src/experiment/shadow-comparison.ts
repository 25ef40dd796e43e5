/**
 * What a shadow experiment shows: the challenger answered the same rows as the champion (its answers
 * were logged, never returned), so the two can be compared row by row without any user seeing the
 * challenger. Classifiers: how often the labels agree; regressors: the mean absolute difference of the
 * predictions. Rows pair up by request id (a mirrored row is logged under the champion row's id).
 */
import type { PredictionRecord } from '../store/store.js';

export interface ShadowComparison {
  /** Rows answered by both versions. */
  readonly paired_rows: number;
  /** Share of paired rows whose labels agree (classification); null otherwise. */
  readonly label_agreement: number | null;
  /** Mean |challenger − champion| of `prediction` (regression); null otherwise. */
  readonly mean_abs_difference: number | null;
  readonly verdict: string;
}

export function compareShadow(records: readonly PredictionRecord[]): ShadowComparison {
  const champion = new Map<string, unknown>();
  for (const r of records) if (r.arm === 'champion' && r.shadow !== true && (r.error === undefined || r.error === null)) champion.set(r.requestId, r.outputs);
  let paired = 0;
  let labelled = 0;
  let agree = 0;
  let numeric = 0;
  let absDiff = 0;
  for (const r of records) {
    if (r.arm !== 'challenger' || r.shadow !== true || (r.error !== undefined && r.error !== null)) continue;
    const theirs = champion.get(r.requestId);
    if (theirs === undefined) continue;
    paired++;
    const a = outputField(theirs, 'label');
    const b = outputField(r.outputs, 'label');
    if (a !== undefined && b !== undefined) {
      labelled++;
      if (a === b) agree++;
      continue;
    }
    const x = outputField(theirs, 'prediction');
    const y = outputField(r.outputs, 'prediction');
    if (typeof x === 'number' && typeof y === 'number') {
      numeric++;
      absDiff += Math.abs(y - x);
    }
  }
  const labelAgreement = labelled === 0 ? null : agree / labelled;
  const meanAbsDifference = numeric === 0 ? null : absDiff / numeric;
  let verdict: string;
  if (paired === 0) verdict = 'no mirrored rows yet: send traffic to the model (without a version) to compare';
  else if (labelAgreement !== null) verdict = `the challenger agrees with the champion on ${(labelAgreement * 100).toFixed(1)}% of ${labelled} rows`;
  else if (meanAbsDifference !== null) verdict = `the challenger's predictions differ from the champion's by ${meanAbsDifference.toPrecision(3)} on average over ${numeric} rows`;
  else verdict = `${paired} rows answered by both versions (outputs without a label or prediction to compare)`;
  return { paired_rows: paired, label_agreement: labelAgreement, mean_abs_difference: meanAbsDifference, verdict };
}

function outputField(outputs: unknown, field: string): unknown {
  return typeof outputs === 'object' && outputs !== null ? (outputs as Record<string, unknown>)[field] : undefined;
}
