/**
 * Distances for query rows that are mostly zeros — one-hot categories, TF-IDF words: Titanic with its
 * names and tickets kept has 1,711 features of which about 20 are non-zero per row. The dense kernel
 * (src/learners/kmeans/squared-distances.ts) multiplies all 1,711; this one walks a query's non-zero
 * entries only, down the columns of a transposed copy of the training rows.
 *
 * The results are bit for bit the dense kernel's: each dot product adds the same non-zero products in
 * the same (column) order, and the products skipped are exact zeros, which leave a sum unchanged
 * (features are finite: the caller checks). So the sparse path changes speed, never neighbours.
 */
import type { Matrix } from '../../core/matrix.js';

/** A block of query rows as lists of (column, value) for their non-zero entries. */
export interface SparseRows {
  /** Row r's entries are positions starts[r] … starts[r + 1] − 1. */
  readonly starts: Int32Array;
  readonly cols: Int32Array;
  readonly values: Float64Array;
}

/** Non-zero entries of rows [rowStart, rowEnd) of a row-major matrix. */
export function sparseRows(m: Matrix, rowStart: number, rowEnd: number): SparseRows {
  const d = m.cols;
  let nnz = 0;
  for (let i = rowStart * d; i < rowEnd * d; i++) if (m.data[i] !== 0) nnz++;
  const starts = new Int32Array(rowEnd - rowStart + 1);
  const cols = new Int32Array(nnz);
  const values = new Float64Array(nnz);
  let at = 0;
  for (let r = rowStart; r < rowEnd; r++) {
    starts[r - rowStart] = at;
    for (let j = 0; j < d; j++) {
      const v = m.data[r * d + j] as number;
      if (v !== 0) {
        cols[at] = j;
        values[at++] = v;
      }
    }
  }
  starts[rowEnd - rowStart] = at;
  return { starts, cols, values };
}

/** Share of non-zero entries of a matrix. */
export function density(m: Matrix): number {
  let nnz = 0;
  for (const v of m.data) if (v !== 0) nnz++;
  return m.data.length === 0 ? 1 : nnz / m.data.length;
}

/** Whether every entry is finite (the condition for the sparse path's results to equal the dense one's). */
export function allFinite(m: Matrix): boolean {
  for (const v of m.data) if (!Number.isFinite(v)) return false;
  return true;
}

/**
 * Transposed training rows, kept per training array: a fitted kNN predicts again and again on the same
 * rows (the report's permutation importance, robustness, explanations), and the transpose costs more
 * than a batch's sparse distances. Training arrays are never changed after fitting; entries go when the
 * array does.
 */
const transposed = new WeakMap<Float64Array, Float64Array>();

/** Whether `transposedOnce(m)` would be free (made already). */
export function isTransposed(m: Matrix): boolean {
  return transposed.has(m.data);
}

/** The training rows column by column, `out[j·rows + t]` = row t's column j; made once per array. */
export function transposedOnce(m: Matrix): Float64Array {
  const known = transposed.get(m.data);
  if (known !== undefined) return known;
  const out = new Float64Array(m.data.length);
  for (let t = 0; t < m.rows; t++) for (let j = 0; j < m.cols; j++) out[j * m.rows + t] = m.data[t * m.cols + j] as number;
  transposed.set(m.data, out);
  return out;
}

/**
 * Squared distances from the block's query rows to training rows [t0, t1), written as the dense
 * kernel writes them: `out[(q − first)·(t1 − t0) + (t − t0)]`, the same expansion and clamp.
 */
export function squaredDistancesSparseBlock(
  block: SparseRows,
  queryNorms: Float64Array,
  first: number,
  trainingT: Float64Array,
  trainingRows: number,
  trainingNorms: Float64Array,
  t0: number,
  t1: number,
  out: Float64Array,
): void {
  const width = t1 - t0;
  const nq = block.starts.length - 1;
  for (let r = 0; r < nq; r++) {
    const offset = r * width;
    out.fill(0, offset, offset + width);
    for (let e = block.starts[r] as number; e < (block.starts[r + 1] as number); e++) {
      const v = block.values[e] as number;
      const column = (block.cols[e] as number) * trainingRows;
      for (let t = t0; t < t1; t++) out[offset + t - t0] = (out[offset + t - t0] as number) + v * (trainingT[column + t] as number);
    }
    const qNorm = queryNorms[first + r] as number;
    for (let t = t0; t < t1; t++) out[offset + t - t0] = Math.max(0, qNorm - 2 * (out[offset + t - t0] as number) + (trainingNorms[t] as number));
  }
}
