/**
 * Every operation of the server, as its own GET /openapi.json describes it, called with what a careless
 * or hostile client sends: unknown and malformed path parameters (blank, a dot, very long, NUL, `../x`, a
 * bad escape, bad UTF-8, numbers out of range); bodies that are not JSON, beyond the body limit, an array
 * or null instead of the object, an empty object, each required field missing, each field of a wrong
 * type, an unknown field (all derived from the body's JSON Schema: robustness/schema-cases.ts); queries
 * with values of the wrong type, outside their range or their enum, repeated, unknown. Each must be
 * refused with a coded 4xx `{error, code, hint}` that leaks no stack trace or source path. The
 * operations that store nothing also get extreme values of the right types and odd cells in their rows:
 * accepted or refused, as long as it is not a failure — no answer at all may be a 5xx. Afterwards the
 * server is still ready, still predicts, and the registry (models, versions, aliases, experiments,
 * webhooks, alerts) is what it was.
 *
 * What it found, and what keeps it fixed: JSON `null` was read as `{}` (PATCH rewrote a model, stop ended
 * an experiment; src/api/json-body.ts); an alias's `version` was coerced (`"1"`, `true` moved it);
 * MALFORMED_REQUEST, RUN_NOT_FOUND, INPUT_SHAPE/DATATYPE/DATA and JOB_FINISHED came without a hint, and a
 * URL that cannot be decoded was called a bad body.
 *
 * The server is a real one on loopback, with a trained table model (titanic, logistic regression: two
 * versions, the second sharing the first's artifacts) under an A/B experiment, a webhook and an alert
 * rule, so that operations on a known id reach the checks of their body and query.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ERROR_CODES } from '../../src/core/errors.js';
import { validateSpec } from '../../src/modules/spec.js';
import { trainModule } from '../../src/modules/train-module.js';
import { startAppServer, TITANIC_CSV, type AppServer } from '../api/app/app-server.js';
import { codeOf, errorShapeProblems } from './robustness/error-answer.js';
import { sendRaw, type RawAnswer, type RawRequest } from './robustness/raw-http.js';
import { badBodies, exampleOf, extremeBodies, UNKNOWN_FIELD, type JsonSchema } from './robustness/schema-cases.js';

interface Parameter {
  readonly in: 'path' | 'query';
  readonly name: string;
  readonly required?: boolean;
  readonly schema: JsonSchema;
}
interface Operation {
  /** e.g. `POST /api/models/{ref}/explain` */
  readonly id: string;
  readonly method: string;
  readonly path: string;
  readonly pathParams: readonly string[];
  readonly query: readonly Parameter[];
  /** The JSON body's schema, when the document describes one. */
  readonly body?: JsonSchema;
  /** Whether the document says a body must be sent (`requestBody.required`). */
  readonly bodyRequired?: boolean;
}

/**
 * Operations left out of a kind of case, each for a reason. The test fails if one of them leaves the
 * document, so that the list is read again when the API changes.
 */
const SKIPPED: Readonly<Record<string, { readonly cases: 'bodies'; readonly why: string }>> = {
  // Its body is the raw file (any bytes, of any content type, streamed to disk), not JSON, and its limit
  // is the upload store's 200 MB rather than the server's body limit: no JSON body case applies, and a
  // body beyond 200 MB is too slow to send here. Its query (the file's name) is checked like any other.
  'PUT /api/uploads': { cases: 'bodies', why: 'raw file bytes, not JSON' },
};

/**
 * Operations whose body schema accepts an empty object (nothing is required) or unknown fields: those
 * two bodies are valid requests there — sent to a real server they would stop or promote an experiment
 * — so they are not among the bad bodies. Listed so that a schema turning lax does not go unnoticed.
 * The first are also those the document says may be called without a body (and no body is refused by
 * every other).
 */
const EMPTY_OBJECT_ACCEPTED = ['PATCH /api/models/{name}', 'PATCH /api/models/{name}/versions/{v}', 'POST /api/experiments/{id}/stop', 'POST /api/experiments/{id}/promote', 'POST /v2/repository/index'];
// feedback reads `items` and ignores the fields beside it (its items are strict)
const UNKNOWN_FIELDS_ACCEPTED = ['POST /v1/models/{nameAndVerb}', 'POST /v2/models/{name}/infer', 'POST /v2/models/{name}/versions/{version}/infer', 'POST /api/feedback'];

