/**
 * The answers GET /openapi.json promises are the ones the server gives: real answers of a running
 * server — an upload, its preview, profile and fix, spec suggestions, the reports of a yes/no, a
 * regression and a text model (from a new and an old report.json), explanations, a deployment, served
 * predictions with their feedback, the monitoring report, alerts, a split and a shadow experiment,
 * webhooks and the audit log; and the serving side: health, readiness (and not ready), metadata,
 * inference in both protocols, Triton's configuration, statistics and repository, the metrics' media
 * type — are parsed with the same strict schemas the document is generated from, and each route's
 * document carries its schema with the status the server answers with.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { inspectDocs, previewDocs, uploadDocs } from '../../src/api/app/data-docs.js';
import { deployDocs, explainDocs } from '../../src/api/app/model-docs.js';
import { tabularReportDocs, textReportDocs } from '../../src/api/app/report-docs.js';
import { MODULE_ARTIFACTS } from '../../src/modules/manifest.js';
import { METRICS_CONTENT_TYPE } from '../../src/serve/metrics.js';
import { inferResponseDocs, liveDocs, modelMetadataDocs, modelReadyDocs, predictResponseDocs, serverMetadataDocs, serverReadyDocs } from '../../src/serve/rest/protocol-docs.js';
import { modelConfigDocs, modelStatisticsDocs, repositoryActionDocs, repositoryIndexDocs } from '../../src/serve/rest/repository-docs.js';
import { tempHome } from '../helpers/kiln-cli.js';
import { specSchemaDocs, suggestionDocs, templatesDocs } from '../../src/api/app/spec-docs.js';
import { experimentDocs, experimentReportDocs } from '../../src/api/experiments-docs.js';
import { auditDocs, deliveryDocs, versionDocs, webhookDocs } from '../../src/api/registry-docs.js';
import { alertCheckDocs, alertEventDocs, alertRuleDocs, feedbackResultDocs, monitorReportDocs } from '../../src/api/monitoring-docs.js';
import { validateSpec } from '../../src/modules/spec.js';
import { trainModule } from '../../src/modules/train-module.js';
import { startAppServer, TITANIC_CSV, type AppServer } from '../api/app/app-server.js';

const titanic = fileURLToPath(TITANIC_CSV);
const sentiment = fileURLToPath(new URL('../../examples/sentiment/sentiment.csv', import.meta.url));

interface Response {
  description?: string;
  content?: Record<string, { schema: Record<string, unknown> }>;
}
type Doc = { paths: Record<string, Record<string, { tags?: string[]; responses: Record<string, Response> }>> };

let server: AppServer;
let doc: Doc;

before(async () => {
  server = await startAppServer();
  const home = { store: server.store, artifacts: server.artifacts };
  const drop = ['PassengerId', 'Name', 'Ticket', 'Cabin'];
  await trainModule(validateSpec({ name: 'titanic', data: titanic, target: 'Survived', drop, learner: 'logistic-regression' }, null, dirname(titanic)), home);
  await trainModule(validateSpec({ name: 'fare', data: titanic, target: 'Fare', drop, learner: 'ridge' }, null, dirname(titanic)), home);
  // a second version with the same artifacts: a challenger for the experiments
  const v1 = await server.store.getVersion('titanic', 1);
  await server.store.createModelVersion({ model: 'titanic', runId: v1.runId, artifacts: v1.artifacts, signature: v1.signature, metrics: v1.metrics });
  // a text module (900 reviews, one fixed configuration: seconds), and a version of it whose
  // report.json is as Kiln wrote it before `configuration`: the description under `model`
  const reviews = join(tempHome('kiln-openapi-reviews-'), 'reviews.csv');
  writeFileSync(reviews, readFileSync(sentiment, 'utf8').split('\n').slice(0, 901).join('\n'));
  const reviewsSpec = { name: 'reviews', task: 'text-classify', data: reviews, target: 'label', text: 'sentence', learner: 'logistic-regression', params: { C: 10, wordNgrams: [1, 2], charNgrams: null } };
  await trainModule(validateSpec(reviewsSpec, null, dirname(reviews)), home);
  const text = await server.store.getVersion('reviews', 1);
  const { configuration, ...report } = JSON.parse((await server.artifacts.get(text.artifacts[MODULE_ARTIFACTS.report] ?? '')).toString('utf8')) as Record<string, unknown>;
  const oldReport = await server.artifacts.put(new TextEncoder().encode(JSON.stringify({ ...report, model: configuration })));
  await server.store.createModelVersion({ model: 'reviews', runId: text.runId, artifacts: { ...text.artifacts, [MODULE_ARTIFACTS.report]: oldReport }, signature: text.signature, metrics: text.metrics });
  doc = (await (await fetch(`${server.url}/openapi.json`)).json()) as Doc;
});
after(() => server.close());

/**
 * Calls the server and parses its answer with `schema` — after checking that the document describes
 * this operation's answer, at the status the server gave, with that very schema.
 */
