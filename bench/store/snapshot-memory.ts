/**
 * Memory of snapshotting a large table as a dataset version, and of reading the snapshot back, old way
 * and new way side by side:
 *
 *   node --expose-gc --import tsx bench/store/snapshot-memory.ts [CSV]
 *     (default /tmp/kiln-bench/synth_clf.csv; a 1M-row CSV is generated there if it is missing)
 *
 * snapshot old: the Parquet file DuckDB wrote is read whole and stored by `put(bytes)` (datasets.ts before);
 * snapshot new: it is streamed in by `putFile(path)`.
 * read old: `readSnapshot(await get(digest))` (held-out-thresholds.ts, version-curves.ts before);
 * read new: `readStoredSnapshot(artifacts, digest)`, the store streaming into a temporary file.
 *
 * Each measurement is a child process of its own. The table is loaded first (that is the same either way
 * and dwarfs the snapshot), then the kernel's peak-RSS mark is reset (`/proc/self/clear_refs`, Linux) so
 * that VmHWM afterwards is the peak of the operation alone; "base" is the RSS just before it. Because
 * the allocators keep what loading the table freed, a snapshot's buffers can fit under that base:
 * buffersAddedMb (the peak of Node's ArrayBuffer bytes, sampled every 5 ms) counts them regardless.
 */
import { spawnSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readSnapshot, readStoredSnapshot } from '../../src/data/read-snapshot.js';
import { readTable } from '../../src/data/sources/read-table.js';
import { snapshotDataset } from '../../src/store/datasets.js';
import { LocalArtifactStore } from '../../src/store/local-artifact-store.js';
import type { ArtifactStore, DatasetVersion, Store } from '../../src/store/store.js';

const MB = 1024 * 1024;

function statusMb(field: 'VmRSS' | 'VmHWM'): number {
  const line = readFileSync('/proc/self/status', 'utf8').split('\n').find((l) => l.startsWith(`${field}:`));
  return Number(/(\d+)/.exec(line ?? '')?.[1] ?? NaN) / 1024;
}

/** The store as it was used before: a file to store is read whole and put as bytes. */
function asBefore(store: ArtifactStore): ArtifactStore {
  return { put: (b) => store.put(b), get: (d) => store.get(d), has: (d) => store.has(d), whereIs: (d) => store.whereIs(d), getToFile: (d, p) => store.getToFile(d, p), putFile: async (p) => store.put(await readFile(p)) };
}

async function child(op: 'snapshot' | 'read', way: 'old' | 'new', csv: string, storeDir: string, digest: string): Promise<void> {
  const artifacts = new LocalArtifactStore(storeDir);
  // registering is the registry's business, not memory's: a stub that hands the version back
  const store = { registerDatasetVersion: async (v: DatasetVersion) => v } as unknown as Store;
  const table = op === 'snapshot' ? await readTable(csv) : undefined;
  (globalThis as { gc?: () => void }).gc?.();
  writeFileSync('/proc/self/clear_refs', '5'); // resets VmHWM to the current RSS
  const baseMb = statusMb('VmRSS');
  // Memory freed by loading the table stays in the process (the allocators keep it), so the snapshot's
  // own buffers may fit under the base RSS; Node's count of ArrayBuffer bytes shows them regardless.
  // Sampled: the file reads and writes are asynchronous, so a whole-file buffer lives across samples.
  const baseBuffersMb = process.memoryUsage().arrayBuffers / MB;
  let peakBuffersMb = baseBuffersMb;
  const sampler = setInterval(() => {
    peakBuffersMb = Math.max(peakBuffersMb, process.memoryUsage().arrayBuffers / MB);
  }, 5);
  const started = performance.now();
  let result = digest;
  let rows: number;
  if (table !== undefined) {
    const version = await snapshotDataset(table, { store, artifacts: way === 'old' ? asBefore(artifacts) : artifacts, dataset: 'bench' });
    result = version.digest;
    rows = version.rows;
  } else {
    const read = way === 'old' ? await readSnapshot(await artifacts.get(digest)) : await readStoredSnapshot(artifacts, digest);
    rows = read.frame.nRows;
  }
  const ms = performance.now() - started;
  clearInterval(sampler);
  const snapshotMb = Math.round(statSync(artifacts.whereIs(result)).size / MB);
  process.stdout.write(JSON.stringify({ op, way, rows, snapshotMb, digest: result, ms: Math.round(ms), baseMb: Math.round(baseMb), peakMb: Math.round(statusMb('VmHWM')), addedMb: Math.round(statusMb('VmHWM') - baseMb), buffersAddedMb: Math.round(peakBuffersMb - baseBuffersMb) }));
}

function run(args: string[]): { digest: string } & Record<string, unknown> {
  const self = fileURLToPath(import.meta.url);
  const ran = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', self, '--child', ...args], { encoding: 'utf8', maxBuffer: 16 * MB });
  if (ran.status !== 0) throw new Error(`child failed: ${ran.stderr}`);
  return JSON.parse(ran.stdout) as { digest: string };
}

async function generate(path: string, rows: number): Promise<void> {
  mkdirSync(dirname(path), { recursive: true });
  const out = createWriteStream(path);
  out.write('x1,x2,x3,x4,x5,cat,label\n');
  let seed = 42;
  const rand = (): number => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  for (let i = 0; i < rows; i++) {
    const line = `${rand().toFixed(6)},${rand().toFixed(6)},${rand().toFixed(6)},${rand().toFixed(6)},${rand().toFixed(6)},c${Math.floor(rand() * 50)},${rand() < 0.5 ? 'yes' : 'no'}\n`;
    if (!out.write(line)) await new Promise<void>((r) => out.once('drain', () => r()));
  }
  await new Promise<void>((r) => out.end(() => r()));
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv[0] === '--child') {
    const [, op, way, csv, storeDir, digest] = argv;
    await child(op as 'snapshot' | 'read', way as 'old' | 'new', csv!, storeDir!, digest ?? '');
    return;
  }
  const csv = argv[0] ?? '/tmp/kiln-bench/synth_clf.csv';
  if (!existsSync(csv)) await generate(csv, 1_000_000);
  const dir = mkdtempSync(join(tmpdir(), 'kiln-bench-snapshot-'));
  try {
    const results = [];
    for (const way of ['old', 'new'] as const) results.push(run(['snapshot', way, csv, join(dir, `store-${way}`), '']));
    const digest = results[1]!.digest;
    if (results[0]!.digest !== digest) throw new Error('old and new snapshots differ');
    for (const way of ['old', 'new'] as const) results.push(run(['read', way, csv, join(dir, 'store-new'), digest]));
    console.table(results.map(({ digest: _d, ...r }) => r));
    mkdirSync('bench/out', { recursive: true });
    writeFileSync('bench/out/store-snapshot-memory.json', JSON.stringify({ csv, results }, null, 2));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
