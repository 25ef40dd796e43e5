/**
 * Where a served request's time goes: runs Kiln's server in a child process under `node --cpu-prof`,
 * loads it with wrk (v2 infer, one row per request) and prints the main thread's top self-time
 * functions and packages (cpu-profile-top.ts). The profiles stay in bench/out/profiles/ for a viewer
 * (Chrome DevTools → Performance → load profile).
 *
 *   node --import tsx bench/serve/profile-infer.ts [--model iris|titanic|mlp_batched|mlp_unbatched] [--seconds 10] [--connections 64]
 *                                                 [--log-level info]  (the server's log level; default silent)
 *                                                 [--no-prediction-log]  (a Kiln module's requests are logged unless this is given)
 *                                                 [--bare get|post]  (profile a bare Fastify route returning a constant instead,
 *                                                                     a GET, or a POST with the small model's body: the yardsticks)
 */
import { execFile, spawn } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import Fastify from 'fastify';
import pino from 'pino';
import { startServer } from '../../src/serve/server.js';
import { BODIES, benchModels } from './bench-models.js';
import { formatSummary, summariseProfile } from './cpu-profile-top.js';

const OUT = join(import.meta.dirname, '..', 'out');
const PROFILES = join(OUT, 'profiles');

function flag(name: string, fallback: string): string {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 ? (process.argv[at + 1] ?? fallback) : fallback;
}

/**
 * Child: start the server, print its URL, stop on SIGINT (so the profile is written on a clean exit). On
 * SIGUSR2 it prints the time (µs, process.hrtime's clock, as in the profiles): where the measured load starts.
 */
async function serveChild(): Promise<void> {
  process.on('SIGUSR2', () => console.log(JSON.stringify({ fromUs: Number(process.hrtime.bigint() / 1000n) })));
  if (process.argv.includes('--bare')) return serveBare();
  const models = await benchModels();
  const level = flag('log-level', 'silent');
  // a real log line costs what it costs in production: write it to /dev/null rather than not at all
  const logger = pino({ level }, pino.destination({ dest: '/dev/null', sync: false }));
  // storeUrl as `kiln serve` passes it: a Kiln module's prediction log is written from its own thread
  const server = await startServer({ store: models.home.store, artifacts: models.home.artifacts, storeUrl: join(models.home.home, 'kiln.db'), modelRepository: models.repositoryDir, logger, port: 0, mainThreadRunLimitUs: 400 /* as serve-bench.ts: the placement must not depend on the machine's load */, ...(process.argv.includes('--no-prediction-log') ? { predictionLog: false as const } : {}) });
  console.log(JSON.stringify({ url: server.url }));
  process.once('SIGINT', () => {
    void server
      .close()
      .then(() => models.remove())
      .then(() => process.exit(0));
  });
}

/** Child: the bench's bare Fastify routes (serve-bench.ts), GET and POST at /constant. */
async function serveBare(): Promise<void> {
  const bare = Fastify({ logger: false });
  bare.get('/constant', async () => ({ ok: true }));
  bare.post('/constant', async () => ({ ok: true }));
  const url = await bare.listen({ host: '127.0.0.1', port: 0 });
  console.log(JSON.stringify({ url }));
  process.once('SIGINT', () => void bare.close().then(() => process.exit(0)));
}

async function main(): Promise<void> {
  const bare = process.argv.includes('--bare') ? flag('bare', 'get') : undefined;
  if (bare !== undefined && bare !== 'get' && bare !== 'post') throw new Error(`--bare must be get or post, got ${bare}`);
  const model = flag('model', 'iris');
  const body = BODIES[(model.startsWith('mlp') ? 'mlp' : model) as keyof typeof BODIES];
  if (body === undefined) throw new Error(`--model must be iris, titanic, mlp_batched or mlp_unbatched, got ${model}`);
  const seconds = Number(flag('seconds', '10'));
  const connections = Number(flag('connections', '64'));
  rmSync(PROFILES, { recursive: true, force: true });
  mkdirSync(PROFILES, { recursive: true });
  const child = spawn(
    process.execPath,
    ['--cpu-prof', '--cpu-prof-dir', PROFILES, '--import', 'tsx', import.meta.filename, '--child', '--log-level', flag('log-level', 'silent'), ...(process.argv.includes('--no-prediction-log') ? ['--no-prediction-log'] : []), ...(bare === undefined ? [] : ['--bare'])],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const lines = createInterface({ input: child.stdout });
  const url = await new Promise<string>((resolve, reject) => {
    lines.once('line', (line) => resolve((JSON.parse(line) as { url: string }).url));
    child.once('exit', (code) => reject(new Error(`the server exited early (code ${code})`)));
  });
  const script = join(OUT, 'profile-post.lua');
  writeFileSync(script, `wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\nwrk.body = ${JSON.stringify(body)}\n`);
  const target = bare === undefined ? `${url}/v2/models/${model}/infer` : `${url}/constant`;
  const post = bare === 'get' ? [] : ['-s', script];
  const run = (s: number) => promisify(execFile)('wrk', ['-t', '2', '-c', String(connections), '-d', `${s}s`, ...post, target], { encoding: 'utf8' });
  await run(2); // warm-up, left out of the summaries
  const marked = new Promise<number>((resolve) => lines.once('line', (line) => resolve((JSON.parse(line) as { fromUs: number }).fromUs)));
  child.kill('SIGUSR2');
  const fromUs = await marked;
  const { stdout } = await run(seconds);
  console.log(stdout.split('\n').filter((l) => /Requests\/sec|Latency|Non-2xx/.test(l)).join('\n'));
  // the summaries count the samples from the mark on: the measured run and the few ms of shutdown after it
  const requests = Number(/([0-9]+) requests in/.exec(stdout)?.[1] ?? NaN);
  console.log(`requests: ${requests}, samples from ${fromUs} µs (cpu-profile-top.ts --requests ${requests} --from-us ${fromUs})`);
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGINT');
  await exited;
  // CPU.<date>.<time>.<pid>.<thread>.<seq>.cpuprofile: thread 0 is the main thread, the others are model instances
  const files = readdirSync(PROFILES).filter((f) => f.endsWith('.cpuprofile'));
  for (const file of files.sort()) {
    const thread = file.split('.')[4];
    console.log(`\n## ${thread === '0' ? 'main thread' : `worker thread ${thread}`} (${file})\n`);
    console.log(formatSummary(summariseProfile(JSON.parse(readFileSync(join(PROFILES, file), 'utf8')), fromUs), thread === '0' ? 40 : 10, requests));
  }
}

if (process.argv.includes('--child')) await serveChild();
else await main();
