/**
 * Serving benchmark, loopback only, everything in one run (about 3 × 50 s with the default 5 s points):
 *
 *   1. a bare Fastify route returning a constant vs a small model's v2 infer (the iris-like classifier),
 *      at concurrency 64 — target: Kiln ≥ 60% of the bare route's requests per second;
 *   2. a heavy model with dynamic batching vs the same server with batching off, at concurrency 64 —
 *      target: ≥ 3× the throughput; two widths of MLP, 256→1024→1024→2 and 256→2048→2048→2 (the gain
 *      grows with the work per row, which batching shares out, against the fixed cost per request);
 *   3. p50 / p99 latency of the small model at concurrency 1, 8 and 64;
 *   4. the prediction log's cost: a Kiln module (two columns → label, probabilities) served by a server
 *      that logs every prediction to its SQLite store (from the writer thread, as `kiln serve` does), one
 *      that logs a tenth of the requests, and one that logs nothing, at concurrency 64 — target: ≤ 5%
 *      fewer requests per second with the log on.
 *
 * The points run in rounds (all points once per round, `--rounds`, default 3) and the table shows each
 * point's median over the rounds, so a burst of load from other processes hits one round of every point
 * rather than every round of one point. Ratios are taken within each round, then their median. The
 * server CPU column is the benchmark process's CPU time (main thread + worker threads; wrk runs apart)
 * per request, steadier than req/s on a shared machine; the main-thread column is the event loop's busy
 * wall time per request, which also counts time the thread was ready but another process ran.
 *
 * Load comes from Debian's `wrk` (apt-get install wrk). Raw results go to bench/out/serve.json.
 *
 *   node --import tsx bench/serve/serve-bench.ts [--seconds 5] [--rounds 3] [--only REGEX]
 *
 * `--only REGEX` runs just the points whose name matches REGEX (e.g. `--only "Kiln module"` for the
 * prediction log's three points, `--only "bare|small model v2 infer, c64"`); ratios whose points did not run are left out.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import Fastify from 'fastify';
import pino from 'pino';
import { startServer, type RunningServer } from '../../src/serve/server.js';
import { BODIES, benchModels } from './bench-models.js';

const OUT = join(import.meta.dirname, '..', 'out');
const flag = (name: string, fallback: number): number => {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 ? Number(process.argv[at + 1]) : fallback;
};
const SECONDS = flag('seconds', 5);
const ROUNDS = flag('rounds', 3);
const ONLY = process.argv.includes('--only') ? (process.argv[process.argv.indexOf('--only') + 1] ?? '') : '';
// `--compare DIR`: another copy of the repository (e.g. the code before a change), whose server answers the
// small model's point too, interleaved with this tree's in every round
const COMPARE = process.argv.includes('--compare') ? process.argv[process.argv.indexOf('--compare') + 1] : undefined;

interface WrkResult {
  readonly rps: number;
  readonly p50ms: number;
  readonly p99ms: number;
  readonly requests: number;
  readonly errors: number;
  /** CPU time of this process (the servers: main thread, model workers, the log's writer thread) per request, µs. */
  readonly cpuUsPerRequest: number;
  /** Time the main thread's event loop was busy per request, µs (the thread every request goes through). */
  readonly mainUsPerRequest: number;
}

/**
 * Where a small model runs is decided at load by timing a 32-row batch against a limit (100 µs by default,
 * loaded-model.ts). On a machine shared with other work that timing can exceed the limit and send the small
 * model to a worker thread in one server and not in another; the benchmark allows 400 µs so the placement
 * does not depend on the load (the small model takes ~20 µs, the MLPs ~1 ms and more, as on a quiet machine).
 */
const MAIN_THREAD_RUN_LIMIT_US = 400;

/** How long each wrk run lasts (shorter while warming up). */
let pointSeconds = SECONDS;

