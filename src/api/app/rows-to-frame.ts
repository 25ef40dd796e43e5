/**
 * Rows as a browser sends them (`[{"Pclass": 3, "Sex": "male", "Age": null}]`) into a Frame laid out
 * as a model's inputs expect: numbers for numeric columns (numeric text is accepted, empty means
 * missing), text for categorical ones, and datetimes as ISO text or epoch numbers. Every value that
 * does not fit is reported at once, as problems a form can show next to its field.
 */
import { KilnError, type Problem } from '../../core/errors.js';
import { Frame, type Column } from '../../core/frame.js';
import type { InputColumn } from '../../features/column-pipeline.js';

export function rowsToFrame(rows: readonly Record<string, unknown>[], inputs: readonly InputColumn[]): Frame {
  const problems: Problem[] = [];
  const known = new Set(inputs.map((c) => c.name));
  rows.forEach((row, r) => {
    for (const key of Object.keys(row)) {
      if (!known.has(key)) problems.push({ path: `rows.${r}.${key}`, code: 'unknown_column', message: `the model has no input "${key}"` });
    }
  });
  const columns = inputs.map((input): Column => {
    const values = rows.map((row) => row[input.name]);
    const datetimeAsNumbers = input.type === 'datetime' && values.every((v) => typeof v === 'number' || isEmpty(v));
    if ((input.kind === 'numeric' && input.type !== 'datetime') || datetimeAsNumbers) {
      return { kind: 'numeric', name: input.name, values: Float64Array.from(values, (v, r) => asNumber(v, `rows.${r}.${input.name}`, problems)) };
    }
    return { kind: 'categorical', name: input.name, values: values.map((v) => (isEmpty(v) ? null : String(v))) };
  });
  if (problems.length > 0) {
    const summary = problems.map((p) => `${p.path}: ${p.message}`).join('; ');
    throw new KilnError('INVALID_PARAMS', { what: 'rows', summary }, { problems });
  }
  return new Frame(columns);
}

function isEmpty(v: unknown): boolean {
  return v === null || v === undefined || (typeof v === 'string' && v.trim() === '');
}

function asNumber(v: unknown, path: string, problems: Problem[]): number {
  if (isEmpty(v)) return Number.NaN;
  if (typeof v === 'boolean') return v ? 1 : 0;
  const n = typeof v === 'number' ? v : typeof v === 'string' ? Number(v.trim()) : Number.NaN;
  if (!Number.isFinite(n)) {
    problems.push({ path, code: 'not_a_number', message: `${JSON.stringify(v)} is not a number` });
    return Number.NaN;
  }
  return n;
}
