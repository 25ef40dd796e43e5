/**
 * What A/B routing costs a served request, loopback only (about a minute). One server, one registered
 * module (the serving tests' tiny classifier, prediction log on), v2 infer at concurrency 64:
 *
 *   1. no experiment running (the router's whole cost is one Map-size check) — the baseline;
 *   2. an explicit version, no experiment (what a routed request runs underneath);
 *   3. a split experiment at 50% (hash of the request id, tagged log records);
 *   4. an explicit version while the split runs (not routed);
 *   5. a shadow experiment (every request also runs the challenger, after the answer).
 *
 * HTTP throughput on a shared machine moves by ±30% between identical runs, more than routing costs; so
 * the router's own cost is also measured in process, without HTTP or a model: 200,000 requests through
 * `ExperimentRouter.infer` answered by a trivial data plane, with no experiment and with a split.
 *
 * The scenarios run in rounds (default 3) and the table shows each one's median, so that warm-up and
 * a neighbour's burst of load do not favour whichever ran first. There is no peer to compare with
 * (routing is Kiln's own): the table gives ratios to the baseline. Load comes from Debian's `wrk`, a
 * separate process; raw results go to bench/out/experiment-routing.json.
 *
 *   node --import tsx bench/experiment/routing-bench.ts [--seconds 5] [--rounds 3]
 */
import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pino from 'pino';
import { ExperimentRouter } from '../../src/experiment/router.js';
import type { DataPlane, InferResult } from '../../src/serve/data-plane.js';
import type { Experiment } from '../../src/store/store.js';
import { startServer, type RunningServer } from '../../src/serve/server.js';
import { registerFixture, tempHome } from '../../test/serve/fixture-module.js';

const OUT = join(import.meta.dirname, '..', 'out');
const secondsArg = process.argv.indexOf('--seconds');
const SECONDS = secondsArg > 0 ? Number(process.argv[secondsArg + 1]) : 5;
const roundsArg = process.argv.indexOf('--rounds');
const ROUNDS = roundsArg > 0 ? Number(process.argv[roundsArg + 1]) : 3;
const BODY = JSON.stringify({
  inputs: [
    { name: 'Age', shape: [1, 1], datatype: 'FP32', data: [30] },
    { name: 'Sex', shape: [1, 1], datatype: 'BYTES', data: ['female'] },
  ],
});

interface WrkResult {
  readonly rps: number;
  readonly p50ms: number;
  readonly p99ms: number;
  readonly non2xx: number;
}

/** wrk POSTing the body at `connections` concurrency; asynchronous, since the server shares this event loop. */
async function wrk(url: string, connections: number): Promise<WrkResult> {
  mkdirSync(OUT, { recursive: true });
  const script = join(OUT, 'experiment-post.lua');
  writeFileSync(script, `wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\nwrk.body = ${JSON.stringify(BODY)}\n`);
  const { stdout } = await promisify(execFile)('wrk', ['-t', '2', '-c', String(connections), '-d', `${SECONDS}s`, '--latency', '-s', script, url], {
    encoding: 'utf8',
    timeout: (SECONDS + 30) * 1000,
  });
  const ms = (label: string): number => {
    const m = new RegExp(`\\s${label}%\\s+([0-9.]+)(us|ms|s)`).exec(stdout);
    if (m === null) return NaN;
    const v = Number(m[1]);
    return m[2] === 'us' ? v / 1000 : m[2] === 's' ? v * 1000 : v;
  };
  return {
    rps: Number(/Requests\/sec:\s+([0-9.]+)/.exec(stdout)?.[1] ?? NaN),
    p50ms: ms('50'),
    p99ms: ms('99'),
    non2xx: Number(/Non-2xx or 3xx responses:\s+([0-9]+)/.exec(stdout)?.[1] ?? 0),
  };
}