/** Runs wrk as a child process; asynchronously, since the servers under test share this event loop. */
async function wrk(url: string, connections: number, body?: string): Promise<WrkResult> {
  mkdirSync(OUT, { recursive: true });
  const args = ['-t', connections === 1 ? '1' : '2', '-c', String(connections), '-d', `${pointSeconds}s`, '--latency'];
  if (body !== undefined) {
    const script = join(OUT, `serve-post-${body.length}.lua`);
    writeFileSync(script, `wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\nwrk.body = ${JSON.stringify(body)}\n`);
    args.push('-s', script);
  }
  const cpu = process.cpuUsage();
  const loop = performance.eventLoopUtilization();
  let text: string;
  try {
    text = (await promisify(execFile)('wrk', [...args, url], { encoding: 'utf8', timeout: (SECONDS + 30) * 1000 })).stdout;
  } catch (err) {
    throw new Error(`wrk failed (is it installed? apt-get install wrk): ${(err as Error).message}`);
  }
  const used = process.cpuUsage(cpu);
  const busy = performance.eventLoopUtilization(loop);
  const number = (pattern: RegExp): number => Number(pattern.exec(text)?.[1] ?? NaN);
  const ms = (label: string): number => {
    const m = new RegExp(`\\s${label}%\\s+([0-9.]+)(us|ms|s)`).exec(text);
    if (m === null) return NaN;
    const v = Number(m[1]);
    return m[2] === 'us' ? v / 1000 : m[2] === 's' ? v * 1000 : v;
  };
  const requests = number(/([0-9]+) requests in/);
  return {
    rps: number(/Requests\/sec:\s+([0-9.]+)/),
    p50ms: ms('50'),
    p99ms: ms('99'),
    requests,
    errors: number(/Non-2xx or 3xx responses:\s+([0-9]+)/) || 0,
    cpuUsPerRequest: (used.user + used.system) / requests,
    mainUsPerRequest: (busy.active * 1000) / requests,
  };
}

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
};