/**
 * Path parameters that name something the operation creates: an unknown name there is a new one, not a
 * mistake (PUT /api/models/titanic/aliases/staging points a new alias). Only malformed values are sent.
 */
const NAMES_CREATED: Readonly<Record<string, string>> = { 'PUT /api/models/{name}/aliases/{alias}': 'alias' };

/** Path segments as sent on the wire (already percent-encoded where it matters). */
const BAD_SEGMENTS: readonly [string, string][] = [
  ['unknown', 'no-such-thing-robustness'],
  ['blank', '%20'],
  ['a dot', '.'],
  ['two dots', '..'],
  ['a NUL', '%00'],
  ['an escaped path', '..%2Fx'],
  ['an escaped slash', '%2F'],
  ['300 characters', 'x'.repeat(300)],
  ['5000 characters', 'x'.repeat(5000)],
  ['a bad escape', '%zz'],
  ['bad UTF-8', '%C3%28'],
  ['an emoji', '%F0%9F%94%A5'],
  ['zero', '0'],
  ['negative', '-1'],
  ['a fraction', '1.5'],
  ['a huge number', '99999999999999999999'],
];

/**
 * Operations whose bodies are also sent with extreme values of the right types (extremeBodies): those that
 * store nothing the registry shows, so a body the schema accepts may run — it predicts, explains, reads
 * an upload or makes a new one — and the after-check still holds. Their bad bodies start from a real
 * request (realExamples), so that each broken field is reached past the checks of the others.
 */
const WITHOUT_SIDE_EFFECTS = [
  'POST /v2/models/{name}/infer',
  'POST /v2/models/{name}/versions/{version}/infer',
  'POST /v1/models/{nameAndVerb}',
  'POST /api/models/{ref}/explain',
  'POST /api/sources/preview',
  'POST /api/inspect',
  'POST /api/sources/fix',
  'POST /api/specs/suggest',
];

/** How many operations are called at once: modest, for a 2-core machine. */
const CONCURRENCY = 4;

let server: AppServer;
let operations: Operation[];
/** Ids of things the fixture made, by the collection they are in (`/api/experiments/{id}` → experiments). */
const known: Record<string, string> = {};
let registryBefore: string;
/** A request each operation of WITHOUT_SIDE_EFFECTS answers with success. */
const realExamples: Record<string, unknown> = {};
let bodyLimit: number;

