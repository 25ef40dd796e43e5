/**
 * The tracking and registry HTTP API, as one Fastify plugin under /api:
 *
 *   GET    /api/runs?where=…&tag=k=v&order_by=…&limit=…&offset=…   search runs (filter language: run-query.ts)
 *   GET    /api/runs/:id                                          one run, its metric series and dataset version
 *   GET    /api/datasets[?dataset=NAME]   GET /api/datasets/:id   dataset versions (snapshots) and lineage
 *   GET    /api/models                                            registered models
 *   GET    /api/models/:ref                                       a model and its versions; `titanic:3` or
 *                                                                 `titanic@champion` give that version
 *   PATCH  /api/models/:name {description?, tags?}                describe and tag a model
 *   GET    /api/models/:name/versions/:v                          a version by number or alias
 *   PATCH  /api/models/:name/versions/:v {description?, tags?}
 *   PUT    /api/models/:name/aliases/:alias {version}             point (move) an alias
 *   DELETE /api/models/:name/aliases/:alias                       remove an alias (204)
 *   POST   /api/models/:name/versions/:v/archive | /unarchive
 *   GET    /api/audit?entity=…&limit=…                            the audit log, newest first
 *   GET    /api/webhooks   POST /api/webhooks {url, events?, secret?, description?}
 *   GET    /api/webhooks/:id (with its latest deliveries)   DELETE /api/webhooks/:id
 *   GET    /api/webhooks/:id/deliveries?status=…&limit=…
 *
 * Errors have the serving routes' shape (`{error, code, hint?, problems?}`, rest/http-errors.ts). Who made
 * a change is taken from the `x-kiln-actor` header (else `api`) for the audit log.
 *
 * The plugin also runs the webhook dispatcher while the server is up (unless `webhooks: false`), so
 * deliveries queued by any process sharing the store — this server, the CLI, another replica — are sent
 * and retried.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { KilnError } from '../core/errors.js';
import { parseParams, z } from '../core/params.js';
import { parseBody } from './json-body.js';
import { replyWithError } from '../serve/rest/http-errors.js';
import { checkAliasName, checkAliasSyntax, MAX_VERSION_NUMBER, parseModelRef, type ModelRef } from '../store/model-ref.js';
import { REGISTRY_EVENTS, type ChangeContext, type ModelVersion, type RunQuery, type Store } from '../store/store.js';
import { WebhookDispatcher, type DeliveryPolicy } from '../store/webhooks/dispatcher.js';
import { auditJson, datasetJson, deliveryJson, modelJson, runJson, seriesJson, versionJson, webhookJson } from './json.js';
import { docs } from './route-docs.js';
import { auditDocs, datasetDocs, deliveryDocs, modelDocs, modelWithVersionsDocs, runDetailDocs, runDocs, versionDocs, webhookDocs } from './registry-docs.js';

export interface RegistryApiOptions {
  readonly store: Store;
  /** The background webhook dispatcher's settings, or false to run none (default: on, polling every second). */
  readonly webhooks?: false | { readonly pollMs?: number; readonly policy?: Partial<DeliveryPolicy> };
}

const SANE_ACTOR = /^[\w.@:+-]{1,128}$/;

/** The most entries one list answer holds (runs, audit entries, deliveries, alert events); the CLI's --limit too. */
import { MAX_LIST_LIMIT } from './list-limit.js';

