/**
 * Brute-force k-nearest-neighbour search (Euclidean). Query rows and training rows are taken in blocks
 * so the distance kernel (src/learners/kmeans/squared-distances.ts) works on data that stays in cache;
 * each query keeps its k best in a small sorted list. The k found are then measured again exactly
 * (by definition, not the faster expansion) for distance weighting.
 *
 * Cost is queries × training rows × features: fine up to about 100,000 training rows (a few
 * milliseconds per query there); beyond that a tree or an approximate index would be needed.
 */
import type { Matrix } from '../../core/matrix.js';
import { rowSquaredNorms, squaredDistanceNaive, squaredDistancesBlock } from '../kmeans/squared-distances.js';
import { allFinite, density, isTransposed, sparseRows, squaredDistancesSparseBlock, transposedOnce, type SparseRows } from './sparse-queries.js';

const QUERY_BLOCK = 32;
const TRAIN_BLOCK = 512;

export interface Neighbours {
  readonly k: number;
  /** Training-row index of each query's neighbours, nearest first: `indices[q·k + r]`. */
  readonly indices: Int32Array;
  /** Their exact Euclidean distances. */
  readonly distances: Float64Array;
}

/**
 * Which distance kernel: `auto` takes the sparse one (sparse-queries.ts) when the queries are mostly
 * zeros and there are enough of them to pay for transposing the training rows. Both give the same bits.
 */
export type DistanceKernel = 'auto' | 'dense' | 'sparse';

/** The k nearest training rows of every query row; ties go to the lower training index. */
export function nearestNeighbours(queries: Matrix, training: Matrix, trainingNorms: Float64Array, k: number, kernel: DistanceKernel = 'auto'): Neighbours {
  const d = training.cols;
  const m = training.rows;
  const nq = queries.rows;
  const queryNorms = rowSquaredNorms(queries.data, nq, d);
  const sparse = kernel === 'sparse' || (kernel === 'auto' && sparseIsCheaper(queries, training));
  const trainingT = sparse ? transposedOnce(training) : undefined;
  const indices = new Int32Array(nq * k);
  const best = new Float64Array(nq * k);
  const block = new Float64Array(QUERY_BLOCK * TRAIN_BLOCK);

  for (let q0 = 0; q0 < nq; q0 += QUERY_BLOCK) {
    const q1 = Math.min(nq, q0 + QUERY_BLOCK);
    let queryRows: SparseRows | undefined; // the block's non-zero entries, made on first use
    best.fill(Number.POSITIVE_INFINITY, q0 * k, q1 * k);
    indices.fill(-1, q0 * k, q1 * k);
    for (let t0 = 0; t0 < m; t0 += TRAIN_BLOCK) {
      const t1 = Math.min(m, t0 + TRAIN_BLOCK);
      const width = t1 - t0;
      if (trainingT === undefined) {
        squaredDistancesBlock(queries.data, queryNorms, q0, q1, training.data.subarray(t0 * d, t1 * d), trainingNorms.subarray(t0, t1), width, d, block);
      } else {
        squaredDistancesSparseBlock(queryRows ??= sparseRows(queries, q0, q1), queryNorms, q0, trainingT, m, trainingNorms, t0, t1, block);
      }
      for (let q = q0; q < q1; q++) {
        const offset = (q - q0) * width;
        const base = q * k;
        for (let t = 0; t < width; t++) {
          const v = block[offset + t] as number;
          if (v >= (best[base + k - 1] as number)) continue;
          // Insert into the sorted list, after any equal distance (earlier rows win ties).
          let r = k - 1;
          while (r > 0 && (best[base + r - 1] as number) > v) {
            best[base + r] = best[base + r - 1] as number;
            indices[base + r] = indices[base + r - 1] as number;
            r--;
          }
          best[base + r] = v;
          indices[base + r] = t0 + t;
        }
      }
    }
  }
  const distances = new Float64Array(nq * k);
  for (let q = 0; q < nq; q++) {
    for (let r = 0; r < k; r++) {
      distances[q * k + r] = Math.sqrt(squaredDistanceNaive(queries.data, q * d, training.data, (indices[q * k + r] as number) * d, d));
    }
  }
  return { k, indices, distances };
}

/**
 * The sparse kernel costs a transpose of the training rows (m·d, the first time only) plus m
 * multiply-adds per non-zero query entry; the dense one m·d per query row. Taken when it is at most half
 * the dense cost, and only on finite features (where its results equal the dense kernel's).
 */
function sparseIsCheaper(queries: Matrix, training: Matrix): boolean {
  const nq = queries.rows;
  const dense = nq * training.rows * training.cols;
  const sparse = (isTransposed(training) ? 0 : training.rows * training.cols) + density(queries) * dense;
  return sparse <= 0.5 * dense && allFinite(queries) && allFinite(training);
}

/**
 * Relative size of a gap between the k-th and (k+1)-th nearest squared distances below which float32
 * arithmetic (the ONNX graph's) may order the two the other way: the graph's expansion
 * ‖x‖² − 2·x·t + ‖t‖² loses about 1e-7 of the norms to rounding, taken here a hundred times over.
 */
const FLOAT32_TIE = 1e-5;

/**
 * 1 for each query row whose k nearest training rows are clear of the (k+1)-th, 0 where the two are
 * tied within float32 rounding (so another implementation may take either); every row is clear when
 * there is no (k+1)-th training row.
 */
export function clearOfTies(queries: Matrix, training: Matrix, trainingNorms: Float64Array, k: number): Uint8Array {
  const clear = new Uint8Array(queries.rows).fill(1);
  if (k >= training.rows) return clear;
  const found = nearestNeighbours(queries, training, trainingNorms, k + 1);
  const queryNorms = rowSquaredNorms(queries.data, queries.rows, queries.cols);
  let largestTrainingNorm = 0;
  for (const n of trainingNorms) largestTrainingNorm = Math.max(largestTrainingNorm, n);
  for (let q = 0; q < queries.rows; q++) {
    const kth = (found.distances[q * (k + 1) + k - 1] as number) ** 2;
    const next = (found.distances[q * (k + 1) + k] as number) ** 2;
    if (next - kth <= FLOAT32_TIE * (1 + (queryNorms[q] as number) + largestTrainingNorm)) clear[q] = 0;
  }
  return clear;
}

/**
 * Neighbour weights for one query, scikit-learn's rules: 1 each ('uniform'), or 1/distance
 * ('distance'), where a query at distance 0 from some neighbours gives those weight 1 and the others 0.
 */
export function neighbourWeights(distances: Float64Array, start: number, k: number, weighting: 'uniform' | 'distance', out: Float64Array): void {
  if (weighting === 'uniform') {
    out.fill(1, 0, k);
    return;
  }
  let anyZero = false;
  for (let r = 0; r < k; r++) anyZero ||= distances[start + r] === 0;
  for (let r = 0; r < k; r++) {
    const dist = distances[start + r] as number;
    out[r] = anyZero ? (dist === 0 ? 1 : 0) : 1 / dist;
  }
}
