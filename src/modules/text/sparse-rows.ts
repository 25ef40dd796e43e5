/**
 * Rows of text features in compressed sparse row form (scipy's CSR): a sentence holds a few dozen of
 * the tens of thousands of word and character n-grams a vocabulary knows, so a dense matrix would be
 * almost all zeros and too large for memory. Row i's features are `indices[indptr[i] .. indptr[i+1])`
 * with the weights at the same positions of `values`.
 */
export interface SparseRows {
  readonly rows: number;
  readonly cols: number;
  /** rows + 1 offsets into `indices` / `values`. */
  readonly indptr: Int32Array;
  readonly indices: Int32Array;
  readonly values: Float64Array;
}

/** Collects (row, column, value) triples that arrive row by row, rows in increasing order. */
export class SparseRowsBuilder {
  private readonly indptr: Int32Array;
  private indices: Int32Array = new Int32Array(1024);
  private values: Float64Array = new Float64Array(1024);
  private size = 0;
  private row = 0;

  constructor(
    private readonly rows: number,
    private readonly cols: number,
  ) {
    this.indptr = new Int32Array(rows + 1);
  }

  /** Adds value v at (i, j); i never decreases from one call to the next. */
  push(i: number, j: number, v: number): void {
    while (this.row < i) this.indptr[++this.row] = this.size;
    if (this.size === this.indices.length) {
      const indices = new Int32Array(this.size * 2);
      indices.set(this.indices);
      this.indices = indices;
      const values = new Float64Array(this.size * 2);
      values.set(this.values);
      this.values = values;
    }
    this.indices[this.size] = j;
    this.values[this.size] = v;
    this.size++;
  }

  build(): SparseRows {
    while (this.row < this.rows) this.indptr[++this.row] = this.size;
    return { rows: this.rows, cols: this.cols, indptr: this.indptr, indices: this.indices.slice(0, this.size), values: this.values.slice(0, this.size) };
  }
}

/** Side by side: the columns of `right` follow those of `left` (a union of feature blocks). */
export function concatSparseColumns(left: SparseRows, right: SparseRows): SparseRows {
  if (left.rows !== right.rows) throw new RangeError(`cannot place ${right.rows} rows beside ${left.rows}`);
  const builder = new SparseRowsBuilder(left.rows, left.cols + right.cols);
  for (let i = 0; i < left.rows; i++) {
    for (let p = left.indptr[i] as number; p < (left.indptr[i + 1] as number); p++) builder.push(i, left.indices[p] as number, left.values[p] as number);
    for (let p = right.indptr[i] as number; p < (right.indptr[i + 1] as number); p++) builder.push(i, left.cols + (right.indices[p] as number), right.values[p] as number);
  }
  return builder.build();
}

/**
 * Class scores of a linear model: scores[i, r] = intercepts[r] + Σ_j X[i, j] · weights[r, j], with
 * `weights` row per output (nOutputs × cols) as in src/learners/linear/linear-scores.ts.
 */
export function sparseLinearScores(X: SparseRows, weights: Float64Array, intercepts: Float64Array): Float64Array {
  const k = intercepts.length;
  const d = X.cols;
  const out = new Float64Array(X.rows * k);
  for (let i = 0; i < X.rows; i++) {
    const start = X.indptr[i] as number;
    const end = X.indptr[i + 1] as number;
    for (let r = 0; r < k; r++) {
      let z = intercepts[r] as number;
      const w0 = r * d;
      for (let p = start; p < end; p++) z += (X.values[p] as number) * (weights[w0 + (X.indices[p] as number)] as number);
      out[i * k + r] = z;
    }
  }
  return out;
}