const quiet = pino({ level: 'silent' });
const models = await benchModels();
const bare = Fastify({ logger: false });
let logging: RunningServer | undefined;
let notLogging: RunningServer | undefined;
let sampling: RunningServer | undefined;
let compared: RunningServer | undefined;
const rounds: Record<string, WrkResult>[] = [];
const loads: number[] = [];
try {
  bare.get('/constant', async () => ({ ok: true }));
  // the same request as the small model's (a POST whose JSON body Fastify parses), answered with a constant:
  // what any JSON inference endpoint costs before it does any work of its own
  bare.post('/constant', async () => ({ ok: true }));
  const bareUrl = await bare.listen({ host: '127.0.0.1', port: 0 });
  const serve = (predictionLog: boolean, sampleRate = 1) =>
    startServer({
      store: models.home.store,
      artifacts: models.home.artifacts,
      storeUrl: join(models.home.home, 'kiln.db'), // as `kiln serve` passes it: the log is written from its own thread
      modelRepository: models.repositoryDir,
      logger: quiet,
      port: 0,
      predictionLog: predictionLog && { sampleRate },
      mainThreadRunLimitUs: MAIN_THREAD_RUN_LIMIT_US,
    });
  logging = await serve(true);
  notLogging = await serve(false);
  sampling = await serve(true, 0.1);
  if (COMPARE !== undefined) {
    const other = (await import(pathToFileURL(join(resolve(COMPARE), 'src', 'serve', 'server.ts')).href)) as { startServer: typeof startServer };
    compared = await other.startServer({ modelRepository: models.repositoryDir, logger: quiet, port: 0, mainThreadRunLimitUs: MAIN_THREAD_RUN_LIMIT_US });
  }
  const infer = (server: RunningServer, model: string) => `${server.url}/v2/models/${model}/infer`;
  // Where the small model runs is decided by timing it at load (loaded-model.ts): on a busy machine it can
  // land in a worker thread, which changes its numbers entirely — say so.
  for (const [what, server] of [['this tree', logging], [COMPARE ?? '', compared]] as const) {
    const iris = server?.app.kiln.repository.loadedModels().find((m) => m.name === 'iris');
    if (iris !== undefined) console.error(`small model placement (${what}): ${iris.placement}`);
  }
  const on = logging;
  const off = notLogging;
  const tenth = sampling;

  const allPoints: [string, () => Promise<WrkResult>][] = [
    ['bare Fastify route returning a constant, c64', () => wrk(`${bareUrl}/constant`, 64)],
    ['bare Fastify POST route (the small model\'s JSON body) returning a constant, c64', () => wrk(`${bareUrl}/constant`, 64, BODIES.iris)],
    ['small model v2 infer, c64', () => wrk(infer(on, 'iris'), 64, BODIES.iris)],
    ...(compared === undefined ? [] : [[`small model v2 infer (${COMPARE}), c64`, () => wrk(infer(compared as RunningServer, 'iris'), 64, BODIES.iris)] as [string, () => Promise<WrkResult>]]),
    ['small model v2 infer, c1', () => wrk(infer(on, 'iris'), 1, BODIES.iris)],
    ['small model v2 infer, c8', () => wrk(infer(on, 'iris'), 8, BODIES.iris)],
    ['heavy MLP, dynamic batching on, c64', () => wrk(infer(on, 'mlp_batched'), 64, BODIES.mlp)],
    ['heavy MLP, dynamic batching off, c64', () => wrk(infer(on, 'mlp_unbatched'), 64, BODIES.mlp)],
    ['heavier MLP (2048 wide), dynamic batching on, c64', () => wrk(infer(on, 'mlp2k_batched'), 64, BODIES.mlp)],
    ['heavier MLP (2048 wide), dynamic batching off, c64', () => wrk(infer(on, 'mlp2k_unbatched'), 64, BODIES.mlp)],
    ['Kiln module, prediction log on, c64', () => wrk(infer(on, 'titanic'), 64, BODIES.titanic)],
    ['Kiln module, prediction log off, c64', () => wrk(infer(off, 'titanic'), 64, BODIES.titanic)],
    ['Kiln module, prediction log sampling 0.1, c64', () => wrk(infer(tenth, 'titanic'), 64, BODIES.titanic)],
  ];
  const only = new RegExp(ONLY); // a regular expression: `--only "bare|small model"`
  const points = allPoints.filter(([name]) => only.test(name));
  // warm the JIT and the connection paths of every route that runs: each point once, for 2 s
  pointSeconds = Math.min(2, SECONDS);
  for (const [, run] of points) await run();
  pointSeconds = SECONDS;
  for (let r = 0; r < ROUNDS; r++) {
    loads.push(loadavg()[0] as number);
    const round: Record<string, WrkResult> = {};
    // odd rounds run the points in reverse, so no point always runs first (right after a pause) or last
    const ordered = r % 2 === 0 ? points : [...points].reverse();
    for (const [name, run] of ordered) round[name] = await run();
    rounds.push(round);
    console.error(`round ${r + 1}/${ROUNDS} done (load average ${loads.at(-1)?.toFixed(1)})`);
  }
  const stats = (await (await fetch(`${on.url}/v2/models/mlp_batched/stats`)).json()) as { model_stats: { inference_count: number; execution_count: number }[] };
  const batched = stats.model_stats[0];
  const meanBatch = batched === undefined ? NaN : batched.inference_count / batched.execution_count;

  const ratio = (a: string, b: string): number => median(rounds.map((round) => (round[a]?.rps ?? NaN) / (round[b]?.rps ?? NaN)));
  const smallVsBare = ratio('small model v2 infer, c64', 'bare Fastify route returning a constant, c64');
  const smallVsBarePost = ratio('small model v2 infer, c64', "bare Fastify POST route (the small model's JSON body) returning a constant, c64");
  const batchingGain = ratio('heavy MLP, dynamic batching on, c64', 'heavy MLP, dynamic batching off, c64');
  const widerBatchingGain = ratio('heavier MLP (2048 wide), dynamic batching on, c64', 'heavier MLP (2048 wide), dynamic batching off, c64');
  const logKept = ratio('Kiln module, prediction log on, c64', 'Kiln module, prediction log off, c64');
  const sampledKept = ratio('Kiln module, prediction log sampling 0.1, c64', 'Kiln module, prediction log off, c64');
  const perRequest = (a: string, b: string, pick: (r: WrkResult) => number): number => median(rounds.map((round) => (round[a] === undefined || round[b] === undefined ? NaN : pick(round[a]) / pick(round[b]))));
  const logCpu = perRequest('Kiln module, prediction log on, c64', 'Kiln module, prediction log off, c64', (r) => r.cpuUsPerRequest);
  const logMain = perRequest('Kiln module, prediction log on, c64', 'Kiln module, prediction log off, c64', (r) => r.mainUsPerRequest);
  const at = new Date().toISOString();
  writeFileSync(join(OUT, 'serve.json'), JSON.stringify({ seconds: SECONDS, rounds, loads, smallVsBare, smallVsBarePost, batchingGain, widerBatchingGain, logKept, sampledKept, logCpu, logMain, meanBatch, at }, null, 2));

  console.log(`${at}, ${ROUNDS} rounds of ${SECONDS} s per point, load average at each round's start: ${loads.map((l) => l.toFixed(1)).join(', ')}`);
  console.log('');
  console.log(`| run (wrk, median of ${ROUNDS} rounds) | req/s | p50 ms | p99 ms | server CPU µs/req | main thread busy µs/req | non-2xx |`);
  console.log('|---|---:|---:|---:|---:|---:|---:|');
  for (const [name] of points) {
    const all = rounds.map((round) => round[name] as WrkResult);
    const m = (pick: (r: WrkResult) => number) => median(all.map(pick));
    console.log(`| ${name} | ${m((r) => r.rps).toFixed(0)} | ${m((r) => r.p50ms).toFixed(2)} | ${m((r) => r.p99ms).toFixed(2)} | ${m((r) => r.cpuUsPerRequest).toFixed(1)} | ${m((r) => r.mainUsPerRequest).toFixed(1)} | ${all.reduce((s, r) => s + r.errors, 0)} |`);
  }
  console.log('');
  console.log('| ratio (median over rounds) | measured | target |');
  console.log('|---|---:|---:|');
  const line = (value: number, text: string): void => {
    if (Number.isFinite(value)) console.log(text);
  };
  line(smallVsBare, `| small model infer / bare Fastify GET (c64) | ${(smallVsBare * 100).toFixed(0)}% | ≥ 60% |`);
  if (compared !== undefined) {
    const vsCompared = ratio('small model v2 infer, c64', `small model v2 infer (${COMPARE}), c64`);
    line(vsCompared, `| small model infer, this tree / ${COMPARE} (c64) | ${vsCompared.toFixed(3)}× | |`);
    const cpu = perRequest('small model v2 infer, c64', `small model v2 infer (${COMPARE}), c64`, (r) => r.cpuUsPerRequest);
    line(cpu, `| server CPU per request, this tree / ${COMPARE} | ${cpu.toFixed(3)}× | |`);
    const main = perRequest('small model v2 infer, c64', `small model v2 infer (${COMPARE}), c64`, (r) => r.mainUsPerRequest);
    line(main, `| main-thread time per request, this tree / ${COMPARE} | ${main.toFixed(3)}× | |`);
  }
  line(smallVsBarePost, `| small model infer / bare Fastify POST with the same body (c64) | ${(smallVsBarePost * 100).toFixed(0)}% | ≥ 60% |`);
  line(batchingGain, `| heavy MLP (256→1024→1024→2), batching on / off (c64) | ${batchingGain.toFixed(2)}× | ≥ 3× |`);
  line(widerBatchingGain, `| heavier MLP (256→2048→2048→2), batching on / off (c64) | ${widerBatchingGain.toFixed(2)}× | ≥ 3× |`);
  line(logKept, `| Kiln module, prediction log on / off (c64) | ${(logKept * 100).toFixed(0)}% (a ${((1 - logKept) * 100).toFixed(1)}% drop) | ≥ 95% |`);
  line(sampledKept, `| Kiln module, log sampling 0.1 / off (c64) | ${(sampledKept * 100).toFixed(0)}% (a ${((1 - sampledKept) * 100).toFixed(1)}% drop) | ≥ 95% |`);
  line(logCpu, `| server CPU per request, log on / off | ${logCpu.toFixed(2)}× | |`);
  line(logMain, `| main-thread time per request, log on / off | ${logMain.toFixed(2)}× | |`);
  line(meanBatch, `| mean rows per executed batch, batching on | ${meanBatch.toFixed(1)} | |`);
  console.log(`| predictions written by the log | ${logging.app.kiln.predictionLog?.stats().written ?? 0} (dropped ${logging.app.kiln.predictionLog?.stats().dropped ?? 0}) | |`);
} finally {
  await logging?.close();
  await notLogging?.close();
  await sampling?.close();
  await compared?.close();
  await bare.close();
  await models.remove();
}
