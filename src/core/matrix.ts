/**
 * A dense matrix of float64 in row-major order: the numeric form learners train and predict on.
 * Feature transforms turn a Frame (named, typed columns) into one of these.
 */
export interface Matrix {
  readonly rows: number;
  readonly cols: number;
  /** Element (i, j) is `data[i * cols + j]`. */
  readonly data: Float64Array;
}

export function createMatrix(rows: number, cols: number, data?: Float64Array): Matrix {
  if (data !== undefined && data.length !== rows * cols) {
    throw new RangeError(`matrix data has ${data.length} values, expected ${rows} x ${cols}`);
  }
  return { rows, cols, data: data ?? new Float64Array(rows * cols) };
}

/** Builds a matrix from an array of rows (handy in tests and small examples). */
export function matrixFromRows(rows: readonly (readonly number[])[]): Matrix {
  const cols = rows[0]?.length ?? 0;
  const m = createMatrix(rows.length, cols);
  rows.forEach((row, i) => {
    if (row.length !== cols) throw new RangeError(`row ${i} has ${row.length} values, expected ${cols}`);
    m.data.set(row, i * cols);
  });
  return m;
}

/** The rows at `indices`, copied into a new matrix. */
export function takeRows(m: Matrix, indices: ArrayLike<number>): Matrix {
  const out = createMatrix(indices.length, m.cols);
  for (let k = 0; k < indices.length; k++) {
    const i = indices[k] as number;
    out.data.set(m.data.subarray(i * m.cols, (i + 1) * m.cols), k * m.cols);
  }
  return out;
}

/** The values at `indices`, copied into a new array of the same type (a target column's rows). */
export function takeValues<T extends Int32Array | Float64Array>(values: T, indices: ArrayLike<number>): T {
  const out = new (values.constructor as { new (n: number): T })(indices.length);
  for (let k = 0; k < indices.length; k++) out[k] = values[indices[k] as number] as number;
  return out;
}

/** Row `i` as a view (no copy). */
export function row(m: Matrix, i: number): Float64Array {
  return m.data.subarray(i * m.cols, (i + 1) * m.cols);
}
