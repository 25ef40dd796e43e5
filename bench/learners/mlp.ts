/**
 * The MLP classifier against scikit-learn's MLPClassifier, side by side in one run:
 *
 *   /usr/bin/python3 ../shared/bench/make_data.py /tmp/kiln-bench        # once: synth_clf.csv
 *   node --import tsx bench/learners/mlp.ts [--data /tmp/kiln-bench/synth_clf.csv] [--rows 100000]
 *        [--epochs 10] [--hidden 64,32] [--repeats 2]
 *
 * bench/learners/mlp.py (Debian's /usr/bin/python3) takes the first --rows rows, makes the seeded,
 * stratified 80/20 split, standardises, writes the float64 arrays and times scikit-learn; this script
 * then times Kiln on the same arrays with the same architecture and settings (relu, Adam lr 1e-3,
 * alpha 1e-4, batch 200, exactly --epochs epochs), single-threaded on both sides, seeds 0…repeats-1.
 * Kiln's one-off TensorFlow.js load is timed apart (a process pays it once, like Python's imports).
 *
 * Both wall and CPU seconds are recorded: the machine is shared, and CPU time is the steadier measure
 * when other jobs compete for the two cores. Results go to bench/out/mlp.json; a ratio table is printed.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createMatrix } from '../../src/core/matrix.js';
import { mlpClassifier } from '../../src/learners/mlp/mlp-classifier.js';
import { loadTfjs } from '../../src/learners/mlp/tfjs-runtime.js';

const { values } = parseArgs({
  options: {
    data: { type: 'string', default: '/tmp/kiln-bench/synth_clf.csv' },
    rows: { type: 'string', default: '100000' },
    epochs: { type: 'string', default: '10' },
    hidden: { type: 'string', default: '64,32' },
    repeats: { type: 'string', default: '2' },
  },
});
const epochs = Number(values.epochs);
const repeats = Number(values.repeats);
const hidden = values.hidden.split(',').map(Number);
const arrays = '/tmp/kiln-bench/mlp';

interface Fit {
  readonly seed: number;
  readonly wall_s: number;
  readonly cpu_s: number;
  readonly epochs: number;
  readonly accuracy: number;
}

console.error(`scikit-learn MLPClassifier ${values.hidden}, ${epochs} epochs, on the first ${values.rows} rows of ${values.data} …`);
const peerOut = execFileSync('/usr/bin/python3', ['bench/learners/mlp.py', values.data, values.rows, arrays, '1', String(epochs), values.hidden, String(repeats)], {
  encoding: 'utf8',
});
const peer = JSON.parse(peerOut.trim().split('\n').at(-1)!) as { n_train: number; n_test: number; fits: Fit[] };

const shape = JSON.parse(readFileSync(join(arrays, 'shape.json'), 'utf8')) as { train: number; test: number; cols: number };
const read = (name: string): Float64Array => {
  const buf = readFileSync(join(arrays, `${name}.f64`));
  return new Float64Array(buf.buffer, buf.byteOffset, buf.byteLength / 8).slice();
};
const Xtrain = createMatrix(shape.train, shape.cols, read('Xtrain'));
const ytrain = Int32Array.from(read('ytrain'));
const Xtest = createMatrix(shape.test, shape.cols, read('Xtest'));
const ytest = Int32Array.from(read('ytest'));

let t = performance.now();
const runtime = await loadTfjs(1);
const loadSeconds = (performance.now() - t) / 1000;
console.error(`TensorFlow.js wasm backend loaded in ${loadSeconds.toFixed(2)} s (${runtime.threads} thread)`);

const kiln: Fit[] = [];
for (let seed = 0; seed < repeats; seed++) {
  let ran = 0;
  t = performance.now();
  const cpu = process.cpuUsage();
  const model = await mlpClassifier.fit(
    Xtrain,
    ytrain,
    2,
    { hiddenLayerSizes: hidden, alpha: 1e-4, batchSize: 200, learningRate: 1e-3, maxIter: epochs, tol: 0, nIterNoChange: epochs, threads: 1 },
    { seed, onProgress: (p) => (ran = p.iteration) },
  );
  const wall = (performance.now() - t) / 1000;
  const used = process.cpuUsage(cpu);
  const proba = model.predictProba(Xtest);
  let correct = 0;
  for (let i = 0; i < ytest.length; i++) correct += (proba.data[2 * i + 1]! > 0.5 ? 1 : 0) === ytest[i] ? 1 : 0;
  kiln.push({ seed, wall_s: wall, cpu_s: (used.user + used.system) / 1e6, epochs: ran, accuracy: correct / ytest.length });
  console.error(`kiln seed ${seed}: ${wall.toFixed(2)} s wall, ${kiln.at(-1)!.cpu_s.toFixed(2)} s CPU, accuracy ${kiln.at(-1)!.accuracy.toFixed(4)}`);
}

mkdirSync('bench/out', { recursive: true });
writeFileSync('bench/out/mlp.json', `${JSON.stringify({ data: values.data, rows: values.rows, epochs, hidden, loadSeconds, kiln, peer }, null, 2)}\n`);

const best = (fits: readonly Fit[], key: 'wall_s' | 'cpu_s'): number => Math.min(...fits.map((f) => f[key]));
const meanAccuracy = (fits: readonly Fit[]): number => fits.reduce((s, f) => s + f.accuracy, 0) / fits.length;
const rows: string[][] = [
  ['measure', 'kiln', 'scikit-learn', 'ratio', 'target'],
  [`fit, wall s (best of ${repeats})`, best(kiln, 'wall_s').toFixed(2), best(peer.fits, 'wall_s').toFixed(2), (best(kiln, 'wall_s') / best(peer.fits, 'wall_s')).toFixed(2), '≤ 2'],
  [`fit, CPU s (best of ${repeats})`, best(kiln, 'cpu_s').toFixed(2), best(peer.fits, 'cpu_s').toFixed(2), (best(kiln, 'cpu_s') / best(peer.fits, 'cpu_s')).toFixed(2), '≤ 2'],
  ['test accuracy (mean over seeds)', meanAccuracy(kiln).toFixed(4), meanAccuracy(peer.fits).toFixed(4), `Δ ${(100 * (meanAccuracy(kiln) - meanAccuracy(peer.fits))).toFixed(2)} pt`, '±1 pt'],
];
console.log(`MLP (${values.hidden}), ${epochs} epochs, ${shape.train} training rows, 1 thread; tfjs load ${loadSeconds.toFixed(2)} s not counted`);
console.log(rows.map((r) => `| ${r.join(' | ')} |`).join('\n'));
