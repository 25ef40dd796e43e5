/**
 * Run search at scale: 100,000 runs in a SQLite store, listed and filtered by a metric and a tag.
 *
 *   node --import tsx bench/store/runs.ts [RUNS]        (default 100000; raw results in bench/out/store-runs.json)
 *
 * The target (issue 6) is under 200 ms per search. There is no peer here to run side by side (MLflow is not
 * installed and is not a Kiln dependency); the reference is the obvious implementation — the same search
 * over the runs' JSON columns with json_extract, which is what the store did before the indexed side
 * tables — so the table shows what the indexes buy.
 *
 * The runs are written straight into the tables in one transaction (the rows createRun writes, without a
 * commit per run) so that building the data set takes seconds, not minutes; the searches go through the
 * real store API. The database is kept in bench/out/store-runs-RUNS.db and reused by the next run
 * (delete it after changing the schema).
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { Rng } from '../../src/core/rng.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import type { RunQuery } from '../../src/store/store.js';

const RUNS = Number(process.argv[2] ?? 100_000);
const REPEATS = 15;
const TEAMS = ['risk', 'growth', 'fraud', 'search', 'ads', 'ops', 'core', 'ml', 'data', 'web'];

mkdirSync('bench/out', { recursive: true });
const file = `bench/out/store-runs-${RUNS}.db`;
const reused = existsSync(file);
const store = SqliteStore.open(file);
const db = store.database;

// --- data ------------------------------------------------------------------------------------------
const rng = new Rng(42);
const started = performance.now();
const insertRun = db.prepare(`INSERT INTO runs (id, name, task, learner, status, started_at, finished_at, params, metrics, tags, dataset,
  environment, error) VALUES (?, ?, 'binary', 'logistic-regression', 'finished', ?, ?, ?, ?, ?, NULL, '{}', NULL)`);
const insertMetric = db.prepare('INSERT INTO run_metrics (run_id, key, value) VALUES (?, ?, ?)');
const insertParam = db.prepare('INSERT INTO run_params (run_id, key, num, text) VALUES (?, ?, ?, ?)');
const insertTag = db.prepare('INSERT INTO run_tags (run_id, key, value) VALUES (?, ?, ?)');
if (!reused) db.transaction(() => {
  const t0 = Date.parse('2026-01-01T00:00:00Z');
  for (let i = 0; i < RUNS; i++) {
    const id = randomUUID();
    const at = new Date(t0 + i * 1000).toISOString();
    const metrics = {
      'test.roc_auc': 0.5 + 0.5 * rng.next(),
      'test.accuracy': 0.5 + 0.5 * rng.next(),
      'test.log_loss': rng.next(),
      'train.roc_auc': 0.5 + 0.5 * rng.next(),
      fit_s: 10 * rng.next(),
    };
    const params = { C: [0.01, 0.1, 0.5, 1, 10][Math.floor(rng.next() * 5)] as number, penalty: rng.next() < 0.5 ? 'l1' : 'l2', seed: i, max_iter: 100 };
    const tags = { team: TEAMS[Math.floor(rng.next() * TEAMS.length)] as string, purpose: rng.next() < 0.1 ? 'final' : 'sweep' };
    insertRun.run(id, `run-${i}`, at, at, JSON.stringify(params), JSON.stringify(metrics), JSON.stringify(tags));
    for (const [k, v] of Object.entries(metrics)) insertMetric.run(id, k, v);
    for (const [k, v] of Object.entries(params)) insertParam.run(id, k, typeof v === 'number' ? v : null, String(v));
    for (const [k, v] of Object.entries(tags)) insertTag.run(id, k, v);
  }
})();
if (!reused) db.exec('ANALYZE');
const buildSeconds = (performance.now() - started) / 1000;

// --- searches --------------------------------------------------------------------------------------
interface Case {
  readonly name: string;
  readonly query: RunQuery;
  /** The same search over the JSON columns (the reference). */
  readonly naive: string;
}
const jsonMetric = (k: string) => `CAST(json_extract(metrics, '$."${k}"') AS REAL)`;
const jsonTag = (k: string) => `json_extract(tags, '$."${k}"')`;
const cases: Case[] = [
  {
    name: 'latest 100',
    query: { limit: 100 },
    naive: 'SELECT * FROM runs ORDER BY started_at DESC, rowid DESC LIMIT 100',
  },
  {
    name: "roc_auc > 0.8 and team = 'risk', newest 100",
    query: { where: 'metrics.test.roc_auc > 0.8', tags: { team: 'risk' }, limit: 100 },
    naive: `SELECT * FROM runs WHERE ${jsonMetric('test.roc_auc')} > 0.8 AND ${jsonTag('team')} = 'risk' ORDER BY started_at DESC, rowid DESC LIMIT 100`,
  },
  {
    name: "roc_auc > 0.99 and team = 'risk', best 100",
    query: { where: "metrics.test.roc_auc > 0.99 and tags.team = 'risk'", orderBy: 'metrics.test.roc_auc desc', limit: 100 },
    naive: `SELECT * FROM runs WHERE ${jsonMetric('test.roc_auc')} > 0.99 AND ${jsonTag('team')} = 'risk' ORDER BY ${jsonMetric('test.roc_auc')} DESC LIMIT 100`,
  },
  {
    name: "C = 0.5 and purpose = 'final' and team = 'ops'",
    query: { where: "params.C = 0.5 and tags.purpose = 'final' and tags.team = 'ops'", limit: 100 },
    naive: `SELECT * FROM runs WHERE CAST(json_extract(params, '$.C') AS REAL) = 0.5 AND ${jsonTag('purpose')} = 'final' AND ${jsonTag('team')} = 'ops' ORDER BY started_at DESC, rowid DESC LIMIT 100`,
  },
  {
    name: 'all runs ordered by roc_auc, top 100',
    query: { orderBy: 'metrics.test.roc_auc desc', limit: 100 },
    naive: `SELECT * FROM runs ORDER BY ${jsonMetric('test.roc_auc')} DESC LIMIT 100`,
  },
];

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

