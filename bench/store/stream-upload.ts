/**
 * Memory and time of moving one large upload through the artifact store, old way and new way side by side:
 *
 *   node --import tsx bench/store/stream-upload.ts [MB]     (default 300; raw results in bench/out/store-stream-upload.json)
 *
 * old: `put(await readFile(path))` and `writeFile(path, await get(digest))` — what shared-uploads.ts and
 *      shipped-data.ts did before; the whole file in memory (get: the buffer, then its verification).
 * new: `putFile(path)` and `getToFile(digest, path)` — streamed, a chunk (local) or a few parts (S3) at a time.
 *
 * Each operation runs in a child process of its own, so its peak RSS is its own: the kernel's high-water
 * mark (process.resourceUsage().maxRSS), exact where sampling memoryUsage() would miss a peak inside one
 * synchronous hash. "base" is the child's RSS just before the operation (Node, tsx, the SDK loaded), so
 * peak − base is what the operation itself added. The S3 store talks to s3rver on loopback, run by this
 * (parent) process so that the server's own memory is not counted. Times are wall-clock for the operation
 * alone, on whatever else the machine is doing; the ratios are what to read.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, openSync, closeSync, writeSync, rmSync, writeFileSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LocalArtifactStore } from '../../src/store/local-artifact-store.js';
import { S3ArtifactStore } from '../../src/store/s3-artifact-store.js';
import type { ArtifactStore } from '../../src/store/store.js';
import { S3_TEST_CREDENTIALS, startTestS3 } from '../../test/helpers/s3-server.js';

type Way = 'old' | 'new';
type Op = 'put' | 'get';

interface Measured {
  readonly ms: number;
  readonly baseMb: number;
  readonly peakMb: number;
}

const MB = 1024 * 1024;

async function child(storeUrl: string, way: Way, op: Op, path: string, digest: string): Promise<void> {
  const store: ArtifactStore = storeUrl.startsWith('s3://') ? await S3ArtifactStore.open(storeUrl) : new LocalArtifactStore(storeUrl);
  const baseMb = process.memoryUsage().rss / MB;
  const started = performance.now();
  let result = '';
  if (op === 'put') result = way === 'old' ? await store.put(await readFile(path)) : await store.putFile(path);
  else if (way === 'old') await writeFile(path, await store.get(digest));
  else await store.getToFile(digest, path);
  const ms = performance.now() - started;
  if (op === 'put' && result !== digest) throw new Error(`put returned ${result}, expected ${digest}`);
  if (store instanceof S3ArtifactStore) store.close();
  // maxRSS is in KiB
  process.stdout.write(JSON.stringify({ ms, baseMb, peakMb: process.resourceUsage().maxRSS / 1024 } satisfies Measured));
}

/** Runs one operation in a child; asynchronously, since s3rver in this process must keep answering it. */
async function runChild(storeUrl: string, way: Way, op: Op, path: string, digest: string): Promise<Measured> {
  const self = fileURLToPath(import.meta.url);
  const ran = spawn(process.execPath, ['--import', 'tsx', self, '--child', storeUrl, way, op, path, digest], {
    env: { ...process.env, ...S3_TEST_CREDENTIALS, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  ran.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  ran.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const [status] = (await once(ran, 'close')) as [number | null];
  if (status !== 0) throw new Error(`${way} ${op} on ${storeUrl} failed: ${stderr}`);
  return JSON.parse(stdout) as Measured;
}

/** A file of `mb` MiB of random bytes (incompressible, like a real upload to a disk that compresses). */
function makeFile(path: string, mb: number): string {
  const hash = createHash('sha256');
  const fd = openSync(path, 'w');
  try {
    for (let i = 0; i < mb; i++) {
      const chunk = randomBytes(MB);
      hash.update(chunk);
      writeSync(fd, chunk);
    }
  } finally {
    closeSync(fd);
  }
  return hash.digest('hex');
}

async function main(): Promise<void> {
  const mb = Number(process.argv[2] ?? 300);
  const dir = mkdtempSync(join(tmpdir(), 'kiln-bench-stream-'));
  const s3 = await startTestS3(['bench']);
  try {
    const source = join(dir, 'upload.csv');
    const digest = makeFile(source, mb);
    const rows: Array<{ store: string; op: Op; old: Measured; new: Measured }> = [];
    for (const store of ['local', 's3'] as const) {
      const urlOf = (way: Way): string => (store === 'local' ? join(dir, `artifacts-${way}`) : s3.urlOf('bench', way));
      const put = { old: await runChild(urlOf('old'), 'old', 'put', source, digest), new: await runChild(urlOf('new'), 'new', 'put', source, digest) };
      rows.push({ store, op: 'put', ...put });
      const get = {
        old: await runChild(urlOf('old'), 'old', 'get', join(dir, 'got-old.csv'), digest),
        new: await runChild(urlOf('new'), 'new', 'get', join(dir, 'got-new.csv'), digest),
      };
      rows.push({ store, op: 'get', ...get });
      rmSync(join(dir, 'got-old.csv'), { force: true });
      rmSync(join(dir, 'got-new.csv'), { force: true });
    }
    const cell = (m: Measured): string => `${m.peakMb.toFixed(0).padStart(5)} MB (+${(m.peakMb - m.baseMb).toFixed(0).padStart(4)}) ${(m.ms / 1000).toFixed(2).padStart(6)} s`;
    console.log(`${mb} MiB file; peak RSS (+ over the child's RSS before the operation) and time`);
    console.log(`${'store'.padEnd(6)} ${'op'.padEnd(4)} ${'old: put(readFile) / get+writeFile'.padEnd(36)} new: putFile / getToFile`);
    for (const row of rows) console.log(`${row.store.padEnd(6)} ${row.op.padEnd(4)} ${cell(row.old).padEnd(36)} ${cell(row.new)}`);
    mkdirSync('bench/out', { recursive: true });
    writeFileSync('bench/out/store-stream-upload.json', JSON.stringify({ mb, node: process.version, rows }, null, 2) + '\n');
  } finally {
    await s3.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[2] === '--child') {
  const [storeUrl, way, op, path, digest] = process.argv.slice(3) as [string, Way, Op, string, string];
  await child(storeUrl, way, op, path, digest);
} else {
  await main();
}
