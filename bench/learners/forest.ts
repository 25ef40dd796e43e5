/**
 * Random forest against scikit-learn's RandomForestClassifier, side by side in one run (issue 4's speed
 * target: fit time ≤ 1/10 of scikit-learn's, test accuracy no more than 0.5 point lower):
 *
 *   /usr/bin/python3 ../shared/bench/make_data.py /tmp/kiln-bench        # once: synth_clf.csv, 1M × 28
 *   node --import tsx bench/learners/forest.ts [--rows N] [--threads 1,2] [--trees 100]
 *        [--data /tmp/kiln-bench/synth_clf.csv] [--skip-peer] [--peer-json FILE]
 *
 * `--trees 4 --skip-peer --threads 1` measures Kiln's CPU seconds per tree on all 800k training rows in
 * a minute (`cpu_s_per_tree`; the one-time binning, ~2 s, is included, so more trees lower it slightly).
 *
 * Both sides: 100 trees, scikit-learn's defaults (max_features 'sqrt', bootstrap, fully grown trees),
 * the same seeded stratified 80/20 split (train_test_split, random_state 42, as ../shared/bench/peers.py).
 *   - `--rows N` takes the first N rows of the data (written once to /tmp/kiln-bench/forest/), so the two
 *     can be compared on a subsample in one run: the full peer run takes ~14 minutes single-threaded.
 *   - the peer is ../shared/bench/peers.py DATA label rf THREADS under /usr/bin/time -v (peak RSS);
 *     `--peer-json FILE` reuses an earlier peers.py output line instead of running it again.
 *   - Kiln runs in its own child process per thread count (this script with --kiln-only), under
 *     /usr/bin/time -v, on float64 arrays of the same split written once by a small /usr/bin/python3 step.
 *     Its fit time excludes reading those arrays, as the peer's excludes pandas' CSV read.
 * Raw results go to bench/out/forest.json; a ratio table is printed. The machine is shared (2 cores,
 * several engineers), so timings are noisy: the CPU seconds of the fit are printed beside the wall time.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { createReadStream, createWriteStream, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { accuracy, argmaxRows, rocAuc } from '../../src/evaluate/metrics/classification.js';
import { randomForest } from '../../src/learners/forest/forest.js';
import { ensureSplitArrays, readSplitArrays, timeStats } from './split-arrays.js';

const { values } = parseArgs({
  options: {
    data: { type: 'string', default: '/tmp/kiln-bench/synth_clf.csv' },
    target: { type: 'string', default: 'label' },
    rows: { type: 'string', default: '0' },
    trees: { type: 'string', default: '100' },
    threads: { type: 'string', default: '1,2' },
    'skip-peer': { type: 'boolean', default: false },
    'peer-json': { type: 'string' },
    'kiln-only': { type: 'boolean', default: false },
    arrays: { type: 'string' },
  },
});
const trees = Number(values.trees);
const threadCounts = values.threads.split(',').map(Number);

async function kilnOnly(): Promise<void> {
  const dir = values.arrays as string;
  const { Xtrain, ytrain, Xtest, ytest } = readSplitArrays(dir);
  const threads = threadCounts[0] as number;
  const cpu0 = process.cpuUsage();
  const t = performance.now();
  const model = await randomForest.fit(Xtrain, ytrain, 2, { nEstimators: trees, threads }, { seed: 42 });
  const fitS = (performance.now() - t) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const proba = model.predictProba(Xtest);
  const nodes = model.trees.reduce((s, tr) => s + tr.nodeCount, 0);
  // process.cpuUsage covers the whole process, worker threads included: the fit's total CPU time.
  const fitCpuS = (cpu.user + cpu.system) / 1e6;
  console.log(
    JSON.stringify({ threads, fit_s: fitS, fit_cpu_s: fitCpuS, cpu_s_per_tree: fitCpuS / trees, accuracy: accuracy(ytest, argmaxRows(proba)), auc: rocAuc(ytest, proba), nodes_per_tree: nodes / trees }),
  );
}

/** The first `rows` data rows of `csv` (with its header), written once. */
async function headOf(csv: string, rows: number): Promise<string> {
  const out = join('/tmp/kiln-bench/forest', `${basename(csv, '.csv')}-${rows}.csv`);
  if (existsSync(out)) return out;
  mkdirSync('/tmp/kiln-bench/forest', { recursive: true });
  const writer = createWriteStream(`${out}.part`);
  const lines = createInterface({ input: createReadStream(csv), crlfDelay: Infinity });
  let n = -1;
  for await (const line of lines) {
    writer.write(`${line}\n`);
    if (++n >= rows) break;
  }
  lines.close();
  await new Promise<void>((resolve, reject) => writer.end((err?: Error | null) => (err ? reject(err) : resolve())));
  execFileSync('mv', [`${out}.part`, out]);
  return out;
}

