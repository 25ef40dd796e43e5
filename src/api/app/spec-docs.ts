/**
 * The spec routes' answers (spec-routes.ts) as schemas for the OpenAPI document: the templates, the
 * module spec's JSON Schema and a suggested spec. Strict where the shape is Kiln's own, so that
 * test/serve/openapi-answers.test.ts, which parses real answers with them, fails when templates.ts or
 * spec-suggest.ts change a field the document does not.
 */
import { z } from 'zod';
import { MODULE_TASKS, TASKS } from '../../modules/spec.js';

export const templatesDocs = z.array(
  z.strictObject({
    task: z.enum(TASKS).describe('What POST /api/specs/suggest takes as `task`'),
    title: z.string(),
    description: z.string(),
    fields: z.array(
      z.strictObject({
        name: z.string().describe('The spec field, e.g. target'),
        kind: z.enum(['column', 'columns', 'number', 'duration']).describe('What the form asks for'),
        required: z.boolean(),
        label: z.string(),
        description: z.string().describe('From the module spec\'s schema'),
        default: z.unknown().optional(),
      }),
    ),
  }),
);

// A JSON Schema is open by nature (keywords differ per property); only its frame is promised.
export const specSchemaDocs = z
  .looseObject({ $schema: z.string(), type: z.literal('object'), properties: z.record(z.string(), z.unknown()), required: z.array(z.string()) })
  .describe('The JSON Schema (draft 2020-12) of a module spec, as the server validates it');

export const suggestionDocs = z.strictObject({
  spec: z.record(z.string(), z.unknown()).describe('A complete module spec (GET /api/specs/schema), defaults filled, ready for POST /api/jobs'),
  task: z.enum(['binary', 'multiclass', 'regression', ...MODULE_TASKS]).describe('For a table, the task Kiln inferred from the target; for a template, the template'),
  explanation: z.string().describe('What training will do, in plain words'),
  yaml: z.string().describe('The spec as a kiln.yaml file'),
});
