/**
 * Delivers webhook events from the outbox. A registry change writes its pending deliveries in its own
 * transaction (see sql-store.ts), so nothing is lost however a process ends; this file gets them to the
 * receivers:
 *
 *   deliverDueWebhooks()  one pass: lease the due deliveries, POST each, record the outcome. The CLI calls
 *                         it right after a change, so a change made without a server is delivered at once.
 *   WebhookDispatcher     the server's background loop: a pass now, then every `pollMs` — it retries what
 *                         failed, with exponential backoff, and picks up changes other processes made.
 *
 * Delivery is at least once: a receiver that answers after the lease ran out, or a dispatcher killed
 * between the POST and recording it, means a second POST of the same event. Every body carries the event
 * `id` (and the `x-kiln-event-id` header) so receivers can drop repeats.
 */
import { createHmac } from 'node:crypto';
import type { Logger } from 'pino';
import type { ClaimedDelivery, Store } from '../store.js';
import { PeriodicTask } from '../../core/periodic-task.js';

export interface DeliveryPolicy {
  /** First retry after this long; each later one waits twice as long (default 2 s). */
  readonly baseDelayMs: number;
  /** Longest wait between attempts (default 1 hour). */
  readonly maxDelayMs: number;
  /** Attempts before a delivery is marked failed (default 10: about 17 minutes of retries, then hourly → ~7 h). */
  readonly maxAttempts: number;
  /** How long a receiver gets to answer (default 10 s). */
  readonly timeoutMs: number;
  /** How long a claimed delivery stays leased to this dispatcher (default 60 s: longer than the timeout). */
  readonly leaseMs: number;
  /** Deliveries per pass (default 50). */
  readonly batchSize: number;
}

export const DEFAULT_DELIVERY_POLICY: DeliveryPolicy = {
  baseDelayMs: 2000,
  maxDelayMs: 60 * 60 * 1000,
  maxAttempts: 10,
  timeoutMs: 10_000,
  leaseMs: 60_000,
  batchSize: 50,
};

export interface DeliverOptions {
  readonly policy?: Partial<DeliveryPolicy>;
  readonly logger?: Pick<Logger, 'info' | 'warn'>;
  /** For tests: the HTTP client (default: the global fetch). */
  readonly fetch?: typeof fetch;
}

/** When attempt number `attempts` (1-based, just failed) is retried: base · 2^(attempts-1), capped. */
export function retryDelayMs(attempts: number, policy: Pick<DeliveryPolicy, 'baseDelayMs' | 'maxDelayMs'>): number {
  return Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, attempts - 1));
}

/** One pass over the due deliveries. Returns how many were attempted. */
export async function deliverDueWebhooks(store: Store, options: DeliverOptions = {}): Promise<number> {
  const policy = { ...DEFAULT_DELIVERY_POLICY, ...options.policy };
  const claimed = await store.claimDeliveries({ limit: policy.batchSize, leaseMs: policy.leaseMs });
  await Promise.all(claimed.map((delivery) => deliverOne(store, delivery, policy, options)));
  return claimed.length;
}

async function deliverOne(store: Store, delivery: ClaimedDelivery, policy: DeliveryPolicy, options: DeliverOptions): Promise<void> {
  const body = JSON.stringify(delivery.payload);
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'user-agent': 'kiln-webhooks',
    'x-kiln-event': delivery.event,
    'x-kiln-event-id': String(delivery.eventId),
    'x-kiln-delivery': String(delivery.id),
  };
  if (delivery.secret !== null) headers['x-kiln-signature'] = `sha256=${createHmac('sha256', delivery.secret).update(body).digest('hex')}`;

  let error: string | undefined;
  try {
    const response = await (options.fetch ?? fetch)(delivery.url, {
      method: 'POST',
      headers,
      body,
      signal: AbortSignal.timeout(policy.timeoutMs),
      redirect: 'manual',
    });
    await response.arrayBuffer().catch(() => undefined); // release the connection
    if (response.status < 200 || response.status >= 300) error = `the receiver answered HTTP ${response.status}`;
  } catch (err) {
    error = `could not reach ${delivery.url}: ${describeFetchError(err)}`;
  }

  if (error === undefined) {
    await store.recordDeliveryAttempt(delivery.id, { ok: true });
    options.logger?.info({ delivery: delivery.id, event: delivery.event, url: delivery.url }, 'webhook delivered');
    return;
  }
  const attempts = delivery.attempts + 1;
  const retryAt = attempts >= policy.maxAttempts ? null : new Date(Date.now() + retryDelayMs(attempts, policy)).toISOString();
  await store.recordDeliveryAttempt(delivery.id, { ok: false, error, retryAt });
  options.logger?.warn({ delivery: delivery.id, event: delivery.event, url: delivery.url, attempts, retryAt, error }, retryAt === null ? 'webhook delivery failed for good' : 'webhook delivery failed; will retry');
}

/** Why a fetch failed, in a few words (its cause's message, or "no answer in time"). */
export function describeFetchError(err: unknown): string {
  if (err instanceof Error) {
    if (err.name === 'TimeoutError') return 'no answer in time';
    const cause = (err as { cause?: unknown }).cause;
    if (cause instanceof Error) return cause.message;
    return err.message;
  }
  return String(err);
}

export interface DispatcherOptions extends DeliverOptions {
  readonly store: Store;
  /** How often to look for due deliveries (default 1 s). */
  readonly pollMs?: number;
}

/** The server's background delivery loop. `start()` once; `stop()` waits for the pass in progress. */
export class WebhookDispatcher {
  private readonly options: DispatcherOptions;
  private readonly task: PeriodicTask<number>;

  constructor(options: DispatcherOptions) {
    this.options = options;
    this.task = new PeriodicTask(() => this.deliver(), { intervalMs: options.pollMs ?? 1000, firstDelayMs: 0 });
  }

  start(): void {
    this.task.start();
  }

  /** Runs one pass now (also what the timer does); resolves when it is done. */
  runOnce(): Promise<number> {
    return this.task.runNow();
  }

  stop(): Promise<void> {
    return this.task.stop();
  }

  private async deliver(): Promise<number> {
    try {
      return await deliverDueWebhooks(this.options.store, this.options);
    } catch (err) {
      // The store may be briefly unavailable; the next pass tries again.
      this.options.logger?.warn({ err }, 'webhook dispatcher pass failed');
      return 0;
    }
  }
}
