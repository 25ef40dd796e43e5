/**
 * A/B routing: the data plane's hook (DataPlane's `router` option) that sends a request to the arm of a
 * running experiment.
 *
 * Only requests that leave the choice of version to the server are routed: `titanic` (the latest) and
 * `titanic@champion` (or `/versions/champion`). A request naming a version (`titanic:3`) gets exactly
 * that version, experiment or not, so people can still reach either version on purpose. Production
 * clients should address `MODEL@champion`: routed while an experiment runs, the champion otherwise — so
 * a stop or a rollback sends them back to the champion at once, while a bare `MODEL` means "the latest
 * version" again once the experiment ends (often the challenger that was just rolled back).
 *
 *   split, canary   each user goes to one arm, sticky: the user key (`x-kiln-user` header, or `user_key`
 *                   in the v2 request's `parameters` or the v1 body) is hashed into champion/challenger
 *                   by `challengerShare` (stats/assignment.ts); requests without a key are assigned by
 *                   their request id.
 *   shadow          the champion answers; once it has, the challenger gets the same inputs off the
 *                   response path, and its answer is only logged (`shadow: true`).
 *
 * Every routed prediction is logged with its experiment and arm (the data plane copies the request's
 * `experiment` tag into the log records); a routed request that fails is logged here with its error
 * code, so the canary watcher sees the challenger's failures even when its version cannot load.
 *
 * Running experiments are cached by model name and re-read every `refreshMs` (and at once after a change
 * made through this server), so a start, stop, promote or rollback by any process takes effect without a
 * restart. With no experiment running, a request costs one Map-size check.
 */
import type { Logger } from 'pino';
import { KilnError } from '../core/errors.js';
import type { DataPlane, ExperimentTag, InferenceRouter, InferResult, RequestContext, RowPredictions } from '../serve/data-plane.js';
import type { PredictionSink } from '../serve/prediction-log.js';
import type { InferRequest, Parameters } from '../serve/protocol.js';
import type { Experiment, Store } from '../store/store.js';
import type { ArmName } from './arm-traffic.js';
import { stickyAssigner } from './stats/assignment.js';

/** The alias whose requests are routed like requests without a version. */
export const CHAMPION_ALIAS = 'champion';

/** Longest user key taken from a request (longer ones are cut: the hash needs no more). */
const MAX_USER_KEY = 256;

export interface ExperimentRouterOptions {
  readonly store: Pick<Store, 'listExperiments'>;
  /** Where failed routed requests are logged (the server's prediction log). */
  readonly predictionLog?: Pick<PredictionSink, 'failed'>;
  readonly logger: Logger;
  /** How often running experiments are re-read from the store (default 2000 ms). */
  readonly refreshMs?: number;
}

interface RoutedExperiment {
  readonly experiment: Experiment;
  readonly assign: (userKey: string) => string;
}

type Run<T> = (version: number, context: RequestContext) => Promise<T>;

export class ExperimentRouter implements InferenceRouter {
  private readonly store: Pick<Store, 'listExperiments'>;
  private readonly predictionLog: Pick<PredictionSink, 'failed'> | undefined;
  private readonly logger: Logger;
  private readonly refreshMs: number;
  /** Running experiments by model name: the whole per-request cost when none runs is `size === 0`. */
  private running = new Map<string, RoutedExperiment>();
  private timer: NodeJS.Timeout | undefined;
  /** Each refresh takes a number; an older refresh finishing late does not overwrite a newer one. */
  private generation = 0;
  private applied = 0;

  constructor(options: ExperimentRouterOptions) {
    this.store = options.store;
    this.predictionLog = options.predictionLog;
    this.logger = options.logger;
    this.refreshMs = options.refreshMs ?? 2000;
  }

