/**
 * The app's folders (the uploads folder, a worker's copy of a job's data) are made with makeFolder: a
 * folder that cannot be created under /proc is an error, where Node's mkdir({recursive: true}) would
 * loop forever (make-folder.ts). Each call must settle with an error; the test's timeout turns a
 * regression into a failure instead of a hung run.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { receiveDataFiles } from '../../src/api/app/shipped-data.js';
import { KilnError } from '../../src/core/errors.js';
import { UploadStore } from '../../src/api/app/upload-store.js';
import { LocalArtifactStore } from '../../src/store/local-artifact-store.js';

const dir = mkdtempSync(join(tmpdir(), 'kiln-proc-folders-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** Node's error for a folder procfs will not create. */
const refusedByProc = (err: unknown): boolean => (err as NodeJS.ErrnoException).code === 'ENOENT';

describe('app folders under /proc fail instead of hanging', { skip: !existsSync('/proc/self') && 'no procfs here', timeout: 30_000 }, () => {
  test('an uploads folder under /proc: save and scratchPath reject', async () => {
    const uploads = new UploadStore('/proc/kiln-uploads');
    await assert.rejects(uploads.save('shop.csv', Readable.from([Buffer.from('a,b\n1,2\n')])), refusedByProc);
    await assert.rejects(uploads.scratchPath('.csv'), refusedByProc);
  });

  test('a worker home under /proc: receiving a shipped data file rejects', async () => {
    const artifacts = new LocalArtifactStore(join(dir, 'artifacts'));
    const digest = await artifacts.put(new TextEncoder().encode('a,b\n1,2\n'));
    const serverHome = join(dir, 'server-home');
    const shipped = { [join(serverHome, 'uploads', digest, 'shop.csv')]: digest };
    // the store says which file it could not write, with Node's error as the cause
    await assert.rejects(receiveDataFiles(shipped, serverHome, '/proc/kiln-worker-home', artifacts), (err: unknown) => {
      assert.ok(err instanceof KilnError && err.code === 'OUTPUT_UNWRITABLE', String(err));
      assert.equal(err.details['path'], '/proc/kiln-worker-home/uploads/' + digest + '/shop.csv');
      return refusedByProc(err.cause);
    });
  });

  test('an ordinary worker home gets the file, folders and all', async () => {
    const artifacts = new LocalArtifactStore(join(dir, 'artifacts'));
    const digest = await artifacts.put(new TextEncoder().encode('a,b\n1,2\n'));
    const serverHome = join(dir, 'server-home');
    const workerHome = join(dir, 'worker-home');
    await receiveDataFiles({ [join(serverHome, 'uploads', digest, 'shop.csv')]: digest }, serverHome, workerHome, artifacts);
    assert.ok(existsSync(join(workerHome, 'uploads', digest, 'shop.csv')));
  });
});
