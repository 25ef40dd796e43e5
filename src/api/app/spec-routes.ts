/**
 * The app's routes for writing a module spec:
 *
 *   GET  /api/templates                      → [{task, title, description, fields}]
 *   POST /api/specs/suggest {source, target?, task?} → {spec, task, explanation, yaml}
 *   GET  /api/specs/schema                   → JSON Schema of the module spec (advanced options)
 */
import type { FastifyInstance } from 'fastify';
import { z } from '../../core/params.js';
import { parseBody } from '../json-body.js';
import { TASKS } from '../../modules/spec.js';
import type { AppSources } from './app-sources.js';
import { suggestSpec } from './spec-suggest.js';
import { moduleSpecJsonSchema, moduleTemplates } from './templates.js';
import { docs } from '../route-docs.js';
import { specSchemaDocs, suggestionDocs, templatesDocs } from './spec-docs.js';

export interface SpecRoutesOptions {
  readonly sources: AppSources;
}

const suggestBody = z.strictObject({
  source: z.string().min(1),
  target: z.string().min(1).optional(),
  task: z.enum(TASKS).optional(),
});

export async function specRoutes(app: FastifyInstance, { sources }: SpecRoutesOptions): Promise<void> {
  app.get('/api/templates', docs('app', 'Module templates (tables, text, recommendations, segments, anomalies)', { response: templatesDocs }), async () => moduleTemplates());

  app.get('/api/specs/schema', docs('app', 'The JSON Schema of a module spec', { response: specSchemaDocs }), async () => moduleSpecJsonSchema());

  app.post('/api/specs/suggest', docs('app', 'A suggested module spec for a source, with its explanation in plain words', { body: suggestBody, response: suggestionDocs }), async (request) => {
    const body = parseBody(suggestBody, request.body, 'suggest request');
    return suggestSpec({
      source: await sources.obtain(body.source),
      ...(body.target === undefined ? {} : { target: body.target }),
      ...(body.task === undefined ? {} : { task: body.task }),
    });
  });
}