  /** Reads the running experiments now and then every `refreshMs`. */
  async start(): Promise<void> {
    await this.refresh();
    if (this.timer !== undefined) return;
    this.timer = setInterval(() => void this.refresh(), this.refreshMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Re-reads the running experiments; a store that does not answer leaves the current routing in place. */
  async refresh(): Promise<void> {
    const generation = ++this.generation;
    let experiments: Experiment[];
    try {
      experiments = await this.store.listExperiments({ status: 'running' });
    } catch (err) {
      this.logger.warn({ err }, 'could not read the running experiments; routing stays as it was');
      return;
    }
    if (generation < this.applied) return;
    this.applied = generation;
    const next = new Map<string, RoutedExperiment>();
    for (const experiment of experiments) {
      const current = this.running.get(experiment.model);
      // keep the assigner of an unchanged experiment; a new one gets its own (salted by its id)
      next.set(experiment.model, current?.experiment.id === experiment.id ? { experiment, assign: current.assign } : { experiment, assign: assignerOf(experiment) });
    }
    for (const model of this.running.keys()) if (!next.has(model)) this.logger.info({ model }, 'experiment ended: requests go to the model as usual');
    for (const [model, routed] of next) if (!this.running.has(model)) this.logger.info({ model, experiment: routed.experiment.id, mode: routed.experiment.mode }, 'experiment routes requests');
    this.running = next;
  }

  /** Stops routing one experiment at once (a rollback must not wait for the next refresh). */
  forget(experimentId: string): void {
    for (const [model, routed] of this.running) if (routed.experiment.id === experimentId) this.running.delete(model);
  }

  /** The experiments currently routing traffic (as last read). */
  runningExperiments(): Experiment[] {
    return [...this.running.values()].map((r) => r.experiment);
  }

  infer(dataPlane: DataPlane, name: string, version: string | undefined, request: InferRequest, context: RequestContext): Promise<InferResult> | undefined {
    const routed = this.match(name, version, context);
    if (routed === undefined) return undefined;
    const requestId = request.id ?? context.requestId;
    const userKey = context.userKey ?? userKeyOf(request.parameters) ?? requestId;
    return this.answer(routed, userKey, requestId, context, (v, ctx) => dataPlane.infer(routed.experiment.model, String(v), request, ctx));
  }

  predictRows(dataPlane: DataPlane, name: string, version: string | undefined, rows: readonly unknown[], context: RequestContext): Promise<RowPredictions> | undefined {
    const routed = this.match(name, version, context);
    if (routed === undefined) return undefined;
    const userKey = context.userKey ?? context.requestId;
    return this.answer(routed, userKey, context.requestId, context, (v, ctx) => dataPlane.predictRows(routed.experiment.model, String(v), rows, ctx));
  }

  /** The experiment routing this request, if any: only requests that leave the version to the server. */
  private match(name: string, version: string | undefined, context: RequestContext): RoutedExperiment | undefined {
    if (this.running.size === 0 || context.experiment !== undefined) return undefined;
    if (version !== undefined && version !== '') return version === CHAMPION_ALIAS ? this.running.get(name) : undefined;
    const at = name.indexOf('@');
    if (at < 0) return name.includes(':') ? undefined : this.running.get(name);
    return name.slice(at + 1) === CHAMPION_ALIAS ? this.running.get(name.slice(0, at)) : undefined;
  }

  private answer<T>(routed: RoutedExperiment, userKey: string, requestId: string, context: RequestContext, run: Run<T>): Promise<T> {
    const { experiment } = routed;
    if (experiment.mode !== 'shadow') return this.call(experiment, routed.assign(userKey) as ArmName, false, requestId, context, run);
    const answer = this.call(experiment, 'champion', false, requestId, context, run);
    // The mirror starts once the champion has answered (or failed): the client never waits for it, and
    // it does not compete with the champion for the instance while the client waits.
    const mirror = (): void => {
      this.call(experiment, 'challenger', true, requestId, context, run).catch((err: unknown) =>
        this.logger.debug({ err, experiment: experiment.id }, 'the shadow challenger failed (logged, not returned)'),
      );
    };
    answer.then(mirror, mirror);
    return answer;
  }

  /** Runs the request on one arm's version with the arm's tag; a failure is logged before it is rethrown. */
  private async call<T>(experiment: Experiment, arm: ArmName, shadow: boolean, requestId: string, context: RequestContext, run: Run<T>): Promise<T> {
    const tag: ExperimentTag = shadow ? { experiment: experiment.id, arm, shadow: true } : { experiment: experiment.id, arm };
    const version = arm === 'champion' ? experiment.champion : experiment.challenger;
    const started = performance.now();
    try {
      return await run(version, { ...context, experiment: tag });
    } catch (err) {
      this.predictionLog?.failed({
        model: experiment.model,
        version,
        requestId,
        latencyMs: performance.now() - started,
        userKey: context.userKey,
        experiment: tag,
        error: err instanceof KilnError ? err.code : 'INTERNAL',
      });
      throw err;
    }
  }
}

/** Champion and challenger cut the unit interval by the challenger's share, salted by the experiment id. */
function assignerOf(experiment: Experiment): (userKey: string) => string {
  const share = Math.min(1, Math.max(0, experiment.challengerShare));
  return stickyAssigner(experiment.id, [
    { name: 'champion', weight: 1 - share },
    { name: 'challenger', weight: share },
  ]);
}

/** `user_key` from a v2 request's parameters: a string or a number. */
export function userKeyOf(parameters: Parameters | undefined): string | undefined {
  const value = parameters?.['user_key'];
  if (typeof value === 'string' && value !== '') return value.slice(0, MAX_USER_KEY);
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return undefined;
}
