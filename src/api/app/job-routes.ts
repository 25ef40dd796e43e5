/**
 * The app's training routes:
 *
 *   POST /api/jobs {spec}          → 202 {id, status: running|queued, model, …}; one job trains at a time
 *                                  in the server, or — with `kiln serve --queue` — jobs wait in Redis for
 *                                  `kiln worker` processes (job-queue.ts has the interface both implement)
 *   GET  /api/jobs                 → {jobs: [...]}, newest first
 *   GET  /api/jobs/:id             → {id, kind: train|curves, model, version? (curves), status, queue_position?,
 *                                     submitted_at, started_at, finished_at, spec, result? (`kiln train --json`,
 *                                     or the curves), error? {code, error, hint}}
 *   GET  /api/jobs/:id/events      Server-Sent Events: the past events, then live ones —
 *                                  `stage|progress|note|trial` (the TrainEvent as data) or, for a learning
 *                                  curve (POST /api/models/:ref/curves), `point` {curve, point, done, total};
 *                                  then one of `done` {result}, `failed` {error}, `cancelled` {message}, and
 *                                  the stream ends
 *   POST /api/jobs/:id/cancel      → 202 the job; it ends `cancelled` with nothing registered
 */
import type { FastifyInstance } from 'fastify';
import { z } from '../../core/params.js';
import { parseBody } from '../json-body.js';
import { validateSpec } from '../../modules/spec.js';
import type { AppSources } from './app-sources.js';
import { EventStreams, lastEventId } from './event-stream.js';
import type { JobQueue } from './job-queue.js';
import { FINAL_STATUSES, jobJson } from './training-jobs.js';
import { docs } from '../route-docs.js';
import { jobDocs, jobQueueErrors, jobSubmitErrors } from './job-docs.js';

export interface JobRoutesOptions {
  /** The in-process runner or the Redis queue (job-queue.ts); every answer is awaited. */
  readonly jobs: JobQueue;
  readonly sources: AppSources;
}

const submitBody = z.strictObject({ spec: z.record(z.string(), z.unknown()) });

const TERMINAL_EVENTS: ReadonlySet<string> = new Set(['done', 'failed', 'cancelled']);

export async function jobRoutes(app: FastifyInstance, { jobs, sources }: JobRoutesOptions): Promise<void> {
  const streams = new EventStreams();
  // Open event streams would hold the server's shutdown open: end them first, then stop training.
  app.addHook('preClose', async () => streams.endAll());
  app.addHook('onClose', async () => jobs.close());

  app.post('/api/jobs', docs('app', 'Train a module spec (a job: one at a time in the server, or queued for `kiln worker`s)', { body: submitBody, response: jobDocs, status: 202, errors: jobSubmitErrors }), async (request, reply) => {
    const { spec } = parseBody(submitBody, request.body, 'job request');
    // Relative data paths are read from the uploads folder; every source must pass the app's rules, and
    // an upload another replica received is fetched to this server before the job may read it.
    const loaded = validateSpec(spec, null, sources.uploadsDir);
    const dataPath = await sources.obtain(loaded.dataPath);
    const testDataPath = loaded.testDataPath === undefined ? undefined : await sources.obtain(loaded.testDataPath);
    const job = await jobs.submit({ ...loaded, dataPath, ...(testDataPath === undefined ? {} : { testDataPath }) });
    return reply.code(202).send(jobJson(job, await jobs.queuePosition(job)));
  });

  app.get('/api/jobs', docs('app', 'Jobs, newest first', { response: z.strictObject({ jobs: z.array(jobDocs) }), errors: jobQueueErrors }), async () => {
    const list = await jobs.list();
    return { jobs: await Promise.all(list.map(async (job) => jobJson(job, await jobs.queuePosition(job)))) };
  });

  app.get<{ Params: { id: string } }>('/api/jobs/:id', docs('app', 'One job: status, spec, result or error', { response: jobDocs, errors: jobQueueErrors }), async (request) => {
    const job = await jobs.get(request.params.id);
    return jobJson(job, await jobs.queuePosition(job));
  });

  app.post<{ Params: { id: string } }>('/api/jobs/:id/cancel', docs('app', 'Cancel a job; nothing is registered', { response: jobDocs, status: 202, errors: jobQueueErrors }), async (request, reply) => {
    const job = await jobs.cancel(request.params.id);
    return reply.code(202).send(jobJson(job, await jobs.queuePosition(job)));
  });

  app.get<{ Params: { id: string } }>(
    '/api/jobs/:id/events',
    docs('app', 'A job\'s events as Server-Sent Events (stage, progress, note, trial, point; then done, failed or cancelled)', {
      contentType: 'text/event-stream',
      errors: jobQueueErrors,
      noContent: 'The job has ended and Last-Event-ID is its last event: there is nothing more (an EventSource stops reconnecting)',
    }),
    async (request, reply) => {
      const job = await jobs.get(request.params.id); // JOB_NOT_FOUND answers as JSON, before the stream starts
      // An EventSource reconnects whenever a stream ends, sending the last id it saw; for a job that has
      // ended, after its last event nothing will ever come. 204 is the SSE spec's "stop reconnecting" —
      // a stream would stay open on keep-alives for good.
      if (FINAL_STATUSES.has(job.status) && lastEventId(request) >= job.lastEventId) return reply.code(204).send();
      const stream = streams.start(request, reply);
      const unsubscribe = await jobs.subscribe(job, lastEventId(request), (e) => {
        stream.send(e.id, e.event, e.data);
        if (TERMINAL_EVENTS.has(e.event)) stream.end();
      });
      stream.onClose(unsubscribe);
    },
  );
}
