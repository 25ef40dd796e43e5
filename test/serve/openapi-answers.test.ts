/**
 * The answers GET /openapi.json promises are the ones the server gives: real answers of a running
 * server — an upload, its preview, profile and fix, spec suggestions, the reports of a yes/no, a
 * regression and a text model (from a new and an old report.json; and a table's and a text's whose
 * held-out part has one class, so that ROC AUC and PR AUC are null) and of a recommender (both its
 * models, with ratings and without), segments and anomalies, explanations, a deployment, served
 * predictions with their feedback, the monitoring report, alerts, a split and a shadow experiment,
 * webhooks and the audit log; and the serving side: health, readiness (and not ready), metadata,
 * inference in both protocols, Triton's configuration, statistics and repository, the metrics' media
 * type; a training job, with the notes reading its data made; and the 503 of every job route of a
 * server whose Redis queue is down — are parsed with the same schemas the document is generated from
 * (strict ones, but the error body's), and each route's document carries its schema with the status
 * the server answers with. The request bodies the document describes for feedback and the repository
 * index are those of the real requests, and what the feedback schema refuses in an item the server
 * refuses too. A body is optional in the document exactly where
 * the server takes none.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { inspectDocs, previewDocs, uploadDocs } from '../../src/api/app/data-docs.js';
import { deployDocs, explainDocs } from '../../src/api/app/model-docs.js';
import { anomalyReportDocs, clusterReportDocs, recommendReportDocs, tabularReportDocs, textReportDocs } from '../../src/api/app/report-docs.js';
import { MODULE_ARTIFACTS } from '../../src/modules/manifest.js';
import { METRICS_CONTENT_TYPE } from '../../src/serve/metrics.js';
import { inferResponseDocs, liveDocs, modelMetadataDocs, modelReadyDocs, predictResponseDocs, serverMetadataDocs, serverReadyDocs } from '../../src/serve/rest/protocol-docs.js';
import { modelConfigDocs, modelStatisticsDocs, repositoryActionDocs, repositoryIndexDocs, repositoryIndexRequestDocs } from '../../src/serve/rest/repository-docs.js';
import { errorBodyDocs } from '../../src/serve/rest/error-docs.js';
import { startServer } from '../../src/serve/server.js';
import pino from 'pino';
import { tempHome } from '../helpers/kiln-cli.js';
import { specSchemaDocs, suggestionDocs, templatesDocs } from '../../src/api/app/spec-docs.js';
import { experimentDocs, experimentReportDocs } from '../../src/api/experiments-docs.js';
import { auditDocs, deliveryDocs, modelDocs, runDetailDocs, versionDocs, webhookDocs } from '../../src/api/registry-docs.js';
import { alertCheckDocs, alertEventDocs, alertRuleDocs, feedbackBodyDocs, feedbackResultDocs, monitorReportDocs } from '../../src/api/monitoring-docs.js';
import { validateSpec } from '../../src/modules/spec.js';
import { trainModule } from '../../src/modules/train-module.js';
import { readEvents, startAppServer, TITANIC_CSV, type AppServer } from '../api/app/app-server.js';
import { MESSY_NOTE_CODES, MESSY_SPEC, messyAccountsCsv } from '../api/app/messy-accounts.js';
import { jobDocs } from '../../src/api/app/job-docs.js';
import { writeSyntheticRatings } from '../modules/recommend/synthetic-ratings.js';

const titanic = fileURLToPath(TITANIC_CSV);
const sentiment = fileURLToPath(new URL('../../examples/sentiment/sentiment.csv', import.meta.url));
const customers = fileURLToPath(new URL('../../examples/segments/customers.csv', import.meta.url));
const transactions = fileURLToPath(new URL('../../examples/anomalies/transactions.csv', import.meta.url));

/** Temporary folders of the modules' data, removed at the end. */
const scratch: string[] = [];

/** The first `rows` rows of a CSV file, written to a new temporary folder. */
function firstRows(csv: string, rows: number, name: string): string {
  const dir = tempHome(`kiln-openapi-${name}-`);
  scratch.push(dir);
  const path = join(dir, `${name}.csv`);
  writeFileSync(path, readFileSync(csv, 'utf8').split('\n').slice(0, rows + 1).join('\n'));
  return path;
}

