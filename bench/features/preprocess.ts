/**
 * Kiln's feature preprocessing against scikit-learn, side by side in one run, on one synthetic table
 * (seeded; written to bench/out/features-bench.csv for the peer):
 *
 *   node --import tsx bench/features/preprocess.ts [--rows 100000] [--repeats 3] [--skip-peer]
 *
 * Three blocks, each timed as fit + transform of the training rows, then transform of new rows:
 *   numeric      8 columns, 10% missing → median imputation → standard scaling
 *   categorical  4 columns of 10–200 categories, 5% missing → most frequent → one-hot (dense)
 *   text         1 column of 6–20 words from a 5,000-word Zipf vocabulary → TF-IDF, 1,000 terms, l2
 * scikit-learn: ColumnTransformer with SimpleImputer / StandardScaler / OneHotEncoder(sparse_output=False)
 * / TfidfVectorizer(max_features=1000), timed on a pandas frame already in memory, like Kiln's Frame.
 * Results go to bench/out/features-preprocess.json; a ratio table is printed. Single-threaded on both
 * sides. The machine is shared, so timings are noisy: rerun before trusting a ratio.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { Frame, type Column } from '../../src/core/frame.js';
import { Rng } from '../../src/core/rng.js';
import { toCsv } from '../../src/data/write-csv.js';
import { TabularPreprocessor, type ColumnPlan } from '../../src/features/tabular-preprocessor.js';

const { values } = parseArgs({
  options: {
    rows: { type: 'string', default: '100000' },
    repeats: { type: 'string', default: '3' },
    'skip-peer': { type: 'boolean', default: false },
  },
});
const rows = Number(values.rows);
const repeats = Number(values.repeats);

function makeTable(n: number): Frame {
  const rng = new Rng(1);
  const columns: Column[] = [];
  for (let j = 0; j < 8; j++) {
    columns.push({ kind: 'numeric', name: `num${j}`, values: Float64Array.from({ length: n }, () => (rng.next() < 0.1 ? Number.NaN : Math.round(rng.normal() * 1000) / 100)) });
  }
  [10, 30, 80, 200].forEach((k, j) => {
    columns.push({ kind: 'categorical', name: `cat${j}`, values: Array.from({ length: n }, () => (rng.next() < 0.05 ? null : `v${Math.floor(rng.next() ** 2 * k)}`)) });
  });
  const words = Array.from({ length: 5000 }, (_, i) => `w${i.toString(36)}x`);
  const zipf = (): string => words[Math.min(words.length - 1, Math.floor(Math.exp(rng.next() * Math.log(words.length)) - 1))] as string;
  columns.push({ kind: 'categorical', name: 'text', values: Array.from({ length: n }, () => Array.from({ length: 6 + rng.int(15) }, zipf).join(' ')) });
  return new Frame(columns);
}

const frame = makeTable(rows);
const names = frame.names;
const blocks: Record<string, ColumnPlan[]> = {
  numeric: names.filter((c) => c.startsWith('num')).map((name) => ({ name, kind: 'numeric' })),
  categorical: names.filter((c) => c.startsWith('cat')).map((name) => ({ name, kind: 'categorical' })),
  text: [{ name: 'text', kind: 'text', transform: { text: { max_features: 1000 } } }],
};

mkdirSync('bench/out', { recursive: true });
const csv = 'bench/out/features-bench.csv';
let peer: Record<string, { fit_transform_s: number; transform_s: number; features: number }> | undefined;
if (!values['skip-peer']) {
  writeFileSync(csv, toCsv(frame.names, frame.columns.map((c) => c.values), frame.nRows));
  console.error(`scikit-learn on ${rows} rows …`);
  const out = execFileSync('/usr/bin/python3', ['bench/features/preprocess.py', csv, String(repeats)], { encoding: 'utf8', maxBuffer: 1 << 24 });
  peer = JSON.parse(out.trim().split('\n').at(-1) as string) as typeof peer;
}

const kiln: Record<string, { fit_transform_s: number; transform_s: number; features: number }> = {};
const copy = frame.take(Int32Array.from({ length: rows }, (_, i) => i)); // "new rows": another frame object
for (const [block, plan] of Object.entries(blocks)) {
  let bestFit = Infinity;
  let bestTransform = Infinity;
  let features = 0;
  for (let r = 0; r < repeats; r++) {
    const t0 = performance.now();
    const { preprocessor } = TabularPreprocessor.fitTransform(frame, plan);
    const t1 = performance.now();
    preprocessor.transform(copy);
    const t2 = performance.now();
    bestFit = Math.min(bestFit, (t1 - t0) / 1000);
    bestTransform = Math.min(bestTransform, (t2 - t1) / 1000);
    features = preprocessor.nFeatures;
  }
  kiln[block] = { fit_transform_s: bestFit, transform_s: bestTransform, features };
}

writeFileSync('bench/out/features-preprocess.json', JSON.stringify({ rows, repeats, kiln, peer }, null, 2));
console.log(`| block | features (kiln / sklearn) | fit+transform s kiln | sklearn | ratio | transform s kiln | sklearn | ratio |`);
console.log(`|---|---|---|---|---|---|---|---|`);
for (const block of Object.keys(blocks)) {
  const k = kiln[block] as { fit_transform_s: number; transform_s: number; features: number };
  const p = peer?.[block];
  const f = (x: number | undefined): string => (x === undefined ? '–' : x.toFixed(3));
  const ratio = (a: number, b: number | undefined): string => (b === undefined ? '–' : (a / b).toFixed(2));
  console.log(`| ${block} | ${k.features} / ${p?.features ?? '–'} | ${f(k.fit_transform_s)} | ${f(p?.fit_transform_s)} | ${ratio(k.fit_transform_s, p?.fit_transform_s)} | ${f(k.transform_s)} | ${f(p?.transform_s)} | ${ratio(k.transform_s, p?.transform_s)} |`);
}
