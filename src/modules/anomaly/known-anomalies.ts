/**
 * The spec's `label` column as known anomalies: 1 for an anomaly, 0 for a normal row. It is read only
 * to evaluate the detector (precision@k, recall, ROC AUC) and never reaches training.
 */
import { KilnError } from '../../core/errors.js';
import type { Column } from '../../core/frame.js';

const ANOMALY = new Set(['1', 'true', 'yes', 'y', 't', 'anomaly', 'anomalous', 'outlier', 'fraud']);
const NORMAL = new Set(['0', 'false', 'no', 'n', 'f', 'normal', 'inlier', 'ok']);

export function knownAnomalies(column: Column): Uint8Array {
  const out = new Uint8Array(column.values.length);
  const bad = new Set<string>();
  for (let i = 0; i < out.length; i++) {
    const raw = column.values[i];
    const text = typeof raw === 'number' ? (Number.isNaN(raw) ? '' : String(raw)) : (raw ?? '').trim().toLowerCase();
    if (ANOMALY.has(text) || (typeof raw === 'number' && raw !== 0 && !Number.isNaN(raw))) out[i] = 1;
    else if (!NORMAL.has(text)) bad.add(text === '' ? '(missing)' : String(raw));
  }
  if (bad.size > 0) {
    throw new KilnError('ANOMALY_LABEL_INVALID', { column: column.name, values: [...bad].slice(0, 5).join(', ') });
  }
  return out;
}