interface Response {
  description?: string;
  content?: Record<string, { schema: Record<string, unknown> }>;
}
interface Operation {
  tags?: string[];
  requestBody?: { required?: boolean; content: Record<string, { schema: Record<string, unknown> }> };
  responses: Record<string, Response>;
}
type Doc = { paths: Record<string, Record<string, Operation>> };

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
  // the other templates, small (a second each): a recommender with ratings (it registers `shop` and
  // `shop-similar`) and one with interactions alone; segments with k chosen and known groups; anomalies
  // on 250 transactions whose one known anomaly falls in the training part, so that the held-out part's
  // recall and ROC AUC cannot be measured (NaN, written as null)
  const ratings = writeSyntheticRatings();
  scratch.push(ratings.dir);
  const recommend = { task: 'recommend', data: ratings.csv, user: 'customer', item: 'product', topK: 5, seed: 7 };
  await trainModule(validateSpec({ ...recommend, name: 'shop', rating: 'stars', time: 'when', params: { factors: 6, epochs: 8, regularization: 1 } }, null, ratings.dir), home);
  await trainModule(validateSpec({ ...recommend, name: 'clicks', learner: 'item-knn' }, null, ratings.dir), home);
  const someCustomers = firstRows(customers, 400, 'customers');
  await trainModule(validateSpec({ name: 'segments', task: 'cluster', data: someCustomers, clusters: 'auto', label: 'true_segment', seed: 42 }, null, dirname(someCustomers)), home);
  const someTransactions = firstRows(transactions, 250, 'transactions');
  await trainModule(validateSpec({ name: 'fraud', task: 'detect-anomalies', data: someTransactions, contamination: 0.02, label: 'is_fraud', seed: 42 }, null, dirname(someTransactions)), home);
  doc = (await (await fetch(`${server.url}/openapi.json`)).json()) as Doc;
});
after(async () => {
  await server.close();
  for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
});

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
  const documented = withoutDescriptions(response.content?.['application/json']?.schema) as { anyOf?: unknown[]; oneOf?: unknown[] } | undefined;
  const expected = withoutDescriptions(z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>);
  // the schema itself, or one of the kinds of answer the document lists (a report per kind of module)
  if ((documented?.anyOf ?? documented?.oneOf)?.some((kind) => isDeepStrictEqual(kind, expected)) === true) return;
  assert.deepEqual(documented, expected, `${method} ${documentedPath}: the document's answer is this schema`);
}

/** Checks that the document describes this operation's request body with that very schema. */
function assertDocumentedBody(schema: z.ZodType, method: string, path: string): void {
  const documentedPath = documentedPathOf(method, path);
  const operation = doc.paths[documentedPath]?.[method.toLowerCase()];
  const documented = withoutDescriptions(operation?.requestBody?.content['application/json']?.schema);
  const expected = withoutDescriptions(z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>);
  assert.deepEqual(documented, expected, `${method} ${documentedPath}: the document's request body is this schema`);
}

/**
 * Calls a server (at `base`) expecting an error answer with `status`: checks that the document names
 * that status for this operation with the error body's schema, and parses the answer with it.
 */
async function errorAnswer(base: string, status: number, method: string, path: string, body?: unknown): Promise<z.output<typeof errorBodyDocs>> {
  const res = await fetch(`${base}${path}`, {
    method,
    ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
  });
  const json: unknown = await res.json();
  assert.equal(res.status, status, `${method} ${path}: ${JSON.stringify(json)}`);
  assertDocumented(errorBodyDocs, method, path, status);
  return errorBodyDocs.parse(json);
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
  // refused as the v1 predict route refuses the same row (src/api/app/rows-to-frame.ts)
  assert.equal(((await unknownField.json()) as { code: string }).code, 'INPUT_UNKNOWN');
});

