/**
 * The metric columns of the `kiln models` and `kiln runs` tables: by default one, each row's headline
 * metric by name and value ("roc_auc 0.8673"), since rows of different tasks have different metrics;
 * with `--metrics roc_auc,accuracy`, one column per metric asked for.
 */
import { KilnError } from '../core/errors.js';
import type { FitColumn } from './fit-table.js';
import { metricCell, scoredMetricNames } from './headline-metric.js';

export interface ScoredRow {
  readonly metrics: Readonly<Record<string, number>>;
  /** The row's headline metric (headline-metric.ts), when it has any metric. */
  readonly headline: string | undefined;
}

/** `--metrics a,b` as a list of names; undefined when the flag was not given. */
export function metricsOption(text: string | undefined): string[] | undefined {
  if (text === undefined) return undefined;
  const names = text.split(',').map((n) => n.trim()).filter((n) => n !== '');
  if (names.length === 0) throw new KilnError('INVALID_PARAMS', { what: '--metrics', summary: `expected metric names separated by commas, e.g. roc_auc,accuracy, got "${text}"` });
  return names;
}

/** The columns and, per row, their cells. A metric asked for that no row has is a typo, and refused. */
export function metricColumns(
  wanted: readonly string[] | undefined,
  rows: readonly ScoredRow[],
  rowNoun: 'version' | 'run',
): { columns: FitColumn[]; cells: string[][] } {
  if (wanted === undefined) {
    return {
      columns: [{ header: 'metric' }],
      cells: rows.map((r) => [r.headline === undefined ? '' : `${r.headline} ${metricCell(r.metrics, r.headline)}`]),
    };
  }
  const cells = rows.map((r) => wanted.map((name) => metricCell(r.metrics, name)));
  const missing = rows.length === 0 ? [] : wanted.filter((_, j) => cells.every((c) => c[j] === ''));
  if (missing.length > 0) {
    // a baseline's score is beside the point here: the names a user would have meant are the models' own
    const known = [...new Set(rows.flatMap((r) => scoredMetricNames(r.metrics)))].filter((n) => !n.startsWith('baseline_'));
    throw new KilnError('INVALID_PARAMS', {
      what: '--metrics',
      summary: `no ${rowNoun} listed has ${missing.map((m) => `"${m}"`).join(', ')}; the metrics they have are ${known.length === 0 ? 'none' : known.join(', ')}`,
    });
  }
  return { columns: wanted.map((name) => ({ header: name })), cells };
}