/** Nanoseconds per request the router adds, in process: the same requests with and without a running split. */
async function routerCost(): Promise<{ none: number; split: number }> {
  const answer: InferResult = { model_name: 'titanic', model_version: '1', id: 'x', requestParameters: {}, outputs: [] };
  const plane = { infer: async () => answer } as unknown as DataPlane;
  const split: Experiment = {
    id: '5dec3087-ab53-4b01-ae36-86003276525c', model: 'titanic', champion: 1, challenger: 2, mode: 'split', challengerShare: 0.5, outcome: 'binary',
    status: 'running', startedAt: new Date().toISOString(), endedAt: null, endReason: null,
  };
  const n = 200_000;
  const ids = Array.from({ length: n }, (_, i) => `b7c3a1f2-0000-4000-8000-${String(i).padStart(12, '0')}`);
  const perRequest = async (running: Experiment[]): Promise<number> => {
    const router = new ExperimentRouter({ store: { listExperiments: async () => running }, logger: pino({ level: 'silent' }) });
    await router.refresh();
    const started = performance.now();
    for (let i = 0; i < n; i++) await (router.infer(plane, 'titanic', undefined, { inputs: [] }, { requestId: ids[i] as string }) ?? plane.infer('titanic', undefined, { inputs: [] }, { requestId: ids[i] as string }));
    return ((performance.now() - started) * 1e6) / n;
  };
  await perRequest([split]); // warm up
  const none = Math.min(await perRequest([]), await perRequest([]));
  const routed = Math.min(await perRequest([split]), await perRequest([split]));
  return { none, split: routed };
}

const cost = await routerCost();
const home = await tempHome();
let server: RunningServer | undefined;
try {
  await registerFixture(home, { name: 'titanic', weight: 0.05 });
  await registerFixture(home, { name: 'titanic', weight: 0.1 });
  await home.store.setAlias('titanic', 'champion', 1);
  server = await startServer({ store: home.store, artifacts: home.artifacts, logger: pino({ level: 'silent' }), port: 0, experiments: { canary: false } });
  const url = `${server.url}/v2/models/titanic/infer`;
  const post = async (path: string, body: unknown) =>
    (await fetch(`${server?.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })).json() as Promise<{ id: string }>;

  const runs: Record<string, WrkResult[]> = {};
  const run = async (name: string, target: string): Promise<void> => void (runs[name] ??= []).push(await wrk(target, 64));
  const explicit = `${server.url}/v2/models/titanic/versions/1/infer`;
  await wrk(url, 8); // warm the JIT, both versions' instances and the connection paths
  await wrk(explicit, 8);
  for (let round = 0; round < ROUNDS; round++) {
    await run('no experiment', url);
    await run('explicit version, no experiment', explicit);
    const split = await post('/api/experiments', { model: 'titanic', challenger: 2, challenger_share: 0.5 });
    await run('split 50%', url);
    await run('explicit version during split', explicit);
    await post(`/api/experiments/${split.id}/stop`, {});
    const shadow = await post('/api/experiments', { model: 'titanic', challenger: 2, mode: 'shadow' });
    await run('shadow (challenger mirrored)', url);
    await post(`/api/experiments/${shadow.id}/stop`, {});
  }

  const median = (values: number[]): number => {
    const sorted = [...values].sort((a, b) => a - b);
    return sorted[Math.floor(sorted.length / 2)] as number;
  };
  const table = Object.entries(runs).map(([name, r]) => ({ name, rps: median(r.map((x) => x.rps)), p50ms: median(r.map((x) => x.p50ms)), p99ms: median(r.map((x) => x.p99ms)), non2xx: r.reduce((n, x) => n + x.non2xx, 0) }));
  const base = table[0]?.rps ?? NaN;
  writeFileSync(join(OUT, 'experiment-routing.json'), JSON.stringify({ seconds: SECONDS, rounds: ROUNDS, runs, medians: table, routerNsPerRequest: cost, at: new Date().toISOString() }, null, 2));
  console.log(`router in process (200,000 requests, trivial data plane, best of 2): no experiment ${cost.none.toFixed(0)} ns/request, split ${cost.split.toFixed(0)} ns/request → routing adds ${(cost.split - cost.none).toFixed(0)} ns\n`);
  console.log(`| v2 infer, c64 (wrk, ${SECONDS} s, median of ${ROUNDS}) | req/s | vs no experiment | p50 ms | p99 ms | non-2xx |`);
  console.log('|---|---:|---:|---:|---:|---:|');
  for (const r of table) console.log(`| ${r.name} | ${r.rps.toFixed(0)} | ${((r.rps / base) * 100).toFixed(0)}% | ${r.p50ms.toFixed(2)} | ${r.p99ms.toFixed(2)} | ${r.non2xx} |`);
} finally {
  await server?.close();
  await home.remove();
}
