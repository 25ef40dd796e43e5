/**
 * Reading back a dataset version: the Parquet snapshot a run trained on, stored by digest in the
 * artifact store (src/store/datasets.ts). It goes through readTable like any table, so its columns
 * come back with the types training saw.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ArtifactStore } from '../store/store.js';
import type { LoadedTable } from './sources/csv.js';
import { readTable } from './sources/read-table.js';

export async function readSnapshot(bytes: Uint8Array): Promise<LoadedTable> {
  // DuckDB reads files, not buffers: the bytes go to a private temporary folder for the read
  const dir = await mkdtemp(join(tmpdir(), 'kiln-snapshot-'));
  try {
    const file = join(dir, 'snapshot.parquet');
    await writeFile(file, bytes);
    return await readTable(file);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * The snapshot stored under `digest`, read straight from a file the store streams it into
 * (`getToFile`): its Parquet bytes are never held in memory whole. The store's errors are `get`'s
 * (ARTIFACT_NOT_FOUND, ARTIFACT_CORRUPT, STORE_UNAVAILABLE); the temporary folder is removed either way.
 */
export async function readStoredSnapshot(artifacts: ArtifactStore, digest: string): Promise<LoadedTable> {
  const dir = await mkdtemp(join(tmpdir(), 'kiln-snapshot-'));
  try {
    const file = join(dir, 'snapshot.parquet');
    await artifacts.getToFile(digest, file);
    return await readTable(file);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