before(async () => {
  server = await startAppServer();
  const titanic = fileURLToPath(TITANIC_CSV);
  const home = { store: server.store, artifacts: server.artifacts };
  await trainModule(validateSpec({ name: 'titanic', data: titanic, target: 'Survived', drop: ['PassengerId', 'Name', 'Ticket', 'Cabin'], learner: 'logistic-regression' }, null, dirname(titanic)), home);
  const v1 = await server.store.getVersion('titanic', 1);
  await server.store.createModelVersion({ model: 'titanic', runId: v1.runId, artifacts: v1.artifacts, signature: v1.signature, metrics: v1.metrics });
  await server.store.setAlias('titanic', 'champion', 1);
  if (v1.runId !== null) known['runs'] = v1.runId;
  const datasets = (await server.call('GET', '/api/datasets')).json['dataset_versions'] as { id: string }[] | undefined;
  if (datasets?.[0] !== undefined) known['datasets'] = datasets[0].id;
  const created = async (path: string, body: unknown) => {
    const { status, json } = await server.call('POST', path, body);
    assert.ok(status < 300, `${path}: ${status} ${JSON.stringify(json)}`);
    return String(json['id']);
  };
  known['experiments'] = await created('/api/experiments', { model: 'titanic', challenger: 2, challenger_share: 0.5 });
  known['webhooks'] = await created('/api/webhooks', { url: 'http://127.0.0.1:9/hook', events: ['version.archived'] });
  known['alerts'] = await created('/api/alerts', { model: 'titanic', metric: 'error_rate', op: '>', threshold: 0.5 });

  const passenger = { Pclass: 1, Sex: 'female', Age: 30, SibSp: 0, Parch: 0, Fare: 80, Embarked: 'C' };
  const metadata = (await server.call('GET', '/v2/models/titanic')).json as { inputs: { name: string; datatype: string }[] };
  const tensors = metadata.inputs.map(({ name, datatype }) => ({ name, shape: [1, 1], datatype, data: [(passenger as Record<string, unknown>)[name] ?? null] }));
  // the app's data routes profile the whole table at each call: 60 passengers keep that quick
  const someRows = readFileSync(titanic, 'utf8').split('\n').slice(0, 61).join('\n');
  const upload = await sendRaw(server.url, { method: 'PUT', path: '/api/uploads?filename=passengers.csv', body: someRows, contentType: 'text/csv' });
  const source = (JSON.parse(upload.text) as { source: string }).source;
  Object.assign(realExamples, {
    'POST /v2/models/{name}/infer': { id: 'robustness', inputs: tensors },
    'POST /v2/models/{name}/versions/{version}/infer': { inputs: tensors, outputs: [{ name: 'label' }] },
    'POST /v1/models/{nameAndVerb}': { instances: [passenger] },
    'POST /api/models/{ref}/explain': { rows: [passenger], top: 3 },
    'POST /api/sources/preview': { source },
    'POST /api/inspect': { source, target: 'Survived' },
    'POST /api/sources/fix': { source, drop_columns: ['Name'], drop_duplicates: true },
    'POST /api/specs/suggest': { source, target: 'Survived', task: 'auto' },
  });
  for (const [id, body] of Object.entries(realExamples)) {
    const [method = '', path = ''] = id.split(' ');
    const answer = await sendRaw(server.url, { method, path: path.replace(/\{(\w+)\}/g, (_, param: string) => ({ name: 'titanic', version: '1', nameAndVerb: 'titanic:predict', ref: 'titanic:1' })[param] ?? ''), body: JSON.stringify(body) });
    assert.ok(answer.status < 300, `${id} with its real example: ${answer.status} ${answer.text.slice(0, 300)}`);
  }

  bodyLimit = server.app.initialConfig.bodyLimit ?? 0;
  assert.ok(bodyLimit > 0, 'the server has a body limit');
  operations = await documentedOperations();
  registryBefore = await registrySnapshot();
});
after(() => server.close());

async function documentedOperations(): Promise<Operation[]> {
  type Documented = { parameters?: Parameter[]; requestBody?: { required?: boolean; content?: Record<string, { schema?: JsonSchema }> } };
  const doc = (await (await fetch(`${server.url}/openapi.json`)).json()) as { paths: Record<string, Record<string, Documented>> };
  return Object.entries(doc.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, operation]) => {
      const body = operation.requestBody?.content?.['application/json']?.schema;
      return {
        id: `${method.toUpperCase()} ${path}`,
        method: method.toUpperCase(),
        path,
        pathParams: (operation.parameters ?? []).filter((p) => p.in === 'path').map((p) => p.name),
        query: (operation.parameters ?? []).filter((p) => p.in === 'query'),
        ...(body === undefined ? {} : { body, bodyRequired: operation.requestBody?.required === true }),
      };
    }),
  );
}

/** What must survive every bad request: the registry's models, versions and aliases, and the rest of what is stored. */
async function registrySnapshot(): Promise<string> {
  const paths = ['/api/models', '/api/models/titanic', '/api/experiments', '/api/webhooks', '/api/alerts', '/api/runs', '/api/datasets'];
  const answers = await Promise.all(paths.map(async (path) => [path, (await server.call('GET', path)).json] as const));
  return JSON.stringify(answers, null, 1);
}

/** A path parameter's value that names something that exists, when the fixture has one. */
function knownSegment(op: Operation, param: string): string {
  const segments = op.path.split('/');
  const collection = segments[segments.indexOf(`{${param}}`) - 1] ?? '';
  const value: string | undefined = {
    name: 'titanic',
    version: '1',
    v: '1',
    ref: 'titanic:1',
    alias: 'staging',
    nameAndVerb: 'titanic:predict',
    id: known[collection],
  }[param];
  return value ?? 'no-such-thing-robustness';
}

function pathWith(op: Operation, values: Readonly<Record<string, string>>): string {
  return op.path.replace(/\{(\w+)\}/g, (_, param: string) => values[param] ?? knownSegment(op, param));
}

