/**
 * Drift over 1,000,000 rows × 100 columns, reference against current (issue 8's target: under 10 s).
 *
 *   node --expose-gc --import tsx bench/monitor/drift.ts [ROWS] [COLUMNS]   (default 1000000 100; raw results in bench/out/monitor-drift.json)
 *
 * With --expose-gc the garbage of generating each column is collected before its timed step, so the
 * timings are the drift work and not the clean-up after the generator (without it, collections of the
 * generated million-row columns land inside the timed steps and dominate them).
 *
 * 90 numeric columns (normal; every ninth one shifted by 0.2 sd) and 10 categorical ones (5 categories; the
 * last one gains a new category) are generated in memory one column at a time, so memory stays at a few
 * columns. Timed separately: building the reference profile (training time, once per version) and the drift
 * check itself (summarising each current column in the reference's buckets, then the default test — with
 * a reference above 1,000 rows, Wasserstein/std and Jensen–Shannon — and PSI). Data generation is not timed.
 *
 * The peer, in the same run: the same statistics computed the way Evidently computes them for large data
 * (scipy.stats.wasserstein_distance on the raw columns, numpy histograms + scipy's jensenshannon, PSI on
 * numpy histograms) over the same shape, with numpy (/usr/bin/python3). Evidently itself is not installed.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { Frame, type Column } from '../../src/core/frame.js';
import { Rng } from '../../src/core/rng.js';
import { currentColumn } from '../../src/monitor/drift/current-column.js';
import { columnDrift, datasetVerdict, type ColumnDrift } from '../../src/monitor/drift/detect-drift.js';
import { buildReferenceProfile } from '../../src/data/profile/reference-profile.js';

const ROWS = Number(process.argv[2] ?? 1_000_000);
const COLUMNS = Number(process.argv[3] ?? 100);
const CATEGORICAL = Math.round(COLUMNS / 10);
const CATEGORIES = ['a', 'b', 'c', 'd', 'e'];

function generate(rng: Rng, k: number, current: boolean): Column {
  if (k >= COLUMNS - CATEGORICAL) {
    const drifted = current && k === COLUMNS - 1;
    const values = new Array<string | null>(ROWS);
    for (let i = 0; i < ROWS; i++) values[i] = drifted && rng.next() < 0.2 ? 'new' : (CATEGORIES[rng.int(5)] as string);
    return { kind: 'categorical', name: `c${k}`, values };
  }
  const shift = current && k % 9 === 0 ? 0.2 : 0;
  const values = new Float64Array(ROWS);
  for (let i = 0; i < ROWS; i++) values[i] = rng.normal() + shift;
  return { kind: 'numeric', name: `x${k}`, values };
}

const rng = new Rng(1);
const collectGarbage = (globalThis as { gc?: () => void }).gc ?? (() => {});
let profileMs = 0;
let driftMs = 0;
const results: ColumnDrift[] = [];
for (let k = 0; k < COLUMNS; k++) {
  const reference = generate(rng, k, false);
  collectGarbage();
  let t = performance.now();
  const profile = buildReferenceProfile(new Frame([reference])).columns[0]!;
  profileMs += performance.now() - t;
  const current = generate(rng, k, true);
  collectGarbage();
  t = performance.now();
  results.push(columnDrift(profile, currentColumn(profile, current.values)));
  driftMs += performance.now() - t;
}
const verdict = datasetVerdict(results, 0.5);
const flagged = results.filter((r) => r.drift).map((r) => r.column);

const peerScript = String.raw`
import sys, time, json
import numpy as np
from scipy import stats
from scipy.spatial import distance
rows, cols = int(sys.argv[1]), int(sys.argv[2])
cat = round(cols / 10)
rng = np.random.default_rng(1)
t_total = 0.0
for k in range(cols):
    if k >= cols - cat:
        ref = rng.integers(0, 5, rows); cur = rng.integers(0, 5, rows)
        t = time.perf_counter()
        r = np.bincount(ref, minlength=6) / rows; c = np.bincount(cur, minlength=6) / rows
        distance.jensenshannon(r, c)
        rp = np.where(r == 0, 1e-4, r); cp = np.where(c == 0, 1e-4, c); np.sum((rp - cp) * np.log(rp / cp))
        t_total += time.perf_counter() - t
    else:
        ref = rng.normal(size=rows); cur = rng.normal(size=rows)
        t = time.perf_counter()
        stats.wasserstein_distance(ref, cur) / np.std(ref)
        edges = np.quantile(ref, np.linspace(0, 1, 11)); edges[0], edges[-1] = -np.inf, np.inf
        r = np.histogram(ref, edges)[0] / rows; c = np.histogram(cur, edges)[0] / rows
        rp = np.where(r == 0, 1e-4, r); cp = np.where(c == 0, 1e-4, c); np.sum((rp - cp) * np.log(rp / cp))
        t_total += time.perf_counter() - t
print(json.dumps({"seconds": t_total}))
`;
let peerS: number | null = null;
// KILN_BENCH_NO_PEER=1 skips the peer (it takes minutes) for a quick Kiln-only run.
if (process.env['KILN_BENCH_NO_PEER'] === undefined) {
  try {
    const out = execFileSync('/usr/bin/python3', ['-c', peerScript, String(ROWS), String(COLUMNS)], { encoding: 'utf8', maxBuffer: 1 << 20 });
    peerS = (JSON.parse(out) as { seconds: number }).seconds;
  } catch (err) {
    process.stderr.write(`peer run failed: ${err instanceof Error ? err.message : String(err)}\n`);
  }
}

const raw = {
  rows: ROWS,
  columns: COLUMNS,
  drift_check_s: driftMs / 1000,
  reference_profile_s: profileMs / 1000,
  peer_scipy_s: peerS,
  drifted: flagged,
  dataset_drift: verdict.dataset_drift,
  node: process.version,
  at: new Date().toISOString(),
};
mkdirSync('bench/out', { recursive: true });
writeFileSync('bench/out/monitor-drift.json', JSON.stringify(raw, null, 2));
const line = (a: string, b: string, c: string) => `${a.padEnd(42)} ${b.padStart(10)} ${c.padStart(10)}`;
console.log(`drift over ${ROWS.toLocaleString('en')} rows × ${COLUMNS} columns (2 shared cores, noisy)${typeof (globalThis as { gc?: unknown }).gc === 'function' ? '' : ' — run with --expose-gc for clean timings'}`);
console.log(line('step', 'seconds', 'peer/kiln'));
console.log(line('kiln drift check (all columns)', raw.drift_check_s.toFixed(2), peerS === null ? 'n/a' : (peerS / raw.drift_check_s).toFixed(2)));
console.log(line('kiln reference profile (training time)', raw.reference_profile_s.toFixed(2), ''));
console.log(line('peer: scipy/numpy, Evidently\'s statistics', peerS === null ? 'n/a' : peerS.toFixed(2), ''));
console.log(`flagged ${flagged.length} columns: ${flagged.join(', ')}; target < 10 s: ${raw.drift_check_s < 10 ? 'met' : 'NOT met'}`);