const positiveInt = z.coerce.number().int().positive();
const runsQuery = z.strictObject({
  where: z.string().optional(),
  tag: z.union([z.string(), z.array(z.string())]).optional(),
  order_by: z.string().optional(),
  limit: positiveInt.max(MAX_LIST_LIMIT).default(100),
  offset: z.coerce.number().int().min(0).optional(),
});
const describeBody = z.strictObject({
  description: z.string().max(10_000).optional(),
  tags: z.record(z.string().min(1), z.string().nullable()).optional(),
});
// a JSON number, not coerced: the string "1" or `true` must not point an alias at version 1; bounded by
// what a reference can name (a larger number would reach PostgreSQL's INTEGER column as an internal error)
const aliasBody = z.strictObject({ version: z.number().int().positive().max(MAX_VERSION_NUMBER) });
const webhookBody = z.strictObject({
  url: z.string(),
  events: z.array(z.enum(REGISTRY_EVENTS)).min(1).optional(),
  secret: z.string().min(1).optional(),
  description: z.string().max(1000).optional(),
});
const auditQuery = z.strictObject({ entity: z.string().optional(), limit: positiveInt.max(MAX_LIST_LIMIT).default(100) });
const deliveriesQuery = z.strictObject({ status: z.enum(['pending', 'delivered', 'failed']).optional(), limit: positiveInt.max(MAX_LIST_LIMIT).default(100) });
const datasetsQuery = z.strictObject({ dataset: z.string().optional() });

