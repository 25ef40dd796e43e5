/**
 * The canary's safety net: every `intervalMs` (default 10 s) it looks at the challenger's most recent
 * requests in each running canary experiment and rolls the experiment back when the challenger's error
 * rate passes `maxErrorRate` or its p99 latency passes `maxP99Ms`. A rollback ends the experiment as
 * `rolled_back` with the reason (the store audits it), is logged as a warning, and the router stops
 * sending users to the challenger at once.
 *
 * The numbers come from the prediction log, so every replica's traffic counts and any replica's watcher
 * may be the one that acts (the others see the experiment end at their next refresh). The verdict waits
 * for `minRequests` challenger requests: one slow first request (a cold instance) is no evidence.
 */
import type { Logger } from 'pino';
import { KilnError } from '../core/errors.js';
import type { Experiment, Store } from '../store/store.js';
import { armTraffic, type ArmTraffic } from './arm-traffic.js';
import type { ExperimentRouter } from './router.js';
import { PeriodicTask } from '../core/periodic-task.js';

export interface CanaryWatcherOptions {
  readonly store: Pick<Store, 'listPredictions' | 'endExperiment'>;
  readonly router: Pick<ExperimentRouter, 'runningExperiments' | 'forget' | 'refresh'>;
  readonly logger: Logger;
  /** Default 10 000 ms. */
  readonly intervalMs?: number;
  /** The challenger's requests judged at each check: the most recent ones (default 200). */
  readonly windowRequests?: number;
  /** Fewer challenger requests than this are not judged yet (default 20). */
  readonly minRequests?: number;
}

export interface CanaryCheck {
  readonly experiment: string;
  readonly challenger: ArmTraffic;
  /** Why it was rolled back; null when it stays. */
  readonly breach: string | null;
}

/** Whether a canary's challenger breaks its bounds; the reason in words, or null. */
export function canaryBreach(experiment: Pick<Experiment, 'maxErrorRate' | 'maxP99Ms' | 'challenger'>, challenger: ArmTraffic, minRequests: number): string | null {
  if (challenger.requests < minRequests) return null;
  const reasons: string[] = [];
  if (experiment.maxErrorRate !== undefined && challenger.error_rate !== null && challenger.error_rate > experiment.maxErrorRate) {
    reasons.push(`error rate ${(challenger.error_rate * 100).toFixed(1)}% > ${(experiment.maxErrorRate * 100).toFixed(1)}% (${challenger.errors} of ${challenger.requests} requests failed)`);
  }
  if (experiment.maxP99Ms !== undefined && challenger.p99_ms !== null && challenger.p99_ms > experiment.maxP99Ms) {
    reasons.push(`p99 latency ${challenger.p99_ms.toFixed(1)} ms > ${experiment.maxP99Ms} ms`);
  }
  return reasons.length === 0 ? null : `canary: challenger version ${experiment.challenger} ${reasons.join(' and ')} over its last ${challenger.requests} requests`;
}

export class CanaryWatcher {
  private readonly options: CanaryWatcherOptions;
  private readonly intervalMs: number;
  private readonly windowRequests: number;
  private readonly minRequests: number;
  private readonly task: PeriodicTask<CanaryCheck[]>;

  constructor(options: CanaryWatcherOptions) {
    this.options = options;
    this.intervalMs = options.intervalMs ?? 10_000;
    this.windowRequests = options.windowRequests ?? 200;
    this.minRequests = options.minRequests ?? 20;
    this.task = new PeriodicTask(() => this.checkAll(), { intervalMs: this.intervalMs });
  }

  start(): void {
    this.task.start();
  }

  /** Stops the timer and waits for a check in progress. */
  stop(): Promise<void> {
    return this.task.stop();
  }

  /** One pass over the running canaries (one at a time: a slow store does not pile checks up). Never rejects. */
  check(): Promise<CanaryCheck[]> {
    return this.task.runNow();
  }

  private async checkAll(): Promise<CanaryCheck[]> {
    const results: CanaryCheck[] = [];
    for (const experiment of this.options.router.runningExperiments()) {
      if (experiment.mode !== 'canary' || (experiment.maxErrorRate === undefined && experiment.maxP99Ms === undefined)) continue;
      try {
        results.push(await this.checkOne(experiment));
      } catch (err) {
        this.options.logger.error({ err, experiment: experiment.id }, 'could not check the canary');
      }
    }
    return results;
  }

  private async checkOne(experiment: Experiment): Promise<CanaryCheck> {
    const { store, router, logger } = this.options;
    // Rows of a request are separate records: read enough of them to cover the window of requests.
    const records = await store.listPredictions({ model: experiment.model, experiment: experiment.id, since: Date.parse(experiment.startedAt), limit: this.windowRequests * 20 });
    const challenger = armTraffic(records, 'challenger', { shadow: false, lastRequests: this.windowRequests });
    const breach = canaryBreach(experiment, challenger, this.minRequests);
    if (breach === null) return { experiment: experiment.id, challenger, breach };
    // Stop sending users to the challenger before the store round trip.
    router.forget(experiment.id);
    try {
      await store.endExperiment(experiment.id, 'rolled_back', breach, { actor: 'canary-watcher' });
      logger.warn({ experiment: experiment.id, model: experiment.model, challenger: experiment.challenger, reason: breach }, 'canary rolled back');
    } catch (err) {
      // another replica's watcher (or a person) ended it first: nothing left to do
      if (!(err instanceof KilnError)) throw err;
      logger.info({ experiment: experiment.id, err }, 'canary already ended elsewhere');
    }
    await router.refresh();
    return { experiment: experiment.id, challenger, breach };
  }
}
