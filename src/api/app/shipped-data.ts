/**
 * A queued job's data files, carried through the artifact store to workers that share no folder with
 * the server. With artifacts in a bucket (`--artifacts s3://…`), a `kiln worker` on another machine
 * reaches the store, the bucket and Redis, but not the server's disk, where the app keeps uploads. So on
 * submitting, the server puts each data file that lies under its home into the artifact store (by
 * content, like a model's files; an upload sent twice is stored once) and the job names them; the worker
 * writes any it lacks to the same place under its own home before training, and the spec reads them
 * there. Files elsewhere (a path the user typed, a database URL) are left as they are: they were never
 * the server's to send. Files go both ways in chunks (putFile, getToFile): a data file may be hundreds of
 * megabytes, and a worker may take several jobs at once.
 */
import { stat } from 'node:fs/promises';
import type { LoadedSpec } from '../../modules/spec.js';
import { hashFile } from '../../store/artifact-streams.js';
import type { ArtifactStore } from '../../store/store.js';
import { liesUnder, rehome } from './shared-home.js';
import { uploadDigestOf } from './upload-store.js';

/** Data file path as the server named it → the sha256 of its bytes in the artifact store. */
export type ShippedFiles = Readonly<Record<string, string>>;

/**
 * Puts the spec's data files under `home` into `artifacts`; what it put, by path. (An upload is usually
 * there already — shared-uploads.ts put it when it arrived — and putting it again finds it.)
 */
export async function shipDataFiles(loaded: LoadedSpec, home: string, artifacts: ArtifactStore): Promise<ShippedFiles> {
  const shipped: Record<string, string> = {};
  for (const path of [loaded.dataPath, loaded.testDataPath]) {
    if (path === undefined || shipped[path] !== undefined || !liesUnder(path, home) || !(await isFile(path))) continue;
    // an upload's path names its sha256: when those bytes are in the store already, it is not read again
    const named = uploadDigestOf(path);
    shipped[path] = named !== undefined && (await artifacts.has(named)) ? named : await artifacts.putFile(path);
  }
  return shipped;
}

/**
 * Writes each shipped file to its place under `toHome` (where rehomeSpec will look for it) unless a file
 * with the same bytes is there already (a shared folder after all, or an earlier job's upload).
 */
export async function receiveDataFiles(files: ShippedFiles, fromHome: string, toHome: string, artifacts: ArtifactStore): Promise<void> {
  for (const [path, digest] of Object.entries(files)) {
    const target = rehome(path, fromHome, toHome);
    if ((await digestOf(target)) === digest) continue;
    await artifacts.getToFile(digest, target);
  }
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false; // missing: training will say so, with its own coded error
  }
}

async function digestOf(path: string): Promise<string | undefined> {
  try {
    return (await hashFile(path)).digest;
  } catch {
    return undefined;
  }
}
