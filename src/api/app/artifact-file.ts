/**
 * Turning an artifact back into a file: the bytes of a digest, read from the artifact store (which checks
 * them against the digest), written to a path whole or not at all. A job's shipped data on a worker
 * (shipped-data.ts) and an upload fetched by a server that lacks it (shared-uploads.ts) both land this way.
 */
import { randomBytes } from 'node:crypto';
import { rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { makeFolder } from '../../store/make-folder.js';
import type { ArtifactStore } from '../../store/store.js';

/** Writes the bytes of `digest` to `target`, replacing what is there. */
export async function writeArtifactTo(artifacts: ArtifactStore, digest: string, target: string): Promise<void> {
  const bytes = await artifacts.get(digest);
  await makeFolder(dirname(target));
  // Written under a temporary name, then renamed: another request (or job) may read the same file at
  // the same moment, and must see all of it or nothing.
  const temp = join(dirname(target), `.${digest}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    await writeFile(temp, bytes);
    await rename(temp, target);
  } finally {
    await rm(temp, { force: true });
  }
}
