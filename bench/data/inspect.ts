/**
 * `kiln inspect` against its peers, in one run on the same machine:
 *   - DuckDB's own `SUMMARIZE SELECT * FROM read_csv(FILE)` (target: kiln ≤ 1.5× its time)
 *   - pandas `read_csv` + `describe` (../shared/bench/read_csv.py; target: kiln faster)
 * on synth_clf.csv (1M × 29) and wide.csv (200k × 100) from ../shared/bench/make_data.py, and the peak
 * memory of profiling a 10,000,000-row CSV generated with DuckDB (target: under 4 GB).
 *
 *   /usr/bin/python3 ../shared/bench/make_data.py /tmp/kiln-bench-data      # once
 *   node --import tsx bench/data/inspect.ts [DATA_DIR] [--skip-10m]
 *
 * Each timing is the best of REPEATS runs, the three tools interleaved; beside it, the median over rounds
 * of each round's ratio (on a shared machine the load moves between rounds, and a ratio of two runs made
 * seconds apart is steadier than a ratio of two best times). kiln is timed end to end as a
 * user runs it (`kiln inspect FILE --target T --json`, a fresh process per run, node start-up
 * included); DuckDB's SUMMARIZE runs in a fresh process too; pandas' own read+describe seconds are used
 * (its interpreter start-up is not counted). Raw results go to bench/out/data-inspect.json.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';

const ROOT = join(import.meta.dirname, '..', '..');
// The built CLI, as `npx kiln` runs it (`npm run build` first); tsx's transpiling would be timed otherwise.
const BUILT = join(ROOT, 'bin', 'kiln.js');
const ENTRY = join(ROOT, 'src', 'cli', 'entry.ts');
const kilnCommand = existsSync(join(ROOT, 'dist', 'cli', 'entry.js')) ? [BUILT] : ['--import', 'tsx', ENTRY];
const args = process.argv.slice(2);
const dataDir = args.find((a) => !a.startsWith('--')) ?? '/tmp/kiln-bench-data';
const skip10m = args.includes('--skip-10m');
const REPEATS = Number(process.env['KILN_BENCH_REPEATS'] ?? 2);

const DATASETS = [
  { file: 'synth_clf.csv', target: 'label' },
  { file: 'wide.csv', target: undefined },
];

interface Timing {
  readonly seconds: number;
  readonly peakRssMb?: number;
}

/** Runs a command under /usr/bin/time -v: wall seconds and peak resident memory. */
function timed(command: string, commandArgs: readonly string[]): Timing & { stdout: string } {
  const started = performance.now();
  const r = spawnSync('/usr/bin/time', ['-v', command, ...commandArgs], { encoding: 'utf8', maxBuffer: 1 << 28, env: { ...process.env, KILN_LOG_LEVEL: 'warn' } });
  const seconds = (performance.now() - started) / 1000;
  if (r.status !== 0) throw new Error(`${command} ${commandArgs.join(' ')} failed:\n${r.stderr}`);
  const rss = /Maximum resident set size \(kbytes\): (\d+)/.exec(r.stderr);
  return { seconds, stdout: r.stdout, ...(rss ? { peakRssMb: Number(rss[1]) / 1024 } : {}) };
}

function kilnInspect(file: string, target: string | undefined): Timing {
  const t = timed(process.execPath, [...kilnCommand, 'inspect', file, '--json', ...(target ? ['--target', target] : [])]);
  JSON.parse(t.stdout); // exactly one JSON document
  return t;
}