async function answer<S extends z.ZodType>(schema: S, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<z.output<S>> {
  const res = await fetch(`${server.url}${path}`, {
    method,
    headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const json: unknown = await res.json();
  assert.ok(res.ok, `${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
  assertDocumented(schema, method, path, res.status);
  return schema.parse(json);
}

/** A readiness route's 503 "not ready" answer, parsed with `schema` after the same check. */
async function notReadyAnswer<S extends z.ZodType>(schema: S, path: string): Promise<z.output<S>> {
  const res = await fetch(`${server.url}${path}`);
  const json: unknown = await res.json();
  assert.equal(res.status, 503, `GET ${path}: ${JSON.stringify(json)}`);
  assertDocumented(schema, 'GET', path, res.status);
  return schema.parse(json);
}

function assertDocumented(schema: z.ZodType, method: string, path: string, status: number): void {
  const documentedPath = documentedPathOf(method, path);
  const response = doc.paths[documentedPath]?.[method.toLowerCase()]?.responses[String(status)];
  assert.ok(response !== undefined, `${method} ${documentedPath}: status ${status} is documented`);
  const documented = withoutDescriptions(response.content?.['application/json']?.schema) as { anyOf?: unknown[] } | undefined;
  const expected = withoutDescriptions(z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>);
  // the schema itself, or one of the kinds of answer the document lists (a report per kind of module)
  if (documented?.anyOf?.some((kind) => isDeepStrictEqual(kind, expected)) === true) return;
  assert.deepEqual(documented, expected, `${method} ${documentedPath}: the document's answer is this schema`);
}

/** The document's path a URL is served by: of those it matches, the one with the fewest parameters. */
function documentedPathOf(method: string, url: string): string {
  const path = url.split('?')[0] ?? url;
  const params = (p: string) => (p.match(/\{/g) ?? []).length;
  const matching = Object.keys(doc.paths)
    .filter((p) => doc.paths[p]?.[method.toLowerCase()] !== undefined && new RegExp(`^${p.replace(/\{\w+\}/g, '[^/]+')}$`).test(path))
    .sort((a, b) => params(a) - params(b));
  assert.ok(matching[0] !== undefined, `${method} ${path} is documented`);
  return matching[0];
}

/**
 * A JSON Schema as @fastify/swagger writes it into the document: the answer's description ("Success")
 * at the top, no `$schema`, and `const` spelled as a one-value `enum`. Descriptions are left out.
 */
function withoutDescriptions(schema: Record<string, unknown> | undefined): unknown {
  if (schema === undefined) return undefined;
  const { $schema: _, ...rest } = schema;
  return JSON.parse(JSON.stringify(rest), (key, value: unknown) => {
    if (key === 'description' && typeof value === 'string') return undefined;
    if (value !== null && typeof value === 'object' && 'const' in value) {
      const { const: only, ...others } = value as Record<string, unknown>;
      return { ...others, enum: [only] };
    }
    return value;
  });
}

/** A few made-up passengers, different enough to be served as separate rows. */
const passenger = (i: number) => ({ Pclass: 1 + (i % 3), Sex: i % 2 === 0 ? 'female' : 'male', Age: 20 + (i % 40), SibSp: i % 3, Parch: i % 2, Fare: 7 + i, Embarked: ['S', 'C', 'Q'][i % 3] });

async function eventually(done: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

test('data: an upload, its preview, its profile with one-click fixes, and a fix', async () => {
  const res = await fetch(`${server.url}/api/uploads?filename=titanic.csv`, { method: 'PUT', body: readFileSync(titanic), headers: { 'content-type': 'text/csv' } });
  assert.equal(res.status, 201);
  assertDocumented(uploadDocs, 'PUT', '/api/uploads', res.status);
  const upload = uploadDocs.parse(await res.json());
  assert.equal(upload.rows, 891);

  const preview = await answer(previewDocs, 'POST', '/api/sources/preview', { source: upload.source });
  assert.equal(preview.preview.length, 20);
  const profile = await answer(inspectDocs, 'POST', '/api/inspect', { source: upload.source, target: 'Survived' });
  assert.equal(profile.target?.name, 'Survived');
  assert.ok(profile.columns.some((c) => c.numeric !== undefined) && profile.columns.some((c) => c.text !== undefined || c.topValues.length > 0));
  const fixes = profile.findings.flatMap((f) => (typeof f.fix === 'string' ? [] : [f.fix]));
  assert.ok(fixes.length > 0 && profile.findings.some((f) => typeof f.fix === 'string'), 'findings with and without a one-click fix');
  await answer(inspectDocs, 'POST', '/api/inspect', { source: upload.source });

  const fixed = await answer(uploadDocs, 'POST', '/api/sources/fix', { source: upload.source, drop_columns: ['PassengerId'] });
  assert.ok(!fixed.columns.some((c) => c.name === 'PassengerId'));
});

test('specs: templates, the spec\'s JSON Schema, and suggestions for a table and for a template', async () => {
  const templates = await answer(templatesDocs, 'GET', '/api/templates');
  assert.ok(templates.length >= 5);
  await answer(specSchemaDocs, 'GET', '/api/specs/schema');
  const res = await fetch(`${server.url}/api/uploads?filename=passengers.csv`, { method: 'PUT', body: readFileSync(titanic) });
  const { source } = uploadDocs.parse(await res.json());
  assert.equal((await answer(suggestionDocs, 'POST', '/api/specs/suggest', { source, target: 'Survived' })).task, 'binary');
  assert.equal((await answer(suggestionDocs, 'POST', '/api/specs/suggest', { source, task: 'cluster' })).task, 'cluster');
});

test('models: the reports of a yes/no and a regression model, explanations, deploying', async () => {
  const binary = await answer(tabularReportDocs, 'GET', '/api/models/titanic/report');
  assert.ok(binary.thresholds !== undefined && binary.positive_class !== undefined && binary.charts.roc !== undefined);
  const regression = await answer(tabularReportDocs, 'GET', '/api/models/fare/report');
  assert.ok(regression.thresholds === undefined && regression.charts.predictedVsActual !== undefined);

  const rows = [passenger(0), { ...passenger(1), Age: null }];
  const classified = await answer(explainDocs, 'POST', '/api/models/titanic/explain', { rows });
  assert.ok(classified.explanations.every((e) => e.probabilities !== undefined && e.reasons.length > 0));
  const { Fare: _, ...withoutFare } = passenger(2);
  const estimated = await answer(explainDocs, 'POST', '/api/models/fare/explain', { rows: [withoutFare] });
  assert.equal(estimated.explanations[0]?.outcome, 'prediction');

  const deployed = await answer(deployDocs, 'POST', '/api/models/titanic:1/deploy');
  assert.equal(deployed.version, 1);
});

test('models: a text module\'s report holds the configuration it settled on beside the module\'s name, from a new and an old report.json', async () => {
  for (const ref of ['reviews:1', 'reviews:2']) {
    const report = await answer(textReportDocs, 'GET', `/api/models/${ref}/report`);
    assert.equal(report.model, 'reviews', ref);
    assert.match(report.configuration, /^word 1-2-grams \(min_df \d+[^)]*\) → logistic regression C=10$/, ref);
    assert.ok(report.sentences.some((line) => line.includes(report.configuration)), ref);
  }
  // the words behind a text module's answers (this answered 500 "Cannot read properties of undefined"
  // when the route read every model as a table's)
  const texts = [{ sentence: 'The food was wonderful and the staff were friendly' }, { sentence: 'Terrible, cold and slow. Never again.' }];
  const explained = await answer(explainDocs, 'POST', '/api/models/reviews/explain', { rows: texts });
  // the same answers as the served ONNX graph's
  const served = (await (await fetch(`${server.url}/v1/models/reviews:predict`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ instances: texts }) })).json()) as { predictions: { label: unknown; probabilities: number[] }[] };
  assert.deepEqual(explained.explanations.map((e) => e.prediction), served.predictions.map((p) => p.label));
  for (const e of explained.explanations) {
    assert.equal(e.outcome, e.prediction);
    assert.ok(Math.abs((e.probabilities?.[String(e.prediction)] ?? 0) - Math.max(...Object.values(e.probabilities ?? {}))) < 1e-12, 'the predicted class is the most probable');
    assert.ok(e.reasons.length > 0 && e.reasons.every((r) => r.column === 'sentence' && typeof r.value === 'string'));
  }
  const unknownField = await fetch(`${server.url}/api/models/reviews/explain`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ rows: [{ review: 'fine' }] }) });
  assert.equal(unknownField.status, 400);
  assert.equal(((await unknownField.json()) as { code: string }).code, 'INVALID_PARAMS');
});

