/**
 * `mkdir -p` that always returns. Node's own `mkdir(path, { recursive: true })` (async and sync, Node 20
 * and 22) never returns for a path under /proc: procfs answers ENOENT for a child it will not create, Node
 * reads ENOENT as "the parent is missing", creates the parent (EEXIST: it exists), retries the child, gets
 * ENOENT again, and loops at full CPU forever. `kiln export --out /proc/x` spun this way.
 *
 * Here each folder on the way is created once, parents first; when a folder's parent exists and the folder
 * still cannot be created, that error is final and thrown as is (its `code` and `path` are Node's, so
 * callers map them to coded errors as they did before).
 */
import { mkdirSync, statSync } from 'node:fs';
import { mkdir, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';

/** Creates `path` and any missing parents; resolves when it is a folder, throws Node's error otherwise. */
export async function makeFolder(path: string): Promise<void> {
  const folder = resolve(path);
  const first = await attempt(() => mkdir(folder));
  if (first === undefined || (await existingFolder(first, folder))) return;
  const parent = dirname(folder);
  if (codeOf(first) !== 'ENOENT' || parent === folder) throw first;
  await makeFolder(parent);
  // the parent exists now: a second ENOENT means this file system refuses the folder (procfs) — final
  const second = await attempt(() => mkdir(folder));
  if (second !== undefined && !(await existingFolder(second, folder))) throw second;
}

/** The synchronous twin of makeFolder, for code that opens files synchronously (SQLite). */
export function makeFolderSync(path: string): void {
  const folder = resolve(path);
  const first = attemptSync(() => mkdirSync(folder));
  if (first === undefined || existingFolderSync(first, folder)) return;
  const parent = dirname(folder);
  if (codeOf(first) !== 'ENOENT' || parent === folder) throw first;
  makeFolderSync(parent);
  const second = attemptSync(() => mkdirSync(folder));
  if (second !== undefined && !existingFolderSync(second, folder)) throw second;
}

async function attempt(fn: () => Promise<unknown>): Promise<unknown> {
  try {
    await fn();
    return undefined;
  } catch (err) {
    return err;
  }
}

function attemptSync(fn: () => unknown): unknown {
  try {
    fn();
    return undefined;
  } catch (err) {
    return err;
  }
}

/** EEXIST is success when what exists is a folder (made earlier, or just now by another process). */
async function existingFolder(err: unknown, folder: string): Promise<boolean> {
  if (codeOf(err) !== 'EEXIST') return false;
  return (await stat(folder).catch(() => undefined))?.isDirectory() === true;
}

function existingFolderSync(err: unknown, folder: string): boolean {
  if (codeOf(err) !== 'EEXIST') return false;
  try {
    return statSync(folder).isDirectory();
  } catch {
    return false;
  }
}

function codeOf(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException | undefined)?.code;
}
