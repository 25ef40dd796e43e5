/**
 * Bad input to the app API answers a coded 4xx in the server's error shape, never a stack trace:
 * unknown or forbidden sources, bad uploads, bad specs, unknown jobs and models.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadSpecFile } from '../../../src/modules/spec.js';
import { trainModule } from '../../../src/modules/train-module.js';
import { startAppServer, TITANIC_CSV, type AppServer } from './app-server.js';

describe('the app API refuses bad input with coded errors', () => {
  let server: AppServer;
  let source: string;
  before(async () => {
    server = await startAppServer();
    const res = await fetch(`${server.url}/api/uploads?filename=titanic.csv`, { method: 'PUT', body: readFileSync(TITANIC_CSV) });
    source = ((await res.json()) as { source: string }).source;
  });
  after(async () => server.close());

  const expectError = (res: { status: number; json: Record<string, unknown> }, status: number, code: string) => {
    assert.equal(res.status, status, JSON.stringify(res.json));
    assert.equal(res.json['code'], code);
    assert.equal(typeof res.json['error'], 'string');
    assert.ok(!String(res.json['error']).includes('    at '), 'no stack trace');
  };

  test('sources outside the uploads folder, sql: queries and missing uploads are refused', async () => {
    expectError(await server.call('POST', '/api/sources/preview', { source: '/etc/passwd.csv' }), 400, 'SOURCE_NOT_ALLOWED');
    expectError(await server.call('POST', '/api/inspect', { source: TITANIC_CSV.pathname }), 400, 'SOURCE_NOT_ALLOWED');
    expectError(await server.call('POST', '/api/inspect', { source: '../../titanic.csv' }), 400, 'SOURCE_NOT_ALLOWED');
    expectError(await server.call('POST', '/api/sources/preview', { source: "sql:SELECT * FROM '/etc/hosts'" }), 400, 'SOURCE_NOT_ALLOWED');
    expectError(await server.call('POST', '/api/sources/preview', { source: join(server.home, 'uploads', 'nope', 'gone.csv') }), 404, 'DATA_NOT_FOUND');
    expectError(await server.call('POST', '/api/sources/preview', { source: 'sqlite:/nonexistent/shop.db?table=orders' }), 502, 'SOURCE_UNREACHABLE');
    expectError(await server.call('POST', '/api/sources/preview', {}), 400, 'INVALID_PARAMS');
  });

  test('uploads need a readable name, some bytes, and a table inside', async () => {
    const put = async (filename: string, body: string) => {
      const res = await fetch(`${server.url}/api/uploads?filename=${encodeURIComponent(filename)}`, { method: 'PUT', body });
      return { status: res.status, json: (await res.json()) as Record<string, unknown> };
    };
    expectError(await put('notes.docx', 'a,b\n1,2\n'), 400, 'UPLOAD_NAME_INVALID');
    expectError(await put('no-extension', 'a,b\n1,2\n'), 400, 'UPLOAD_NAME_INVALID');
    expectError(await put('empty.csv', ''), 400, 'UPLOAD_EMPTY');
    expectError(await put('header-only.csv', 'a,b\n'), 400, 'DATA_EMPTY');
    const missingName = await fetch(`${server.url}/api/uploads`, { method: 'PUT', body: 'a\n1\n' });
    assert.equal(missingName.status, 400);
    // a name with a path in it keeps only its last part: nothing is written outside the uploads folder
    const sneaky = await put('../../escape.csv', 'a,b\n1,2\n');
    assert.equal(sneaky.status, 201);
    assert.equal(sneaky.json['name'], 'escape.csv');
    assert.ok(String(sneaky.json['source']).startsWith(join(server.home, 'uploads')));
  });

  test('fixes must name something to change, and columns that exist', async () => {
    expectError(await server.call('POST', '/api/sources/fix', { source }), 400, 'NOTHING_TO_FIX');
    const unknown = await server.call('POST', '/api/sources/fix', { source, drop_columns: ['PassengerID'] });
    expectError(unknown, 400, 'COLUMN_NOT_FOUND');
    assert.match(JSON.stringify(unknown.json['problems']), /did you mean \\"PassengerId\\"/);
  });

  test('suggest needs a target (or a template) that exists', async () => {
    expectError(await server.call('POST', '/api/specs/suggest', { source }), 400, 'TARGET_REQUIRED_FOR_SUGGESTION');
    expectError(await server.call('POST', '/api/specs/suggest', { source, target: 'Survive' }), 400, 'TARGET_NOT_FOUND');
    expectError(await server.call('POST', '/api/specs/suggest', { source, target: 'Survived', task: 'astrology' }), 400, 'INVALID_PARAMS');
  });

  test('a bad spec is INVALID_SPEC with its problems, and a spec reading a forbidden file is refused', async () => {
    const bad = await server.call('POST', '/api/jobs', { spec: { name: 'bad name!', data: source, target: 'Survived', colour: 'red' } });
    expectError(bad, 400, 'INVALID_SPEC');
    const paths = (bad.json['problems'] as { path: string }[]).map((p) => p.path);
    assert.ok(paths.includes('name'), paths.join());
    expectError(await server.call('POST', '/api/jobs', { spec: { name: 'x', data: '/etc/hosts.csv', target: 'a' } }), 400, 'SOURCE_NOT_ALLOWED');
    expectError(await server.call('POST', '/api/jobs', { spec: { name: 'x', data: '../../../x.csv', target: 'a' } }), 400, 'SOURCE_NOT_ALLOWED');
    expectError(await server.call('POST', '/api/jobs', {}), 400, 'INVALID_PARAMS');
    assert.deepEqual((await server.call('GET', '/api/jobs')).json['jobs'], [], 'no job was queued');
  });

  test('unknown jobs and models are coded 404s, also for the event stream', async () => {
    expectError(await server.call('GET', '/api/jobs/nope'), 404, 'JOB_NOT_FOUND');
    expectError(await server.call('GET', '/api/jobs/nope/events'), 404, 'JOB_NOT_FOUND');
    expectError(await server.call('POST', '/api/jobs/nope/cancel', {}), 404, 'JOB_NOT_FOUND');
    expectError(await server.call('GET', '/api/models/ghost/report'), 404, 'MODEL_NOT_FOUND');
    expectError(await server.call('POST', '/api/models/ghost/deploy'), 404, 'MODEL_NOT_FOUND');
    expectError(await server.call('POST', '/api/models/ghost/explain', { rows: [{}] }), 404, 'MODEL_NOT_FOUND');
    expectError(await server.call('POST', '/api/models/ghost/explain', { rows: [] }), 400, 'INVALID_PARAMS');
    expectError(await server.call('GET', '/api/nothing-here'), 404, 'ROUTE_NOT_FOUND');
  });

  test('explaining a model whose predictions have no reasons by column (a cluster) is NOT_EXPLAINABLE, not an internal error', async () => {
    const spec = join(import.meta.dirname, '..', '..', '..', 'examples', 'segments', 'kiln.yaml');
    await trainModule(loadSpecFile(spec), { store: server.store, artifacts: server.artifacts });
    const res = await server.call('POST', '/api/models/segments/explain', { rows: [{}] });
    expectError(res, 422, 'NOT_EXPLAINABLE');
    assert.match(String(res.json['error']), /it is a cluster module, which predicts no column of the table; `kiln report` describes what sets each segment apart/);
  });

  test('templates and the spec schema describe the module spec', async () => {
    const templates = (await server.call('GET', '/api/templates')).json as unknown as { task: string; fields: { name: string; description: string }[] }[];
    assert.deepEqual(templates.map((t) => t.task), ['auto', 'text-classify', 'recommend', 'cluster', 'detect-anomalies']);
    const target = templates[0]?.fields.find((f) => f.name === 'target');
    assert.match(target?.description ?? '', /column to predict/);
    const schema = (await server.call('GET', '/api/specs/schema')).json as { properties: Record<string, unknown>; required: string[] };
    assert.ok('budget' in schema.properties);
    assert.deepEqual(schema.required, ['name', 'data']);
  });
});