test('serving: health, readiness, metadata, inference in both protocols, Triton\'s configuration, statistics and repository', async () => {
  assert.deepEqual(await answer(liveDocs, 'GET', '/v2/health/live'), { live: true });
  assert.deepEqual(await answer(serverReadyDocs, 'GET', '/v2/health/ready'), { ready: true });
  const metadata = await answer(serverMetadataDocs, 'GET', '/v2');
  assert.ok(metadata.extensions.includes('model_repository'), metadata.extensions.join(', '));
  assert.deepEqual(await answer(modelReadyDocs, 'GET', '/v2/models/titanic/ready'), { name: 'titanic', ready: true });
  await answer(modelReadyDocs, 'GET', '/v2/models/titanic/versions/1/ready');
  await answer(modelReadyDocs, 'GET', '/v1/models/titanic');
  const model = await answer(modelMetadataDocs, 'GET', '/v2/models/titanic');
  await answer(modelMetadataDocs, 'GET', '/v2/models/titanic/versions/1');

  const rows = [passenger(0), passenger(1), { ...passenger(2), Age: null }];
  const inputs = model.inputs.map((input) => ({ name: input.name, datatype: input.datatype, shape: [rows.length, 1], data: rows.map((r) => (r as Record<string, unknown>)[input.name] ?? null) }));
  const inferred = await answer(inferResponseDocs, 'POST', '/v2/models/titanic/infer', { id: 'openapi', inputs });
  assert.deepEqual(inferred.outputs.map((o) => o.name).sort(), model.outputs.map((o) => o.name).sort());
  await answer(inferResponseDocs, 'POST', '/v2/models/titanic/versions/1/infer', { inputs });
  const predicted = await answer(predictResponseDocs, 'POST', '/v1/models/titanic:predict', { instances: rows });
  assert.equal(predicted.predictions.length, rows.length);

  const config = await answer(modelConfigDocs, 'GET', '/v2/models/titanic/config');
  assert.deepEqual(config.input.map((i) => i.name), model.inputs.map((i) => i.name));
  await answer(modelConfigDocs, 'GET', '/v2/models/reviews/versions/1/config');
  const stats = await answer(modelStatisticsDocs, 'GET', '/v2/models/stats');
  assert.ok(stats.model_stats.some((m) => m.name === 'titanic' && m.inference_count > 0 && m.batch_stats.length > 0), JSON.stringify(stats));
  await answer(modelStatisticsDocs, 'GET', '/v2/models/titanic/stats');
  assert.equal((await answer(modelStatisticsDocs, 'GET', '/v2/models/titanic/versions/1/stats')).model_stats.length, 1);

  // unloaded, a model is not ready: 503 with an answer of its own, not an error
  assert.deepEqual(await answer(repositoryActionDocs, 'POST', '/v2/repository/models/fare/unload'), {});
  assert.deepEqual(await notReadyAnswer(modelReadyDocs, '/v2/models/fare/ready'), { name: 'fare', ready: false });
  await notReadyAnswer(modelReadyDocs, '/v2/models/fare/versions/1/ready');
  await notReadyAnswer(modelReadyDocs, '/v1/models/fare');
  const index = await answer(repositoryIndexDocs, 'POST', '/v2/repository/index', {});
  assert.equal(index.find((e) => e.name === 'fare')?.state, 'UNAVAILABLE', JSON.stringify(index));
  assert.ok(index.some((e) => e.name === 'titanic' && e.version !== undefined && e.state === 'READY'), JSON.stringify(index));
  assert.ok((await answer(repositoryIndexDocs, 'POST', '/v2/repository/index', { ready: true })).every((e) => e.state === 'READY'));
  assert.deepEqual(await answer(repositoryActionDocs, 'POST', '/v2/repository/models/fare/load'), {});
  await answer(modelReadyDocs, 'GET', '/v2/models/fare/ready');
});

