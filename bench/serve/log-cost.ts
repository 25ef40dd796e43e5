/**
 * What the prediction log costs per request, without HTTP or a load generator: the Kiln module of the
 * serving bench (`Age` FP32 + `Sex` BYTES → label, probabilities) answered through the data plane by 64
 * concurrent callers in this process, by a server that logs every request to its SQLite store (from the
 * writer thread, as `kiln serve` does) and by one that logs nothing, alternately. Each request's body is
 * parsed from JSON and named with a server-made id, as the REST route does.
 *
 * The module runs on the main thread in every server (a large `mainThreadRunLimitUs`: where a model
 * runs is otherwise decided by timing it at load, and a busy machine can place it differently in two
 * servers, which changes their numbers more than the log does).
 *
 * CPU time is read per thread from /proc (Linux): the main thread (what every request goes through, the
 * bound on throughput) and all other threads together (the log's writer thread, V8's garbage collection
 * helpers, libuv). On a shared machine CPU time per request is steadier than requests per second.
 *
 *   node --import tsx bench/serve/log-cost.ts [--seconds 4] [--rounds 3] [--compare DIR] [--only TEXT]
 *
 * `--compare DIR`: another copy of the repository (e.g. the code before a change, node_modules linked),
 * whose two servers run interleaved with this tree's in every round. Raw results: bench/out/log-cost.json.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import pino from 'pino';
import { timeOrderedId } from '../../src/core/time-ordered-id.js';
import type { buildServer as BuildServer } from '../../src/serve/server.js';
import { registerFixture, tempHome } from '../../test/serve/fixture-module.js';
import { BODIES } from './bench-models.js';

const OUT = join(import.meta.dirname, '..', 'out');
const flag = (name: string, fallback: string): string => {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 ? (process.argv[at + 1] ?? fallback) : fallback;
};
const SECONDS = Number(flag('seconds', '4'));
const ROUNDS = Number(flag('rounds', '3'));
const COMPARE = flag('compare', '');
/** `--only TEXT`: just the servers whose name contains TEXT (e.g. `log on`, to profile one with --cpu-prof). */
const ONLY = flag('only', '');
const CONCURRENCY = 64;

/** CPU seconds of this process's threads, main thread apart (utime + stime from /proc/self/task/TID/stat). */
function threadCpu(): { main: number; others: number } {
  const tick = 100; // USER_HZ on Linux
  let main = 0;
  let others = 0;
  for (const tid of readdirSync('/proc/self/task')) {
    let stat: string;
    try {
      stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
    } catch {
      continue; // the thread ended meanwhile
    }
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const seconds = (Number(fields[11]) + Number(fields[12])) / tick;
    if (Number(tid) === process.pid) main += seconds;
    else others += seconds;
  }
  return { main, others };
}

interface Point {
  readonly requests: number;
  /** µs of CPU per request: the main thread, the other threads, and the main thread's event-loop busy time. */
  readonly mainUs: number;
  readonly othersUs: number;
  readonly busyUs: number;
}

type Infer = (requestId: string) => Promise<unknown>;

/** Runs `infer` from CONCURRENCY callers for SECONDS seconds. */
async function load(infer: Infer): Promise<Point> {
  const end = performance.now() + SECONDS * 1000;
  let requests = 0;
  const cpu = threadCpu();
  const loop = performance.eventLoopUtilization();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (performance.now() < end) {
        await infer(timeOrderedId());
        requests++;
        // one request per macrotask, as requests arrive from sockets
        await new Promise((resolve) => setImmediate(resolve));
      }
    }),
  );
  const used = threadCpu();
  const busy = performance.eventLoopUtilization(loop);
  return { requests, mainUs: ((used.main - cpu.main) * 1e6) / requests, othersUs: ((used.others - cpu.others) * 1e6) / requests, busyUs: (busy.active * 1000) / requests };
}

const home = await tempHome();
await registerFixture(home, { name: 'titanic', classes: [0, 1] });
const quiet = pino({ level: 'silent' });
const trees = [resolve(import.meta.dirname, '..', '..'), ...(COMPARE === '' ? [] : [resolve(COMPARE)])];
const servers: { name: string; infer: Infer; close(): Promise<void> }[] = [];
for (const [t, tree] of trees.entries()) {
  const { buildServer } = (await import(pathToFileURL(join(tree, 'src', 'serve', 'server.ts')).href)) as { buildServer: typeof BuildServer };
  for (const logging of [true, false]) {
    if (!`${t === 0 ? 'this tree' : COMPARE}, log ${logging ? 'on' : 'off'}`.includes(ONLY)) continue;
    // the module runs on the main thread in every server: where a model runs is otherwise decided by timing
    // it at load, which a busy machine can tip to a worker thread for one server and not another
    const app = await buildServer({ store: home.store, artifacts: home.artifacts, storeUrl: join(home.home, 'kiln.db'), logger: quiet, predictionLog: logging && {}, mainThreadRunLimitUs: 1e9 });
    await app.ready();
    const plane = app.kiln.dataPlane;
    await plane.modelReady('titanic');
    servers.push({
      name: `${t === 0 ? 'this tree' : COMPARE}, log ${logging ? 'on' : 'off'}`,
      infer: (requestId) => plane.infer('titanic', undefined, JSON.parse(BODIES.titanic), { requestId }),
      close: () => app.close(),
    });
  }
}

const results: Record<string, Point[]> = {};
try {
  for (const server of servers) await load(server.infer); // warm-up
  for (let round = 0; round < ROUNDS; round++) {
    for (const server of round % 2 === 0 ? servers : [...servers].reverse()) (results[server.name] ??= []).push(await load(server.infer));
    console.error(`round ${round + 1}/${ROUNDS} done (load average ${loadavg()[0]?.toFixed(1)})`);
  }
} finally {
  for (const server of servers) await server.close();
  await home.remove();
}

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
};
console.log(`\n${new Date().toISOString()}, ${ROUNDS} rounds of ${SECONDS} s per point, concurrency ${CONCURRENCY}, load average ${loadavg()[0]?.toFixed(1)}\n`);
console.log('| server (median of rounds) | requests/s | main thread CPU µs/req | other threads CPU µs/req | main thread busy µs/req |');
console.log('|---|---:|---:|---:|---:|');
for (const [name, points] of Object.entries(results)) {
  const m = (f: (p: Point) => number) => median(points.map(f)).toFixed(1);
  console.log(`| ${name} | ${median(points.map((p) => p.requests / SECONDS)).toFixed(0)} | ${m((p) => p.mainUs)} | ${m((p) => p.othersUs)} | ${m((p) => p.busyUs)} |`);
}
console.log('\n| the log\'s cost per request (on − off, median over rounds) | main thread CPU µs | other threads CPU µs | main thread busy µs |');
console.log('|---|---:|---:|---:|');
for (const t of ONLY === '' ? trees.keys() : []) {
  const on = results[servers[2 * t]?.name as string] as Point[];
  const off = results[servers[2 * t + 1]?.name as string] as Point[];
  const d = (f: (p: Point) => number) => median(on.map((p, i) => f(p) - f(off[i] as Point))).toFixed(1);
  console.log(`| ${t === 0 ? 'this tree' : COMPARE} | ${d((p) => p.mainUs)} | ${d((p) => p.othersUs)} | ${d((p) => p.busyUs)} |`);
}
mkdirSync(OUT, { recursive: true });
writeFileSync(join(OUT, 'log-cost.json'), JSON.stringify({ at: new Date().toISOString(), seconds: SECONDS, results }, null, 2));
