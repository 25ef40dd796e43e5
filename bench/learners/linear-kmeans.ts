/**
 * Logistic regression and k-means against scikit-learn, side by side in one run:
 *
 *   /usr/bin/python3 ../shared/bench/make_data.py /tmp/kiln-bench        # once: synth_clf.csv, 1M × 28
 *   node --import tsx bench/learners/linear-kmeans.ts [--data /tmp/kiln-bench/synth_clf.csv] [--n-init 3] [--skip-peer]
 *
 * The Python side (bench/learners/linear-kmeans.py, run with /usr/bin/python3) makes the seeded,
 * stratified 80/20 split, standardises with the training part's statistics, writes the exact float64
 * arrays, and times scikit-learn on them; this script then times Kiln on the same arrays:
 *   - logistic regression (L2, C = 1) at scikit-learn's lbfgs tolerance 1e-4: fit time, test log loss;
 *   - k-means, k = 8, the same n_init on both sides: fit time, training inertia.
 * Results go to bench/out/linear-kmeans.json; a ratio table is printed. Single-threaded on both sides.
 * The machine is shared, so timings are noisy: rerun before trusting a ratio.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createMatrix, type Matrix } from '../../src/core/matrix.js';
import { kmeans } from '../../src/learners/kmeans/kmeans.js';
import { logisticRegression } from '../../src/learners/linear/logistic-regression.js';

const { values } = parseArgs({
  options: {
    data: { type: 'string', default: '/tmp/kiln-bench/synth_clf.csv' },
    'n-init': { type: 'string', default: '3' },
    'skip-peer': { type: 'boolean', default: false },
    only: { type: 'string' },
  },
});
const nInit = Number(values['n-init']);
const arrays = '/tmp/kiln-bench/linear-kmeans';
const runs = values.only === undefined ? ['logreg', 'kmeans'] : values.only.split(',');

interface Peer {
  logreg_fit_s: number;
  logreg_cpu_s: number;
  kmeans_cpu_s: number;
  logreg_test_logloss: number;
  logreg_iterations: number;
  kmeans_fit_s: number;
  kmeans_inertia: number;
  kmeans_iterations: number;
}

let peer: Peer | undefined;
if (!values['skip-peer']) {
  console.error(`scikit-learn on ${values.data} (n_init ${nInit}) …`);
  const out = execFileSync('/usr/bin/python3', ['bench/learners/linear-kmeans.py', values.data, arrays, '1', String(nInit)], { encoding: 'utf8' });
  peer = JSON.parse(out.trim().split('\n').at(-1)!) as Peer;
}

const shape = JSON.parse(readFileSync(join(arrays, 'shape.json'), 'utf8')) as { train: number; test: number; cols: number };
const read = (name: string): Float64Array => {
  const buf = readFileSync(join(arrays, `${name}.f64`));
  return new Float64Array(buf.buffer, buf.byteOffset, buf.byteLength / 8).slice();
};
const Xtrain: Matrix = createMatrix(shape.train, shape.cols, read('Xtrain'));
const ytrain = Int32Array.from(read('ytrain'));
const Xtest: Matrix = createMatrix(shape.test, shape.cols, read('Xtest'));
const ytest = Int32Array.from(read('ytest'));

function logLoss(y: Int32Array, p1: (i: number) => number): number {
  let sum = 0;
  for (let i = 0; i < y.length; i++) {
    const p = Math.min(Math.max(p1(i), 1e-15), 1 - 1e-15);
    sum -= y[i] === 1 ? Math.log(p) : Math.log(1 - p);
  }
  return sum / y.length;
}

/** User + system CPU time: steadier than wall time on a shared machine. */
const cpuSeconds = (usage: NodeJS.CpuUsage): number => (usage.user + usage.system) / 1e6;

const kiln: Record<string, number> = {};
if (runs.includes('logreg')) {
  let iterations = 0;
  const t = performance.now();
  const cpu = process.cpuUsage();
  const model = await logisticRegression.fit(Xtrain, ytrain, 2, { tol: 1e-4, maxIter: 2000 }, { onProgress: (p) => (iterations = p.iteration) });
  kiln['logreg_fit_s'] = (performance.now() - t) / 1000;
  kiln['logreg_cpu_s'] = cpuSeconds(process.cpuUsage(cpu));
  const proba = model.predictProba(Xtest);
  kiln['logreg_test_logloss'] = logLoss(ytest, (i) => proba.data[2 * i + 1]!);
  kiln['logreg_iterations'] = iterations;
  console.error(`kiln logistic regression: ${kiln['logreg_fit_s'].toFixed(2)} s, ${iterations} iterations, test log loss ${kiln['logreg_test_logloss'].toFixed(5)}`);
}
if (runs.includes('kmeans')) {
  const t = performance.now();
  const cpu = process.cpuUsage();
  const model = await kmeans.fit(Xtrain, { nClusters: 8, nInit }, { seed: 0 });
  kiln['kmeans_fit_s'] = (performance.now() - t) / 1000;
  kiln['kmeans_cpu_s'] = cpuSeconds(process.cpuUsage(cpu));
  kiln['kmeans_inertia'] = model.trainingInertia;
  console.error(`kiln k-means: ${kiln['kmeans_fit_s'].toFixed(2)} s, inertia ${model.trainingInertia.toFixed(1)}`);
}

mkdirSync('bench/out', { recursive: true });
writeFileSync('bench/out/linear-kmeans.json', `${JSON.stringify({ data: values.data, nInit, kiln, peer }, null, 2)}\n`);

if (peer !== undefined) {
  const rows: string[][] = [['task', 'kiln', 'scikit-learn', 'ratio', 'target']];
  if (kiln['logreg_fit_s'] !== undefined) {
    rows.push(['logistic regression fit, wall s', kiln['logreg_fit_s'].toFixed(2), peer.logreg_fit_s.toFixed(2), (kiln['logreg_fit_s'] / peer.logreg_fit_s).toFixed(2), '≤ 1.5']);
    rows.push(['logistic regression fit, CPU s', kiln['logreg_cpu_s']!.toFixed(2), peer.logreg_cpu_s.toFixed(2), (kiln['logreg_cpu_s']! / peer.logreg_cpu_s).toFixed(2), '≤ 1.5']);
    rows.push(['  L-BFGS iterations', String(kiln['logreg_iterations']), String(peer.logreg_iterations), '', '']);
    rows.push(['  test log loss', kiln['logreg_test_logloss']!.toFixed(5), peer.logreg_test_logloss.toFixed(5), `Δ ${(kiln['logreg_test_logloss']! - peer.logreg_test_logloss).toFixed(5)}`, '±0.001']);
  }
  if (kiln['kmeans_fit_s'] !== undefined) {
    rows.push([`k-means k=8, n_init ${nInit} fit, wall s`, kiln['kmeans_fit_s'].toFixed(2), peer.kmeans_fit_s.toFixed(2), (kiln['kmeans_fit_s'] / peer.kmeans_fit_s).toFixed(2), '≤ 2']);
    rows.push([`k-means k=8, n_init ${nInit} fit, CPU s`, kiln['kmeans_cpu_s']!.toFixed(2), peer.kmeans_cpu_s.toFixed(2), (kiln['kmeans_cpu_s']! / peer.kmeans_cpu_s).toFixed(2), '≤ 2']);
    rows.push(['  inertia', kiln['kmeans_inertia']!.toFixed(0), peer.kmeans_inertia.toFixed(0), (kiln['kmeans_inertia']! / peer.kmeans_inertia).toFixed(4), 'within 1%']);
  }
  console.log(rows.map((r) => `| ${r.join(' | ')} |`).join('\n'));
}
