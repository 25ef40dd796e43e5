/**
 * A Frame is a table held column by column: numbers in Float64Array (NaN marks a missing value),
 * categories as strings (null marks a missing value). Everything between reading a source and
 * building a feature matrix works on Frames.
 */

export interface NumericColumn {
  readonly kind: 'numeric';
  readonly name: string;
  readonly values: Float64Array;
}

export interface CategoricalColumn {
  readonly kind: 'categorical';
  readonly name: string;
  readonly values: readonly (string | null)[];
}

export type Column = NumericColumn | CategoricalColumn;

export class Frame {
  readonly nRows: number;
  private readonly byName: Map<string, Column>;

  constructor(readonly columns: readonly Column[]) {
    this.nRows = columns[0]?.values.length ?? 0;
    this.byName = new Map();
    for (const c of columns) {
      if (c.values.length !== this.nRows) {
        throw new RangeError(`column "${c.name}" has ${c.values.length} rows, expected ${this.nRows}`);
      }
      if (this.byName.has(c.name)) throw new RangeError(`column "${c.name}" appears twice`);
      this.byName.set(c.name, c);
    }
  }

  get names(): string[] {
    return this.columns.map((c) => c.name);
  }

  has(name: string): boolean {
    return this.byName.has(name);
  }

  /** The column called `name`, or undefined. */
  get(name: string): Column | undefined {
    return this.byName.get(name);
  }

  /** A frame of the rows at `indices`, in that order. */
  take(indices: ArrayLike<number>): Frame {
    return new Frame(this.columns.map((c) => takeColumn(c, indices)));
  }

  /** A frame without the named columns. */
  drop(names: Iterable<string>): Frame {
    const gone = new Set(names);
    return new Frame(this.columns.filter((c) => !gone.has(c.name)));
  }

  /** A frame of the named columns, in that order. */
  select(names: readonly string[]): Frame {
    return new Frame(names.map((n) => {
      const c = this.byName.get(n);
      if (c === undefined) throw new RangeError(`no column "${n}"`);
      return c;
    }));
  }
}

export function takeColumn(c: Column, indices: ArrayLike<number>): Column {
  if (c.kind === 'numeric') {
    const values = new Float64Array(indices.length);
    for (let k = 0; k < indices.length; k++) values[k] = c.values[indices[k] as number] as number;
    return { kind: 'numeric', name: c.name, values };
  }
  const values = new Array<string | null>(indices.length);
  for (let k = 0; k < indices.length; k++) values[k] = c.values[indices[k] as number] ?? null;
  return { kind: 'categorical', name: c.name, values };
}

export const isMissingNumber = (v: number): boolean => Number.isNaN(v);
export const isMissingCategory = (v: string | null | undefined): boolean => v === null || v === undefined || v === '';

/**
 * The rows of `top` followed by those of `bottom`, matched by column name. A column that is numeric
 * in one and categorical in the other becomes categorical (numbers as their text). Columns of
 * `bottom` that `top` lacks are dropped; a column of `top` that `bottom` lacks is an error.
 */
export function concatRows(top: Frame, bottom: Frame): Frame {
  return new Frame(
    top.columns.map((a): Column => {
      const b = bottom.get(a.name);
      if (b === undefined) throw new RangeError(`column "${a.name}" is missing from the rows to append`);
      if (a.kind === 'numeric' && b.kind === 'numeric') {
        const values = new Float64Array(a.values.length + b.values.length);
        values.set(a.values);
        values.set(b.values, a.values.length);
        return { kind: 'numeric', name: a.name, values };
      }
      const text = (c: Column): (string | null)[] =>
        c.kind === 'categorical' ? [...c.values] : Array.from(c.values, (v) => (Number.isNaN(v) ? null : String(v)));
      return { kind: 'categorical', name: a.name, values: [...text(a), ...text(b)] };
    }),
  );
}
