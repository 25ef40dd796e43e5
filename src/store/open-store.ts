/**
 * A Kiln home: the folder (`--home`, `KILN_HOME`, default `./.kiln`) holding the tracking and registry
 * database `kiln.db` and the artifact folder `artifacts/`. Opening one creates what is missing.
 */
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { KilnError } from '../core/errors.js';
import { LocalArtifactStore } from './local-artifact-store.js';
import { SqliteStore } from './sqlite/sqlite-store.js';
import type { ArtifactStore, Store } from './store.js';

export interface KilnHome {
  readonly store: Store;
  readonly artifacts: ArtifactStore;
  /** The home folder as an absolute path. */
  readonly home: string;
}

/** Opens (creating if needed) the home at `home`; throws STORE_UNAVAILABLE when it cannot be used. */
export async function openHome(home: string): Promise<KilnHome> {
  const absolute = resolve(home);
  const artifactsDir = join(absolute, 'artifacts');
  try {
    await mkdir(artifactsDir, { recursive: true });
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new KilnError('STORE_UNAVAILABLE', { location: absolute, reason }, { cause: err });
  }
  const store = SqliteStore.open(join(absolute, 'kiln.db'));
  return { store, artifacts: new LocalArtifactStore(artifactsDir), home: absolute };
}
