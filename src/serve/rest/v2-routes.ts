/**
 * Open Inference Protocol (KServe V2) REST routes, as in kserve/open-inference-protocol
 * `specification/protocol/inference_rest.md`, with Triton's extensions (triton-inference-server/server
 * docs/protocol): binary tensor data, model configuration, statistics, model repository, classification.
 * A thin adapter: each route parses the URL (and body), calls the data plane, and returns its answer;
 * errors are thrown and mapped once, by the server.
 *
 *   GET  /v2                                            server metadata (with the extensions list)
 *   GET  /v2/health/live | /v2/health/ready
 *   GET  /v2/models/{m}[/versions/{v}]                  model metadata
 *   GET  /v2/models/{m}[/versions/{v}]/ready
 *   POST /v2/models/{m}[/versions/{v}]/infer            JSON, or JSON + binary tensors
 *   GET  /v2/models/{m}[/versions/{v}]/config           model configuration extension
 *   GET  /v2/models[/{m}[/versions/{v}]]/stats          statistics extension
 *   POST /v2/repository/index                           model repository extension
 *   POST /v2/repository/models/{m}/load | /unload
 *
 * The version segment may be a version number or an alias (`/v2/models/titanic/versions/champion/infer`).
 * Health answers follow KServe: 200 with `{live: true}` / `{ready: true}`, and 503 with `ready: false`
 * when not ready, so a Kubernetes probe can use the status alone (as with Triton).
 */
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { KilnError } from '../../core/errors.js';
import type { DataPlane, RequestContext } from '../data-plane.js';
import { parseInferRequest } from '../protocol.js';
import { BinaryInferBody, encodeInferResult, HEADER_LENGTH, withBinaryInputs, type RestAnswer } from './binary-body.js';
import { requestContext } from './request-context.js';
import { docs } from '../../api/route-docs.js';
import { parseBody } from '../../api/json-body.js';
import { inferRequestDocs, inferResponseDocs, liveDocs, modelMetadataDocs, modelReadyDocs, serverMetadataDocs, serverReadyDocs } from './protocol-docs.js';
import { modelConfigDocs, modelStatisticsDocs, repositoryActionDocs, repositoryIndexDocs, repositoryIndexRequestDocs } from './repository-docs.js';

export interface V2RoutesOptions {
  readonly dataPlane: DataPlane;
}

interface ModelParams {
  readonly name: string;
  readonly version?: string;
}

type ModelRequest = FastifyRequest<{ Params: ModelParams }>;

export const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';
export const BINARY_CONTENT_TYPE = 'application/octet-stream';

/**
 * One inference, from the parsed body (JSON, or a BinaryInferBody; undefined when empty) to the answer to
 * write. Shared by the Fastify route and the fast path, so both answer alike.
 */
export async function inferAnswer(dataPlane: DataPlane, name: string, version: string | undefined, body: unknown, context: RequestContext): Promise<RestAnswer> {
  if (body === undefined) throw new KilnError('MALFORMED_REQUEST', { reason: 'the body is empty; send a JSON object' });
  const inferRequest =
    body instanceof BinaryInferBody ? withBinaryInputs(parseInferRequest(body.header), body.binary) : withBinaryInputs(parseInferRequest(body), undefined);
  return encodeInferResult(await dataPlane.infer(name, version, inferRequest, context));
}