interface Case {
  readonly operation: string;
  readonly name: string;
  readonly request: RawRequest;
  /** `refused`: must be a coded 4xx; `either`: may be accepted, but never a 5xx, and a refusal is coded. */
  readonly expect: 'refused' | 'either';
}

function pathCases(op: Operation): Case[] {
  const body = op.body === undefined ? undefined : JSON.stringify(exampleOf(op.body));
  return op.pathParams.flatMap((param) =>
    BAD_SEGMENTS.filter(([what]) => !(what === 'unknown' && NAMES_CREATED[op.id] === param)).flatMap(([what, segment]) => {
      // the v1 route's one parameter is NAME:VERB: a bad name before a good verb, and the bad value alone
      const segments = param === 'nameAndVerb' ? [segment, `${segment}:predict`] : [segment];
      return segments.map((value) => ({
        operation: op.id,
        name: `${param} ${what}${value.endsWith(':predict') ? ' (:predict)' : ''}`,
        request: { method: op.method, path: pathWith(op, { [param]: value }), ...(body === undefined ? {} : { body }) },
        expect: 'refused' as const,
      }));
    }),
  );
}

/** A JSON text one byte beyond the server's body limit. */
let hugeBody: Buffer | undefined;
function beyondTheLimit(): Buffer {
  hugeBody ??= Buffer.from(`{"x":"${'a'.repeat(bodyLimit - 7)}"}`);
  return hugeBody;
}

function bodyCases(op: Operation): Case[] {
  if (!['POST', 'PUT', 'PATCH', 'DELETE'].includes(op.method) || SKIPPED[op.id]?.cases === 'bodies') return [];
  const path = pathWith(op, {});
  const refused = (name: string, body: string | Buffer, contentType?: string): Case => ({
    operation: op.id,
    name,
    request: { method: op.method, path, body, ...(contentType === undefined ? {} : { contentType }) },
    expect: 'refused',
  });
  // refused before any handler runs: safe to send to every operation, with or without a body of its own
  const cases = [refused('not JSON', '{"not json'), refused('not JSON, sent as text', 'hello', 'text/plain'), refused(`beyond the body limit (${bodyLimit} bytes)`, beyondTheLimit())];
  if (op.body === undefined) return cases;
  // JSON null is not an object (it was read as `{}`, and acted on where nothing is required)
  cases.push(refused('JSON null instead of the object', 'null'));
  // a body the document says is required must be: no body at all is refused
  if (op.bodyRequired === true) cases.push({ operation: op.id, name: 'no body', request: { method: op.method, path }, expect: 'refused' });
  const example = realExamples[op.id];
  for (const bad of badBodies(op.body, example)) cases.push(refused(bad.name, JSON.stringify(bad.body)));
  return cases;
}

/**
 * What a row's cell may hold on the wire, whatever the column: the schema leaves cells open (any JSON),
 * so these reach the servers' own decoding of rows and tensors.
 */
const ODD_CELLS: readonly unknown[] = ['abc', '', 'x'.repeat(100_000), {}, { nested: [1] }, [1, [2]], true, null, 1e308, -1e308, -0];

/** Extreme but well-typed bodies, and odd cells in each column of a row, for the operations that store nothing: any answer but a failure. */
function extremeCases(op: Operation): Case[] {
  if (op.body === undefined || !WITHOUT_SIDE_EFFECTS.includes(op.id)) return [];
  const path = pathWith(op, {});
  const either = (name: string, body: unknown): Case => ({ operation: op.id, name, request: { method: op.method, path, body: JSON.stringify(body) }, expect: 'either' });
  const cases = extremeBodies(op.body, realExamples[op.id]).map((extreme) => either(extreme.name, extreme.body));
  const example = realExamples[op.id] as { inputs?: { name: string }[]; instances?: Record<string, unknown>[]; rows?: Record<string, unknown>[] };
  const shown = (cell: unknown) => JSON.stringify(cell).slice(0, 30);
  for (const cell of ODD_CELLS) {
    for (const [i, input] of (example.inputs ?? []).entries()) {
      const inputs = example.inputs?.map((other, j) => (j === i ? { ...other, data: [cell] } : other));
      cases.push(either(`input ${input.name} holding ${shown(cell)}`, { ...example, inputs }));
    }
    const rows = example.instances ?? example.rows;
    for (const column of Object.keys(rows?.[0] ?? {})) {
      const odd = [{ ...rows?.[0], [column]: cell }];
      cases.push(either(`column ${column} holding ${shown(cell)}`, example.instances === undefined ? { ...example, rows: odd } : { ...example, instances: odd }));
    }
  }
  return cases;
}

