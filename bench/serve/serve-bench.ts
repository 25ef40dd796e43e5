/**
 * Serving benchmark, loopback only, bounded in time (about a minute). Everything in one run:
 *
 *   1. a bare Fastify route returning a constant vs a small model's v2 infer (the iris-like classifier),
 *      at concurrency 64 — target: Kiln ≥ 60% of the bare route's requests per second;
 *   2. a heavy model (MLP 256→1024→1024→2) with dynamic batching vs the same server with batching off,
 *      at concurrency 64 — target: ≥ 3× the throughput;
 *   3. p50 / p99 latency of the small model at concurrency 1, 8 and 64.
 *
 * Load comes from Debian's `wrk` (apt-get install wrk), a separate process. Raw results go to
 * bench/out/serve.json.
 *
 *   node --import tsx bench/serve/serve-bench.ts [--seconds 5]
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Fastify from 'fastify';
import pino from 'pino';
import { startServer, type RunningServer } from '../../src/serve/server.js';
import { irisLike, tritonRepository, wideMlp } from '../../test/serve/foreign-models.js';

const OUT = join(import.meta.dirname, '..', 'out');
const secondsArg = process.argv.indexOf('--seconds');
const SECONDS = secondsArg > 0 ? Number(process.argv[secondsArg + 1]) : 5;

interface WrkResult {
  readonly rps: number;
  readonly p50ms: number;
  readonly p99ms: number;
  readonly requests: number;
  readonly errors: number;
}

/** Runs wrk as a child process; asynchronously, since the servers under test share this event loop. */
async function wrk(url: string, connections: number, body?: string): Promise<WrkResult> {
  mkdirSync(OUT, { recursive: true });
  const args = ['-t', connections === 1 ? '1' : '2', '-c', String(connections), '-d', `${SECONDS}s`, '--latency'];
  if (body !== undefined) {
    const script = join(OUT, 'serve-post.lua');
    writeFileSync(script, `wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\nwrk.body = ${JSON.stringify(body)}\n`);
    args.push('-s', script);
  }
  let text: string;
  try {
    text = (await promisify(execFile)('wrk', [...args, url], { encoding: 'utf8', timeout: (SECONDS + 30) * 1000 })).stdout;
  } catch (err) {
    throw new Error(`wrk failed (is it installed? apt-get install wrk): ${(err as Error).message}`);
  }
  const number = (pattern: RegExp): number => Number(pattern.exec(text)?.[1] ?? NaN);
  const ms = (label: string): number => {
    const m = new RegExp(`\\s${label}%\\s+([0-9.]+)(us|ms|s)`).exec(text);
    if (m === null) return NaN;
    const v = Number(m[1]);
    return m[2] === 'us' ? v / 1000 : m[2] === 's' ? v * 1000 : v;
  };
  return {
    rps: number(/Requests\/sec:\s+([0-9.]+)/),
    p50ms: ms('50'),
    p99ms: ms('99'),
    requests: number(/([0-9]+) requests in/),
    errors: number(/Non-2xx or 3xx responses:\s+([0-9]+)/) || 0,
  };
}

const quiet = pino({ level: 'silent' });
const irisBody = JSON.stringify({ inputs: [{ name: 'float_input', shape: [1, 4], datatype: 'FP32', data: [5.1, 3.5, 1.4, 0.2] }] });
const mlpBody = JSON.stringify({ inputs: [{ name: 'x', shape: [1, 256], datatype: 'FP32', data: Array.from({ length: 256 }, (_, i) => Math.sin(i)) }] });
const heavyConfig = (batching: boolean) =>
  `max_batch_size: 64\ninstance_group [ { count: 1, kind: KIND_CPU } ]\n${batching ? 'dynamic_batching { max_queue_delay_microseconds: 0 }\n' : ''}`;

const repo = await tritonRepository([
  { name: 'iris', versions: { 1: irisLike() } },
  { name: 'mlp_batched', versions: { 1: wideMlp() }, config: heavyConfig(true) },
  { name: 'mlp_unbatched', versions: { 1: wideMlp() }, config: heavyConfig(false) },
]);
const results: Record<string, WrkResult> = {};
let kiln: RunningServer | undefined;
const bare = Fastify({ logger: false });
try {
  bare.get('/constant', async () => ({ ok: true }));
  const bareUrl = await bare.listen({ host: '127.0.0.1', port: 0 });
  kiln = await startServer({ modelRepository: repo.dir, logger: quiet, port: 0 });
  const infer = (model: string) => `${kiln?.url}/v2/models/${model}/infer`;

  await wrk(infer('iris'), 8, irisBody); // warm the JIT and the connection paths
  results['bare fastify, c64'] = await wrk(`${bareUrl}/constant`, 64);
  results['small model v2 infer, c64'] = await wrk(infer('iris'), 64, irisBody);
  results['small model v2 infer, c1'] = await wrk(infer('iris'), 1, irisBody);
  results['small model v2 infer, c8'] = await wrk(infer('iris'), 8, irisBody);
  results['heavy MLP, batching on, c64'] = await wrk(infer('mlp_batched'), 64, mlpBody);
  results['heavy MLP, batching off, c64'] = await wrk(infer('mlp_unbatched'), 64, mlpBody);
  const stats = (await (await fetch(`${kiln.url}/v2/models/mlp_batched/stats`)).json()) as { model_stats: { inference_count: number; execution_count: number }[] };
  const batched = stats.model_stats[0];
  const meanBatch = batched === undefined ? NaN : batched.inference_count / batched.execution_count;

  const ratio = (a: string, b: string): number => (results[a]?.rps ?? NaN) / (results[b]?.rps ?? NaN);
  const smallVsBare = ratio('small model v2 infer, c64', 'bare fastify, c64');
  const batchingGain = ratio('heavy MLP, batching on, c64', 'heavy MLP, batching off, c64');
  writeFileSync(join(OUT, 'serve.json'), JSON.stringify({ seconds: SECONDS, results, smallVsBare, batchingGain, meanBatch, at: new Date().toISOString() }, null, 2));

  console.log(`| run (wrk, ${SECONDS} s each) | req/s | p50 ms | p99 ms | non-2xx |`);
  console.log('|---|---:|---:|---:|---:|');
  for (const [name, r] of Object.entries(results)) console.log(`| ${name} | ${r.rps.toFixed(0)} | ${r.p50ms.toFixed(2)} | ${r.p99ms.toFixed(2)} | ${r.errors} |`);
  console.log('');
  console.log(`| ratio | measured | target |`);
  console.log('|---|---:|---:|');
  console.log(`| small model infer / bare Fastify (c64) | ${(smallVsBare * 100).toFixed(0)}% | ≥ 60% |`);
  console.log(`| heavy MLP batching on / off (c64) | ${batchingGain.toFixed(2)}× | ≥ 3× |`);
  console.log(`| mean rows per batch, batching on | ${meanBatch.toFixed(1)} | |`);
} finally {
  await kiln?.close();
  await bare.close();
  await repo.remove();
}
