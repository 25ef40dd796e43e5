/**
 * The anomalies module beside scikit-learn, in one run, on generated transactions with 1% planted
 * anomalies (examples/anomalies/generate.ts at a larger size):
 *
 *   node --import tsx bench/modules/anomalies.ts [rows=50000] [seed=11]
 *
 * Two data sets: the example's three kinds of planted anomaly (one-column outliers and combinations with
 * one), and the same with a harder fourth kind (an ordinary purchase at night: no column extreme).
 * Kiln: `trainModule` on the spec of examples/anomalies (isolation forest, contamination 0.01), trained on
 * 80% of the rows, then every row scored through the exported ONNX graph; the robust z-score baseline
 * as the module reports it (held-out part). Peer: the same preprocessing + IsolationForest(contamination=0.01)
 * fitted on all rows (bench/modules/unsupervised_peers.py). Quality: precision@k at k = the number planted,
 * and ROC AUC, on all rows. Results: bench/out/modules-anomalies.json. Timings on a shared 2-core machine are noisy.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateTransactions } from '../../examples/anomalies/generate.js';
import { readCsv } from '../../src/data/sources/csv.js';
import { binaryRocAuc } from '../../src/evaluate/metrics/classification.js';
import { precisionAtK } from '../../src/modules/anomaly/anomaly-metrics.js';
import { loadModule } from '../../src/modules/load-module.js';
import { scoreFrame } from '../../src/modules/score-table.js';
import { validateSpec } from '../../src/modules/spec.js';
import { trainModule } from '../../src/modules/train-module.js';
import { openHome } from '../../src/store/open-store.js';

const rows = Number(process.argv[2] ?? 50000);
const seed = Number(process.argv[3] ?? 11);
const out = join(import.meta.dirname, '..', 'out');
mkdirSync(out, { recursive: true });
const home = await openHome(mkdtempSync(join(tmpdir(), 'kiln-bench-anomalies-')));

async function compare(kinds: 3 | 4) {
  const csv = join(out, `anomalies-${rows}-${seed}-${kinds}kinds.csv`);
  writeFileSync(csv, generateTransactions(rows, seed, 0.01, kinds));
  const table = await readCsv(csv);
  const known = Uint8Array.from(table.frame.get('is_fraud')!.values as Float64Array);
  const k = known.reduce((a, b) => a + b, 0);
  const spec = validateSpec({ name: `anomalies-${kinds}`, task: 'detect-anomalies', data: csv, contamination: 0.01, label: 'is_fraud', seed: 42 }, null, out);
  const r = await trainModule(spec, home);
  const module = await loadModule(await home.store.getVersion(r.model, r.version), home.artifacts);
  const scores = Float64Array.from((await scoreFrame(module, table.frame)).columns['score'] as number[]);
  const kiln = { precision_at_k: precisionAtK(known, scores, k), roc_auc: binaryRocAuc(known, scores), fit_s: r.fitSeconds };
  const heldOut = {
    kiln_precision_at_k: r.metrics.test['precision_at_k'] as number,
    kiln_roc_auc: r.metrics.test['roc_auc'] as number,
    baseline_precision_at_k: r.metrics.test['baseline_precision_at_k'] as number,
    baseline_roc_auc: r.metrics.test['baseline_roc_auc'] as number,
  };
  const peer = JSON.parse(execFileSync('/usr/bin/python3', [join(import.meta.dirname, 'unsupervised_peers.py'), 'anomalies', csv, '0.01', '0'], { encoding: 'utf8' })) as { precision_at_k: number; roc_auc: number; fit_s: number };
  return { kinds, planted: k, kiln, sklearn: peer, held_out_20pct: heldOut };
}

const results = [await compare(3), await compare(4)];
await home.store.close();
writeFileSync(join(out, 'modules-anomalies.json'), JSON.stringify({ rows, seed, results }, null, 2));
console.log(`anomalies: ${rows} generated transactions, 1% planted anomalies (seed ${seed})`);
console.log('| data | precision@k kiln | precision@k sklearn | ROC AUC kiln / sklearn | held-out 20%: precision@k kiln / robust z | fit s kiln / sklearn (ratio) |');
console.log('|---|---|---|---|---|---|');
for (const r of results) {
  console.log(
    `| ${r.kinds} kinds, k = ${r.planted} | ${r.kiln.precision_at_k.toFixed(3)} | ${r.sklearn.precision_at_k.toFixed(3)} | ${r.kiln.roc_auc.toFixed(4)} / ${r.sklearn.roc_auc.toFixed(4)} | ` +
      `${r.held_out_20pct.kiln_precision_at_k.toFixed(3)} / ${r.held_out_20pct.baseline_precision_at_k.toFixed(3)} | ${r.kiln.fit_s.toFixed(2)} / ${r.sklearn.fit_s.toFixed(2)} (${(r.kiln.fit_s / r.sklearn.fit_s).toFixed(1)}) |`,
  );
}
