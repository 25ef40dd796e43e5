/**
 * The registry's answers (json.ts writes them) as schemas, for the OpenAPI document: runs, dataset
 * versions, models and versions, the audit log, webhooks and their deliveries. Strict, so that test/serve/openapi.test.ts, which parses real answers
 * with them, fails when json.ts gains or loses a field the document does not.
 */
import { z } from 'zod';
import { REGISTRY_EVENTS } from '../store/store.js';

const when = z.string().describe('ISO 8601 time');
const labels = z.record(z.string(), z.string());
/**
 * A run's or a version's metrics, of any kind of module: null where a metric could not be measured (a
 * NaN written as JSON), such as a held-out part's ROC AUC when it holds a single class, or an anomaly
 * model's recall on a part without a known anomaly (see report-docs.ts for which metric is when).
 */
const metrics = z.record(z.string(), z.number().nullable());

export const runDocs = z.strictObject({
  id: z.string(),
  name: z.string(),
  task: z.string(),
  learner: z.string(),
  status: z.enum(['running', 'finished', 'failed']),
  started_at: when,
  finished_at: when.nullable(),
  params: z.record(z.string(), z.unknown()),
  metrics: metrics.describe('Final metrics by name, e.g. test.roc_auc; null where one could not be measured'),
  tags: labels,
  dataset: z.strictObject({ source: z.string(), digest: z.string(), rows: z.number().int(), columns: z.number().int() }).nullable(),
  dataset_version_id: z.string().nullable(),
  environment: labels,
  error: z.string().nullable(),
});

export const datasetDocs = z.strictObject({
  id: z.string().describe('DATASET@sha256:PREFIX'),
  dataset: z.string(),
  digest: z.string(),
  format: z.literal('parquet'),
  source: z.string(),
  source_digest: z.string(),
  rows: z.number().int(),
  schema: z.array(z.strictObject({ name: z.string(), kind: z.string(), sourceType: z.string() })),
  created_at: when,
});

export const runDetailDocs = runDocs.extend({
  metric_series: z.record(z.string(), z.array(z.strictObject({ step: z.number(), value: z.number(), timestamp: when.optional() }))).describe('Learning curves: one series per metric'),
  dataset_version: datasetDocs.nullable(),
});

export const modelDocs = z.strictObject({
  name: z.string(),
  description: z.string(),
  tags: labels,
  latest_version: z.number().int(),
  version_count: z.number().int(),
  aliases: z.record(z.string(), z.number().int()).describe('Alias → version, e.g. champion → 3'),
  created_at: when,
  updated_at: when,
});

export const versionDocs = z.strictObject({
  model: z.string(),
  version: z.number().int(),
  status: z.enum(['ready', 'archived']),
  created_at: when,
  aliases: z.array(z.string()),
  run_id: z.string().nullable(),
  metrics: metrics.describe('Metrics by name, e.g. test.roc_auc; null where one could not be measured'),
  signature: z.unknown().describe('Inputs and outputs with datatypes and shapes'),
  artifacts: labels.describe('Artifact name → content digest'),
  description: z.string(),
  tags: labels,
});

export const modelWithVersionsDocs = modelDocs.extend({ versions: z.array(versionDocs) });

export const auditDocs = z.strictObject({
  id: z.number().int(),
  at: when,
  actor: z.string().describe('The x-kiln-actor header of the change, else api (or the CLI\'s user)'),
  action: z.string().describe('e.g. version.created, alias.moved, alias.removed, version.archived, model.updated, webhook.created'),
  entity: z.string().describe('e.g. titanic, titanic:3, titanic@champion, webhook:ID'),
  before: z.unknown().describe('The entity before the change (null when created)'),
  after: z.unknown().describe('The entity after the change (null when removed)'),
});

export const webhookDocs = z.strictObject({
  id: z.string(),
  url: z.string(),
  events: z.array(z.enum(REGISTRY_EVENTS)),
  description: z.string(),
  signed: z.boolean().describe('Whether deliveries are signed (the secret is never shown)'),
  created_at: when,
});

export const deliveryDocs = z.strictObject({
  id: z.number().int(),
  webhook_id: z.string(),
  event: z.enum(REGISTRY_EVENTS),
  event_id: z.number().int().describe('The audit entry that caused it: receivers drop duplicates by it (delivery is at least once)'),
  status: z.enum(['pending', 'delivered', 'failed']),
  attempts: z.number().int(),
  next_attempt_at: when,
  last_error: z.string().nullable(),
  created_at: when,
  delivered_at: when.nullable(),
  payload: z.unknown().describe('The body posted to the webhook'),
});
