/**
 * One pass over the alert rules: measure each rule's metric (alert-metrics.ts), compare it with the
 * threshold, and for each breach record an AlertEvent, log a warning and POST the rule's webhook.
 *
 * Used by `kiln alerts check` (one pass, every breach fires) and by the server's scheduler
 * (alert-scheduler.ts), which passes a `BreachMemory` so that a breach that lasts fires when it starts
 * and then again only every `repeatMs`, not at every check; with `othersFiredWithinMs` it also holds back
 * a breach another checker (a second server replica on the same store) fired that recently, so replicas
 * do not repeat each other's alerts. A rule that cannot be measured (its model
 * deleted, its reference profile damaged, the store briefly away) is reported in the results and the
 * log; it never stops the other rules.
 */
import type { Logger } from 'pino';
import { asKilnError } from '../core/errors.js';
import type { AlertEvent, AlertRule, ArtifactStore, Store } from '../store/store.js';
import { measureAlertMetric } from './alert-metrics.js';
import { postAlertWebhook, type AlertWebhookOptions } from './alert-webhook.js';

export interface AlertCheckResult {
  readonly rule: AlertRule;
  /** The version measured (null: the model has no logged predictions). */
  readonly version: number | null;
  /** The metric's value, or null when there was nothing to judge. */
  readonly value: number | null;
  readonly breached: boolean;
  /** The event recorded for this breach; null when nothing fired (no breach, or a repeat held back). */
  readonly event: AlertEvent | null;
  /** The webhook's outcome: 'delivered', an error text, or null when there was nothing to post. */
  readonly webhook: string | null;
  /** Why there is no value, or what went wrong measuring it. */
  readonly note?: string;
}

/** Which breaches fire: the scheduler's memory of earlier checks. */
export interface BreachMemory {
  shouldFire(ruleId: string, now: number): boolean;
  /** Called after every measurement of a rule, breached or not. */
  remember(ruleId: string, breached: boolean, fired: boolean, now: number): void;
}

export interface AlertCheckOptions extends AlertWebhookOptions {
  readonly logger?: Pick<Logger, 'warn' | 'error' | 'info'>;
  /** Only this model's rules (default: all). */
  readonly model?: string;
  readonly now?: number;
  readonly memory?: BreachMemory;
  /** Hold back a breach when the store has an event of the rule this recent (fired by another checker). */
  readonly othersFiredWithinMs?: number;
}

export async function checkAlerts(home: { readonly store: Store; readonly artifacts: ArtifactStore }, options: AlertCheckOptions = {}): Promise<AlertCheckResult[]> {
  const rules = await home.store.listAlertRules(options.model);
  const results: AlertCheckResult[] = [];
  for (const rule of rules) results.push(await checkRule(home, rule, options));
  return results;
}

async function checkRule(home: { readonly store: Store; readonly artifacts: ArtifactStore }, rule: AlertRule, options: AlertCheckOptions): Promise<AlertCheckResult> {
  const now = options.now ?? Date.now();
  let measured;
  try {
    measured = await measureAlertMetric(home, rule, now);
  } catch (err) {
    const note = asKilnError(err).message;
    options.logger?.error({ rule: rule.id, model: rule.model, metric: rule.metric, err }, `alert rule could not be checked: ${note}`);
    return { rule, version: null, value: null, breached: false, event: null, webhook: null, note };
  }
  const { value, version } = measured;
  const breached = value !== null && (rule.op === '>' ? value > rule.threshold : value < rule.threshold);
  const heldBack = breached ? await whyHeldBack(home.store, rule, now, options) : undefined;
  const fire = breached && heldBack === undefined;
  // Fired by another checker counts as fired here too, so that this one's reminder follows the same schedule.
  options.memory?.remember(rule.id, breached, fire || heldBack?.startsWith('already fired') === true, now);
  const reason = heldBack ?? measured.reason;
  const note = reason === undefined ? {} : { note: reason };
  if (!fire || value === null) return { rule, version, value, breached, event: null, webhook: null, ...note };

  const message = `${rule.model}${version === null ? '' : `:${version}`} ${rule.metric} is ${formatValue(value)}, ${rule.op === '>' ? 'above' : 'below'} the threshold ${rule.threshold} (last ${rule.window} predictions)`;
  const event = await home.store.recordAlertEvent({ ruleId: rule.id, model: rule.model, metric: rule.metric, value, threshold: rule.threshold, message });
  options.logger?.warn({ rule: rule.id, model: rule.model, version, metric: rule.metric, value, threshold: rule.threshold, op: rule.op }, `alert: ${message}`);
  let webhook: string | null = null;
  if (rule.webhookUrl !== null) {
    const failure = await postAlertWebhook(rule.webhookUrl, rule, event, version, options);
    webhook = failure ?? 'delivered';
    if (failure !== null) options.logger?.warn({ rule: rule.id, url: rule.webhookUrl, error: failure }, 'alert webhook failed');
  }
  return { rule, version, value, breached, event, webhook, ...note };
}

/** Why a breach does not fire now (undefined: it fires). */
async function whyHeldBack(store: Store, rule: AlertRule, now: number, options: AlertCheckOptions): Promise<string | undefined> {
  if (options.memory !== undefined && !options.memory.shouldFire(rule.id, now)) return 'held back: this breach was reported already';
  if (options.othersFiredWithinMs === undefined) return undefined;
  const [latest] = await store.listAlertEvents({ ruleId: rule.id, limit: 1 });
  // Events carry the wall-clock time they were recorded at, so they are compared with the wall clock.
  if (latest !== undefined && Date.parse(latest.at) > Date.now() - options.othersFiredWithinMs) return `already fired at ${latest.at}`;
  return undefined;
}

const formatValue = (v: number): string => String(Number(v.toPrecision(4)));
