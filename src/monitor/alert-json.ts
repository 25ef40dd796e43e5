/**
 * Alert rules and events as the HTTP API, `kiln alerts --json`, `kiln monitor --json` and webhook bodies
 * show them: snake_case keys, the same shape everywhere.
 */
import { KilnError } from '../core/errors.js';
import type { AlertEvent, AlertRule } from '../store/store.js';
import type { AlertCheckResult } from './alert-check.js';

/** The fields of a rule as `POST /api/alerts` takes them, by the store's (library's) names. */
export const HTTP_ALERT_FIELDS: Readonly<Record<string, string>> = { webhookUrl: 'webhook_url' };
/** … and as `kiln alerts add` takes them. */
export const CLI_ALERT_FIELDS: Readonly<Record<string, string>> = {
  model: '<model>',
  metric: '--metric',
  op: '--op',
  threshold: '--threshold',
  window: '--window',
  webhookUrl: '--webhook',
  description: '--description',
};

/**
 * The store checks a new rule with the library's field names (`webhookUrl`), but the caller wrote
 * `webhook_url` (HTTP) or `--webhook` (CLI): the same INVALID_PARAMS, its problems and message in the
 * caller's names. Anything else is returned as it is.
 */
export function inCallersNames(err: unknown, names: Readonly<Record<string, string>>): unknown {
  if (!(err instanceof KilnError) || err.code !== 'INVALID_PARAMS' || err.problems.length === 0) return err;
  const problems = err.problems.map((p) => ({ ...p, path: names[p.path] ?? p.path }));
  return new KilnError('INVALID_PARAMS', { ...err.details, summary: problems.map((p) => `${p.path}: ${p.message}`).join('; ') }, { problems, cause: err });
}

export interface AlertRuleJson {
  readonly id: string;
  readonly model: string;
  readonly metric: string;
  readonly op: '>' | '<';
  readonly threshold: number;
  readonly window: number;
  readonly webhook_url: string | null;
  readonly description: string;
  readonly created_at: string;
}

export interface AlertEventJson {
  readonly id: number;
  readonly rule_id: string;
  readonly model: string;
  readonly metric: string;
  /** null when the value was not a number (it never is for a fired alert; kept for old rows). */
  readonly value: number | null;
  readonly threshold: number;
  readonly message: string;
  readonly at: string;
}

export function alertRuleJson(r: AlertRule): AlertRuleJson {
  return {
    id: r.id,
    model: r.model,
    metric: r.metric,
    op: r.op,
    threshold: r.threshold,
    window: r.window,
    webhook_url: r.webhookUrl,
    description: r.description,
    created_at: r.createdAt,
  };
}

export function alertEventJson(e: AlertEvent): AlertEventJson {
  return {
    id: e.id,
    rule_id: e.ruleId,
    model: e.model,
    metric: e.metric,
    value: Number.isFinite(e.value) ? e.value : null,
    threshold: e.threshold,
    message: e.message,
    at: e.at,
  };
}

/** One rule's check (`POST /api/alerts/check`, `kiln alerts check --json`). */
export function alertCheckJson(r: AlertCheckResult): Record<string, unknown> {
  return {
    rule: alertRuleJson(r.rule),
    version: r.version,
    value: r.value,
    breached: r.breached,
    event: r.event === null ? null : alertEventJson(r.event),
    webhook: r.webhook,
    ...(r.note === undefined ? {} : { note: r.note }),
  };
}