function duckdbSummarize(file: string): Timing {
  const script = `import { DuckDBInstance } from '@duckdb/node-api';
const i = await DuckDBInstance.create(':memory:', { threads: '2' }); const c = await i.connect();
await c.runAndReadAll(${JSON.stringify(`SUMMARIZE SELECT * FROM read_csv('${file.replaceAll("'", "''")}')`)});`;
  return timed(process.execPath, ['--input-type=module', '-e', script]);
}

function pandasDescribe(file: string): Timing {
  const t = timed('/usr/bin/python3', [join(ROOT, '..', 'shared', 'bench', 'read_csv.py'), file]);
  const r = JSON.parse(t.stdout.trim().split('\n').pop() ?? '{}') as { read_s: number; describe_s: number };
  return { seconds: r.read_s + r.describe_s, ...(t.peakRssMb === undefined ? {} : { peakRssMb: t.peakRssMb }) };
}

function best(runs: readonly Timing[]): Timing {
  return runs.reduce((a, b) => (b.seconds < a.seconds ? b : a));
}

/** The median over rounds of a[i] / b[i]. */
function medianRatio(a: readonly Timing[], b: readonly Timing[]): number {
  const ratios = a.map((t, i) => t.seconds / (b[i] as Timing).seconds).sort((x, y) => x - y);
  const mid = Math.floor(ratios.length / 2);
  return ratios.length % 2 === 1 ? (ratios[mid] as number) : ((ratios[mid - 1] as number) + (ratios[mid] as number)) / 2;
}

async function makeTenMillionRows(file: string): Promise<void> {
  if (existsSync(file)) return;
  const instance = await DuckDBInstance.create(':memory:', { threads: '2' });
  const conn = await instance.connect();
  // 10M rows × 12 columns (~1.1 GB): numbers, a skewed number, categories, an id, missing values, a label.
  await conn.run(`COPY (
    SELECT i AS id,
           random() * 100 AS x1, (random() + random() + random()) AS x2, exp(random() * 5) AS x3,
           CASE WHEN random() < 0.05 THEN NULL ELSE round(random() * 1000, 2) END AS x4,
           (i % 7) AS weekday, ['red', 'green', 'blue', 'amber'][1 + (i % 4)] AS colour,
           'city_' || (hash(i) % 500) AS city, random() AS x5, random() AS x6, random() AS x7,
           CASE WHEN random() < 0.2 THEN 1 ELSE 0 END AS label
    FROM range(10000000) t(i)) TO '${file}' (HEADER, DELIMITER ',')`);
  conn.closeSync();
}

const results: Record<string, unknown>[] = [];
const rows: string[][] = [];
for (const d of DATASETS) {
  const file = join(dataDir, d.file);
  if (!existsSync(file)) {
    console.error(`missing ${file}: run /usr/bin/python3 ../shared/bench/make_data.py ${dataDir}`);
    process.exit(1);
  }
  const kiln: Timing[] = [];
  const duck: Timing[] = [];
  const pandas: Timing[] = [];
  for (let r = 0; r < REPEATS; r++) {
    console.error(`${d.file}: run ${r + 1}/${REPEATS}`);
    kiln.push(kilnInspect(file, d.target));
    duck.push(duckdbSummarize(file));
    pandas.push(pandasDescribe(file));
  }
  const k = best(kiln);
  const u = best(duck);
  const p = best(pandas);
  results.push({ data: d.file, kiln, duckdbSummarize: duck, pandasDescribe: pandas });
  rows.push([
    d.file, k.seconds.toFixed(2), u.seconds.toFixed(2), p.seconds.toFixed(2),
    (k.seconds / u.seconds).toFixed(2), (k.seconds / p.seconds).toFixed(2),
    medianRatio(kiln, duck).toFixed(2), medianRatio(kiln, pandas).toFixed(2),
    (k.peakRssMb ?? 0).toFixed(0), (p.peakRssMb ?? 0).toFixed(0),
  ]);
}

let big: Record<string, unknown> | undefined;
if (!skip10m) {
  const file = join('/tmp', 'kiln-bench-10m.csv');
  console.error('10M rows: generating (once) and profiling');
  await makeTenMillionRows(file);
  const t = kilnInspect(file, 'label');
  big = { data: file, rows: 10_000_000, seconds: t.seconds, peakRssMb: t.peakRssMb };
}

mkdirSync(join(ROOT, 'bench', 'out'), { recursive: true });
writeFileSync(join(ROOT, 'bench', 'out', 'data-inspect.json'), JSON.stringify({ when: new Date().toISOString(), repeats: REPEATS, results, big }, null, 2) + '\n');

const header = ['data', 'kiln s', 'duckdb s', 'pandas s', 'kiln/duckdb', 'kiln/pandas', 'median kiln/duckdb', 'median kiln/pandas', 'kiln MB', 'pandas MB'];
const widths = header.map((h, j) => Math.max(h.length, ...rows.map((r) => (r[j] ?? '').length)));
const line = (cells: readonly string[]) => '| ' + cells.map((c, j) => c.padEnd(widths[j] ?? 0)).join(' | ') + ' |';
console.log(line(header));
console.log('|' + widths.map((w) => '-'.repeat(w + 2)).join('|') + '|');
for (const r of rows) console.log(line(r));
if (big !== undefined) console.log(`\n10,000,000 rows × 12 columns: ${(big['seconds'] as number).toFixed(1)} s, peak RSS ${((big['peakRssMb'] as number) / 1024).toFixed(2)} GB (target < 4 GB)`);