test('models: what cannot be measured is null where the report says it may be — ROC AUC and PR AUC of a held-out part of one class — in a table\'s and a text\'s report and in the registry', async () => {
  const home = { store: server.store, artifacts: server.artifacts };
  const dir = tempHome('kiln-openapi-one-class-');
  scratch.push(dir);
  // separate test tables holding one class only, the negative one: nothing to rank, no positive
  const [passengersHeader = '', ...passengers] = readFileSync(titanic, 'utf8').trim().split(/\r?\n/);
  writeFileSync(join(dir, 'passengers.csv'), [passengersHeader, ...passengers.slice(0, 200)].join('\n'));
  writeFileSync(join(dir, 'lost.csv'), [passengersHeader, ...passengers.slice(200, 300).filter((row) => /^\d+,0,/.test(row))].join('\n'));
  const drop = ['PassengerId', 'Name', 'Ticket', 'Cabin'];
  await trainModule(validateSpec({ name: 'lost', data: 'passengers.csv', testData: 'lost.csv', target: 'Survived', drop, learner: 'logistic-regression' }, null, dir), home);
  const [reviewsHeader = '', ...reviews] = readFileSync(sentiment, 'utf8').trim().split(/\r?\n/);
  writeFileSync(join(dir, 'reviews.csv'), [reviewsHeader, ...reviews.slice(0, 300)].join('\n'));
  writeFileSync(join(dir, 'complaints.csv'), [reviewsHeader, ...reviews.slice(300, 500).filter((row) => /,0,\w+$/.test(row))].join('\n'));
  const textSpec = { name: 'complaints', task: 'text-classify', data: 'reviews.csv', testData: 'complaints.csv', target: 'label', text: 'sentence', learner: 'logistic-regression', params: { C: 10, wordNgrams: [1, 2], charNgrams: null } };
  await trainModule(validateSpec(textSpec, null, dir), home);

  const table = await answer(tabularReportDocs, 'GET', '/api/models/lost/report');
  const text = await answer(textReportDocs, 'GET', '/api/models/complaints/report');
  for (const report of [table, text]) {
    const { train, test } = report.metrics;
    assert.ok(test !== undefined && train !== undefined, report.model);
    assert.equal(test['roc_auc'], null, report.model);
    assert.equal(test['pr_auc'], null, report.model);
    assert.equal(report.manifest.metrics['test.roc_auc'], null, report.model);
    // the rest is measured: the other held-out metrics, and the training part, which has both classes
    assert.equal(typeof test['accuracy'], 'number', report.model);
    assert.equal(typeof test['log_loss'], 'number', report.model);
    assert.equal(typeof train['roc_auc'], 'number', report.model);
    // and the registry holds the same metrics
    const version = await answer(versionDocs, 'GET', `/api/models/${report.model}:1`);
    assert.equal(version.metrics['test.pr_auc'], null, report.model);
    const run = await answer(runDetailDocs, 'GET', `/api/runs/${version.run_id ?? ''}`);
    assert.equal(run.metrics['test.roc_auc'], null, report.model);
  }
});

