/**
 * A queued job names its data by the paths the server resolved: uploads live in the server's home
 * (`<home>/uploads/…`). A `kiln worker` on another machine reads the same folder through a shared mount
 * (NFS or the like), which may sit at another path there. So paths under the server's home are moved
 * under the worker's; other sources (absolute paths elsewhere, postgres://, sqlite:) are kept as written.
 */
import { isAbsolute, join, relative } from 'node:path';
import type { LoadedSpec } from '../../modules/spec.js';

/** Whether the absolute `path` lies inside the folder `home` (not the folder itself). */
export function liesUnder(path: string, home: string): boolean {
  if (home === '' || !isAbsolute(path)) return false;
  const rel = relative(home, path);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel);
}

/** `path` under `toHome` when it lies under `fromHome`; otherwise unchanged. */
export function rehome(path: string, fromHome: string, toHome: string): string {
  return fromHome !== toHome && liesUnder(path, fromHome) ? join(toHome, relative(fromHome, path)) : path;
}

/** The spec's data paths as seen from the worker's mount of the home. */
export function rehomeSpec(loaded: LoadedSpec, fromHome: string, toHome: string): LoadedSpec {
  return {
    ...loaded,
    dataPath: rehome(loaded.dataPath, fromHome, toHome),
    ...(loaded.testDataPath === undefined ? {} : { testDataPath: rehome(loaded.testDataPath, fromHome, toHome) }),
    baseDir: rehome(loaded.baseDir, fromHome, toHome),
  };
}
