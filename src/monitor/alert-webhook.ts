/**
 * POSTs a fired alert to its rule's webhook URL, once, with a timeout; a failure is reported back (and
 * logged by the caller), never thrown.
 *
 * Why not the registry's webhook outbox (src/store/webhooks)? That one delivers registry events to
 * subscriptions, at least once, with retries for hours. An alert belongs to one rule with its own URL,
 * and a breach that lasts is fired again at a later check anyway, so a retry queue would only deliver
 * stale alerts late. The headers follow the outbox's so one receiver can take both.
 */
import type { AlertRule } from '../store/store.js';
import { alertEventJson, alertRuleJson, type AlertEventJson, type AlertRuleJson } from './alert-json.js';
import type { AlertEvent } from '../store/store.js';
import { describeFetchError } from '../store/webhooks/dispatcher.js';

/** The JSON body of an alert webhook. */
export interface AlertWebhookBody {
  readonly event: 'alert.fired';
  readonly alert: AlertEventJson;
  readonly rule: AlertRuleJson;
  /** The model version measured. */
  readonly version: number | null;
}

export interface AlertWebhookOptions {
  /** How long the receiver gets to answer (default 10 s). */
  readonly timeoutMs?: number;
  /** For tests: the HTTP client (default: the global fetch). */
  readonly fetch?: typeof fetch;
}

export const DEFAULT_ALERT_WEBHOOK_TIMEOUT_MS = 10_000;

/** Returns null when the receiver answered 2xx, else what went wrong. */
export async function postAlertWebhook(
  url: string,
  rule: AlertRule,
  event: AlertEvent,
  version: number | null,
  options: AlertWebhookOptions = {},
): Promise<string | null> {
  const body: AlertWebhookBody = { event: 'alert.fired', alert: alertEventJson(event), rule: alertRuleJson(rule), version };
  try {
    const response = await (options.fetch ?? fetch)(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'user-agent': 'kiln-alerts',
        'x-kiln-event': 'alert.fired',
        'x-kiln-event-id': `alert-${event.id}`,
      },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(options.timeoutMs ?? DEFAULT_ALERT_WEBHOOK_TIMEOUT_MS),
      redirect: 'manual',
    });
    await response.arrayBuffer().catch(() => undefined); // release the connection
    return response.status >= 200 && response.status < 300 ? null : `the receiver answered HTTP ${response.status}`;
  } catch (err) {
    return `could not reach ${url}: ${describeFetchError(err)}`;
  }
}
