/**
 * The app's data routes: getting a table in, looking at it, and fixing what is safe to fix.
 *
 *   PUT  /api/uploads?filename=NAME        raw file bytes → 201 {source, name, bytes, rows, columns, preview}
 *   GET  /api/uploads                      → {uploads: [{id, source, name, bytes, uploaded_at, rows, columns}],
 *                                          shared_store}: this server's uploads, newest first
 *   DELETE /api/uploads/:id                :id = `<sha256>/<name>` (or the source), URL-encoded → {source, name,
 *                                          dataset_versions}; 409 UPLOAD_IN_USE while a training reads it
 *   POST /api/sources/preview {source}     → {source, rows, columns, preview}
 *   POST /api/inspect {source, target?}    → the `kiln inspect --json` document, with one-click fixes
 *   POST /api/sources/fix {source, drop_columns?, drop_duplicates?} → a new upload, as PUT /api/uploads
 *
 * `source` is an upload's path or a connection (sqlite:…, postgres://…?table=|query=); see app-sources.ts.
 * With a store shared by several servers, uploads and fixed tables are put there too, and an upload
 * another server received is fetched from it before it is read (shared-uploads.ts).
 *
 * Listing and deleting concern this server's home only. The shared store keeps an upload's bytes under
 * their sha256 alone, with no name, no time and no list, and other artifacts beside them; so the list
 * does not show what other replicas received (its `shared_store` says when there may be such uploads),
 * and deleting never removes the shared copy: a job's shipped data or another replica may rely on
 * those very bytes, and content-addressed objects have no owner to ask.
 *
 * Deleting an upload a model was trained on is allowed: a dataset version keeps its own snapshot of the
 * rows (Parquet, in the artifact store) and every later use of the version reads that snapshot (its
 * report's thresholds, its learning curve), never the upload. Its lineage keeps naming the upload's
 * path and sha256; as the path is the sha256, no other bytes can ever take that place, and uploading
 * the same file again puts it back where the lineage says. The answer names the versions concerned.
 * An upload a waiting or running training reads is not deleted (UPLOAD_IN_USE): the job would fail.
 */
import { existsSync } from 'node:fs';
import { Readable } from 'node:stream';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import { KilnError } from '../../core/errors.js';
import { parseParams, z } from '../../core/params.js';
import { parseBody } from '../json-body.js';
import { inspectSource } from '../../data/profile/inspect.js';
import type { AppSources } from './app-sources.js';
import type { SharedUploads } from './shared-uploads.js';
import { withOneClickFixes } from './one-click-fixes.js';
import { fixTable } from './source-fix.js';
import { previewTable, type TablePreview } from './table-preview.js';
import { uploadPlaceOf, type ListedUpload, type StoredUpload, type UploadPlace, type UploadStore } from './upload-store.js';
import { parseSourceRef } from '../../data/sources/source-ref.js';
import type { Store } from '../../store/store.js';
import type { JobQueue, JobView } from './job-queue.js';
import { jobQueueErrors } from './job-docs.js';
import { docs } from '../route-docs.js';
import { deletedUploadDocs, inspectDocs, previewDocs, uploadDocs, uploadListDocs } from './data-docs.js';

export interface DataRoutesOptions {
  readonly sources: AppSources;
  readonly uploads: UploadStore;
  /** Where uploads are put for the other servers (a no-op for a server on its own). */
  readonly shared: SharedUploads;
  /**
   * The registry, whose dataset versions name the uploads they were snapshotted from: a deletion's
   * answer lists them (null without it: this server cannot tell).
   */
  readonly store?: Pick<Store, 'listDatasetVersions'>;
  /**
   * The training jobs: an upload a waiting or running one reads is not deleted. Without it, nothing is
   * checked (a data API mounted without jobs, where no training can read an upload).
   */
  readonly jobs?: Pick<JobQueue, 'list'>;
}

const uploadQuery = z.strictObject({ filename: z.string().min(1).max(1024) });
const sourceBody = z.strictObject({ source: z.string().min(1) });
const inspectBody = z.strictObject({ source: z.string().min(1), target: z.string().min(1).optional() });
const fixBody = z.strictObject({
  source: z.string().min(1),
  drop_columns: z.array(z.string().min(1)).default([]),
  drop_duplicates: z.boolean().default(false),
});

