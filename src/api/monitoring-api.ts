/**
 * The monitoring HTTP API, as one Fastify plugin under /api: ground truth, the monitoring report, alert
 * rules and what they fired. The plugin also runs the alert checker while the server is up.
 *
 *   POST   /api/feedback  {items: [{request_id, outcome, timestamp?}]}  (or one item, or a list)
 *          → 200 {accepted, unknown_request_ids}
 *            `outcome`: number, text or true/false (a class label, 0/1, or a value for regression);
 *            `timestamp`: when the outcome became known, epoch ms or ISO (default now). A later outcome
 *            for the same request id replaces the earlier one. Unknown ids are listed, not an error (a
 *            prediction the server answered moments ago, still in its log buffer, is written first).
 *   GET    /api/models/:ref/monitoring?window=N | ?since=DURATION     (default: the last 10000 predictions)
 *          → 200 MonitorReport (below) — the same JSON as `kiln monitor REF --json`
 *   GET    /api/alerts[?model=NAME]                → {rules: AlertRule[]}
 *   POST   /api/alerts {model, metric, op, threshold, window?, webhook_url?, description?} → 201 AlertRule
 *   GET    /api/alerts/:id                         → AlertRule
 *   DELETE /api/alerts/:id                         → 204
 *   GET    /api/alerts/events[?model=NAME&limit=N] → {events: AlertEvent[]} newest first (default 100)
 *   POST   /api/alerts/check[?model=NAME]          → {results: [{rule, version, value, breached, event, webhook, note?}]}
 *          (checks now; every breach fires, as `kiln alerts check`)
 *
 * MonitorReport (src/monitor/check-model.ts; numbers are plain JSON numbers, a value that cannot be
 * computed is null):
 *   {
 *     model: "churn", version: 3, window: "last 1000 predictions",
 *     rows: 1000,                 // predictions in the window, failed ones included
 *     failed: 12,                 // of those, logged with an error code
 *     reference_rows: 800,        // training rows behind the reference profile
 *     verdict: "Dataset drift: 2 of the 3 columns the model reads changed (age, plan), …",   // drift in words
 *     drift: {                    // inputs: one entry per feature
 *       dataset_drift: true, drifted_columns: 2, share_drifted: 0.667,
 *       columns: [{column, test: "ks"|"chisquare"|"z"|"wasserstein"|"jensenshannon"|"psi"|"unseen_share",
 *                  statistic, p_value?, threshold, drift: true|false, psi, psi_drift, reference_rows, current_rows}]
 *     },
 *     prediction_drift: null | { same shape as drift, over outputs: "label", "probability[CLASS]", "prediction" },
 *     histograms: [{column, labels: ["12–30", …] | ["free", …], reference: [share…], current: [share…]}],
 *     performance: {              // once outcomes arrived (POST /api/feedback)
 *       task: "classification"|"regression"|null, labelled: 640, scored: 640, degraded: true,
 *       verdict: "Performance degraded: accuracy 0.62 (training 0.81) on 640 labelled predictions — …",
 *       metrics: [{name: "accuracy"|"roc_auc"|"rmse"|"mae", current, training, change, degraded}],
 *       over_time: [{start, end, count, metrics: {accuracy: 0.8, roc_auc: 0.86}}]   // start/end epoch ms
 *     },
 *     latency_ms: {count, p50, p95, p99},                     // successful predictions
 *     latency_over_time: [{start, count, p50, p95, p99}],     // start epoch ms; up to 20 buckets
 *     error_rate: 0.012,                                      // failed / rows (null for no rows)
 *     traffic_per_hour: [{start, predictions, errors}],       // start epoch ms of the UTC hour
 *     alerts: [AlertEvent]                                    // the model's 20 newest, newest first
 *   }
 * AlertRule:  {id, model, metric, op: ">"|"<", threshold, window, webhook_url, description, created_at}
 *             metric: drift_share, dataset_drift, prediction_drift (1/0), accuracy, roc_auc, rmse, mae,
 *             p50_latency_ms, p95_latency_ms, p99_latency_ms, error_rate
 * AlertEvent: {id, rule_id, model, metric, value, threshold, message, at}
 *
 * Errors have the serving routes' shape (`{error, code, hint?, problems?}`): e.g. 404 MONITOR_NO_PREDICTIONS
 * when the model has served nothing in the window yet, 404 REFERENCE_MISSING, 400 FEEDBACK_INVALID.
 * Who made a change is taken from the `x-kiln-actor` header (else `api`) for the audit log.
 *
 * The alert checker (src/monitor/alert-scheduler.ts) starts when the server is ready and stops when it
 * closes; its interval comes from the `alerts` option, else KILN_ALERT_INTERVAL (a duration such as 60s,
 * or `off`), else 60 s.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { KilnError } from '../core/errors.js';
import { parseParams, z } from '../core/params.js';
import { parseBody } from './json-body.js';
import { MAX_LIST_LIMIT } from './list-limit.js';
import { checkAlerts } from '../monitor/alert-check.js';
import { alertCheckJson, alertEventJson, alertRuleJson, HTTP_ALERT_FIELDS, inCallersNames } from '../monitor/alert-json.js';
import { MAX_ALERT_WINDOW } from '../store/monitoring-inputs.js';
import { AlertScheduler, DEFAULT_ALERT_INTERVAL_MS } from '../monitor/alert-scheduler.js';
import type { AlertWebhookOptions } from '../monitor/alert-webhook.js';
import { checkModel } from '../monitor/check-model.js';
import { feedbackFromJson } from '../monitor/feedback-input.js';
import { parseDuration, parseWindow, QUERY_WINDOW_NAMES } from '../monitor/prediction-window.js';
import type { PredictionLogger } from '../serve/prediction-log.js';
import { replyWithError } from '../serve/rest/http-errors.js';
import type { KilnServer } from '../serve/server.js';
import { parseModelRef } from '../store/model-ref.js';
import type { ArtifactStore, ChangeContext, Store } from '../store/store.js';
import { docs } from './route-docs.js';
import { alertCheckDocs, alertEventDocs, alertRuleDocs, feedbackBodyDocs, feedbackResultDocs, monitorReportDocs } from './monitoring-docs.js';

export interface MonitoringApiOptions {
  readonly store: Store;
  readonly artifacts: ArtifactStore;
  /**
   * The scheduled alert checker: false to run none, or its settings (interval default: KILN_ALERT_INTERVAL,
   * else 60 s; a lasting breach fires again after `repeatMs`, default 1 hour).
   */
  readonly alerts?: false | ({ readonly intervalMs?: number; readonly repeatMs?: number } & AlertWebhookOptions);
  /**
   * The server's prediction log, written before outcomes for ids not found yet are looked up again.
   * Default: the one of the `kiln serve` server this plugin runs in (its `kiln` decoration), if any.
   */
  readonly predictionLog?: Pick<PredictionLogger, 'flush' | 'stats'>;
}

