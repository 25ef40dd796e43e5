/**
 * The app's data routes: getting a table in, looking at it, and fixing what is safe to fix.
 *
 *   PUT  /api/uploads?filename=NAME        raw file bytes → 201 {source, name, bytes, rows, columns, preview}
 *   POST /api/sources/preview {source}     → {source, rows, columns, preview}
 *   POST /api/inspect {source, target?}    → the `kiln inspect --json` document, with one-click fixes
 *   POST /api/sources/fix {source, drop_columns?, drop_duplicates?} → a new upload, as PUT /api/uploads
 *
 * `source` is an upload's path or a connection (sqlite:…, postgres://…?table=|query=); see app-sources.ts.
 * With a store shared by several servers, uploads and fixed tables are put there too, and an upload
 * another server received is fetched from it before it is read (shared-uploads.ts).
 */
import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { parseParams, z } from '../../core/params.js';
import { parseBody } from '../json-body.js';
import { inspectSource } from '../../data/profile/inspect.js';
import type { AppSources } from './app-sources.js';
import type { SharedUploads } from './shared-uploads.js';
import { withOneClickFixes } from './one-click-fixes.js';
import { fixTable } from './source-fix.js';
import { previewTable } from './table-preview.js';
import type { StoredUpload, UploadStore } from './upload-store.js';
import { docs } from '../route-docs.js';
import { inspectDocs, previewDocs, uploadDocs } from './data-docs.js';

export interface DataRoutesOptions {
  readonly sources: AppSources;
  readonly uploads: UploadStore;
  /** Where uploads are put for the other servers (a no-op for a server on its own). */
  readonly shared: SharedUploads;
}

const uploadQuery = z.strictObject({ filename: z.string().min(1).max(1024) });
const sourceBody = z.strictObject({ source: z.string().min(1) });
const inspectBody = z.strictObject({ source: z.string().min(1), target: z.string().min(1).optional() });
const fixBody = z.strictObject({
  source: z.string().min(1),
  drop_columns: z.array(z.string().min(1)).default([]),
  drop_duplicates: z.boolean().default(false),
});

export async function dataRoutes(app: FastifyInstance, { sources, uploads, shared }: DataRoutesOptions): Promise<void> {
  await app.register(uploadRoute, { uploads, shared });

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
    return reply.code(201).send(await describeUpload(fixed, uploads, shared));
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
    return reply.code(201).send(await describeUpload(stored, uploads, shared));
  });
}

/**
 * An upload with its preview, once the other servers can read it too; a file that turns out not to be a
 * readable table, or that cannot be shared (the shared store is away: UPLOAD_UNAVAILABLE), is not kept
 * unless it was here before.
 */
async function describeUpload(stored: StoredUpload, uploads: UploadStore, shared: SharedUploads): Promise<Record<string, unknown>> {
  try {
    const described = { source: stored.path, name: stored.name, bytes: stored.bytes, ...(await previewTable(stored.path)) };
    await shared.publish(stored);
    return described;
  } catch (err) {
    await uploads.discard(stored);
    throw err;
  }
}
