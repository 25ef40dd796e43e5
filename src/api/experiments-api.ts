/**
 * The A/B experiments HTTP API, as one Fastify plugin under /api:
 *
 *   POST /api/experiments {model, challenger, champion?, mode?, challenger_share?, outcome?,
 *                          max_error_rate?, max_p99_ms?, description?}          start one (201)
 *   GET  /api/experiments[?model=&status=]                                      list, newest first
 *   GET  /api/experiments/:id[?mde=&alpha=&min_per_arm=&lower_is_better=]       one, with traffic per arm
 *                                                                               and the analysis (or the
 *                                                                               shadow comparison)
 *   POST /api/experiments/:id/stop {reason?}                                    end it; traffic back to normal
 *   POST /api/experiments/:id/promote {reason?}                                 end it and move `champion`
 *                                                                               to the challenger (atomic)
 *
 * With the server's router it also runs the routing side: the router reads the running experiments when
 * the server is ready and every few seconds after, a change made here reroutes this server at once, and
 * the canary watcher rolls back canaries whose challenger breaks its bounds. Errors have the serving
 * routes' shape (rest/http-errors.ts); who made a change comes from `x-kiln-actor` (else `api`).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { parseParams, z } from '../core/params.js';
import { parseBody } from './json-body.js';
import { CanaryWatcher, type CanaryWatcherOptions } from '../experiment/canary-watcher.js';
import { experimentJson, reportJson } from '../experiment/experiment-json.js';
import { endExperiment, reportExperiment, startExperiment } from '../experiment/experiments.js';
import type { ExperimentRouter } from '../experiment/router.js';
import { replyWithError } from '../serve/rest/http-errors.js';
import { EXPERIMENT_STATUSES, type ChangeContext, type ExperimentStatus, type Store } from '../store/store.js';
import { docs } from './route-docs.js';
import { experimentDocs, experimentReportDocs } from './experiments-docs.js';

export interface ExperimentsApiOptions {
  readonly store: Store;
  /** The server's router: started with the server, refreshed after each change made here. */
  readonly router?: ExperimentRouter;
  /** The canary watcher's settings (interval, window), or false to run none; needs the router. */
  readonly canary?: false | Omit<CanaryWatcherOptions, 'store' | 'router' | 'logger'>;
}

const SANE_ACTOR = /^[\w.@:+-]{1,128}$/; // the registry API's rule for x-kiln-actor

const startBody = z.strictObject({
  model: z.string().min(1),
  challenger: z.number().int().positive(),
  champion: z.number().int().positive().optional(),
  mode: z.enum(['split', 'shadow', 'canary']).optional(),
  challenger_share: z.number().optional(),
  outcome: z.enum(['binary', 'continuous']).optional(),
  max_error_rate: z.number().optional(),
  max_p99_ms: z.number().optional(),
  description: z.string().max(10_000).optional(),
});
const listQuery = z.strictObject({ model: z.string().optional(), status: z.enum(EXPERIMENT_STATUSES as [ExperimentStatus, ...ExperimentStatus[]]).optional() });
const reportQuery = z.strictObject({
  mde: z.coerce.number().positive().optional(),
  alpha: z.coerce.number().gt(0).lt(1).optional(),
  min_per_arm: z.coerce.number().int().min(2).optional(),
  lower_is_better: z.enum(['true', 'false']).optional(),
});
const endBody = z.strictObject({ reason: z.string().max(1000).optional() });

export async function experimentsApi(app: FastifyInstance, options: ExperimentsApiOptions): Promise<void> {
  const { store, router } = options;
  app.setErrorHandler((err, request, reply) => replyWithError(err, request, reply));

  if (router !== undefined) {
    const watcher =
      options.canary === false ? undefined : new CanaryWatcher({ store, router, logger: app.log.child({ component: 'canary' }) as unknown as Logger, ...options.canary });
    app.addHook('onReady', async () => {
      await router.start();
      watcher?.start();
    });
    app.addHook('onClose', async () => {
      router.stop();
      await watcher?.stop();
    });
  }
  const rerouted = async (): Promise<void> => router?.refresh();

  app.post('/api/experiments', docs('experiments', 'Start an A/B test or canary between two versions', { body: startBody, response: experimentDocs, status: 201 }), async (request, reply) => {
    const body = parseBody(startBody, request.body, 'experiment');
    const experiment = await startExperiment(
      store,
      {
        model: body.model,
        challenger: body.challenger,
        ...(body.champion === undefined ? {} : { champion: body.champion }),
        ...(body.mode === undefined ? {} : { mode: body.mode }),
        ...(body.challenger_share === undefined ? {} : { challengerShare: body.challenger_share }),
        ...(body.outcome === undefined ? {} : { outcome: body.outcome }),
        ...(body.max_error_rate === undefined ? {} : { maxErrorRate: body.max_error_rate }),
        ...(body.max_p99_ms === undefined ? {} : { maxP99Ms: body.max_p99_ms }),
        ...(body.description === undefined ? {} : { description: body.description }),
      },
      changeOf(request),
    );
    await rerouted();
    return reply.code(201).send(experimentJson(experiment));
  });

  app.get('/api/experiments', docs('experiments', 'Experiments', { query: listQuery, response: z.strictObject({ experiments: z.array(experimentDocs) }) }), async (request) => {
    const q = parseParams(listQuery, request.query, 'query');
    const experiments = await store.listExperiments({ ...(q.model === undefined ? {} : { model: q.model }), ...(q.status === undefined ? {} : { status: q.status }) });
    return { experiments: experiments.map(experimentJson) };
  });

  app.get<{ Params: { id: string } }>('/api/experiments/:id', docs('experiments', 'An experiment with its report per arm', { query: reportQuery, response: experimentReportDocs }), async (request) => {
    const q = parseParams(reportQuery, request.query, 'query');
    const experiment = await store.getExperiment(request.params.id);
    const report = await reportExperiment(store, experiment, {
      ...(q.mde === undefined ? {} : { mde: q.mde }),
      ...(q.alpha === undefined ? {} : { alpha: q.alpha }),
      ...(q.min_per_arm === undefined ? {} : { minPerArm: q.min_per_arm }),
      ...(q.lower_is_better === undefined ? {} : { lowerIsBetter: q.lower_is_better === 'true' }),
    });
    return reportJson(report);
  });

  for (const [verb, status] of [['stop', 'stopped'], ['promote', 'promoted']] as const) {
    app.post<{ Params: { id: string } }>(`/api/experiments/:id/${verb}`, docs('experiments', verb === 'stop' ? 'Stop an experiment: all traffic back to the champion' : 'Promote the challenger: the champion alias moves to it', { body: endBody, response: experimentDocs }), async (request) => {
      const { reason } = parseBody(endBody, request.body, verb);
      const ended = await endExperiment(store, request.params.id, status, reason, changeOf(request));
      await rerouted();
      return experimentJson(ended);
    });
  }
}

function changeOf(request: FastifyRequest): ChangeContext {
  const given = request.headers['x-kiln-actor'];
  return { actor: typeof given === 'string' && SANE_ACTOR.test(given) ? given : 'api' };
}
