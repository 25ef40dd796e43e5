/**
 * Writing a file so that readers (and a machine that loses power) see the old content or the new, never
 * half of it: the bytes go to a temporary file beside the target, are synced, and the temporary file is
 * renamed over the target; the folder is then synced so that the rename itself survives. Used by the
 * folder artifact store, the job journal and the uploads' records.
 */
import { randomBytes } from 'node:crypto';
import { open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/**
 * Writes `data` to `path` whole or not at all. The temporary file is named `.NAME.PID.RANDOM.tmp` in the
 * same folder (a rename cannot cross file systems), so a folder's owner can sweep what a crash left by
 * the `.tmp` ending. Errors are Node's: callers say what they were writing.
 */
export async function writeFileAtomically(path: string, data: string | Uint8Array): Promise<void> {
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    const file = await open(temp, 'wx');
    try {
      await file.writeFile(data);
      await file.sync();
    } finally {
      await file.close();
    }
    await rename(temp, path);
    await syncFolder(dirname(path));
  } catch (err) {
    await rm(temp, { force: true }).catch(() => {});
    throw err;
  }
}

/**
 * Makes a rename durable: on POSIX a new directory entry survives a power cut only once the folder is
 * synced. Windows cannot open a folder for syncing, and NTFS journals renames anyway.
 */
export async function syncFolder(path: string): Promise<void> {
  if (process.platform === 'win32') return;
  const folder = await open(path, 'r');
  try {
    await folder.sync();
  } finally {
    await folder.close();
  }
}