test('the metrics are Prometheus text, documented with the media type they are sent with', async () => {
  const res = await fetch(`${server.url}/metrics`);
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), METRICS_CONTENT_TYPE);
  assert.match(await res.text(), /^# TYPE \w+ /m);
  assert.deepEqual(Object.keys(doc.paths['/metrics']?.['get']?.responses['200']?.content ?? {}), [METRICS_CONTENT_TYPE]);
});

test('monitoring and experiments: feedback, the monitoring report, alerts, a split and a shadow experiment', async () => {
  await answer(deployDocs, 'POST', '/api/models/titanic:1/deploy');
  const split = await answer(experimentDocs, 'POST', '/api/experiments', { model: 'titanic', challenger: 2, challenger_share: 0.5, description: 'same weights' });
  assert.equal(split.mode, 'split');

  // served predictions, each user sticking to an arm; then their outcomes
  const served = 60;
  for (let i = 0; i < served; i++) {
    const res = await fetch(`${server.url}/v1/models/titanic:predict`, { method: 'POST', body: JSON.stringify({ instances: [passenger(i)] }), headers: { 'content-type': 'application/json', 'x-kiln-user': `user-${i}` } });
    assert.equal(res.status, 200, await res.text());
  }
  await eventually(async () => (await server.store.listPredictions({ model: 'titanic', limit: 1000 })).length >= served, 'the prediction log');
  const logged = await server.store.listPredictions({ model: 'titanic', limit: 1000 });
  const items = logged.map((p, i) => ({ request_id: p.requestId, outcome: i % 3 === 0 ? 1 : 0 }));
  const feedback = await answer(feedbackResultDocs, 'POST', '/api/feedback', { items: [...items, { request_id: 'never-served', outcome: 1 }] });
  assert.deepEqual(feedback, { accepted: logged.length, unknown_request_ids: ['never-served'] });

  const report = await answer(experimentReportDocs, 'GET', `/api/experiments/${split.id}?min_per_arm=5`);
  assert.ok(report.traffic.champion.requests > 0 && report.traffic.challenger.requests > 0, JSON.stringify(report.traffic));
  assert.ok(report.analysis !== null && report.analysis.fixed_horizon !== null && report.shadow === null, JSON.stringify(report.analysis));
  await answer(z.strictObject({ experiments: z.array(experimentDocs) }), 'GET', '/api/experiments?model=titanic');
  assert.equal((await answer(experimentDocs, 'POST', `/api/experiments/${split.id}/stop`, { reason: 'enough' })).status, 'stopped');

  // alerts: a rule that is always breached, checked now
  const rule = await answer(alertRuleDocs, 'POST', '/api/alerts', { model: 'titanic', metric: 'error_rate', op: '>', threshold: -1, window: 1000 });
  await answer(alertRuleDocs, 'GET', `/api/alerts/${rule.id}`);
  await answer(z.strictObject({ rules: z.array(alertRuleDocs) }), 'GET', '/api/alerts?model=titanic');
  const checked = await answer(z.strictObject({ results: z.array(alertCheckDocs) }), 'POST', '/api/alerts/check?model=titanic');
  assert.ok(checked.results.some((r) => r.breached && r.event !== null), JSON.stringify(checked));
  const fired = await answer(z.strictObject({ events: z.array(alertEventDocs) }), 'GET', '/api/alerts/events?model=titanic');
  assert.ok(fired.events.length >= 1);

  const monitoring = await answer(monitorReportDocs, 'GET', '/api/models/titanic:1/monitoring');
  assert.ok(monitoring.performance.labelled > 0 && monitoring.alerts.length >= 1 && monitoring.prediction_drift !== null, JSON.stringify(monitoring.performance));
  await answer(monitorReportDocs, 'GET', '/api/models/titanic:2/monitoring?since=1h');

  // a shadow experiment: the challenger answers every row too, logged and compared
  const shadow = await answer(experimentDocs, 'POST', '/api/experiments', { model: 'titanic', challenger: 2, mode: 'shadow' });
  for (let i = 0; i < 5; i++) {
    await fetch(`${server.url}/v1/models/titanic:predict`, { method: 'POST', body: JSON.stringify({ instances: [passenger(i)] }), headers: { 'content-type': 'application/json' } });
  }
  await eventually(async () => (await server.store.listPredictions({ experiment: shadow.id, shadow: true })).length >= 5, 'the shadow answers');
  const compared = await answer(experimentReportDocs, 'GET', `/api/experiments/${shadow.id}`);
  assert.ok(compared.shadow !== null && compared.analysis === null && compared.shadow.paired_rows > 0, JSON.stringify(compared.shadow));
  assert.equal((await answer(experimentDocs, 'POST', `/api/experiments/${shadow.id}/promote`, {})).status, 'promoted');
});