const SANE_ACTOR = /^[\w.@:+-]{1,128}$/;

const monitoringQuery = z.strictObject({ window: z.string().optional(), since: z.string().optional() });
const alertBody = z.strictObject({
  model: z.string(),
  metric: z.string(),
  op: z.enum(['>', '<']),
  threshold: z.number(),
  window: z.number().int().positive().max(MAX_ALERT_WINDOW).optional(),
  webhook_url: z.string().optional(),
  description: z.string().max(1000).optional(),
});
const modelQuery = z.strictObject({ model: z.string().optional() });
const eventsQuery = z.strictObject({ model: z.string().optional(), limit: z.coerce.number().int().positive().max(MAX_LIST_LIMIT).default(100) });

export async function monitoringApi(app: FastifyInstance, options: MonitoringApiOptions): Promise<void> {
  const { store, artifacts } = options;
  const home = { store, artifacts };
  app.setErrorHandler((err, request, reply) => replyWithError(err, request, reply));

  const intervalMs = alertInterval(options.alerts);
  if (options.alerts !== false && intervalMs !== null) {
    const scheduler = new AlertScheduler({
      ...(options.alerts ?? {}),
      store,
      artifacts,
      intervalMs,
      logger: app.log.child({ component: 'alerts' }) as unknown as Logger,
    });
    app.addHook('onReady', async () => scheduler.start());
    app.addHook('onClose', async () => scheduler.stop());
  }

  // --- ground truth -------------------------------------------------------------------------------

  app.post('/api/feedback', docs('monitoring', 'Ground truth for served predictions, by request id', { body: feedbackBodyDocs, response: feedbackResultDocs }), async (request) => {
    const items = feedbackFromJson(request.body);
    let result = await store.recordFeedback(items);
    // A prediction served moments ago may still wait in the server's log buffer (written every 250 ms,
    // off the response path): its id is not in the store yet, and its outcome would be dropped as
    // "unknown". When ids are missing and the log holds unwritten records, write them and try those ids
    // once more — only then, so that feedback does not break up the log's batches otherwise.
    const log = options.predictionLog ?? (request.server as Partial<KilnServer>).kiln?.predictionLog;
    if (result.unknownRequestIds.length > 0 && log !== undefined && log.stats().buffered > 0) {
      await log.flush();
      const missing = new Set(result.unknownRequestIds);
      const retried = await store.recordFeedback(items.filter((item) => missing.has(item.requestId)));
      result = { accepted: result.accepted + retried.accepted, unknownRequestIds: retried.unknownRequestIds };
    }
    return { accepted: result.accepted, unknown_request_ids: result.unknownRequestIds };
  });

  // --- the monitoring report ----------------------------------------------------------------------

  app.get<{ Params: { ref: string } }>('/api/models/:ref/monitoring', docs('monitoring', 'The monitoring report: drift per feature, performance, latency, errors', { query: monitoringQuery, response: monitorReportDocs }), async (request) => {
    const q = parseParams(monitoringQuery, request.query, 'query');
    const window = parseWindow(q, QUERY_WINDOW_NAMES);
    return checkModel(home, parseModelRef(request.params.ref), { window });
  });

  // --- alerts -------------------------------------------------------------------------------------

  app.get('/api/alerts', docs('monitoring', 'Alert rules', { query: modelQuery, response: z.strictObject({ rules: z.array(alertRuleDocs) }) }), async (request) => {
    const q = parseParams(modelQuery, request.query, 'query');
    return { rules: (await store.listAlertRules(q.model)).map(alertRuleJson) };
  });

  app.post('/api/alerts', docs('monitoring', 'Add an alert rule', { body: alertBody, response: alertRuleDocs, status: 201 }), async (request, reply) => {
    const body = parseBody(alertBody, request.body, 'alert rule');
    const rule = await store
      .createAlertRule(
        {
          model: body.model,
          metric: body.metric,
          op: body.op,
          threshold: body.threshold,
          ...(body.window === undefined ? {} : { window: body.window }),
          ...(body.webhook_url === undefined ? {} : { webhookUrl: body.webhook_url }),
          ...(body.description === undefined ? {} : { description: body.description }),
        },
        changeOf(request),
      )
      .catch((err: unknown) => Promise.reject(inCallersNames(err, HTTP_ALERT_FIELDS)));
    return reply.code(201).send(alertRuleJson(rule));
  });

  app.get('/api/alerts/events', docs('monitoring', 'Alerts that fired', { query: eventsQuery, response: z.strictObject({ events: z.array(alertEventDocs) }) }), async (request) => {
    const q = parseParams(eventsQuery, request.query, 'query');
    return { events: (await store.listAlertEvents({ limit: q.limit, ...(q.model === undefined ? {} : { model: q.model }) })).map(alertEventJson) };
  });

  app.post('/api/alerts/check', docs('monitoring', 'Check the alert rules now', { query: modelQuery, response: z.strictObject({ results: z.array(alertCheckDocs) }) }), async (request) => {
    const q = parseParams(modelQuery, request.query, 'query');
    const results = await checkAlerts(home, {
      logger: request.log as unknown as Logger,
      ...(q.model === undefined ? {} : { model: q.model }),
      ...(options.alerts === false || options.alerts === undefined ? {} : webhookOptions(options.alerts)),
    });
    return {
      results: results.map(alertCheckJson),
    };
  });

  app.get<{ Params: { id: string } }>('/api/alerts/:id', docs('monitoring', 'One alert rule', { response: alertRuleDocs }), async (request) => alertRuleJson(await store.getAlertRule(request.params.id)));

  app.delete<{ Params: { id: string } }>('/api/alerts/:id', docs('monitoring', 'Remove an alert rule', { status: 204 }), async (request, reply) => {
    await store.deleteAlertRule(request.params.id, changeOf(request));
    return reply.code(204).send();
  });
}

