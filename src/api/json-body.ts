/**
 * A route's JSON body, checked with the zod schema the route documents (route-docs.ts). No body at all
 * counts as the empty object — a route whose fields are all optional (describe a model, stop an
 * experiment) may be called without one — but a body that is JSON `null` is not an object and is
 * refused: parseParams reads a missing params set as `{}`, which for a body would carry out the
 * operation on a request that said nothing of the kind.
 */
import { KilnError } from '../core/errors.js';
import { parseParams, type z } from '../core/params.js';

export function parseBody<S extends z.ZodType>(schema: S, body: unknown, what: string): z.output<S> {
  if (body === null) {
    const problem = { path: '', message: 'expected a JSON object, received null', code: 'invalid_type' };
    throw new KilnError('INVALID_PARAMS', { what, summary: problem.message }, { problems: [problem] });
  }
  return parseParams(schema, body, what);
}
