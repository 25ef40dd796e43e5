/**
 * The segments module beside scikit-learn, in one run, on generated customers with 4 known segments
 * (examples/segments/generate.ts at a larger size):
 *
 *   node --import tsx bench/modules/segments.ts [rows=20000] [seed=7]
 *
 * Kiln: `trainModule` on the spec of examples/segments (clusters: auto, so k = 2..10 are fitted and
 * judged; and once more with clusters: 4), trained on 80% of the rows, then every row scored through
 * the exported ONNX graph; adjusted Rand index against the true segments on all rows.
 * Peer: the same preprocessing + KMeans(n_clusters=4, n_init=10) on all rows (bench/modules/unsupervised_peers.py).
 * Results: bench/out/modules-segments.json. Timings on a shared 2-core machine are noisy.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateCustomers } from '../../examples/segments/generate.js';
import { readCsv } from '../../src/data/sources/csv.js';
import { adjustedRandIndex } from '../../src/evaluate/metrics/adjusted-rand.js';
import { loadModule } from '../../src/modules/load-module.js';
import { scoreFrame } from '../../src/modules/score-table.js';
import { validateSpec } from '../../src/modules/spec.js';
import { trainModule } from '../../src/modules/train-module.js';
import { openHome } from '../../src/store/open-store.js';

const rows = Number(process.argv[2] ?? 20000);
const seed = Number(process.argv[3] ?? 7);
const out = join(import.meta.dirname, '..', 'out');
mkdirSync(out, { recursive: true });
const csv = join(out, `segments-${rows}-${seed}.csv`);
writeFileSync(csv, generateCustomers(rows, seed));

const home = await openHome(mkdtempSync(join(tmpdir(), 'kiln-bench-segments-')));
const table = await readCsv(csv);
const truth = table.frame.get('true_segment')!.values as string[];

async function kiln(clusters: number | 'auto') {
  const spec = validateSpec({ name: `segments-${clusters}`, task: 'cluster', data: csv, clusters, label: 'true_segment', seed: 42 }, null, out);
  const r = await trainModule(spec, home);
  const module = await loadModule(await home.store.getVersion(r.model, r.version), home.artifacts);
  const segments = (await scoreFrame(module, table.frame)).columns['segment'] as number[];
  return { k: r.details['clusters'] as number, ari: adjustedRandIndex(truth, segments), fit_s: r.fitSeconds, train_rows: r.rows.train, choice: (r.details['k_choice'] as { sentence: string } | undefined)?.sentence };
}

const auto = await kiln('auto');
const fixed = await kiln(4);
const peer = JSON.parse(execFileSync('/usr/bin/python3', [join(import.meta.dirname, 'unsupervised_peers.py'), 'segments', csv, '4', '0'], { encoding: 'utf8' })) as { ari: number; fit_s: number };
await home.store.close();

const result = { rows, seed, kiln_auto: auto, kiln_k4: fixed, sklearn_k4: peer };
writeFileSync(join(out, 'modules-segments.json'), JSON.stringify(result, null, 2));
console.log(`segments: ${rows} generated customers, 4 known segments (seed ${seed})`);
console.log(`kiln chose ${auto.choice}`);
console.log('| run | k | adjusted Rand (all rows) | fit s | fit s ratio kiln/sklearn |');
console.log('|---|---|---|---|---|');
console.log(`| kiln, clusters: auto (k = 2..10 fitted) | ${auto.k} | ${auto.ari.toFixed(4)} | ${auto.fit_s.toFixed(2)} | ${(auto.fit_s / peer.fit_s).toFixed(1)} |`);
console.log(`| kiln, clusters: 4 | 4 | ${fixed.ari.toFixed(4)} | ${fixed.fit_s.toFixed(2)} | ${(fixed.fit_s / peer.fit_s).toFixed(1)} |`);
console.log(`| scikit-learn KMeans(4, n_init=10) | 4 | ${peer.ari.toFixed(4)} | ${peer.fit_s.toFixed(2)} | 1 |`);
