/**
 * Bringing a column to the kind a model expects. A file scored later may type a column differently
 * from the training file (a column of small codes read as numbers, a numeric column that is empty in
 * every row and so read as text); values are converted, and a value that cannot be converted is an
 * error naming the column and the row.
 */
import { KilnError } from '../core/errors.js';
import type { CategoricalColumn, Column, NumericColumn } from '../core/frame.js';

export function toNumericColumn(c: Column): NumericColumn {
  if (c.kind === 'numeric') return c;
  const values = new Float64Array(c.values.length);
  c.values.forEach((v, i) => {
    if (v === null || v.trim() === '') {
      values[i] = Number.NaN;
      return;
    }
    const x = Number(v);
    if (!Number.isFinite(x)) {
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
