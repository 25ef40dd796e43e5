/**
 * GET /openapi.json describes every route the full server answers (serving, registry, monitoring,
 * experiments, the app's API): each operation has a summary and one of the document's areas, each
 * documented path is a real route, path parameters are declared, the bodies the handlers validate
 * with zod appear as the request schemas, and the inference protocol's answers are described. The
 * app's pages (`/*`) are not part of the API.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { KILN_VERSION } from '../../src/core/version.js';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { datasetDocs, modelDocs, modelWithVersionsDocs, runDetailDocs, runDocs, versionDocs } from '../../src/api/registry-docs.js';
import { validateSpec } from '../../src/modules/spec.js';
import { trainModule } from '../../src/modules/train-module.js';
import { readEvents, startAppServer, TITANIC_CSV, type AppServer } from '../api/app/app-server.js';

const titanic = fileURLToPath(TITANIC_CSV);

interface Operation {
  summary?: string;
  tags?: string[];
  parameters?: { in: string; name: string; required?: boolean }[];
  requestBody?: { content: Record<string, { schema: { properties?: Record<string, unknown>; required?: string[] } }> };
  responses: Record<string, { content?: Record<string, { schema: { required?: string[] } }> }>;
}
type Doc = { openapi: string; info: { version: string }; tags: { name: string }[]; paths: Record<string, Record<string, Operation>> };

let server: AppServer;
let doc: Doc;
before(async () => {
  server = await startAppServer();
  // one model, so that the registry's answers below are real ones
  await trainModule(validateSpec({ name: 'titanic', data: titanic, target: 'Survived', drop: ['PassengerId', 'Name', 'Ticket', 'Cabin'], learner: 'logistic-regression' }, null, dirname(titanic)), { store: server.store, artifacts: server.artifacts });
  const res = await fetch(`${server.url}/openapi.json`);
  assert.equal(res.status, 200);
  doc = (await res.json()) as Doc;
});
after(() => server.close());

const operations = () => Object.entries(doc.paths).flatMap(([path, ops]) => Object.entries(ops).map(([method, op]) => ({ path, method, op })));

test('every operation of the server is documented: a summary, an area, its path parameters, the error shape', async () => {
  assert.equal(doc.openapi, '3.1.0');
  assert.equal(doc.info.version, KILN_VERSION);
  const areas = new Set(doc.tags.map((t) => t.name));
  const all = operations();
  assert.ok(all.length >= 69, `${all.length} operations`);
  for (const { path, method, op } of all) {
    const where = `${method.toUpperCase()} ${path}`;
    assert.ok(op.summary !== undefined && op.summary.length > 5, `${where} has no summary: a route was added without docs(...)`);
    assert.equal(op.tags?.length, 1, where);
    assert.ok(areas.has(op.tags?.[0] ?? ''), `${where}: unknown area ${op.tags?.[0]}`);
    const inPath = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
    assert.deepEqual((op.parameters ?? []).filter((p) => p.in === 'path').map((p) => p.name).sort(), inPath.sort(), `${where}: path parameters`);
    assert.deepEqual(op.responses['default']?.content?.['application/json']?.schema.required, ['error', 'code'], `${where}: the error shape`);
    // the documented route is one the server really has (Fastify spells parameters :name)
    const url = path.replace(/\{(\w+)\}/g, ':$1');
    assert.ok(server.app.hasRoute({ method: method.toUpperCase() as 'GET', url }), `${where} is documented but not served`);
  }
  // answers that are not a plain 200 say which status they come with (error statuses a route names are not successes)
  const success = (path: string, method: string) => Object.keys(doc.paths[path]?.[method]?.responses ?? {}).filter((k) => k.startsWith('2'));
  assert.deepEqual(success('/api/jobs', 'post'), ['202']);
  assert.deepEqual(success('/api/webhooks', 'post'), ['201']);
  assert.deepEqual(success('/api/alerts/{id}', 'delete'), ['204']);
  assert.deepEqual(success('/api/runs', 'get'), ['200']);
  // the pages of the app are not an API
  assert.equal(doc.paths['/*'] ?? doc.paths['/{*}'], undefined);
  for (const path of ['/v2/models/{name}/infer', '/v1/models/{nameAndVerb}', '/api/runs', '/api/jobs/{id}/events', '/api/models/{ref}/curves', '/api/experiments/{id}/promote', '/metrics']) {
    assert.ok(doc.paths[path] !== undefined, `${path} is documented`);
  }
});

test('request bodies and queries are the schemas the handlers validate with', async () => {
  const body = (path: string, method = 'post') => doc.paths[path]?.[method]?.requestBody?.content['application/json']?.schema;
  assert.deepEqual(body('/v2/models/{name}/infer')?.required, ['inputs']);
  assert.ok(body('/v2/models/{name}/infer')?.properties?.['outputs'] !== undefined);
  assert.deepEqual(body('/v1/models/{nameAndVerb}')?.required, ['instances']);
  assert.deepEqual(body('/api/models/{ref}/explain')?.required, ['rows']);
  assert.deepEqual(body('/api/jobs')?.required, ['spec']);
  assert.deepEqual(body('/api/models/{name}/aliases/{alias}', 'put')?.required, ['version']);
  // and the protocol's answers
  const answer = (path: string, method: string) => doc.paths[path]?.[method]?.responses['200']?.content?.['application/json']?.schema.required;
  assert.deepEqual(answer('/v2/models/{name}/infer', 'post'), ['model_name', 'model_version', 'id', 'outputs']);
  assert.deepEqual(answer('/v2/models/{name}', 'get'), ['name', 'versions', 'platform', 'inputs', 'outputs']);
  assert.deepEqual(answer('/v2', 'get'), ['name', 'version', 'extensions']);
  const runs = doc.paths['/api/runs']?.['get']?.parameters?.filter((p) => p.in === 'query').map((p) => p.name) ?? [];
  assert.ok(runs.includes('where') && runs.includes('limit'), runs.join(', '));

  const yaml = await fetch(`${server.url}/openapi.yaml`);
  assert.equal(yaml.status, 200);
  assert.match(yaml.headers.get('content-type') ?? '', /yaml/);
  assert.match(await yaml.text(), /^openapi: 3\.1\.0$/m);
});

test("the registry's and the jobs' real answers are exactly what the document says (its schemas parse them, strictly)", async () => {
  const get = async (path: string) => (await server.call('GET', path)).json;
  const runs = (await get('/api/runs'))['runs'] as unknown[];
  assert.ok(runs.length >= 1);
  for (const run of runs) runDocs.parse(run);
  const run = runDetailDocs.parse(await get(`/api/runs/${(runs[0] as { id: string }).id}`));
  assert.ok(run.dataset_version !== null);
  for (const d of (await get('/api/datasets'))['dataset_versions'] as unknown[]) datasetDocs.parse(d);
  datasetDocs.parse(await get(`/api/datasets/${encodeURIComponent(run.dataset_version_id ?? '')}`));
  for (const m of (await get('/api/models'))['models'] as unknown[]) modelDocs.parse(m);
  assert.equal(modelWithVersionsDocs.parse(await get('/api/models/titanic')).versions.length, 1);
  versionDocs.parse(await get('/api/models/titanic:1'));
  versionDocs.parse(await get('/api/models/titanic/versions/1'));
  // a job (the learning curve of that version), while it runs and once it is done
  const { jobDocs } = await import('../../src/api/app/job-docs.js');
  const answer = await server.call('POST', '/api/models/titanic/curves');
  assert.ok(doc.paths['/api/models/{ref}/curves']?.['post']?.responses[String(answer.status)] !== undefined, `status ${answer.status} is documented`);
  const submitted = jobDocs.parse(answer.json);
  for (const job of (await get('/api/jobs'))['jobs'] as unknown[]) jobDocs.parse(job);
  await readEvents(`${server.url}/api/jobs/${submitted.id}/events`);
  const done = jobDocs.parse(await get(`/api/jobs/${submitted.id}`));
  assert.equal(done.status, 'succeeded');
  // and the document carries them
  const runsSchema = doc.paths['/api/runs']?.['get']?.responses['200']?.content?.['application/json']?.schema as { required?: string[] } | undefined;
  assert.deepEqual(runsSchema?.required, ['runs']);
});
