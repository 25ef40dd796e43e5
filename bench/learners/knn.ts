/**
 * kNN's neighbour search on a table's features as the app builds them — Titanic with only PassengerId
 * left out, so names, tickets and cabins become one-hot and word columns (1,700+ features, about 20
 * non-zero per row) — Kiln's dense and sparse distance kernels beside scikit-learn's brute-force
 * NearestNeighbors, on the same float64 arrays, in one run:
 *
 *   node --import tsx bench/learners/knn.ts [--repeats 5] [--skip-peer]
 *
 * Queries: the 179 held-out rows (a prediction), and the 712 training rows (what the report's
 * permutation importance and robustness checks ask again and again). The sparse kernel is timed on a
 * model's first prediction (it transposes the training rows) and on later ones (the transpose is kept).
 * k = 5, one thread on both sides.
 * Raw results: bench/out/knn.json.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Matrix } from '../../src/core/matrix.js';
import { inferSchema } from '../../src/data/infer-schema.js';
import { readTable } from '../../src/data/sources/read-table.js';
import { TabularPreprocessor } from '../../src/features/tabular-preprocessor.js';
import { rowSquaredNorms } from '../../src/learners/kmeans/squared-distances.js';
import { nearestNeighbours, type DistanceKernel } from '../../src/learners/knn/nearest-neighbours.js';
import { density } from '../../src/learners/knn/sparse-queries.js';
import { validateSpec } from '../../src/modules/spec.js';
import { encodeTarget, planColumns } from '../../src/modules/tabular/plan-columns.js';
import { holdoutSplit } from '../../src/modules/tabular/split-rows.js';

const { values } = parseArgs({ options: { repeats: { type: 'string', default: '5' }, 'skip-peer': { type: 'boolean', default: false } } });
const repeats = Number(values.repeats);
const K = 5;
const out = '/tmp/kiln-bench/knn';
mkdirSync(out, { recursive: true });

const data = join(import.meta.dirname, '..', '..', 'examples', 'titanic', 'titanic.csv');
const spec = validateSpec({ name: 'titanic', data, target: 'Survived', drop: ['PassengerId'] }, null, '/').spec;
const table = await readTable(data);
const target = encodeTarget(table.frame, spec);
const { features } = planColumns(inferSchema(table.frame, table.sourceTypes), spec);
const split = holdoutSplit(table.frame, target, spec);
const frame = table.frame.select(features.map((f) => f.name));
const preprocessor = TabularPreprocessor.fit(frame.take(split.train), features, { seed: 42 });
const Xtrain = preprocessor.transform(frame.take(split.train));
const Xtest = preprocessor.transform(frame.take(split.test));
writeFileSync(join(out, 'Xtrain.f64'), new Uint8Array(Xtrain.data.buffer));
writeFileSync(join(out, 'Xtest.f64'), new Uint8Array(Xtest.data.buffer));
writeFileSync(join(out, 'shape.json'), JSON.stringify({ train: Xtrain.rows, test: Xtest.rows, cols: Xtrain.cols }));

const norms = rowSquaredNorms(Xtrain.data, Xtrain.rows, Xtrain.cols);
/**
 * Median seconds of `repeats` searches. `cold`: each on a fresh copy of the training rows, so the sparse
 * kernel transposes them every time (a model's first prediction); otherwise the transpose is made once
 * and reused (every later prediction of the same model).
 */
function time(queries: Matrix, kernel: DistanceKernel, cold = false): number {
  const seconds: number[] = [];
  for (let r = 0; r < repeats; r++) {
    const training = cold ? { ...Xtrain, data: Xtrain.data.slice() } : Xtrain;
    const t0 = performance.now();
    nearestNeighbours(queries, training, norms, K, kernel);
    seconds.push((performance.now() - t0) / 1000);
  }
  return seconds.sort((a, b) => a - b)[Math.floor(seconds.length / 2)] as number;
}
const dense = nearestNeighbours(Xtest, Xtrain, norms, K, 'dense');
if (!dense.indices.every((v, i) => v === nearestNeighbours(Xtest, Xtrain, norms, K, 'sparse').indices[i])) throw new Error('the two kernels disagree');
// the peer compares its neighbours with these
writeFileSync(join(out, 'neighbours.i32'), new Uint8Array(dense.indices.buffer));

const kiln = {
  features: Xtrain.cols,
  nonzero_per_row: Math.round(density(Xtrain) * Xtrain.cols),
  test_dense_s: time(Xtest, 'dense'),
  test_sparse_first_s: time(Xtest, 'sparse', true),
  test_sparse_s: time(Xtest, 'sparse'),
  train_dense_s: time(Xtrain, 'dense'),
  train_sparse_first_s: time(Xtrain, 'sparse', true),
  train_sparse_s: time(Xtrain, 'sparse'),
};
const peer = values['skip-peer']
  ? undefined
  : (JSON.parse(execFileSync('/usr/bin/python3', [join(import.meta.dirname, 'knn-peer.py'), out, String(K), String(repeats)], { encoding: 'utf8' })) as { test_s: number; train_s: number; agree: number });
mkdirSync(join(import.meta.dirname, '..', 'out'), { recursive: true });
writeFileSync(join(import.meta.dirname, '..', 'out', 'knn.json'), JSON.stringify({ kiln, peer }, null, 2));

const f = (s: number) => `${(s * 1000).toFixed(1)} ms`;
console.log(`${Xtrain.rows} training rows × ${kiln.features} features, about ${kiln.nonzero_per_row} non-zero per row; k = ${K}, median of ${repeats}\n`);
console.log('| queries | Kiln dense kernel | Kiln sparse, first call | Kiln sparse, later calls | scikit-learn brute force | sparse later ÷ dense | Kiln first ÷ scikit-learn | Kiln later ÷ scikit-learn |');
console.log('|---|---:|---:|---:|---:|---:|---:|---:|');
for (const [name, dense, first, later, sk] of [
  [`${Xtest.rows} held-out rows`, kiln.test_dense_s, kiln.test_sparse_first_s, kiln.test_sparse_s, peer?.test_s],
  [`${Xtrain.rows} training rows`, kiln.train_dense_s, kiln.train_sparse_first_s, kiln.train_sparse_s, peer?.train_s],
] as const) {
  const ratio = (v: number) => (sk === undefined ? '—' : (v / sk).toFixed(2));
  console.log(`| ${name} | ${f(dense)} | ${f(first)} | ${f(later)} | ${sk === undefined ? '—' : f(sk)} | ${(later / dense).toFixed(3)} | ${ratio(first)} | ${ratio(later)} |`);
}
if (peer !== undefined) console.log(`\nthe same ${K} neighbours as scikit-learn's for ${(100 * peer.agree).toFixed(1)}% of the held-out rows (the others: rows tied at the ${K}-th distance, which either side may take)`);
