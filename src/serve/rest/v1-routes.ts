/**
 * KServe v1 JSON routes, for people who think in rows:
 *
 *   POST /v1/models/titanic:predict   {"instances": [{"Pclass": 3, "Sex": "male", "Age": 22}]}
 *   → {"predictions": [{"label": 0, "probabilities": {"0": 0.9, "1": 0.1}}]}
 *   GET  /v1/models/titanic           → {"name": "titanic", "ready": true}   (503 with ready: false if not)
 *
 * `name:predict` puts a colon inside one path segment, which Fastify's router reads as the start of a
 * parameter; so the route takes the whole segment and splits it on its last colon. The model part may
 * be any model reference (`titanic@champion:predict`, `titanic:3:predict`).
 */
import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import { KilnError } from '../../core/errors.js';
import type { DataPlane } from '../data-plane.js';
import { malformed } from '../protocol.js';
import { requestContext } from './request-context.js';
import { docs } from '../../api/route-docs.js';
import { modelReadyDocs, predictResponseDocs } from './protocol-docs.js';

export interface V1RoutesOptions {
  readonly dataPlane: DataPlane;
}

/**
 * Rows are not walked here: decode-rows reads each value once, into the tensors, and checks them against
 * the model (an object of columns for a module; the row's elements for a tensor model).
 */
const PREDICT_REQUEST = z.object({
  instances: z.array(z.unknown()).min(1, { message: 'instances must hold at least one row' }),
  /** The caller's user key for A/B assignment, when no `x-kiln-user` header is sent. */
  user_key: z.union([z.string(), z.number()]).optional(),
});

export const v1Routes: FastifyPluginAsync<V1RoutesOptions> = async (app, { dataPlane }) => {
  app.get<{ Params: { name: string } }>('/v1/models/:name', docs('inference', 'KServe v1: whether the model is ready', { response: modelReadyDocs, notReady: modelReadyDocs }), async (request, reply) => {
    const readiness = await dataPlane.modelReady(request.params.name);
    return reply.code(readiness.ready ? 200 : 503).send(readiness);
  });

  app.post<{ Params: { nameAndVerb: string } }>('/v1/models/:nameAndVerb', docs('inference', 'KServe v1 prediction: `POST /v1/models/NAME:predict` with {"instances": [{column: value, …}]}', { body: PREDICT_REQUEST, response: predictResponseDocs }), async (request) => {
    const segment = request.params.nameAndVerb;
    const colon = segment.lastIndexOf(':');
    if (colon < 0 || segment.slice(colon + 1) !== 'predict') {
      throw new KilnError('ROUTE_NOT_FOUND', { method: request.method, url: request.url });
    }
    const parsed = PREDICT_REQUEST.safeParse(request.body);
    if (!parsed.success) throw malformed(parsed.error.issues);
    const answer = await dataPlane.predictRows(segment.slice(0, colon), undefined, parsed.data.instances, requestContext(request, parsed.data.user_key));
    // which version answered: under an A/B experiment, clients attribute outcomes by it
    return { predictions: answer.predictions, model_version: answer.model_version };
  });
};
