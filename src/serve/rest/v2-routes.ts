/**
 * Open Inference Protocol (KServe V2) REST routes, as in kserve/open-inference-protocol
 * `specification/protocol/inference_rest.md`. A thin adapter: each route parses the URL (and body),
 * calls the data plane, and returns its answer; errors are thrown and mapped once, by the server.
 *
 * The version segment may be a version number or an alias (`/v2/models/titanic/versions/champion/infer`).
 *
 * Health answers follow KServe: 200 with `{live: true}` / `{ready: true}`, and 503 with `ready: false`
 * when not ready, so a Kubernetes probe can use the status alone (as with Triton).
 */
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { DataPlane } from '../data-plane.js';
import { parseInferRequest } from '../protocol.js';

export interface V2RoutesOptions {
  readonly dataPlane: DataPlane;
}

interface ModelParams {
  readonly name: string;
  readonly version?: string;
}

type ModelRequest = FastifyRequest<{ Params: ModelParams }>;

export const v2Routes: FastifyPluginAsync<V2RoutesOptions> = async (app, { dataPlane }) => {
  app.get('/v2', async () => dataPlane.serverMetadata());

  app.get('/v2/health/live', async () => ({ live: dataPlane.serverLive() }));

  app.get('/v2/health/ready', async (_request, reply) => {
    const ready = await dataPlane.serverReady();
    return reply.code(ready ? 200 : 503).send({ ready });
  });

  const metadata = async (request: ModelRequest) => dataPlane.modelMetadata(request.params.name, request.params.version);
  app.get<{ Params: ModelParams }>('/v2/models/:name', metadata);
  app.get<{ Params: ModelParams }>('/v2/models/:name/versions/:version', metadata);

  const ready = async (request: ModelRequest, reply: FastifyReply) => {
    const readiness = await dataPlane.modelReady(request.params.name, request.params.version);
    return reply.code(readiness.ready ? 200 : 503).send(readiness);
  };
  app.get<{ Params: ModelParams }>('/v2/models/:name/ready', ready);
  app.get<{ Params: ModelParams }>('/v2/models/:name/versions/:version/ready', ready);

  const infer = async (request: ModelRequest) =>
    dataPlane.infer(request.params.name, request.params.version, parseInferRequest(request.body), { requestId: request.id });
  app.post<{ Params: ModelParams }>('/v2/models/:name/infer', infer);
  app.post<{ Params: ModelParams }>('/v2/models/:name/versions/:version/infer', infer);
};