function queryCases(op: Operation): Case[] {
  const path = pathWith(op, {});
  const cases: Case[] = [];
  const withQuery = (name: string, query: string, expect: Case['expect']): Case => ({ operation: op.id, name, request: { method: op.method, path: `${path}?${query}` }, expect });
  for (const { name, schema } of op.query) {
    const types = typeof schema.type === 'string' ? [schema.type] : (schema.type ?? []);
    if (types.includes('integer') || types.includes('number')) {
      const bad = ['abc', 'NaN', 'Infinity', '1e400'];
      if (types.includes('integer')) bad.push('1.5');
      if ((schema.minimum ?? schema.exclusiveMinimum ?? -Infinity) >= 0) bad.push('-1');
      if (schema.maximum !== undefined) bad.push(String(schema.maximum + 1));
      for (const value of bad) cases.push(withQuery(`${name}=${value}`, `${name}=${encodeURIComponent(value)}`, 'refused'));
    }
    if (schema.enum !== undefined) cases.push(withQuery(`${name} not one of its values`, `${name}=no-such-value`, 'refused'));
    // a parameter given twice arrives as a list: refused where the schema wants one value
    if (schema.anyOf === undefined) cases.push(withQuery(`${name} given twice`, `${name}=${encodeURIComponent(String(exampleOf(schema)))}&${name}=1`, 'refused'));
    if (schema.maxLength !== undefined) cases.push(withQuery(`${name} too long`, `${name}=${'x'.repeat(schema.maxLength + 1)}`, 'refused'));
    if (types.includes('string') && schema.enum === undefined) {
      // free text: a value the server has never heard of may be accepted (an unknown model's alerts are none)
      for (const [what, value] of [['unknown', 'no-such-thing-robustness'], ['a NUL', '%00'], ['a path', '..%2F..%2Fx'], ['a bad escape', '%zz'], ['long', 'x'.repeat(2000)]] as const) {
        cases.push(withQuery(`${name} ${what}`, `${name}=${value}`, 'either'));
      }
    }
  }
  for (const { name } of op.query.filter((p) => p.required === true)) {
    cases.push(withQuery(`required ${name} missing`, op.query.filter((p) => p.name !== name).map((p) => `${p.name}=${encodeURIComponent(String(exampleOf(p.schema)))}`).join('&'), 'refused'));
  }
  // an unknown parameter: ignored or refused, but not a failure (only where calling the operation changes nothing)
  if (op.method === 'GET') cases.push(withQuery('an unknown parameter', `${UNKNOWN_FIELD}=1`, 'either'));
  return cases;
}

interface Failure {
  readonly operation: string;
  readonly case: string;
  readonly status: number;
  readonly code: string;
  readonly problems: readonly string[];
}

