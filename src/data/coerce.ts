/**
 * Bringing a column to the kind a model expects. A file scored later may type a column differently
 * from the training file (a column of small codes read as numbers, a numeric column that is empty in
 * every row and so read as text); values are converted — as written in a spreadsheet (`$1,234.50`,
 * `N/A`) too — and a value that cannot be converted is an error naming the column and the row.
 */
import { KilnError } from '../core/errors.js';
import type { CategoricalColumn, Column, NumericColumn } from '../core/frame.js';
import { MISSING_MARKERS } from './sources/missing-markers.js';
import { POINT_DECIMAL, SIGNS, SPACES } from './sources/written-numbers.js';

const MARKERS = new Set(MISSING_MARKERS);
const SIGN = new RegExp(SIGNS, 'g');
const POINT_NUMBER = new RegExp(`^(?:${POINT_DECIMAL})$`);
const SEPARATOR = new RegExp(`[,${SPACES}]`, 'g');

/**
 * A cell as a number, read as files are read for training (tidy-table.ts, by the same patterns):
 * missing markers (`N/A`, `-`) are NaN, currency and percent signs and thousands separators are
 * dropped (45% is 45); undefined when the text is not a number.
 */
export function writtenNumber(text: string): number | undefined {
  const t = text.trim();
  if (MARKERS.has(t.toLowerCase())) return Number.NaN;
  const plain = Number(t);
  if (Number.isFinite(plain)) return plain;
  const core = t.replace(SIGN, '').trim();
  if (!POINT_NUMBER.test(core)) return undefined;
  const x = Number(core.replace(SEPARATOR, ''));
  return Number.isFinite(x) ? x : undefined;
}

export function toNumericColumn(c: Column): NumericColumn {
  if (c.kind === 'numeric') return c;
  const values = new Float64Array(c.values.length);
  c.values.forEach((v, i) => {
    if (v === null || v.trim() === '') {
      values[i] = Number.NaN;
      return;
    }
    const x = writtenNumber(v);
    if (x === undefined) {
      throw new KilnError('INPUT_DATA', { input: c.name, reason: `row ${i + 1} holds "${v}", which is not a number` });
    }
    values[i] = x;
  });
  return { kind: 'numeric', name: c.name, values };
}

export function toCategoricalColumn(c: Column): CategoricalColumn {
  if (c.kind === 'categorical') return c;
  return { kind: 'categorical', name: c.name, values: Array.from(c.values, (v) => (Number.isNaN(v) ? null : String(v))) };
}