interface PeerResult {
  threads: number;
  fit_s: number;
  accuracy: number;
  auc: number;
  peak_mb?: number;
  process_cpu_s?: number;
}

async function main(): Promise<void> {
  const rows = Number(values.rows);
  const data = rows > 0 ? await headOf(values.data, rows) : values.data;
  const arrays = join('/tmp/kiln-bench/forest', basename(data, '.csv'));
  ensureSplitArrays(data, values.target, arrays);
  const peers: PeerResult[] = [];
  if (values['peer-json'] !== undefined) {
    const out = JSON.parse(readFileSync(values['peer-json'], 'utf8').trim().split('\n').at(-1) as string) as PeerResult;
    peers.push(out);
  } else if (!values['skip-peer']) {
    for (const threads of threadCounts) {
      console.error(`scikit-learn RandomForestClassifier, ${threads} thread(s) …`);
      const run = spawnSync('/usr/bin/time', ['-v', '/usr/bin/python3', '../shared/bench/peers.py', data, values.target, 'rf', String(threads)], { encoding: 'utf8' });
      if (run.status !== 0) throw new Error(`peers.py failed: ${run.stderr}`);
      const out = JSON.parse(run.stdout.trim().split('\n').at(-1) as string) as PeerResult;
      peers.push({ ...out, ...timeStats(run.stderr) });
      console.error(`  ${JSON.stringify(peers.at(-1))}`);
    }
  }
  const kiln: (PeerResult & { fit_cpu_s: number; cpu_s_per_tree: number; nodes_per_tree: number })[] = [];
  for (const threads of threadCounts) {
    console.error(`Kiln random-forest, ${threads} thread(s) …`);
    const run = spawnSync(
      '/usr/bin/time',
      ['-v', process.execPath, '--import', 'tsx', 'bench/learners/forest.ts', '--kiln-only', '--arrays', arrays, '--threads', String(threads), '--trees', String(trees)],
      { encoding: 'utf8' },
    );
    if (run.status !== 0) throw new Error(`the Kiln run failed: ${run.stderr}`);
    const out = JSON.parse(run.stdout.trim().split('\n').at(-1) as string) as PeerResult & { fit_cpu_s: number; cpu_s_per_tree: number; nodes_per_tree: number };
    kiln.push({ ...out, ...timeStats(run.stderr) });
    console.error(`  ${JSON.stringify(kiln.at(-1))}`);
  }

  mkdirSync('bench/out', { recursive: true });
  writeFileSync('bench/out/forest.json', JSON.stringify({ data, rows: rows || 'all', trees, kiln, peers, at: new Date().toISOString() }, null, 2));
  const peerFor = (threads: number): PeerResult | undefined => peers.find((p) => p.threads === threads) ?? peers.find((p) => p.threads === 1);
  console.log(`| ${basename(data)}, ${trees} trees | Kiln fit s (CPU s) | Kiln CPU s per tree | scikit-learn fit s | time ratio | Kiln acc | sklearn acc | Δ acc (pt) | Kiln / sklearn peak MB |`);
  console.log('|---|---|---|---|---|---|---|---|---|');
  for (const k of kiln) {
    const p = peerFor(k.threads);
    const ratio = p === undefined ? '—' : `${(k.fit_s / p.fit_s).toFixed(3)} (vs ${p.threads} thr)`;
    const dAcc = p === undefined ? '—' : (100 * (k.accuracy - p.accuracy)).toFixed(2);
    const mem = `${k.peak_mb?.toFixed(0) ?? '—'} / ${p?.peak_mb?.toFixed(0) ?? '—'}`;
    console.log(`| ${k.threads} thread(s) | ${k.fit_s.toFixed(1)} (${k.fit_cpu_s.toFixed(1)}) | ${k.cpu_s_per_tree.toFixed(2)} | ${p?.fit_s.toFixed(1) ?? '—'} | ${ratio} | ${k.accuracy.toFixed(4)} | ${p?.accuracy.toFixed(4) ?? '—'} | ${dAcc} | ${mem} |`);
  }
}

if (values['kiln-only']) await kilnOnly();
else await main();
