/**
 * Files a verb writes for the user (`--html`, `--out`): a path that cannot be written — a folder, a
 * folder that does not exist, no permission — is the user's to fix, so it becomes OUTPUT_UNWRITABLE
 * (exit 1, with a hint) rather than an internal error with Node's errno text.
 */
import { accessSync, closeSync, constants, existsSync, openSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { KilnError } from '../core/errors.js';

/**
 * Refuses, before any work is done, a path that can be seen not to work: an existing folder, or a file
 * in a folder that does not exist. Checked up front so that a long computation (curves, a profile) is
 * not thrown away at the end for a typo in `--html`.
 */
export function checkOutputFile(path: string): void {
  const target = statOrUndefined(path);
  if (target?.isDirectory() === true) throw unwritable(path, 'it is a folder; give a file name inside it');
  const folder = statOrUndefined(dirname(resolve(path)));
  if (folder === undefined) throw unwritable(path, `the folder ${dirname(path)} does not exist`);
  if (!folder.isDirectory()) throw unwritable(path, `${dirname(path)} is a file, not a folder`);
  probeWritable(path, target !== undefined);
}

/**
 * Trying is the only test every file system answers truthfully: /proc refuses a new file with ENOENT in
 * a folder that exists, a read-only mount with EROFS, and root passes every permission check. A file
 * created for the test is removed again; an existing one is only checked, never opened or truncated.
 */
function probeWritable(path: string, exists: boolean): void {
  try {
    if (exists) {
      accessSync(path, constants.W_OK);
    } else {
      closeSync(openSync(path, 'wx'));
      unlinkSync(path);
    }
  } catch (err) {
    // another process creating the file meanwhile is no reason to refuse
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return;
    throw outputFileError(err, path);
  }
}

/** writeFileSync, with the failures a user can fix turned into OUTPUT_UNWRITABLE. */
export function writeOutputFile(path: string, data: string | Uint8Array): void {
  try {
    writeFileSync(path, data);
  } catch (err) {
    throw outputFileError(err, path);
  }
}

/**
 * A file-system error met while writing `path`, as the coded error a user reads (others unchanged);
 * `wanted` says whether the user named a file (--html, --out FILE) or a folder to write into (export).
 */
export function outputFileError(err: unknown, path: string, wanted: Wanted = 'file'): unknown {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  const failedPath = (err as NodeJS.ErrnoException | undefined)?.path ?? path;
  // ENOENT in a folder that exists: the file system creates nothing there (as /proc)
  const refused = code === 'ENOENT' && existsSync(dirname(resolve(failedPath)));
  const reason = refused ? 'the file system there does not let anything be created' : code === undefined ? undefined : REASONS[code];
  return reason === undefined ? err : unwritable(failedPath, reason, wanted);
}

type Wanted = 'file' | 'folder';

const REASONS: Readonly<Record<string, string>> = {
  ENOENT: 'its folder does not exist',
  EISDIR: 'it is a folder; give a file name inside it',
  ENOTDIR: 'a part of the path is a file, not a folder',
  EEXIST: 'a file is in the way where a folder is needed',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EROFS: 'the file system is read-only',
  ENOSPC: 'the disk is full',
};

function unwritable(path: string, reason: string, wanted: Wanted = 'file'): KilnError {
  return new KilnError('OUTPUT_UNWRITABLE', { path, reason, wanted });
}

function statOrUndefined(path: string): ReturnType<typeof statSync> | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}