/** Runs the cases, `CONCURRENCY` operations at a time (each operation's cases one after another). */
async function run(cases: readonly Case[]): Promise<Failure[]> {
  const byOperation = new Map<string, Case[]>();
  for (const c of cases) byOperation.set(c.operation, [...(byOperation.get(c.operation) ?? []), c]);
  const queue = [...byOperation.values()];
  const failures: Failure[] = [];
  const worker = async () => {
    for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
      for (const c of next) {
        const answer = await sendRaw(server.url, c.request);
        const problems = judge(c, answer).map((p) => p.slice(0, 240));
        if (problems.length > 0) failures.push({ operation: c.operation, case: c.name, status: answer.status, code: codeOf(answer), problems });
      }
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return failures.sort((a, b) => `${a.operation} ${a.case}`.localeCompare(`${b.operation} ${b.case}`));
}

/** Fails with every wrong answer, one line each (a deep-equal diff of hundreds would be cut short). */
function assertNoFailures(failures: readonly Failure[]): void {
  if (failures.length === 0) return;
  const lines = failures.map((f) => `${f.operation} — ${f.case} → ${f.status} ${f.code}: ${f.problems.join('; ')}`);
  assert.fail(`${failures.length} wrong answers:\n${lines.join('\n')}`);
}

function judge(c: Case, answer: RawAnswer): string[] {
  if (answer.status >= 500) return [`a ${answer.status} answer: ${answer.text.slice(0, 300)}`];
  if (answer.status >= 400) return errorShapeProblems(answer).map((p) => `${p}: ${answer.text.slice(0, 300)}`);
  return c.expect === 'refused' ? [`accepted (${answer.status}): ${answer.text.slice(0, 200)}`] : [];
}

test('the operations left out of a kind of case are the ones listed, and exist', () => {
  const ids = new Set(operations.map((op) => op.id));
  assert.ok(ids.size >= 60, `${ids.size} operations`);
  for (const id of [...Object.keys(SKIPPED), ...Object.keys(NAMES_CREATED), ...WITHOUT_SIDE_EFFECTS]) assert.ok(ids.has(id), `${id} is an operation of the server`);
  const withBody = operations.filter((op) => op.body !== undefined);
  assert.deepEqual(withBody.filter((op) => (op.body?.required ?? []).length === 0).map((op) => op.id).sort(), [...EMPTY_OBJECT_ACCEPTED].sort());
  assert.deepEqual(withBody.filter((op) => op.bodyRequired !== true).map((op) => op.id).sort(), [...EMPTY_OBJECT_ACCEPTED].sort());
  assert.deepEqual(withBody.filter((op) => op.body?.additionalProperties !== false).map((op) => op.id).sort(), [...UNKNOWN_FIELDS_ACCEPTED].sort());
});

/**
 * Codes of client errors the HTTP API never answers with, so they need no hint for it: a request the
 * client gave up on (499, nobody reads it), an export (the CLI's), a delivery the webhook dispatcher
 * looks up itself.
 */
const NOT_ANSWERED_OVER_HTTP = ['CANCELLED', 'EXPORT_FAILED', 'WEBHOOK_DELIVERY_NOT_FOUND'];

test('every client error the API can answer with says how to fix it (a hint)', () => {
  const withoutHint = Object.entries(ERROR_CODES)
    .filter(([code, spec]) => spec.status >= 400 && spec.status < 500 && !('hint' in spec) && !NOT_ANSWERED_OVER_HTTP.includes(code))
    .map(([code]) => code);
  assert.deepEqual(withoutHint, []);
});

test('unknown and malformed path parameters are refused with a coded 4xx', async () => {
  const cases = operations.flatMap(pathCases);
  assert.ok(cases.length > 500, `${cases.length} cases`);
  assertNoFailures(await run(cases));
});

test('bad bodies — not JSON, too large, of the wrong shape, missing or mistyped fields, unknown fields — are refused with a coded 4xx', async () => {
  const cases = operations.flatMap(bodyCases);
  assert.ok(cases.length > 200, `${cases.length} cases`);
  assertNoFailures(await run(cases));
});

test('extreme values of the right types — empty, NUL, paths, huge, negative, 10,000 items — and odd cells in rows never make the server fail', async () => {
  const cases = operations.flatMap(extremeCases);
  assert.ok(cases.length > 300, `${cases.length} cases`);
  assertNoFailures(await run(cases));
});

test('bad queries — wrong types, out of range, unknown values, repeated, missing — are refused with a coded 4xx', async () => {
  const cases = operations.flatMap(queryCases);
  assert.ok(cases.length > 100, `${cases.length} cases`);
  assertNoFailures(await run(cases));
});

test('afterwards the server is ready, still predicts, and nothing stored has changed', async () => {
  assert.deepEqual(await server.call('GET', '/v2/health/ready'), { status: 200, json: { ready: true } });
  const passenger = { Pclass: 1, Sex: 'female', Age: 30, SibSp: 0, Parch: 0, Fare: 80, Embarked: 'C' };
  const predicted = await server.call('POST', '/v1/models/titanic:predict', { instances: [passenger] });
  assert.equal(predicted.status, 200, JSON.stringify(predicted.json));
  assert.equal((predicted.json['predictions'] as unknown[]).length, 1);
  assert.equal(await registrySnapshot(), registryBefore);
});
