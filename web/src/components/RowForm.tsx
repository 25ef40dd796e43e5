/**
 * A form with one field per model input, generated from the model's signature: numbers get number
 * fields, everything else text fields. An empty field is sent as a missing value (null), which every
 * Kiln module accepts. Used by "try it" (Deploy) and by "why this prediction?" (Results).
 */
import { useId, useState, type ReactNode } from 'react';
import type { Row } from '../api/types.js';

export interface FieldSpec {
  readonly name: string;
  readonly datatype: string;
  /** From the manifest: how the value travels (numeric or categorical). */
  readonly kind?: string;
}

const isNumeric = (f: FieldSpec): boolean => (f.kind === undefined ? f.datatype !== 'BYTES' && f.datatype !== 'BOOL' : f.kind === 'numeric');

export function toRow(fields: readonly FieldSpec[], values: Readonly<Record<string, string>>): Row {
  const row: Record<string, unknown> = {};
  for (const f of fields) {
    const text = (values[f.name] ?? '').trim();
    row[f.name] = text === '' ? null : isNumeric(f) ? Number(text) : text;
  }
  return row;
}

export function RowForm({
  fields,
  submitLabel,
  busy,
  onSubmit,
  initial = {},
  longText,
  children,
}: {
  fields: readonly FieldSpec[];
  submitLabel: string;
  busy: boolean;
  onSubmit: (row: Row) => void;
  initial?: Readonly<Record<string, string>>;
  /**
   * Whether the only input is a text to write (a review) rather than a value (a user id of a
   * recommender); left out, a single text input is taken for a text.
   */
  longText?: boolean;
  children?: ReactNode;
}) {
  const [values, setValues] = useState<Record<string, string>>(() => ({ ...initial }));
  const prefix = useId();
  // a single text input is what a text module reads (a review, a ticket): room to write it, not a one-line box
  const onlyText = (longText ?? true) && fields.length === 1 && fields[0] !== undefined && !isNumeric(fields[0]);
  return (
    <form
      className="row-form"
      onSubmit={(e) => {
        e.preventDefault();
        onSubmit(toRow(fields, values));
      }}
    >
      <div className={onlyText ? undefined : 'form-grid'}>
        {fields.map((f) => {
          const id = `${prefix}-${f.name}`;
          if (onlyText) {
            return (
              <div key={f.name}>
                <label htmlFor={id}>{f.name}</label>
                <textarea
                  id={id}
                  name={f.name}
                  rows={3}
                  value={values[f.name] ?? ''}
                  placeholder="Write or paste a text"
                  onChange={(e) => setValues((v) => ({ ...v, [f.name]: e.target.value }))}
                />
              </div>
            );
          }
          return (
            <div key={f.name}>
              <label htmlFor={id}>{f.name}</label>
              <input
                id={id}
                name={f.name}
                type={isNumeric(f) ? 'number' : 'text'}
                step={isNumeric(f) ? 'any' : undefined}
                inputMode={isNumeric(f) ? 'decimal' : undefined}
                autoComplete="off"
                value={values[f.name] ?? ''}
                placeholder="unknown"
                onChange={(e) => setValues((v) => ({ ...v, [f.name]: e.target.value }))}
              />
            </div>
          );
        })}
      </div>
      {!onlyText && <p className="muted small">Leave a field empty when the value is not known.</p>}
      <div className="actions">
        <button type="submit" className="button primary" disabled={busy}>
          {busy ? 'Asking…' : submitLabel}
        </button>
        {children}
      </div>
    </form>
  );
}
