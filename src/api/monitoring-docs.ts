/**
 * The monitoring API's answers (monitoring-api.ts) as schemas for the OpenAPI document — and the body
 * of POST /api/feedback, which the route reads with feedbackFromJson rather than with a schema: feedback
 * accepted, the monitoring report (src/monitor/check-model.ts, the same JSON as `kiln monitor --json`),
 * alert rules, the alerts they fired and a check's results (src/monitor/alert-json.ts). Strict, so that
 * test/serve/openapi-answers.test.ts, which parses real answers with them, fails when those files gain
 * or lose a field the document does not.
 */
import { z } from 'zod';
import { MAX_FEEDBACK_ITEMS } from '../monitor/feedback-input.js';

const when = z.string().describe('ISO 8601 time');
const epochMs = z.number().describe('Epoch milliseconds');

/**
 * One outcome, as src/monitor/feedback-input.ts reads it: strict, as the reader refuses an item with a
 * field it does not know (naming it), and one without a request id or an outcome.
 */
const feedbackItemDocs = z.strictObject({
  request_id: z
    .union([z.string().min(1), z.number()])
    .describe('The request id the prediction was served with (its x-request-id, as the prediction log keeps it); a number is read as its text. `requestId` is read as request_id too'),
  outcome: z.union([z.string(), z.number(), z.boolean()]).describe('What really happened: a class label, 0/1 or true/false, or the value for a regression'),
  timestamp: z
    .union([z.number().min(0).max(8.64e15), z.string()])
    .optional()
    .describe('When the outcome became known: epoch milliseconds (fractions rounded off) or an ISO date, from 1970 to the year 275760 (default: now)'),
});

/**
 * The body of POST /api/feedback. Besides `items` the reader looks at nothing (other fields are ignored,
 * hence not strict); a bare list of items, or one item alone, is read as well.
 */
export const feedbackBodyDocs = z
  .looseObject({
    items: z.array(feedbackItemDocs).max(MAX_FEEDBACK_ITEMS).describe(`At most ${MAX_FEEDBACK_ITEMS} per call; a later outcome for the same request id replaces the earlier one`),
  })
  .describe('Outcomes of served predictions, by request id: {items: [{request_id, outcome, timestamp?}]} (or the list alone, or one item)');

export const feedbackResultDocs = z.strictObject({
  accepted: z.number().int(),
  unknown_request_ids: z.array(z.string()).describe('Request ids with no logged prediction: their outcomes were not stored'),
});

export const alertRuleDocs = z.strictObject({
  id: z.string(),
  model: z.string(),
  metric: z.string().describe('drift_share, dataset_drift, prediction_drift, accuracy, roc_auc, rmse, mae, p50_latency_ms, p95_latency_ms, p99_latency_ms or error_rate'),
  op: z.enum(['>', '<']),
  threshold: z.number(),
  window: z.number().int().describe('The last N predictions the rule measures'),
  webhook_url: z.string().nullable(),
  description: z.string(),
  created_at: when,
});

export const alertEventDocs = z.strictObject({
  id: z.number().int(),
  rule_id: z.string(),
  model: z.string(),
  metric: z.string(),
  value: z.number().nullable().describe('The measured value (null only in rows older than this check)'),
  threshold: z.number(),
  message: z.string(),
  at: when,
});

export const alertCheckDocs = z.strictObject({
  rule: alertRuleDocs,
  version: z.number().int().nullable().describe('The version measured; null when the model has no logged predictions'),
  value: z.number().nullable().describe('null when there was nothing to judge'),
  breached: z.boolean(),
  event: alertEventDocs.nullable().describe('What fired; null for no breach, or a repeat held back'),
  webhook: z.string().nullable().describe('"delivered", an error in words, or null when there was nothing to post'),
  note: z.string().optional().describe('Why there is no value, or what went wrong measuring it'),
});

const datasetDrift = z.strictObject({
  columns: z.array(
    z.strictObject({
      column: z.string(),
      test: z.string().describe('ks, chisquare, z, wasserstein, jensenshannon, psi, or unseen_share (an id column: the share of ids the model never saw)'),
      // a constant training column that moved at all is an infinite distance, which JSON writes as null
      statistic: z.number().nullable().describe('null for an infinite distance (a constant training column that moved)'),
      p_value: z.number().optional().describe('The tests with a p-value (ks, chisquare, z)'),
      threshold: z.number(),
      drift: z.boolean(),
      psi: z.number(),
      psi_drift: z.boolean(),
      reference_rows: z.number().int(),
      current_rows: z.number().int(),
    }),
  ),
  untested: z.array(z.strictObject({ column: z.string(), reason: z.string() })).describe('Columns left out of the verdict, with why'),
  drifted_columns: z.number().int(),
  share_drifted: z.number(),
  dataset_drift: z.boolean(),
});

const latency = { count: z.number().int(), p50: z.number(), p95: z.number(), p99: z.number() };
const performanceMetric = z.enum(['accuracy', 'roc_auc', 'rmse', 'mae']);

export const monitorReportDocs = z.strictObject({
  model: z.string(),
  version: z.number().int(),
  window: z.string().describe('The window in words, e.g. "last 1000 predictions"'),
  rows: z.number().int().describe('Predictions in the window, failed ones included'),
  failed: z.number().int(),
  reference_rows: z.number().int().describe('Training rows behind the reference profile'),
  drift: datasetDrift.describe('Inputs: one test per feature'),
  prediction_drift: datasetDrift.nullable().describe('Outputs (label, probability[CLASS], prediction), when the reference holds them'),
  performance: z.strictObject({
    task: z.enum(['classification', 'regression']).nullable(),
    labelled: z.number().int(),
    scored: z.number().int(),
    metrics: z.array(
      z.strictObject({
        name: performanceMetric,
        current: z.number().nullable(),
        training: z.number().nullable(),
        change: z.number().nullable(),
        degraded: z.boolean(),
      }),
    ),
    degraded: z.boolean(),
    over_time: z.array(z.strictObject({ start: epochMs, end: epochMs, count: z.number().int(), metrics: z.partialRecord(performanceMetric, z.number().nullable()) })),
    verdict: z.string(),
  }).describe('Against the training-time test metrics, once outcomes arrived (POST /api/feedback)'),
  latency_ms: z.strictObject(latency).describe('Of the successful predictions'),
  latency_over_time: z.array(z.strictObject({ start: epochMs, ...latency })),
  error_rate: z.number().nullable(),
  traffic_per_hour: z.array(z.strictObject({ start: epochMs, predictions: z.number().int(), errors: z.number().int() })),
  alerts: z.array(alertEventDocs).describe('The model\'s newest alerts, newest first'),
  verdict: z.string().describe('The drift verdict in plain words'),
  histograms: z.array(
    z.strictObject({
      column: z.string(),
      labels: z.array(z.string()).describe('Decile ranges of the reference, or categories'),
      reference: z.array(z.number()).describe('Shares'),
      current: z.array(z.number()),
    }),
  ),
});
