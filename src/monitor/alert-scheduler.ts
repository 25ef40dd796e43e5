/**
 * The server's alert checker: a pass over every alert rule (alert-check.ts) now and then every
 * `intervalMs` (default 60 s), one pass at a time, until `stop()`. It remembers which rules were
 * breached at the previous pass, so a lasting breach fires when it starts and then again only every
 * `repeatMs` (default 1 hour) — the reminder — instead of at every pass; and a breach another replica
 * sharing the store fired within the last interval is not fired again. A pass that fails (the store
 * briefly away) is logged and the next one tries again; nothing here throws into the server.
 */
import type { Logger } from 'pino';
import type { ArtifactStore, Store } from '../store/store.js';
import { checkAlerts, type AlertCheckResult, type BreachMemory } from './alert-check.js';
import type { AlertWebhookOptions } from './alert-webhook.js';
import { PeriodicTask } from '../core/periodic-task.js';

export const DEFAULT_ALERT_INTERVAL_MS = 60_000;
export const DEFAULT_ALERT_REPEAT_MS = 3_600_000;

export interface AlertSchedulerOptions extends AlertWebhookOptions {
  readonly store: Store;
  readonly artifacts: ArtifactStore;
  readonly logger: Pick<Logger, 'warn' | 'error' | 'info'>;
  readonly intervalMs?: number;
  /** A breach that lasts fires again after this long (default 1 hour). */
  readonly repeatMs?: number;
}

/** Remembers, per rule, whether the last pass found it breached and when it last fired. */
export class LastingBreaches implements BreachMemory {
  private readonly repeatMs: number;
  private readonly breached = new Map<string, { firedAt: number }>();

  constructor(repeatMs = DEFAULT_ALERT_REPEAT_MS) {
    this.repeatMs = repeatMs;
  }

  shouldFire(ruleId: string, now: number): boolean {
    const ongoing = this.breached.get(ruleId);
    return ongoing === undefined || now - ongoing.firedAt >= this.repeatMs;
  }

  remember(ruleId: string, breached: boolean, fired: boolean, now: number): void {
    if (!breached) this.breached.delete(ruleId);
    else if (fired) this.breached.set(ruleId, { firedAt: now });
  }
}

export class AlertScheduler {
  private readonly options: AlertSchedulerOptions;
  private readonly memory: LastingBreaches;
  private readonly task: PeriodicTask<AlertCheckResult[]>;

  constructor(options: AlertSchedulerOptions) {
    this.options = options;
    this.memory = new LastingBreaches(options.repeatMs);
    this.task = new PeriodicTask(() => this.check(), { intervalMs: this.intervalMs, firstDelayMs: 0 });
  }

  get intervalMs(): number {
    return this.options.intervalMs ?? DEFAULT_ALERT_INTERVAL_MS;
  }

  start(): void {
    this.task.start();
  }

  /** One pass now (what the timer runs); waits for a pass already running instead of overlapping it. */
  runOnce(): Promise<AlertCheckResult[]> {
    return this.task.runNow();
  }

  /** Stops the timer and waits for the pass in progress. */
  stop(): Promise<void> {
    return this.task.stop();
  }

  private check(): Promise<AlertCheckResult[]> {
    return checkAlerts(
      { store: this.options.store, artifacts: this.options.artifacts },
      {
        logger: this.options.logger,
        memory: this.memory,
        // Another replica on the same store checking in the same interval must not repeat an alert.
        othersFiredWithinMs: this.intervalMs,
        ...(this.options.fetch === undefined ? {} : { fetch: this.options.fetch }),
        ...(this.options.timeoutMs === undefined ? {} : { timeoutMs: this.options.timeoutMs }),
      },
    ).catch((err: unknown) => {
      this.options.logger.warn({ err }, 'alert check failed; the next one tries again');
      return [];
    });
  }
}
