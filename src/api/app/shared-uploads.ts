/**
 * Uploads shared by several `kiln serve` replicas behind a load balancer. Each replica has its own home,
 * so a file uploaded to one is on that replica's disk only, and the next request — a preview, a
 * profile, a fix, a training job — may reach another. When the replicas share an artifact store (a
 * bucket, or a folder outside the home that they all mount), every upload, and every table the app
 * derives from one (a one-click fix), is also put there, by content, as a job's data is for
 * `kiln worker`s (shipped-data.ts). A replica asked about an upload it does not have fetches it from
 * there into its own uploads folder, at the same `<sha256>/<name>`, before reading it; the store checks
 * the bytes against the sha256 the path names. Without a shared store this does nothing.
 *
 * What the shared store answers decides the error: no such bytes → UPLOAD_NOT_FOUND naming the upload;
 * the store away → UPLOAD_UNAVAILABLE (503), on the routes that need it only — an upload this replica
 * has is read as always, and nothing stored on disk or in the store is removed.
 *
 * Uploads may be as large as the upload limit, and several may move at once: both ways they stream
 * (ArtifactStore.putFile / getToFile), never held in memory whole.
 */
import { existsSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { KilnError } from '../../core/errors.js';
import type { ArtifactStore } from '../../store/store.js';
import { uploadDigestOf, uploadPlaceOf, type StoredUpload } from './upload-store.js';

export interface SharedStore {
  readonly artifacts: ArtifactStore;
  /** The store as messages name it: `s3://BUCKET/PREFIX` (without settings) or the folder. */
  readonly location: string;
}

export class SharedUploads {
  /** Fetches under way, by path: requests for the same missing upload wait for one download. */
  private readonly fetching = new Map<string, Promise<void>>();

  /** @param shared the store the replicas share; undefined when this server is on its own */
  constructor(private readonly shared: SharedStore | undefined) {}

  /**
   * Whether uploads are shared with other servers: then other replicas may hold uploads this server's
   * list does not show (the store keeps bytes by sha256 only, with no names to list).
   */
  get sharing(): boolean {
    return this.shared !== undefined;
  }

  /**
   * Puts a stored upload into the shared store (once: bytes already there are not sent again).
   * UPLOAD_UNAVAILABLE when the store does not answer: the other replicas could not read it.
   */
  async publish(upload: StoredUpload): Promise<void> {
    if (this.shared === undefined) return;
    const { artifacts } = this.shared;
    try {
      if (await artifacts.has(upload.sha256)) return;
      const digest = await artifacts.putFile(upload.path);
      if (digest !== upload.sha256) throw new KilnError('INTERNAL', { reason: `the upload ${upload.path} changed while it was shared` });
    } catch (err) {
      throw this.unavailable(err, upload.name, 'shared with the other servers');
    }
  }

  /**
   * Makes sure the upload at `path` (in this server's uploads folder) is on this server: when it is
   * not, and the path names its sha256, fetches it from the shared store. Paths that are not uploads,
   * and uploads already here, are left alone (a file that is nowhere is then the data layer's
   * DATA_NOT_FOUND, as on a server of its own).
   */
  async ensureHere(path: string): Promise<void> {
    if (this.shared === undefined || existsSync(path)) return;
    const digest = uploadDigestOf(path);
    if (digest === undefined) {
      if (uploadPlaceOf(path) === undefined) return;
      // a home written before uploads were shared names only part of the sha256: nothing to fetch by
      throw new KilnError('UPLOAD_NOT_FOUND', { name: basename(path), path, reason: 'it was stored before uploads were shared between servers, so no other server can send it' });
    }
    let fetch = this.fetching.get(path);
    if (fetch === undefined) {
      fetch = this.fetch(path, digest, this.shared).finally(() => this.fetching.delete(path));
      this.fetching.set(path, fetch);
    }
    await fetch;
  }

  private async fetch(path: string, digest: string, { artifacts, location }: SharedStore): Promise<void> {
    const name = basename(path);
    try {
      await artifacts.getToFile(digest, path);
    } catch (err) {
      if (err instanceof KilnError && err.code === 'ARTIFACT_NOT_FOUND') {
        throw new KilnError('UPLOAD_NOT_FOUND', { name, path, reason: `the shared artifact store at ${location} does not hold it either` }, { cause: err });
      }
      if (err instanceof KilnError && err.code === 'ARTIFACT_CORRUPT') {
        throw new KilnError('UPLOAD_NOT_FOUND', { name, path, reason: `its copy in the shared artifact store at ${location} does not match its sha256` }, { cause: err });
      }
      if (!(err instanceof KilnError) || err.code === 'OUTPUT_UNWRITABLE') {
        // the bytes came but could not be written here (a full disk, a read-only home): this server's
        // trouble, not the caller's mistake, so not OUTPUT_UNWRITABLE's 400
        const reason = err instanceof KilnError ? String(err.details['reason']) : err instanceof Error ? err.message : String(err);
        throw new KilnError('STORE_UNAVAILABLE', { location: dirname(dirname(path)), reason }, { cause: err });
      }
      throw this.unavailable(err, name, 'fetched from the shared artifact store');
    }
  }

  /** The shared store's outage as the upload's: its STORE_UNAVAILABLE becomes UPLOAD_UNAVAILABLE; other errors pass. */
  private unavailable(err: unknown, name: string, action: string): unknown {
    if (!(err instanceof KilnError) || err.code !== 'STORE_UNAVAILABLE') return err;
    const location = this.shared?.location ?? String(err.details['location']);
    return new KilnError('UPLOAD_UNAVAILABLE', { name, action, location, reason: String(err.details['reason'] ?? err.message) }, { cause: err });
  }
}
