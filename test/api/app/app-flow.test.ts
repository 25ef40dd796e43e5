/**
 * The whole path the app drives, over HTTP against a real server: upload → inspect → fix → suggest →
 * train (following the job's events) → report → explain → deploy → predict, and a second job
 * cancelled midway that ends `cancelled` with nothing registered.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { readEvents, startAppServer, TITANIC_CSV, type AppServer, type SseEvent } from './app-server.js';

interface Finding {
  code: string;
  columns: string[];
  fix: unknown;
  suggestion?: string;
}

const PASSENGER = { Pclass: 3, Sex: 'male', Age: 22, SibSp: 1, Parch: 0, Fare: 7.25, Embarked: 'S', Name: 'Braund, Mr. Owen Harris', Ticket: 'A/5 21171', Cabin: null };

describe('the app API, end to end', () => {
  let server: AppServer;
  before(async () => {
    server = await startAppServer();
  });
  after(async () => server.close());

  let uploaded: string;
  let fixed: string;

  test('an uploaded CSV is stored by content and previewed', async () => {
    const bytes = readFileSync(TITANIC_CSV);
    const put = async () => fetch(`${server.url}/api/uploads?filename=titanic.csv`, { method: 'PUT', body: bytes, headers: { 'content-type': 'text/csv' } });
    const res = await put();
    assert.equal(res.status, 201);
    const body = (await res.json()) as { source: string; name: string; bytes: number; rows: number; columns: { name: string; type: string }[]; preview: Record<string, unknown>[] };
    assert.equal(body.name, 'titanic.csv');
    assert.equal(body.bytes, bytes.byteLength);
    assert.equal(body.rows, 891);
    assert.ok(body.source.startsWith(`${server.home}/uploads/`), body.source);
    assert.deepEqual(body.columns.find((c) => c.name === 'Age'), { name: 'Age', type: 'number', source_type: 'DOUBLE' });
    assert.equal(body.preview.length, 20);
    assert.equal(body.preview[0]?.['Name'], 'Braund, Mr. Owen Harris');
    // the same bytes again land on the same content address
    const again = (await (await put()).json()) as { source: string };
    assert.equal(again.source, body.source);
    uploaded = body.source;

    const preview = await server.call('POST', '/api/sources/preview', { source: uploaded });
    assert.equal(preview.status, 200);
    assert.equal(preview.json['rows'], 891);
  });

  test('inspect flags PassengerId as an identifier with a one-click drop, and the fix makes a new upload', async () => {
    const inspected = await server.call('POST', '/api/inspect', { source: uploaded, target: 'Survived' });
    assert.equal(inspected.status, 200);
    const findings = inspected.json['findings'] as Finding[];
    const id = findings.find((f) => f.code === 'identifier_column');
    assert.deepEqual(id?.fix, { kind: 'drop_columns', columns: ['PassengerId'] });
    assert.match(id?.suggestion ?? '', /Leave it out of the features/);
    // findings without a safe fix keep their advice in words
    const missing = findings.find((f) => f.code === 'missing_values');
    assert.equal(typeof missing?.fix, 'string');
    assert.ok((inspected.json['columns'] as { name: string; histogram?: unknown }[]).some((c) => c.name === 'Age' && c.histogram !== undefined));

    const res = await server.call('POST', '/api/sources/fix', { source: uploaded, drop_columns: ['PassengerId'] });
    assert.equal(res.status, 201);
    fixed = res.json['source'] as string;
    assert.notEqual(fixed, uploaded);
    assert.equal(res.json['name'], 'titanic.parquet');
    assert.equal(res.json['rows'], 891);
    const names = (res.json['columns'] as { name: string }[]).map((c) => c.name);
    assert.ok(!names.includes('PassengerId'));
    assert.equal(names.length, 11);
    // row order is kept
    assert.equal((res.json['preview'] as Record<string, unknown>[])[0]?.['Name'], 'Braund, Mr. Owen Harris');
  });

  test('suggest infers a yes/no prediction and explains it in plain words', async () => {
    const res = await server.call('POST', '/api/specs/suggest', { source: fixed, target: 'Survived' });
    assert.equal(res.status, 200);
    assert.equal(res.json['task'], 'binary');
    assert.match(res.json['explanation'] as string, /^"Survived" has two values, 0 and 1: Kiln will learn to predict which — a yes\/no prediction\./);
    const spec = res.json['spec'] as Record<string, unknown>;
    assert.equal(spec['name'], 'titanic');
    assert.equal(spec['data'], fixed);
    assert.equal(spec['seed'], 42);
    assert.equal(spec['topK'], undefined, 'fields of other templates are left out');
    assert.match(res.json['yaml'] as string, /^target: Survived$/m);
  });

  test('suggest warns when the column to predict is an id or a name (a value per row)', async () => {
    const res = await server.call('POST', '/api/specs/suggest', { source: fixed, target: 'Name' });
    assert.equal(res.status, 200);
    assert.match(res.json['explanation'] as string, /"Name" has 891 values .*But 891 different values in 891 rows .* like an id or a name/);
    const pclass = await server.call('POST', '/api/specs/suggest', { source: fixed, target: 'Pclass' });
    assert.equal(pclass.status, 200);
    assert.doesNotMatch(pclass.json['explanation'] as string, /like an id/, 'a few repeating values are not an id');
  });

  let version: number;

  test('a job trains, its events arrive in order and end with done, and the report, explanations and deploy follow', async () => {
    const spec = { name: 'titanic', data: fixed, target: 'Survived', learner: 'logistic-regression' };
    const submitted = await server.call('POST', '/api/jobs', { spec });
    assert.equal(submitted.status, 202);
    assert.equal(submitted.json['model'], 'titanic');
    assert.ok(['running', 'queued'].includes(submitted.json['status'] as string));
    const id = submitted.json['id'] as string;

    const events = await readEvents(`${server.url}/api/jobs/${id}/events`);
    assert.deepEqual(events.map((e) => e.id), events.map((_, i) => i + 1), 'ids count up from 1');
    const stages = events.filter((e) => e.event === 'stage').map((e) => e.data['stage']);
    assert.deepEqual(stages, ['read', 'schema', 'split', 'preprocess', 'fit', 'evaluate', 'export', 'register']);
    assert.ok(events.some((e) => e.event === 'progress' && typeof e.data['trainLoss'] === 'number'));
    const last = events[events.length - 1] as SseEvent;
    assert.equal(last.event, 'done');
    const result = last.data['result'] as { model: string; version: number; metrics: { test: Record<string, number> } };
    assert.equal(result.model, 'titanic');
    assert.ok((result.metrics.test['roc_auc'] ?? 0) > 0.8);
    version = result.version;

    // a late reader replays the same events; Last-Event-ID resumes after the one given
    const resumed = await readEvents(`${server.url}/api/jobs/${id}/events`, undefined, { 'last-event-id': String(events.length - 2) });
    assert.deepEqual(resumed.map((e) => e.id), [events.length - 1, events.length]);
    // reconnecting after the last event of an ended job: 204, the SSE spec's "stop reconnecting"
    const after = await fetch(`${server.url}/api/jobs/${id}/events`, { headers: { accept: 'text/event-stream', 'last-event-id': String(events.length) } });
    assert.equal(after.status, 204);

    const job = await server.call('GET', `/api/jobs/${id}`);
    assert.equal(job.json['status'], 'succeeded');
    assert.equal((job.json['result'] as { version: number }).version, version);
    assert.equal(typeof job.json['finished_at'], 'string');

    const report = await server.call('GET', `/api/models/titanic:${version}/report`);
    assert.equal(report.status, 200);
    assert.equal(report.json['task'], 'binary');
    assert.equal((report.json['metrics'] as { test: Record<string, number> }).test['roc_auc'], result.metrics.test['roc_auc']);
    assert.ok(Array.isArray(report.json['importances']));
    const thresholds = report.json['thresholds'] as { threshold: number; truePositives: number; falsePositives: number; falseNegatives: number; trueNegatives: number }[];
    assert.equal(report.json['positive_class'], '1');
    assert.equal(thresholds.length, 101);
    const heldOut = 179;
    for (const t of thresholds) assert.equal(t.truePositives + t.falsePositives + t.falseNegatives + t.trueNegatives, heldOut);
    assert.equal((thresholds[0] as { trueNegatives: number }).trueNegatives, 0, 'at 0 every row is a yes');
    // at 0.5 the counts are the confusion matrix training drew (rows: actual, columns: predicted)
    const confusion = (report.json['charts'] as { confusion: { counts: number[][] } }).confusion.counts;
    const half = thresholds[50] as { truePositives: number; falsePositives: number; falseNegatives: number; trueNegatives: number };
    assert.deepEqual([[half.trueNegatives, half.falsePositives], [half.falseNegatives, half.truePositives]], confusion);

    const explained = await server.call('POST', `/api/models/titanic:${version}/explain`, { rows: [PASSENGER] });
    assert.equal(explained.status, 200);
    const explanation = (explained.json['explanations'] as { prediction: unknown; probabilities: Record<string, number>; reasons: { column: string; contribution: number }[] }[])[0];
    assert.equal(explanation?.prediction, 0);
    assert.ok((explanation?.probabilities['0'] ?? 0) > 0.5);
    assert.equal(explanation?.reasons[0]?.column, 'Sex');
    assert.ok((explanation?.reasons[0]?.contribution ?? 0) > 0);

    const deployed = await server.call('POST', `/api/models/titanic:${version}/deploy`);
    assert.equal(deployed.status, 200);
    assert.equal(deployed.json['alias'], 'champion');
    assert.deepEqual(deployed.json['endpoints'], { v2: '/v2/models/titanic/versions/champion/infer', v1: '/v1/models/titanic@champion:predict' });
    const inputs = (deployed.json['metadata'] as { inputs: { name: string; datatype: string }[] }).inputs;
    assert.deepEqual(inputs.find((i) => i.name === 'Sex'), { name: 'Sex', datatype: 'BYTES', shape: [-1, 1] });
    assert.equal((await server.store.resolve({ name: 'titanic', kind: 'alias', alias: 'champion' })).version, version);

    const predicted = await server.call('POST', (deployed.json['endpoints'] as { v1: string }).v1, { instances: [PASSENGER] });
    assert.equal(predicted.status, 200);
    const prediction = (predicted.json['predictions'] as { label: unknown; probabilities: Record<string, number> }[])[0];
    assert.equal(prediction?.label, 0);
    assert.ok(Math.abs((prediction?.probabilities['0'] ?? 0) - (explanation?.probabilities['0'] ?? 0)) < 1e-5, 'the served graph and the explained predictor agree');
  });

  test('a job cancelled midway ends cancelled and registers nothing', async () => {
    const spec = { name: 'titanic-cancelled', data: fixed, target: 'Survived', budget: '60s' };
    const submitted = await server.call('POST', '/api/jobs', { spec });
    assert.equal(submitted.status, 202);
    const id = submitted.json['id'] as string;
    let cancelAnswer: Promise<{ status: number }> | undefined;
    const events = await readEvents(`${server.url}/api/jobs/${id}/events`, (e) => {
      // cancel once the search has produced a trial: training is well under way
      if (e.event === 'trial' && cancelAnswer === undefined) cancelAnswer = server.call('POST', `/api/jobs/${id}/cancel`, {});
    });
    assert.equal((await cancelAnswer)?.status, 202);
    assert.equal(events[events.length - 1]?.event, 'cancelled');
    assert.ok(!events.some((e) => e.event === 'stage' && e.data['stage'] === 'register'));
    const job = await server.call('GET', `/api/jobs/${id}`);
    assert.equal(job.json['status'], 'cancelled');
    assert.ok(!(await server.store.listModels()).some((m) => m.name === 'titanic-cancelled'), 'no model, no version');
    const models = await server.call('GET', '/api/models/titanic-cancelled');
    assert.equal(models.json['code'], 'MODEL_NOT_FOUND');
    // a finished job cannot be cancelled again
    const again = await server.call('POST', `/api/jobs/${id}/cancel`, {});
    assert.equal(again.status, 409);
    assert.equal(again.json['code'], 'JOB_FINISHED');
  });
});
