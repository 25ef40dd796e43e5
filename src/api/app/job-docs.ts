/**
 * A job as GET /api/jobs/:id answers it (training-jobs.ts `jobJson`), as a schema for the OpenAPI
 * document; test/serve/openapi.test.ts parses real answers with it, strictly. And the error answers
 * the job routes name: the 503s of a Redis queue that is away (test/serve/openapi-answers.test.ts calls
 * every job route of a server whose Redis is down).
 */
import { z } from 'zod';
import type { ErrorDocs } from '../route-docs.js';

const when = z.string().describe('ISO 8601 time');

/** What reading the data changed or decided (src/data/sources/ingest-note.ts), as `kiln train --json` lists it. */
export const dataNoteDocs = z.strictObject({
  code: z.string().describe('Stable machine name, e.g. numbers_read_from_text'),
  severity: z.enum(['info', 'warning']).describe('warning: values may have been read wrongly; check them'),
  columns: z.array(z.string()),
  message: z.string().describe('What was done, e.g. "N/A" read as missing'),
  fix: z.string().describe('What to change if that was wrong'),
});

/**
 * A job's result: `kiln train --json` for a training (its fields depend on the kind of module, so only
 * `notes` is spelled out), the curve for a curves job.
 */
const resultDocs = z
  .looseObject({
    notes: z.array(dataNoteDocs).optional().describe('What reading the training data changed (a training; absent when reading changed nothing)'),
  })
  .describe('`kiln train --json` for a training; the curve for a curves job');

export const jobDocs = z.strictObject({
  id: z.string(),
  kind: z.enum(['train', 'curves']).describe('A training, or the learning curve of a registered version'),
  model: z.string(),
  version: z.number().int().optional().describe('The version a curves job draws'),
  status: z.enum(['queued', 'running', 'succeeded', 'failed', 'cancelled']),
  queue_position: z.number().int().optional().describe('Jobs ahead of a queued one'),
  submitted_at: when,
  started_at: when.nullable(),
  finished_at: when.nullable(),
  spec: z.record(z.string(), z.unknown()).describe('The module spec trained (for curves: the one the version was trained from)'),
  result: resultDocs.optional(),
  error: z.strictObject({ code: z.string(), error: z.string(), hint: z.string().optional() }).optional(),
});

/**
 * With `kiln serve --queue redis://…` every job route reads or writes the queue in Redis; while Redis is
 * away they answer at once instead of hanging (redis-job-queue.ts), and predictions are served as usual.
 */
const QUEUE_UNAVAILABLE = 'QUEUE_UNAVAILABLE: the server keeps its jobs in a Redis queue (`kiln serve --queue`) that does not answer; retry once Redis is back';

/** The errors of a route that reads the job queue (a job, the jobs, a job's events, a cancel). */
export const jobQueueErrors: ErrorDocs = { 503: QUEUE_UNAVAILABLE };

/** The errors of a route that adds a job: the queue may be away, or full. */
export const jobSubmitErrors: ErrorDocs = {
  503: `${QUEUE_UNAVAILABLE}; or JOB_QUEUE_FULL: as many jobs as the server queues are already waiting`,
};