export const v2Routes: FastifyPluginAsync<V2RoutesOptions> = async (app, { dataPlane }) => {
  app.get('/v2', docs('inference', 'Server metadata: name, version, extensions', { response: serverMetadataDocs }), async () => dataPlane.serverMetadata());

  app.get('/v2/health/live', docs('inference', 'Liveness', { response: liveDocs }), async () => ({ live: dataPlane.serverLive() }));

  app.get('/v2/health/ready', docs('inference', 'Readiness: 200 once the server can answer, 503 while it cannot', { response: serverReadyDocs, notReady: serverReadyDocs }), async (_request, reply) => {
    const ready = await dataPlane.serverReady();
    return reply.code(ready ? 200 : 503).send({ ready });
  });

  const metadata = async (request: ModelRequest) => dataPlane.modelMetadata(request.params.name, request.params.version);
  app.get<{ Params: ModelParams }>('/v2/models/:name', docs('inference', 'Model metadata: inputs and outputs with datatypes and shapes (the latest version, or `name@alias`)', { response: modelMetadataDocs }), metadata);
  app.get<{ Params: ModelParams }>('/v2/models/:name/versions/:version', docs('inference', 'Metadata of one version (a number or an alias)', { response: modelMetadataDocs }), metadata);

  const ready = async (request: ModelRequest, reply: FastifyReply) => {
    const readiness = await dataPlane.modelReady(request.params.name, request.params.version);
    return reply.code(readiness.ready ? 200 : 503).send(readiness);
  };
  app.get<{ Params: ModelParams }>('/v2/models/:name/ready', docs('inference', 'Whether the model can answer', { response: modelReadyDocs, notReady: modelReadyDocs }), ready);
  app.get<{ Params: ModelParams }>('/v2/models/:name/versions/:version/ready', docs('inference', 'Whether that version can answer', { response: modelReadyDocs, notReady: modelReadyDocs }), ready);

  // Most infer requests never reach this route: the server answers plain JSON ones in front of Fastify
  // (infer-fast-path.ts), with the same inferAnswer. This route answers the others (binary tensors, debug
  // logging, unusual URLs or content types) and every request made with `app.inject`.
  const infer = async (request: ModelRequest, reply: FastifyReply) => {
    const answer = await inferAnswer(dataPlane, request.params.name, request.params.version, request.body, requestContext(request));
    if (answer.kind === 'json') return reply.type(JSON_CONTENT_TYPE).send(answer.text); // already JSON: Fastify sends it as is
    return reply.header(HEADER_LENGTH, String(answer.headerLength)).type(BINARY_CONTENT_TYPE).send(answer.body);
  };
  app.post<{ Params: ModelParams }>('/v2/models/:name/infer', docs('inference', 'Inference (Open Inference Protocol): one [N, 1] tensor per input column; binary tensor data accepted', { body: inferRequestDocs, response: inferResponseDocs }), infer);
  app.post<{ Params: ModelParams }>('/v2/models/:name/versions/:version/infer', docs('inference', 'Inference on one version (a number or an alias)', { body: inferRequestDocs, response: inferResponseDocs }), infer);

  const config = async (request: ModelRequest) => dataPlane.modelConfig(request.params.name, request.params.version);
  app.get<{ Params: ModelParams }>('/v2/models/:name/config', docs('repository', 'Triton model configuration', { response: modelConfigDocs }), config);
  app.get<{ Params: ModelParams }>('/v2/models/:name/versions/:version/config', docs('repository', 'Triton model configuration of one version', { response: modelConfigDocs }), config);

  const stats = async (request: FastifyRequest<{ Params: Partial<ModelParams> }>) => dataPlane.modelStatistics(request.params.name, request.params.version);
  app.get('/v2/models/stats', docs('repository', 'Triton statistics of every loaded model', { response: modelStatisticsDocs }), stats);
  app.get<{ Params: ModelParams }>('/v2/models/:name/stats', docs('repository', 'Triton statistics of one model', { response: modelStatisticsDocs }), stats);
  app.get<{ Params: ModelParams }>('/v2/models/:name/versions/:version/stats', docs('repository', 'Triton statistics of one version', { response: modelStatisticsDocs }), stats);

  // Triton's index takes an optional {"ready": true} body to list only ready models.
  app.post<{ Body: unknown }>('/v2/repository/index', docs('repository', 'The model repository\'s index: every model, its versions and states', { body: repositoryIndexRequestDocs, response: repositoryIndexDocs }), async (request) => {
    // checked like Triton's: `ready` must be a boolean, and a misspelt field is refused rather than ignored
    const { ready } = parseBody(repositoryIndexRequestDocs, request.body, 'repository index request');
    const index = await dataPlane.repositoryIndex();
    return ready === true ? index.filter((e) => e.state === 'READY') : index;
  });
  app.post<{ Params: { name: string } }>('/v2/repository/models/:name/load', docs('repository', 'Load a model', { response: repositoryActionDocs }), async (request) => {
    await dataPlane.loadModel(request.params.name);
    return {};
  });
  app.post<{ Params: { name: string } }>('/v2/repository/models/:name/unload', docs('repository', 'Unload a model', { response: repositoryActionDocs }), async (request) => {
    await dataPlane.unloadModel(request.params.name);
    return {};
  });
};