test('models: the reports of a recommender (both its models, with ratings and without), of segments and of anomalies, each of its own kind', async () => {
  const kinds = doc.paths['/api/models/{ref}/report']?.['get']?.responses['200']?.content?.['application/json']?.schema['oneOf'] as { properties: { task: { enum: string[] } } }[];
  assert.deepEqual(kinds.map((k) => k.properties.task.enum), [['binary', 'multiclass', 'regression'], ['text-classify'], ['recommend'], ['cluster'], ['detect-anomalies']]);

  const shop = await answer(recommendReportDocs, 'GET', '/api/models/shop/report');
  assert.ok(shop.feedback === 'explicit' && shop.ratings !== undefined && shop.holdout.kind === 'latest per user', JSON.stringify(shop.holdout));
  assert.ok(shop.metrics['test']?.['ndcg_at_5'] !== undefined && shop.learningCurve.length > 0 && shop.ranking.model.users > 0);
  // the items-like-this model answers the report of the run that registered both
  const similar = await answer(recommendReportDocs, 'GET', '/api/models/shop-similar/report');
  assert.ok(similar.model === 'shop-similar' && similar.manifest.name === 'shop-similar' && similar.verdict === shop.verdict);
  const clicks = await answer(recommendReportDocs, 'GET', '/api/models/clicks/report');
  assert.ok(clicks.feedback === 'implicit' && clicks.ratings === undefined && clicks.holdout.kind === 'random per user', JSON.stringify(clicks.holdout));

  const segments = await answer(clusterReportDocs, 'GET', '/api/models/segments/report');
  assert.ok(segments.k_choice !== undefined && segments.k_choice.k === segments.clusters && segments.k_choice.candidates.length > 1, JSON.stringify(segments.k_choice));
  assert.equal(segments.segments.length, segments.clusters);
  assert.equal(typeof segments.metrics['test']?.['adjusted_rand'], 'number');

  const fraud = await answer(anomalyReportDocs, 'GET', '/api/models/fraud/report');
  // the known anomaly is among the training rows: what needs one on the held-out part is null, in the
  // route's metrics and in the manifest alike; the training part's is measured
  assert.equal(fraud.metrics['test']?.['recall'], null, JSON.stringify(fraud.metrics));
  assert.equal(fraud.manifest.metrics['test.roc_auc'], null);
  assert.equal(typeof fraud.metrics['train']?.['recall'], 'number');
  assert.ok(fraud.top_rows.length > 0 && fraud.top_rows.every((r) => r.known !== undefined && r.reasons.length > 0), JSON.stringify(fraud.top_rows[0]));
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

test('the repository index reads the optional body the document describes: {ready: true} lists the ready models, none or {} every model', async () => {
  assertDocumentedBody(repositoryIndexRequestDocs, 'POST', '/v2/repository/index');
  const names = (index: z.output<typeof repositoryIndexDocs>) => index.map((e) => `${e.name}:${e.version ?? ''}`).sort();
  const every = await answer(repositoryIndexDocs, 'POST', '/v2/repository/index');
  for (const body of [{}, { ready: false }]) {
    assert.deepEqual(names(await answer(repositoryIndexDocs, 'POST', '/v2/repository/index', repositoryIndexRequestDocs.parse(body))), names(every), JSON.stringify(body));
  }
  const ready = await answer(repositoryIndexDocs, 'POST', '/v2/repository/index', repositoryIndexRequestDocs.parse({ ready: true }));
  assert.ok(ready.length > 0 && ready.every((e) => e.state === 'READY' && names(every).includes(`${e.name}:${e.version ?? ''}`)), JSON.stringify(ready));
});

test('feedback: the request body the document describes is the one the server reads, and what it refuses in an item the server refuses too', async () => {
  assertDocumentedBody(feedbackBodyDocs, 'POST', '/api/feedback');
  // outcomes of every kind, timestamps in both forms, a numeric id: the schema and the server accept them alike
  const body = feedbackBodyDocs.parse({
    items: [
      { request_id: 'openapi-a', outcome: 1, timestamp: Date.now() },
      { request_id: 'openapi-b', outcome: 'survived', timestamp: new Date().toISOString() },
      { request_id: 42, outcome: true },
    ],
  });
  const result = await answer(feedbackResultDocs, 'POST', '/api/feedback', body);
  assert.deepEqual({ ...result, unknown_request_ids: [...result.unknown_request_ids].sort() }, { accepted: 0, unknown_request_ids: ['42', 'openapi-a', 'openapi-b'] });
  const refusedItems = [
    { request_id: 'x', outcome: 1, note: 'an unknown field' },
    { request_id: 'x' },
    { outcome: 1 },
    { request_id: '', outcome: 1 },
    { request_id: 'x', outcome: { label: 1 } },
    { request_id: 'x', outcome: 1, timestamp: true },
  ];
  for (const item of refusedItems) {
    const bad = { items: [{ request_id: 'openapi-a', outcome: 0 }, item] };
    assert.equal(feedbackBodyDocs.safeParse(bad).success, false, `the schema refuses ${JSON.stringify(item)}`);
    const res = await fetch(`${server.url}/api/feedback`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(bad) });
    const error = errorBodyDocs.parse(await res.json());
    assert.equal(res.status, 400, JSON.stringify(error));
    assert.equal(error.code, 'FEEDBACK_INVALID');
    assert.ok(error.problems?.length === 1 && error.problems[0]?.path?.startsWith('items.1') === true, `the server names the item: ${JSON.stringify(error.problems)}`);
  }
});

test("jobs: a training job's answers, submitted and finished, with the notes reading its messy data made in its result, are the documented job", async () => {
  const upload = await fetch(`${server.url}/api/uploads?filename=accounts.csv`, { method: 'PUT', body: messyAccountsCsv() });
  const { source } = uploadDocs.parse(await upload.json());
  const submitted = await answer(jobDocs, 'POST', '/api/jobs', { spec: { name: 'accounts', data: source, ...MESSY_SPEC } });
  const events = await readEvents(`${server.url}/api/jobs/${submitted.id}/events`);
  const job = await answer(jobDocs, 'GET', `/api/jobs/${submitted.id}`);
  assert.equal(job.status, 'succeeded', JSON.stringify(job.error));
  const notes = job.result?.notes ?? [];
  assert.deepEqual(notes.map((n) => n.code), [...MESSY_NOTE_CODES]);
  // the result carries the very notes the event stream showed, whole (fix included)
  assert.deepEqual(notes, events.filter((e) => e.event === 'note' && e.data['ingest'] !== undefined).map((e) => e.data['ingest']));
  assert.match(notes[0]?.fix ?? '', /Correct those cells/);
  const listed = await answer(z.strictObject({ jobs: z.array(jobDocs) }), 'GET', '/api/jobs');
  assert.deepEqual(listed.jobs.find((j) => j.id === submitted.id)?.result?.notes, notes);
});

test('jobs: every job route of a server whose Redis queue is down answers 503 QUEUE_UNAVAILABLE in the error shape, as the document names it', async () => {
  // the same registry and home, served by a second server whose queue is a Redis nothing listens for
  const down = await startServer({
    store: server.store,
    artifacts: server.artifacts,
    home: server.home,
    logger: pino({ level: 'silent' }),
    host: '127.0.0.1',
    port: 0,
    queue: 'redis://127.0.0.1:1',
    queuePrefix: 'kiln-openapi-down',
    warmUp: false,
    predictionLog: false,
  });
  try {
    const upload = await fetch(`${down.url}/api/uploads?filename=queued.csv`, { method: 'PUT', body: readFileSync(titanic) });
    const { source } = uploadDocs.parse(await upload.json());
    const calls: [string, string, unknown?][] = [
      ['POST', '/api/jobs', { spec: { name: 'queued', data: source, target: 'Survived' } }],
      ['GET', '/api/jobs'],
      ['GET', '/api/jobs/no-such-job'],
      ['POST', '/api/jobs/no-such-job/cancel'],
      ['GET', '/api/jobs/no-such-job/events'],
      ['POST', '/api/models/titanic/curves'],
      // deleting an upload asks the queue whether a training reads it first
      ['DELETE', `/api/uploads/${encodeURIComponent(source.split('/').slice(-2).join('/'))}`],
    ];
    for (const [method, path, body] of calls) {
      const error = await errorAnswer(down.url, 503, method, path, body);
      assert.equal(error.code, 'QUEUE_UNAVAILABLE', `${method} ${path}: ${JSON.stringify(error)}`);
      assert.ok(error.hint !== undefined && error.error.includes('redis://127.0.0.1:1'), JSON.stringify(error));
    }
    // the operations whose document names a 503 error are these (a readiness route's 503 is no error),
    // and their 503 has the schema of every operation's default error answer
    const errorSchema = withoutDescriptions(z.toJSONSchema(errorBodyDocs, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>);
    const named = Object.entries(doc.paths).flatMap(([path, operations]) =>
      Object.entries(operations)
        .filter(([, op]) => isDeepStrictEqual(withoutDescriptions(op.responses['503']?.content?.['application/json']?.schema), errorSchema))
        .map(([method, op]) => {
          assert.deepEqual(withoutDescriptions(op.responses['default']?.content?.['application/json']?.schema), errorSchema, `${method} ${path}: the default error answer`);
          return `${method.toUpperCase()} ${path}`;
        }),
    );
    assert.deepEqual(named.sort(), calls.map(([method, path]) => `${method} ${documentedPathOf(method, path)}`).sort());
  } finally {
    await down.close();
  }
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

  // removing the alias answers the 204 the document names, and is delivered as alias.moved to nothing
  const removed = await fetch(`${server.url}/api/models/titanic/aliases/staging`, { method: 'DELETE' });
  assert.equal(removed.status, 204);
  assert.equal(await removed.text(), '');
  assert.ok(doc.paths['/api/models/{name}/aliases/{alias}']?.['delete']?.responses['204'] !== undefined, 'DELETE of an alias documents its 204');
  const after = await answer(z.strictObject({ deliveries: z.array(deliveryDocs) }), 'GET', `/api/webhooks/${webhook.id}/deliveries`);
  assert.deepEqual(after.deliveries.map((d) => [d.event, (d.payload as { after: unknown }).after]), [['alias.moved', null], ['alias.moved', { alias: 'staging', version: 1 }]]);
  const removal = await answer(z.strictObject({ entries: z.array(auditDocs) }), 'GET', '/api/audit?entity=titanic@staging&limit=1');
  assert.equal(removal.entries[0]?.action, 'alias.removed');
});

test('every answer of the server is described, but a removal\'s empty one', () => {
  const undescribed: string[] = [];
  for (const [path, operations] of Object.entries(doc.paths)) {
    for (const [method, operation] of Object.entries(operations)) {
      for (const [status, response] of Object.entries(operation.responses)) {
        if (status === 'default' || status === '204') continue;
        const content = response.content ?? {};
        const json = content['application/json']?.schema;
        const described = json === undefined ? Object.keys(content).length > 0 : json['type'] !== undefined || json['anyOf'] !== undefined || json['oneOf'] !== undefined;
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

/**
 * The operations whose body schema accepts the empty object: their handlers read a missing body as `{}`
 * (src/api/json-body.ts), so a client need not send one.
 */
const OPTIONAL_BODIES = ['PATCH /api/models/{name}', 'PATCH /api/models/{name}/versions/{v}', 'POST /api/experiments/{id}/promote', 'POST /api/experiments/{id}/stop', 'POST /v2/repository/index'];

test('a request body is optional in the document exactly where the server takes none (each is called here without one); every other is required', async () => {
  const bodies = Object.entries(doc.paths).flatMap(([path, operations]) =>
    Object.entries(operations).flatMap(([method, operation]) => (operation.requestBody === undefined ? [] : [{ id: `${method.toUpperCase()} ${path}`, required: operation.requestBody.required }])),
  );
  assert.deepEqual(bodies.filter((b) => b.required === false).map((b) => b.id).sort(), OPTIONAL_BODIES);
  assert.deepEqual(bodies.filter((b) => b.required !== false && b.required !== true), [], 'every other body says it is required');
  assert.ok(bodies.filter((b) => b.required === true).length >= 10);
  // the generator's mark that led there is not left in the document
  assert.doesNotMatch(JSON.stringify(doc), /x-kiln-optional-body/);

  // without a body, each does what it does with `{}` (answer() sends none when given none)
  await answer(modelDocs, 'PATCH', '/api/models/titanic');
  await answer(versionDocs, 'PATCH', '/api/models/titanic/versions/1');
  await answer(repositoryIndexDocs, 'POST', '/v2/repository/index');
  for (const [verb, status] of [['stop', 'stopped'], ['promote', 'promoted']] as const) {
    const experiment = await answer(experimentDocs, 'POST', '/api/experiments', { model: 'titanic', champion: 1, challenger: 2, challenger_share: 0.5 });
    assert.equal((await answer(experimentDocs, 'POST', `/api/experiments/${experiment.id}/${verb}`)).status, status);
  }
});