/** The checker's interval: the option, else KILN_ALERT_INTERVAL (`off`/`0` turns it off), else 60 s; null = off. */
function alertInterval(alerts: MonitoringApiOptions['alerts']): number | null {
  if (alerts === false) return null;
  if (alerts?.intervalMs !== undefined) {
    if (!(alerts.intervalMs > 0)) throw new KilnError('INVALID_PARAMS', { what: 'alert interval', summary: `expected milliseconds > 0, got ${alerts.intervalMs}` });
    return alerts.intervalMs;
  }
  const env = process.env['KILN_ALERT_INTERVAL']?.trim();
  if (env === undefined || env === '') return DEFAULT_ALERT_INTERVAL_MS;
  if (env === 'off' || env === '0') return null;
  try {
    return parseDuration(env);
  } catch {
    throw new KilnError('INVALID_PARAMS', { what: 'KILN_ALERT_INTERVAL', summary: `"${env}" is not a duration such as 30s, 5m or 1h (or "off")` });
  }
}

function webhookOptions(alerts: AlertWebhookOptions): AlertWebhookOptions {
  return { ...(alerts.fetch === undefined ? {} : { fetch: alerts.fetch }), ...(alerts.timeoutMs === undefined ? {} : { timeoutMs: alerts.timeoutMs }) };
}

function changeOf(request: FastifyRequest): ChangeContext {
  const given = request.headers['x-kiln-actor'];
  return { actor: typeof given === 'string' && SANE_ACTOR.test(given) ? given : 'api' };
}