const results: { name: string; kiln_ms: number; json_scan_ms: number; ratio: number; rows: number }[] = [];
for (const c of cases) {
  const kilnTimes: number[] = [];
  let rows = 0;
  for (let r = 0; r < REPEATS; r++) {
    const t = performance.now();
    rows = (await store.listRuns(c.query)).length;
    kilnTimes.push(performance.now() - t);
  }
  const naive = db.prepare(c.naive);
  const naiveTimes: number[] = [];
  for (let r = 0; r < Math.min(REPEATS, 5); r++) {
    const t = performance.now();
    const naiveRows = naive.all().length;
    naiveTimes.push(performance.now() - t);
    if (naiveRows !== rows) throw new Error(`${c.name}: the store found ${rows} runs, the reference ${naiveRows}`);
  }
  const kiln = median(kilnTimes);
  const scan = median(naiveTimes);
  results.push({ name: c.name, kiln_ms: kiln, json_scan_ms: scan, ratio: kiln / scan, rows });
}
await store.close();
writeFileSync('bench/out/store-runs.json', JSON.stringify({ runs: RUNS, reused_database: reused, build_s: reused ? null : buildSeconds, results, at: new Date().toISOString() }, null, 2));

console.log(`${RUNS} runs (${reused ? `reused ${file}` : `built in ${buildSeconds.toFixed(1)} s`}); median of ${REPEATS} searches (reference: median of 5)\n`);
console.log('| search | rows | Kiln (ms) | JSON scan (ms) | Kiln / scan | < 200 ms |');
console.log('|---|---:|---:|---:|---:|:---:|');
for (const r of results) {
  console.log(`| ${r.name} | ${r.rows} | ${r.kiln_ms.toFixed(1)} | ${r.json_scan_ms.toFixed(1)} | ${r.ratio.toFixed(3)} | ${r.kiln_ms < 200 ? 'yes' : 'NO'} |`);
}
