/**
 * A job as GET /api/jobs/:id answers it (training-jobs.ts `jobJson`), as a schema for the OpenAPI
 * document; test/serve/openapi.test.ts parses real answers with it, strictly.
 */
import { z } from 'zod';

const when = z.string().describe('ISO 8601 time');

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
  result: z.record(z.string(), z.unknown()).optional().describe('`kiln train --json` for a training; the curve for a curves job'),
  error: z.strictObject({ code: z.string(), error: z.string(), hint: z.string().optional() }).optional(),
});
