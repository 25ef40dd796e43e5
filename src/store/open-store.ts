/**
 * Opening stores. A store is named by a URL whose scheme picks the implementation from a registry that is
 * frozen at start-up (like learners and drift tests): a file path or `sqlite:PATH` is SQLite,
 * `postgres://…` (or `postgresql://…`) is PostgreSQL.
 *
 * A Kiln home (`--home`, `KILN_HOME`, default `./.kiln`) holds, unless others are configured, the artifact
 * folder `artifacts/` (`--artifacts`, `KILN_ARTIFACTS_URL`, `artifacts:`: another folder or an
 * `s3://BUCKET/PREFIX`) and the SQLite database `kiln.db` (`--store`, `KILN_STORE_URL`, `store:`).
 * Opening one creates what is missing.
 */
import { statSync, type Stats } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { KilnError } from '../core/errors.js';
import { storeScheme } from './store-scheme.js';
import { LocalArtifactStore } from './local-artifact-store.js';
import { makeFolder } from './make-folder.js';
import { PostgresStore } from './postgres/postgres-store.js';
import { S3ArtifactStore } from './s3-artifact-store.js';
import type { SqlStoreOptions } from './sql/sql-store.js';
import { SqliteStore } from './sqlite/sqlite-store.js';
import type { ArtifactStore, Store } from './store.js';

export type StoreOptions = SqlStoreOptions;

/** Opens the store at a URL whose scheme the registry knows. */
type StoreOpener = (url: string, options: StoreOptions) => Promise<Store>;

const openSqlite: StoreOpener = async (url, options) => SqliteStore.open(sqlitePath(url), options);
const openPostgres: StoreOpener = (url, options) => PostgresStore.open(url, options);

/** Store implementations by URL scheme. Frozen: what a URL means cannot change while Kiln runs. */
export const STORE_SCHEMES: Readonly<Record<string, StoreOpener>> = Object.freeze({
  'sqlite:': openSqlite,
  'postgres:': openPostgres,
  'postgresql:': openPostgres,
});

export { storeScheme };

/** Opens the store named by `url` (a path, `sqlite:PATH` or `postgres://…`); UNSUPPORTED_STORE for others. */
export async function openStore(url: string, options: StoreOptions = {}): Promise<Store> {
  const open = STORE_SCHEMES[storeScheme(url)];
  if (open === undefined) {
    throw new KilnError('UNSUPPORTED_STORE', { url: url.replace(/:[^:@/]*@/, ':***@'), schemes: Object.keys(STORE_SCHEMES).join(', ') });
  }
  return open(url, options);
}

/** `sqlite:PATH`, `sqlite://PATH` or a plain path → the file path. */
function sqlitePath(url: string): string {
  if (!/^sqlite:/i.test(url)) return url;
  const rest = url.slice('sqlite:'.length);
  return rest.startsWith('//') ? rest.slice(2) : rest;
}

export interface KilnHome {
  readonly store: Store;
  readonly artifacts: ArtifactStore;
  /** The home folder as an absolute path. */
  readonly home: string;
}

/**
 * Opens (creating if needed) the home at `home`, with the store at `storeUrl` (default `<home>/kiln.db`)
 * and the artifacts at `artifactsUrl` (default `<home>/artifacts`); throws HOME_NOT_A_FOLDER when a file
 * stands where a folder of them belongs, STORE_UNAVAILABLE when either cannot be used otherwise.
 */
export async function openHome(home: string, storeUrl?: string, options: StoreOptions = {}, artifactsUrl?: string): Promise<KilnHome> {
  const absolute = await ensureFolder(resolve(home), HOME_FOLDER);
  const artifacts = await openArtifacts(artifactsUrl ?? join(absolute, 'artifacts'));
  const store = await openStore(storeUrl ?? join(absolute, 'kiln.db'), options);
  return { store, artifacts, home: absolute };
}

/** An artifact store: `s3://BUCKET/PREFIX` is a bucket, anything else a folder (created when missing). */
export async function openArtifacts(url: string): Promise<ArtifactStore> {
  if (/^s3:/i.test(url)) return S3ArtifactStore.open(url);
  return new LocalArtifactStore(await ensureFolder(resolve(url.replace(/^file:(\/\/)?/i, '')), ARTIFACT_FOLDER));
}

/** Which folder is meant, and the setting that names it, for HOME_NOT_A_FOLDER. */
interface FolderRole {
  readonly what: string;
  readonly setting: string;
}
const HOME_FOLDER: FolderRole = { what: 'the Kiln home', setting: '--home (or KILN_HOME)' };
const ARTIFACT_FOLDER: FolderRole = { what: 'the artifact folder', setting: '--artifacts (or KILN_ARTIFACTS_URL)' };

/**
 * Creates `dir` when missing. When a file stands where the folder (or one of its parents) belongs, that
 * is the person's slip: HOME_NOT_A_FOLDER naming the file (exit 1). Anything else (permissions, a full
 * disk) is STORE_UNAVAILABLE.
 */
async function ensureFolder(dir: string, role: FolderRole): Promise<string> {
  try {
    await makeFolder(dir);
  } catch (err) {
    const file = fileInTheWay(err, dir);
    if (file !== undefined) {
      const reason = file === dir ? 'it is a file' : `${file} is a file, so no folder can be made inside it`;
      throw new KilnError('HOME_NOT_A_FOLDER', { what: role.what, path: dir, reason, setting: role.setting }, { cause: err });
    }
    const reason = err instanceof Error ? err.message : String(err);
    throw new KilnError('STORE_UNAVAILABLE', { location: dir, reason }, { cause: err });
  }
  return dir;
}

/**
 * The file that kept `dir` from being made: `dir` itself (EEXIST, and it is no folder) or the nearest
 * existing parent (ENOTDIR). Undefined when the failure was something else.
 */
function fileInTheWay(err: unknown, dir: string): string | undefined {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (code !== 'EEXIST' && code !== 'ENOTDIR') return undefined;
  for (let path = dir; ; path = dirname(path)) {
    const found = statOrUndefined(path);
    if (found !== undefined) return found.isDirectory() ? undefined : path;
    if (dirname(path) === path) return undefined;
  }
}

function statOrUndefined(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}