test('registry: webhooks, their deliveries, the audit log', async () => {
  // nothing listens on the discard port: the delivery stays pending or fails, with its error
  const webhook = await answer(webhookDocs, 'POST', '/api/webhooks', { url: 'http://127.0.0.1:9/hook', events: ['alias.moved'], secret: 'shh' });
  await answer(versionDocs, 'PUT', '/api/models/titanic/aliases/staging', { version: 1 });
  await answer(z.strictObject({ webhooks: z.array(webhookDocs) }), 'GET', '/api/webhooks');
  const withDeliveries = await answer(webhookDocs.extend({ deliveries: z.array(deliveryDocs) }), 'GET', `/api/webhooks/${webhook.id}`);
  assert.equal(withDeliveries.deliveries.length, 1);
  await answer(z.strictObject({ deliveries: z.array(deliveryDocs) }), 'GET', `/api/webhooks/${webhook.id}/deliveries`);
  const audit = await answer(z.strictObject({ entries: z.array(auditDocs) }), 'GET', '/api/audit?entity=titanic');
  assert.ok(audit.entries.some((e) => e.action === 'alias.moved'));
});

test('every answer of the server is described, but a removal\'s empty one', () => {
  const undescribed: string[] = [];
  for (const [path, operations] of Object.entries(doc.paths)) {
    for (const [method, operation] of Object.entries(operations)) {
      for (const [status, response] of Object.entries(operation.responses)) {
        if (status === 'default' || status === '204') continue;
        const content = response.content ?? {};
        const json = content['application/json']?.schema;
        const described = json === undefined ? Object.keys(content).length > 0 : json['type'] !== undefined || json['anyOf'] !== undefined;
        if (!described) undescribed.push(`${method.toUpperCase()} ${path} ${status}`);
      }
    }
  }
  assert.deepEqual(undescribed, []);
});

test('streams and text formats are documented by their media type', () => {
  const content = (path: string) => Object.keys(doc.paths[path]?.['get']?.responses['200']?.content ?? {});
  assert.deepEqual(content('/api/jobs/{id}/events'), ['text/event-stream']);
  assert.deepEqual(content('/openapi.yaml'), ['application/yaml']);
});
