/**
 * What receiving a JSON POST costs, with and without Fastify: the measurement behind answering the v2
 * infer route in front of Fastify (docs/decisions.md, "The v2 infer route is answered in front of
 * Fastify"). Four servers answer a constant, at concurrency 64 (wrk), in rounds:
 *
 *   - Fastify GET, Fastify POST (the small model's JSON body, parsed by Fastify);
 *   - node:http GET, node:http POST (the body read with one 'data' listener and JSON.parse'd).
 *
 * Printed per point: the median over rounds of req/s, this process's CPU per request (steadier than
 * req/s on a shared machine) and the event loop's busy time per request.
 *
 *   node --import tsx bench/serve/bare-http.ts [--seconds 4] [--rounds 3]
 */
import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import Fastify from 'fastify';
import { BODIES } from './bench-models.js';

const OUT = join(import.meta.dirname, '..', 'out');
const flag = (name: string, fallback: number): number => {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 ? Number(process.argv[at + 1]) : fallback;
};
const SECONDS = flag('seconds', 4);
const ROUNDS = flag('rounds', 3);
const ANSWER = '{"ok":true}';

interface Point {
  readonly rps: number;
  readonly cpuUs: number;
  readonly mainUs: number;
}

async function wrk(url: string, post: boolean): Promise<Point> {
  const script = join(OUT, 'bare-http-post.lua');
  const cpu = process.cpuUsage();
  const loop = performance.eventLoopUtilization();
  const args = ['-t', '2', '-c', '64', '-d', `${SECONDS}s`, ...(post ? ['-s', script] : []), url];
  const { stdout } = await promisify(execFile)('wrk', args, { encoding: 'utf8' });
  const used = process.cpuUsage(cpu);
  const busy = performance.eventLoopUtilization(loop);
  const requests = Number(/([0-9]+) requests in/.exec(stdout)?.[1] ?? NaN);
  return { rps: requests / SECONDS, cpuUs: (used.user + used.system) / requests, mainUs: (busy.active * 1000) / requests };
}

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
};

function listen(server: Server): Promise<string> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)));
}

mkdirSync(OUT, { recursive: true });
writeFileSync(join(OUT, 'bare-http-post.lua'), `wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\nwrk.body = ${JSON.stringify(BODIES.iris)}\n`);

const fastify = Fastify({ logger: false });
fastify.get('/constant', async () => ({ ok: true }));
fastify.post('/constant', async () => ({ ok: true }));
const fastifyUrl = await fastify.listen({ host: '127.0.0.1', port: 0 });

const answer = (response: import('node:http').ServerResponse): void => {
  response.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': String(ANSWER.length) });
  response.end(ANSWER);
};
const http = createServer((request, response) => {
  if (request.method !== 'POST') return answer(response);
  const chunks: Buffer[] = [];
  request.on('data', (chunk: Buffer) => chunks.push(chunk));
  request.on('end', () => {
    JSON.parse(Buffer.concat(chunks).toString('utf8'));
    answer(response);
  });
});
const httpUrl = await listen(http);

const points: [string, string, boolean][] = [
  ['Fastify GET', `${fastifyUrl}/constant`, false],
  ['Fastify POST (JSON body parsed)', `${fastifyUrl}/constant`, true],
  ['node:http GET', `${httpUrl}/constant`, false],
  ['node:http POST (JSON body parsed)', `${httpUrl}/constant`, true],
];
try {
  for (const [, url, post] of points) await wrk(url, post); // warm-up
  const results = new Map<string, Point[]>();
  for (let r = 0; r < ROUNDS; r++) for (const [name, url, post] of points) results.set(name, [...(results.get(name) ?? []), await wrk(url, post)]);
  console.log(`| server, c64 (median of ${ROUNDS} rounds of ${SECONDS} s) | req/s | server CPU µs/req | main thread busy µs/req |`);
  console.log('|---|---:|---:|---:|');
  for (const [name] of points) {
    const all = results.get(name) ?? [];
    console.log(`| ${name} | ${median(all.map((p) => p.rps)).toFixed(0)} | ${median(all.map((p) => p.cpuUs)).toFixed(1)} | ${median(all.map((p) => p.mainUs)).toFixed(1)} |`);
  }
} finally {
  await fastify.close();
  http.close();
}
