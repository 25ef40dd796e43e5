/**
 * The sparse distance kernel of kNN (src/learners/knn/sparse-queries.ts) against the dense one, its
 * reference: on rows like a preprocessed table — a few standardised numbers, one-hot categories, sparse
 * word weights — both find the same neighbours at the same distances, bit for bit, ties (duplicated
 * rows) included, the transposed training rows made once and reused.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createMatrix, type Matrix } from '../../src/core/matrix.js';
import { Rng } from '../../src/core/rng.js';
import { rowSquaredNorms } from '../../src/learners/kmeans/squared-distances.js';
import { nearestNeighbours } from '../../src/learners/knn/nearest-neighbours.js';
import { density, isTransposed, sparseRows } from '../../src/learners/knn/sparse-queries.js';

/** `rows` rows: 4 dense numbers, 3 one-hot groups of 20, 300 word columns of which ~6 are set. */
function tableLike(rows: number, seed: number): Matrix {
  const rng = new Rng(seed);
  const cols = 4 + 60 + 300;
  const m = createMatrix(rows, cols);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < 4; j++) m.data[i * cols + j] = rng.normal();
    for (let g = 0; g < 3; g++) m.data[i * cols + 4 + g * 20 + rng.int(20)] = 1;
    for (let w = 0; w < 6; w++) m.data[i * cols + 64 + rng.int(300)] = rng.next();
  }
  return m;
}

test('sparse rows list exactly the non-zero entries, in column order', () => {
  const m = tableLike(5, 1);
  const s = sparseRows(m, 1, 4);
  assert.equal(s.starts.length, 4);
  for (let r = 0; r < 3; r++) {
    const row = Array.from(m.data.subarray((r + 1) * m.cols, (r + 2) * m.cols));
    const entries = row.flatMap((v, j) => (v !== 0 ? [[j, v]] : []));
    const listed = Array.from({ length: (s.starts[r + 1] as number) - (s.starts[r] as number) }, (_, e) => [s.cols[(s.starts[r] as number) + e], s.values[(s.starts[r] as number) + e]]);
    assert.deepEqual(listed, entries);
  }
  assert.ok(density(m) < 0.05);
});

test('the sparse kernel finds the dense kernel\'s neighbours at the same distances, bit for bit', () => {
  const training = tableLike(700, 2);
  // duplicated training rows: ties at the k-th neighbour must go the same way
  training.data.copyWithin(10 * training.cols, 3 * training.cols, 4 * training.cols);
  const queries = tableLike(90, 3);
  queries.data.set(training.data.subarray(3 * training.cols, 4 * training.cols), 0); // a query equal to a training row
  const norms = rowSquaredNorms(training.data, training.rows, training.cols);
  assert.equal(isTransposed(training), false);
  for (const k of [1, 5, 15]) {
    const dense = nearestNeighbours(queries, training, norms, k, 'dense');
    const sparse = nearestNeighbours(queries, training, norms, k, 'sparse');
    const auto = nearestNeighbours(queries, training, norms, k);
    assert.deepEqual(sparse.indices, dense.indices, `k=${k}`);
    assert.deepEqual(sparse.distances, dense.distances, `k=${k}`);
    assert.deepEqual(auto.indices, dense.indices, `k=${k}`);
  }
  assert.equal(nearestNeighbours(queries, training, norms, 2, 'sparse').distances[0], 0, 'the copied row is found at distance 0');
  // the transposed training rows are made once and reused by the later calls above
  assert.equal(isTransposed(training), true);
});
