/**
 * Does a training job in the server slow down serving? A real server (temporary home) serves the
 * Titanic model over v1 while (a) nothing else happens and (b) an AutoML job trains in the same
 * process; one client sends requests back to back and records each latency.
 *
 *   node --import tsx bench/app-api/serving-during-training.ts [--budget 20]
 *
 * Writes bench/out/app-api-serving-during-training.json. No peer: this measures Kiln against itself.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { startServer } from '../../src/serve/server.js';
import { openHome } from '../../src/store/open-store.js';

const budget = Number(process.argv[process.argv.indexOf('--budget') + 1] ?? 20) || 20;
const PASSENGER = { Pclass: 3, Sex: 'male', Age: 22, SibSp: 1, Parch: 0, Fare: 7.25, Embarked: 'S', Name: 'Braund, Mr. Owen Harris', Ticket: 'A/5 21171', Cabin: null };

const dir = mkdtempSync(join(tmpdir(), 'kiln-bench-app-'));
const home = await openHome(dir);
const server = await startServer({ ...home, logger: pino({ level: 'silent' }), host: '127.0.0.1', port: 0 });
const call = async (method: string, path: string, body?: unknown): Promise<Record<string, unknown>> => {
  const res = await fetch(`${server.url}${path}`, { method, ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }) });
  return (await res.json()) as Record<string, unknown>;
};

try {
  const csv = readFileSync(new URL('../../examples/titanic/titanic.csv', import.meta.url));
  const upload = (await (await fetch(`${server.url}/api/uploads?filename=titanic.csv`, { method: 'PUT', body: csv })).json()) as { source: string };
  const waitFor = async (id: string) => {
    for (;;) {
      const job = await call('GET', `/api/jobs/${id}`);
      if (job['status'] !== 'running' && job['status'] !== 'queued') return job;
      await new Promise((r) => setTimeout(r, 200));
    }
  };
  const first = await call('POST', '/api/jobs', { spec: { name: 'titanic', data: upload.source, target: 'Survived', learner: 'logistic-regression' } });
  await waitFor(first['id'] as string);
  await call('POST', '/api/models/titanic/deploy');

  const measure = async (until: () => boolean, max: number): Promise<number[]> => {
    const latencies: number[] = [];
    while (until() && latencies.length < max) {
      const t0 = performance.now();
      await call('POST', '/v1/models/titanic@champion:predict', { instances: [PASSENGER] });
      latencies.push(performance.now() - t0);
    }
    return latencies;
  };
  await measure(() => true, 200); // warm-up
  const idle = await measure(() => true, 2000);

  const job = await call('POST', '/api/jobs', { spec: { name: 'titanic-automl', data: upload.source, target: 'Survived', budget: `${budget}s` } });
  let training = true;
  const finished = waitFor(job['id'] as string).then((j) => {
    training = false;
    return j;
  });
  const busy = await measure(() => training, 1_000_000);
  const jobResult = await finished;

  const stats = (xs: number[]) => {
    const s = [...xs].sort((a, b) => a - b);
    const q = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))] as number;
    return { requests: s.length, p50_ms: q(0.5), p99_ms: q(0.99), max_ms: s[s.length - 1] as number };
  };
  const result = { budget_s: budget, job_status: jobResult['status'], idle: stats(idle), during_training: stats(busy) };
  mkdirSync(new URL('../out/', import.meta.url), { recursive: true });
  writeFileSync(new URL('../out/app-api-serving-during-training.json', import.meta.url), JSON.stringify(result, null, 2));
  const row = (name: string, s: ReturnType<typeof stats>) => `${name.padEnd(16)} ${String(s.requests).padStart(8)} ${s.p50_ms.toFixed(2).padStart(9)} ${s.p99_ms.toFixed(2).padStart(9)} ${s.max_ms.toFixed(1).padStart(9)}`;
  console.log(`v1 predict latency, one client back to back (AutoML job of ${budget} s: ${String(jobResult['status'])})`);
  console.log(`${'state'.padEnd(16)} ${'requests'.padStart(8)} ${'p50 ms'.padStart(9)} ${'p99 ms'.padStart(9)} ${'max ms'.padStart(9)}`);
  console.log(row('idle', result.idle));
  console.log(row('during training', result.during_training));
  console.log(`ratio during/idle: p50 ${(result.during_training.p50_ms / result.idle.p50_ms).toFixed(1)}×, p99 ${(result.during_training.p99_ms / result.idle.p99_ms).toFixed(1)}×`);
} finally {
  await server.close();
  await home.store.close();
  rmSync(dir, { recursive: true, force: true });
}