export async function dataRoutes(app: FastifyInstance, { sources, uploads, shared, store, jobs }: DataRoutesOptions): Promise<void> {
  await app.register(uploadRoute, { uploads, shared });

  app.get(
    '/api/uploads',
    docs('app', 'The uploads this server holds, newest first', {
      response: uploadListDocs,
      description:
        "Each file uploaded to this server (and each one-click fix), with its size, when it was uploaded, and its rows and columns (null for uploads saved by an older Kiln, or fetched from another server). Behind a load balancer each replica lists its own home: uploads another replica received are not listed (`shared_store` is then true), yet their `source` opens on any replica.",
    }),
    async () => ({ uploads: (await uploads.list()).map(listedJson), shared_store: shared.sharing }),
  );

  app.delete<{ Params: { id: string } }>(
    '/api/uploads/:id',
    docs('app', 'Delete an upload (its `id` as listed, or its `source`; URL-encoded) that no training is reading', {
      response: deletedUploadDocs,
      description:
        'Removes the file from this server\'s home. 404 UPLOAD_NOT_FOUND when this server does not hold it; 409 UPLOAD_IN_USE while a waiting or running training reads it (nothing is deleted while the job queue cannot be asked). Models trained on it keep working: their dataset versions keep their own snapshot of the rows, and are listed in the answer. A copy in an artifact store shared by several servers is kept (other servers and queued jobs may read the same bytes).',
      // the queue is asked (and may be away) only when the routes were given it: the document says what the server can answer
      ...(jobs === undefined ? {} : { errors: jobQueueErrors }),
    }),
    async (request) => {
      const place = uploads.placeOf(request.params.id);
      const path = uploads.pathOf(place);
      const missing = () => new KilnError('UPLOAD_NOT_FOUND', { name: place.name, path, reason: 'there is nothing to delete (it was deleted already, or uploaded to another server)', fix: 'GET /api/uploads lists the uploads this server holds' });
      if (!existsSync(path)) throw missing();
      const readers = jobs === undefined ? [] : (await jobs.list()).filter((job) => reads(job, place));
      if (readers.length > 0) {
        throw new KilnError('UPLOAD_IN_USE', { name: place.name, jobs: readers.map((job) => `${job.id} (training ${job.model}, ${job.status})`).join(', '), first: readers[0]?.id });
      }
      const lineage = store === undefined ? null : (await store.listDatasetVersions()).filter((d) => samePlace(d.source, place)).map((d) => d.id);
      if (!(await uploads.remove(place))) throw missing(); // deleted by another request meanwhile
      return { source: path, name: place.name, dataset_versions: lineage };
    },
  );

  app.post('/api/sources/preview', docs('app', 'The first rows of a source (an upload, a file or a database query)', { body: sourceBody, response: previewDocs }), async (request) => {
    const { source } = parseBody(sourceBody, request.body, 'preview request');
    const resolved = await sources.obtain(source);
    return { source: resolved, ...(await previewTable(resolved)) };
  });

  app.post('/api/inspect', docs('app', 'The profile of a source and its problems in plain words, with one-click fixes', { body: inspectBody, response: inspectDocs }), async (request) => {
    const body = parseBody(inspectBody, request.body, 'inspect request');
    const report = await inspectSource(await sources.obtain(body.source), body.target === undefined ? {} : { target: body.target });
    return withOneClickFixes(report);
  });

  app.post('/api/sources/fix', docs('app', 'Apply a one-click fix: a new, fixed upload', { body: fixBody, response: uploadDocs, status: 201 }), async (request, reply) => {
    const body = parseBody(fixBody, request.body, 'fix request');
    const fixed = await fixTable(await sources.obtain(body.source), { dropColumns: body.drop_columns, dropDuplicates: body.drop_duplicates }, uploads);
    return reply.code(201).send(await describeUpload(fixed, uploads, shared, request.log));
  });
}

/**
 * The upload route lives in its own plugin: there the body is not parsed as JSON (the server's
 * default) but handed over as the raw stream, which goes to disk chunk by chunk (up to 200 MB, far
 * above the server's JSON body limit) without ever being held in memory.
 */
async function uploadRoute(app: FastifyInstance, { uploads, shared }: Pick<DataRoutesOptions, 'uploads' | 'shared'>): Promise<void> {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (_request, payload, done) => done(null, payload));

  app.put('/api/uploads', docs('app', 'Upload a spreadsheet (the raw bytes; CSV, TSV, Excel, Parquet, JSON)', { query: uploadQuery, response: uploadDocs, status: 201 }), async (request, reply) => {
    const { filename } = parseParams(uploadQuery, request.query, 'upload query');
    const body = request.body instanceof Readable ? request.body : request.raw;
    const stored = await uploads.save(filename, body);
    return reply.code(201).send(await describeUpload(stored, uploads, shared, request.log));
  });
}

/**
 * An upload with its preview, once the other servers can read it too; a file that turns out not to be a
 * readable table, or that cannot be shared (the shared store is away: UPLOAD_UNAVAILABLE), is not kept
 * unless it was here before. Then its record (its time, rows and columns) is written for the list; a
 * record that cannot be written only costs the list those facts, so the upload still succeeds.
 */
type DescribedUpload = { readonly source: string; readonly name: string; readonly bytes: number } & TablePreview;

async function describeUpload(stored: StoredUpload, uploads: UploadStore, shared: SharedUploads, log: FastifyBaseLogger): Promise<DescribedUpload> {
  let described: DescribedUpload;
  try {
    described = { source: stored.path, name: stored.name, bytes: stored.bytes, ...(await previewTable(stored.path)) };
    await shared.publish(stored);
  } catch (err) {
    await uploads.discard(stored);
    throw err;
  }
  await uploads.record(stored, { rows: described.rows, columns: described.columns.length }).catch((err: unknown) => log.warn({ err, upload: stored.path }, 'the upload\'s record was not written: it is listed without its rows and columns'));
  return described;
}

function listedJson(u: ListedUpload): Record<string, unknown> {
  return { id: `${u.place.folder}/${u.place.name}`, source: u.path, name: u.name, bytes: u.bytes, uploaded_at: u.uploadedAt.toISOString(), rows: u.rows, columns: u.columns };
}

/** Whether `source` (a dataset version's, a job's data) names the upload at `place`, in whichever home: `#sheet` and `?options` aside. */
function samePlace(source: string, place: UploadPlace): boolean {
  let location: string;
  try {
    location = parseSourceRef(source).location;
  } catch {
    return false; // not a source this server could read, so not this upload
  }
  const named = uploadPlaceOf(location);
  return named !== undefined && named.folder === place.folder && named.name === place.name;
}

/** Whether `job` is a training that has yet to read, or is reading, the upload (a curve reads its version's snapshot instead). */
function reads(job: JobView, place: UploadPlace): boolean {
  if (job.status !== 'queued' && job.status !== 'running') return false;
  if (job.work.kind !== 'train') return false;
  const { dataPath, testDataPath } = job.work.loaded;
  return samePlace(dataPath, place) || (testDataPath !== undefined && samePlace(testDataPath, place));
}