export async function registryApi(app: FastifyInstance, options: RegistryApiOptions): Promise<void> {
  const { store } = options;
  // Registered at the root of the server the errors reach its handler anyway; this makes the plugin
  // answer in the same shape when mounted on its own.
  app.setErrorHandler((err, request, reply) => replyWithError(err, request, reply));

  if (options.webhooks !== false) {
    const dispatcher = new WebhookDispatcher({
      store,
      logger: app.log.child({ component: 'webhooks' }) as unknown as Logger,
      ...(options.webhooks?.pollMs === undefined ? {} : { pollMs: options.webhooks.pollMs }),
      ...(options.webhooks?.policy === undefined ? {} : { policy: options.webhooks.policy }),
    });
    app.addHook('onReady', async () => dispatcher.start());
    app.addHook('onClose', async () => dispatcher.stop());
  }

  // --- runs ---------------------------------------------------------------------------------------

  app.get('/api/runs', docs('registry', 'Runs, filtered and ordered (`where`, `tags`, `order_by`, `limit`, `offset`)', { query: runsQuery, response: z.strictObject({ runs: z.array(runDocs) }) }), async (request) => {
    const q = parseParams(runsQuery, request.query, 'query');
    const query: RunQuery = {
      ...(q.where === undefined ? {} : { where: q.where }),
      ...(q.tag === undefined ? {} : { tags: tagsOf(q.tag) }),
      ...(q.order_by === undefined ? {} : { orderBy: q.order_by }),
      limit: q.limit,
      ...(q.offset === undefined ? {} : { offset: q.offset }),
    };
    return { runs: (await store.listRuns(query)).map(runJson) };
  });

  app.get<{ Params: { id: string } }>('/api/runs/:id', docs('registry', 'One run: params, metrics, learning curves, dataset, environment', { response: runDetailDocs }), async (request) => {
    const run = await store.getRun(request.params.id);
    const series = await store.getMetricSeries(run.id);
    const dataset = run.datasetVersionId === null ? null : await store.getDatasetVersion(run.datasetVersionId);
    return { ...runJson(run), metric_series: seriesJson(series), dataset_version: dataset === null ? null : datasetJson(dataset) };
  });

  // --- datasets -----------------------------------------------------------------------------------

  app.get('/api/datasets', docs('registry', 'Dataset versions (immutable snapshots of the data runs trained on)', { query: datasetsQuery, response: z.strictObject({ dataset_versions: z.array(datasetDocs) }) }), async (request) => {
    const q = parseParams(datasetsQuery, request.query, 'query');
    return { dataset_versions: (await store.listDatasetVersions(q.dataset)).map(datasetJson) };
  });

  app.get<{ Params: { id: string } }>('/api/datasets/:id', docs('registry', 'One dataset version', { response: datasetDocs }), async (request) => datasetJson(await store.getDatasetVersion(request.params.id)));

  // --- models -------------------------------------------------------------------------------------

  app.get('/api/models', docs('registry', 'Registered models', { response: z.strictObject({ models: z.array(modelDocs) }) }), async () => ({ models: (await store.listModels()).map(modelJson) }));

  app.get<{ Params: { ref: string } }>('/api/models/:ref', docs('registry', 'A model with its versions, or one version (`name:3`, `name@champion`)', { response: z.union([modelWithVersionsDocs, versionDocs]) }), async (request) => {
    const ref = parseModelRef(request.params.ref);
    if (ref.kind !== 'latest') return versionJson(await store.resolve(ref));
    const model = await store.getModel(ref.name);
    return { ...modelJson(model), versions: (await store.listVersions(ref.name)).map(versionJson) };
  });

  app.patch<{ Params: { name: string } }>('/api/models/:name', docs('registry', 'Describe a model', { body: describeBody, response: modelDocs }), async (request) => {
    const body = parseBody(describeBody, request.body, 'model update');
    const name = modelName(request.params.name);
    return modelJson(await store.updateModel(name, withoutUndefined(body), changeOf(request)));
  });

  app.get<{ Params: { name: string; v: string } }>('/api/models/:name/versions/:v', docs('registry', 'One version', { response: versionDocs }), async (request) =>
    versionJson(await resolveVersion(store, request.params.name, request.params.v)),
  );

  app.patch<{ Params: { name: string; v: string } }>('/api/models/:name/versions/:v', docs('registry', 'Describe a version', { body: describeBody, response: versionDocs }), async (request) => {
    const body = parseBody(describeBody, request.body, 'version update');
    const target = await resolveVersion(store, request.params.name, request.params.v);
    return versionJson(await store.updateVersion(target.model, target.version, withoutUndefined(body), changeOf(request)));
  });

  app.put<{ Params: { name: string; alias: string } }>('/api/models/:name/aliases/:alias', docs('registry', 'Point an alias (e.g. champion) at a version', { body: aliasBody, response: versionDocs }), async (request) => {
    const { version } = parseBody(aliasBody, request.body, 'alias');
    const name = modelName(request.params.name);
    // the store checks it too; here the refusal names the field as this route's caller knows it
    checkAliasName(request.params.alias, 'alias in the path');
    await store.setAlias(name, request.params.alias, version, changeOf(request));
    return versionJson(await store.getVersion(name, version));
  });

  // Not checkAliasName: a reserved name (an old `latest`) must be removable. The segment is still held
  // to the alias syntax, so `a b` is told what an alias looks like rather than "no such alias".
  app.delete<{ Params: { name: string; alias: string } }>('/api/models/:name/aliases/:alias', docs('registry', 'Remove an alias (also one named latest or v2, stored before such names were reserved); `champion` is refused while an experiment runs', { status: 204 }), async (request, reply) => {
    const name = modelName(request.params.name);
    checkAliasSyntax(request.params.alias, 'alias in the path');
    await store.removeAlias(name, request.params.alias, changeOf(request));
    return reply.code(204).send();
  });

  for (const [verb, status] of [['archive', 'archived'], ['unarchive', 'ready']] as const) {
    app.post<{ Params: { name: string; v: string } }>(`/api/models/:name/versions/:v/${verb}`, docs('registry', verb === 'archive' ? 'Archive a version (it stops being served as the latest)' : 'Bring an archived version back', { response: versionDocs }), async (request) => {
      const target = await resolveVersion(store, request.params.name, request.params.v);
      return versionJson(await store.setVersionStatus(target.model, target.version, status, changeOf(request)));
    });
  }

  // --- audit log ----------------------------------------------------------------------------------

  app.get('/api/audit', docs('registry', 'The audit log of registry changes', { query: auditQuery, response: z.strictObject({ entries: z.array(auditDocs) }) }), async (request) => {
    const q = parseParams(auditQuery, request.query, 'query');
    return { entries: (await store.listAudit({ limit: q.limit, ...(q.entity === undefined ? {} : { entity: q.entity }) })).map(auditJson) };
  });

  // --- webhooks -----------------------------------------------------------------------------------

  app.get('/api/webhooks', docs('registry', 'Webhooks', { response: z.strictObject({ webhooks: z.array(webhookDocs) }) }), async () => ({ webhooks: (await store.listWebhooks()).map(webhookJson) }));

  app.post('/api/webhooks', docs('registry', 'Add a webhook for registry events', { body: webhookBody, response: webhookDocs, status: 201 }), async (request, reply) => {
    const body = parseBody(webhookBody, request.body, 'webhook');
    const webhook = await store.createWebhook(withoutUndefined(body), changeOf(request));
    return reply.code(201).send(webhookJson(webhook));
  });

  app.get<{ Params: { id: string } }>('/api/webhooks/:id', docs('registry', 'One webhook, with its 20 latest deliveries', { response: webhookDocs.extend({ deliveries: z.array(deliveryDocs) }) }), async (request) => {
    const webhook = await store.getWebhook(request.params.id);
    const deliveries = await store.listDeliveries({ webhookId: webhook.id, limit: 20 });
    return { ...webhookJson(webhook), deliveries: deliveries.map(deliveryJson) };
  });

  app.get<{ Params: { id: string } }>('/api/webhooks/:id/deliveries', docs('registry', 'A webhook\'s deliveries', { query: deliveriesQuery, response: z.strictObject({ deliveries: z.array(deliveryDocs) }) }), async (request) => {
    const q = parseParams(deliveriesQuery, request.query, 'query');
    await store.getWebhook(request.params.id);
    const deliveries = await store.listDeliveries({ webhookId: request.params.id, limit: q.limit, ...(q.status === undefined ? {} : { status: q.status }) });
    return { deliveries: deliveries.map(deliveryJson) };
  });

  app.delete<{ Params: { id: string } }>('/api/webhooks/:id', docs('registry', 'Remove a webhook', { status: 204 }), async (request, reply) => {
    await store.deleteWebhook(request.params.id, changeOf(request));
    return reply.code(204).send();
  });
}

