/**
 * The answers of explaining rows and deploying a version (model-routes.ts), as schemas for the OpenAPI
 * document; test/serve/openapi-answers.test.ts parses real answers with them, strictly. (The report has
 * its own file, report-docs.ts; the learning curve answers a job, job-docs.ts.)
 */
import { z } from 'zod';
import { modelMetadataDocs } from '../../serve/rest/protocol-docs.js';

const label = z.union([z.string(), z.number()]);

export const explainDocs = z.strictObject({
  model: z.string(),
  version: z.number().int(),
  explanations: z.array(
    z.strictObject({
      row: z.number().int().describe('Index of the row in the request'),
      prediction: label.describe('The predicted class, or the number (regression)'),
      probabilities: z.record(z.string(), z.number()).optional().describe('Classifiers: class → probability'),
      outcome: label.describe('What is explained: the predicted class, or "prediction" (regression)'),
      base: z.number().describe('Raw score of the average training row (log-odds for classifiers)'),
      score: z.number().describe('Raw score of this row: base + the contributions'),
      reasons: z.array(
        z.strictObject({
          column: z.string(),
          value: z.union([z.string(), z.number(), z.null()]).describe('The row\'s value (a text module: the term); null when missing'),
          contribution: z.number().describe('How far this column moved the raw score'),
        }),
      ).describe('The columns that moved the score most, strongest first'),
    }),
  ),
});

export const deployDocs = z.strictObject({
  model: z.string(),
  version: z.number().int(),
  alias: z.literal('champion').describe('The alias the app deploys to; production clients call NAME@champion'),
  endpoints: z.strictObject({ v2: z.string().describe('Open Inference Protocol inference path'), v1: z.string().describe('KServe v1 prediction path') }),
  metadata: modelMetadataDocs,
});
