/**
 * Alert rules and events as the HTTP API, `kiln alerts --json`, `kiln monitor --json` and webhook bodies
 * show them: snake_case keys, the same shape everywhere.
 */
import type { AlertEvent, AlertRule } from '../store/store.js';
import type { AlertCheckResult } from './alert-check.js';

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