/** `?tag=team=risk&tag=stage=final` → `{team: 'risk', stage: 'final'}`. */
function tagsOf(tag: string | string[]): Record<string, string> {
  const tags: Record<string, string> = {};
  for (const pair of Array.isArray(tag) ? tag : [tag]) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new KilnError('INVALID_PARAMS', { what: 'tag', summary: `"${pair}" is not KEY=VALUE` });
    tags[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return tags;
}

/**
 * A path's model name, checked with the reference syntax (so `a b` is INVALID_MODEL_REF, not a 404).
 * `titanic:1` or `titanic@champion` is a good reference, only not a name: saying it "is not a model
 * reference" would be false, so the answer says what the route takes instead, as `kiln models alias` does.
 */
function modelName(name: string): string {
  const ref = parseModelRef(name);
  if (ref.kind === 'latest') return ref.name;
  const names = ref.kind === 'version' ? `version ${ref.version}` : `the alias ${ref.alias}`;
  throw new KilnError('INVALID_PARAMS', {
    what: 'model name in the path',
    summary: `"${name}" names ${names} of ${ref.name}; this route takes the model's name alone, without :VERSION or @ALIAS ("${ref.name}"), and a version as /versions/VERSION where it takes one`,
  });
}

/** `:v` is a version number or an alias name. */
async function resolveVersion(store: Store, name: string, v: string): Promise<ModelVersion> {
  const ref: ModelRef = parseModelRef(/^\d+$/.test(v) ? `${modelName(name)}:${v}` : `${modelName(name)}@${v}`);
  return store.resolve(ref);
}

function changeOf(request: FastifyRequest): ChangeContext {
  const given = request.headers['x-kiln-actor'];
  return { actor: typeof given === 'string' && SANE_ACTOR.test(given) ? given : 'api' };
}

/** Drops keys whose value is undefined (zod's optional output), as exactOptionalPropertyTypes wants. */
function withoutUndefined<T extends object>(value: T): { [K in keyof T]: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as { [K in keyof T]: Exclude<T[K], undefined> };
}
