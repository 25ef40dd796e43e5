/**
 * The body of every error answer (http-errors.ts `errorBody`) as a schema for the OpenAPI document:
 * each operation's `default` answer, and the error statuses a route names on its own (a job route's 503
 * while its Redis queue is away). Not strict: it is the shape every client can rely on, and OIP clients
 * read `error` alone.
 */
import { z } from 'zod';

export const errorBodyDocs = z.object({
  error: z.string().describe('What is wrong, in words.'),
  code: z.string().describe('A stable code, e.g. MODEL_NOT_FOUND, INVALID_PARAMS.'),
  hint: z.string().optional().describe('How to fix it.'),
  problems: z
    .array(z.object({ path: z.string().optional(), message: z.string().optional(), code: z.string().optional() }))
    .optional()
    .describe('Each invalid field of a request, when there are several.'),
});
