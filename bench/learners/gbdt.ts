/**
 * Histogram gradient boosting against scikit-learn's HistGradientBoostingClassifier, side by side in
 * one run (issue 4's speed target: fit time ≤ 1.5× scikit-learn's, test AUC ≥ its AUC − 0.002, peak
 * memory no higher):
 *
 *   /usr/bin/python3 ../shared/bench/make_data.py /tmp/kiln-bench        # once: synth_clf.csv, 1M × 28
 *   node --import tsx bench/learners/gbdt.ts [--data /tmp/kiln-bench/synth_clf.csv] [--skip-peer]
 *
 * Both sides: 100 trees, 31 leaves, learning rate 0.1, 255 bins, min 20 rows per leaf, no L2, early
 * stopping off, one thread, the same seeded stratified 80/20 split (scikit-learn's train_test_split,
 * random_state 42, as ../shared/bench/peers.py does).
 *   - the peer is ../shared/bench/peers.py DATA label hgb 1, under /usr/bin/time -v (peak RSS);
 *   - Kiln runs in its own child process (this script with --kiln-only), also under /usr/bin/time -v,
 *     on float64 arrays of the same split written once by a small /usr/bin/python3 step (cached in
 *     /tmp/kiln-bench/gbdt/). Its fit time excludes reading those arrays, as the peer's excludes
 *     pandas' CSV read; the peer's includes its (cheap) median-imputation pipeline step.
 * Raw results go to bench/out/gbdt.json; a ratio table is printed. The machine is shared (2 cores,
 * several engineers), so wall times are noisy: rerun before trusting a ratio. Each side's whole-process
 * CPU time (user + sys, from /usr/bin/time) is printed too; it is steadier under load, but the peer's
 * includes pandas reading the 250 MB CSV and its predictions, Kiln's reading the binary arrays.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { parseArgs } from 'node:util';
import { rocAuc } from '../../src/evaluate/metrics/classification.js';
import { gradientBoosting } from '../../src/learners/gbdt/gradient-boosting.js';
import { ensureSplitArrays, readSplitArrays, timeStats } from './split-arrays.js';

const { values } = parseArgs({
  options: {
    data: { type: 'string', default: '/tmp/kiln-bench/synth_clf.csv' },
    target: { type: 'string', default: 'label' },
    'skip-peer': { type: 'boolean', default: false },
    'kiln-only': { type: 'boolean', default: false },
  },
});
const data = values.data;
const arrays = join('/tmp/kiln-bench/gbdt', basename(data, '.csv'));
const params = { maxIter: 100, numLeaves: 31, learningRate: 0.1, maxBins: 255, minSamplesLeaf: 20, earlyStopping: false };

async function kilnOnly(): Promise<void> {
  const { Xtrain, ytrain, Xtest, ytest } = readSplitArrays(arrays);
  const t = performance.now();
  const cpu = process.cpuUsage();
  const model = await gradientBoosting.fit(Xtrain, ytrain, 2, params, { seed: 42 });
  const fitS = (performance.now() - t) / 1000;
  const used = process.cpuUsage(cpu);
  const auc = rocAuc(ytest, model.predictProba(Xtest));
  console.log(JSON.stringify({ fit_s: fitS, fit_cpu_s: (used.user + used.system) / 1e6, auc, trees: model.ensemble().trees.length }));
}

async function main(): Promise<void> {
  ensureSplitArrays(data, values.target, arrays);
  let peer: { fit_s: number; auc: number; peak_mb: number; process_cpu_s: number } | undefined;
  if (!values['skip-peer']) {
    console.error('scikit-learn HistGradientBoostingClassifier, 1 thread …');
    const run = spawnSync('/usr/bin/time', ['-v', '/usr/bin/python3', '../shared/bench/peers.py', data, values.target, 'hgb', '1'], { encoding: 'utf8' });
    if (run.status !== 0) throw new Error(`peers.py failed: ${run.stderr}`);
    const out = JSON.parse(run.stdout.trim().split('\n').at(-1) as string) as { fit_s: number; auc: number };
    peer = { fit_s: out.fit_s, auc: out.auc, ...timeStats(run.stderr) };
    console.error(`  ${JSON.stringify(peer)}`);
  }
  console.error('Kiln gradient-boosting, 1 thread …');
  const run = spawnSync('/usr/bin/time', ['-v', process.execPath, '--import', 'tsx', 'bench/learners/gbdt.ts', '--kiln-only', '--data', data, '--target', values.target], {
    encoding: 'utf8',
  });
  if (run.status !== 0) throw new Error(`the Kiln run failed: ${run.stderr}`);
  const out = JSON.parse(run.stdout.trim().split('\n').at(-1) as string) as { fit_s: number; fit_cpu_s: number; auc: number; trees: number };
  const kiln = { ...out, ...timeStats(run.stderr) };
  console.error(`  ${JSON.stringify(kiln)}`);

  mkdirSync('bench/out', { recursive: true });
  writeFileSync('bench/out/gbdt.json', JSON.stringify({ data, params, kiln, peer, at: new Date().toISOString() }, null, 2));
  const row = (what: string, k: number, p: number | undefined, ratio: string, digits: number): string =>
    `| ${what} | ${k.toFixed(digits)} | ${p === undefined ? '—' : p.toFixed(digits)} | ${p === undefined ? '—' : ratio} |`;
  console.log('| synth_clf, 100 trees / 31 leaves / lr 0.1 / 255 bins, 1 thread | Kiln | scikit-learn HGB | Kiln vs peer |');
  console.log('|---|---|---|---|');
  console.log(row('fit time (s)', kiln.fit_s, peer?.fit_s, `${(kiln.fit_s / (peer?.fit_s ?? 1)).toFixed(2)}×`, 2));
  console.log(row('whole process, CPU s (user + sys)', kiln.process_cpu_s, peer?.process_cpu_s, `${(kiln.process_cpu_s / (peer?.process_cpu_s ?? 1)).toFixed(2)}×`, 1));
  console.log(row('test AUC', kiln.auc, peer?.auc, `${(kiln.auc - (peer?.auc ?? 0)).toFixed(4)}`, 4));
  console.log(row('peak memory (MB)', kiln.peak_mb, peer?.peak_mb, `${(kiln.peak_mb / (peer?.peak_mb ?? 1)).toFixed(2)}×`, 0));
}

if (values['kiln-only']) await kilnOnly();
else await main();
