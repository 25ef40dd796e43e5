/**
 * Histogram gradient boosting against scikit-learn's HistGradientBoostingClassifier, side by side in
 * one run (issue 4's speed target: fit time ≤ 1.5× scikit-learn's, test AUC ≥ its AUC − 0.002, peak
 * memory no higher):
 *
 *   /usr/bin/python3 ../shared/bench/make_data.py /tmp/kiln-bench        # once: synth_clf.csv, 1M × 28
 *   node --import tsx bench/learners/gbdt.ts [--data /tmp/kiln-bench/synth_clf.csv] [--repeats 2] [--skip-peer]
 *
 * Both sides: 100 trees, 31 leaves, learning rate 0.1, 255 bins, min 20 rows per leaf, no L2, early
 * stopping off, one thread (Kiln's boosting is single-threaded), on the same seeded stratified 80/20
 * split (scikit-learn's train_test_split, random_state 42, as ../shared/bench/peers.py does), written
 * once as float64 arrays by a small /usr/bin/python3 step (cached in /tmp/kiln-bench/gbdt/).
 *   - the peer is bench/learners/gbdt-peer.py (peers.py's HistGradientBoostingClassifier settings),
 *   - Kiln is this script with --kiln-only;
 * each in its own process that reads the arrays, fits and predicts, under /usr/bin/time -v for peak
 * memory. The two alternate, `--repeats` times each. Fit CPU seconds are each process's own user +
 * system time around the fit (process.cpuUsage, time.process_time): steadier than wall time on a
 * shared machine. Raw results go to bench/out/gbdt.json; a ratio table (best of the repeats) is printed.
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
    repeats: { type: 'string', default: '2' },
    'skip-peer': { type: 'boolean', default: false },
    'kiln-only': { type: 'boolean', default: false },
  },
});
const data = values.data;
const arrays = join('/tmp/kiln-bench/gbdt', basename(data, '.csv'));
const params = { maxIter: 100, numLeaves: 31, learningRate: 0.1, maxBins: 255, minSamplesLeaf: 20, earlyStopping: false };

interface RunResult {
  readonly fit_s: number;
  readonly fit_cpu_s: number;
  readonly auc: number;
  readonly trees: number;
  readonly peak_mb: number;
  readonly process_cpu_s: number;
}

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

/** Runs one side under /usr/bin/time -v; its last stdout line is its JSON result. */
function timed(command: string, args: readonly string[]): RunResult {
  const run = spawnSync('/usr/bin/time', ['-v', command, ...args], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`${command} ${args.join(' ')} failed: ${run.stderr}`);
  const out = JSON.parse(run.stdout.trim().split('\n').at(-1) as string) as Omit<RunResult, 'peak_mb' | 'process_cpu_s'>;
  return { ...out, ...timeStats(run.stderr) };
}

async function main(): Promise<void> {
  ensureSplitArrays(data, values.target, arrays);
  const repeats = Number(values.repeats);
  const kiln: RunResult[] = [];
  const peer: RunResult[] = [];
  for (let r = 0; r < repeats; r++) {
    if (!values['skip-peer']) {
      console.error(`scikit-learn HistGradientBoostingClassifier, 1 thread (run ${r + 1}/${repeats}) …`);
      peer.push(timed('/usr/bin/python3', ['bench/learners/gbdt-peer.py', arrays, '1']));
      console.error(`  ${JSON.stringify(peer.at(-1))}`);
    }
    console.error(`Kiln gradient-boosting, 1 thread (run ${r + 1}/${repeats}) …`);
    kiln.push(timed(process.execPath, ['--import', 'tsx', 'bench/learners/gbdt.ts', '--kiln-only', '--data', data, '--target', values.target]));
    console.error(`  ${JSON.stringify(kiln.at(-1))}`);
  }

  mkdirSync('bench/out', { recursive: true });
  writeFileSync('bench/out/gbdt.json', JSON.stringify({ data, params, kiln, peer, at: new Date().toISOString() }, null, 2));
  const best = (runs: RunResult[], key: keyof RunResult): number | undefined => (runs.length === 0 ? undefined : Math.min(...runs.map((x) => x[key])));
  const row = (what: string, key: keyof RunResult, digits: number, compare: 'ratio' | 'difference'): string => {
    const k = best(kiln, key) as number;
    const p = best(peer, key);
    const vs = p === undefined ? '—' : compare === 'ratio' ? `${(k / p).toFixed(2)}×` : (k - p).toFixed(4);
    return `| ${what} | ${k.toFixed(digits)} | ${p === undefined ? '—' : p.toFixed(digits)} | ${vs} |`;
  };
  console.log(`| synth_clf, 100 trees / 31 leaves / lr 0.1 / 255 bins, 1 thread, best of ${repeats} | Kiln | scikit-learn HGB | Kiln vs peer |`);
  console.log('|---|---|---|---|');
  console.log(row('fit, CPU s', 'fit_cpu_s', 2, 'ratio'));
  console.log(row('fit, wall s', 'fit_s', 2, 'ratio'));
  console.log(row('test AUC', 'auc', 4, 'difference'));
  console.log(row('peak memory (MB)', 'peak_mb', 0, 'ratio'));
}

if (values['kiln-only']) await kilnOnly();
else await main();
