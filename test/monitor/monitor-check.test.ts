/**
 * A monitoring check end to end: a registered version with its reference profile, a prediction log with
 * drift injected into some inputs and the outputs, then `checkModel`, the HTML report and `kiln monitor`.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { windowFromOptions } from '../../src/cli/monitor.js';
import { Frame } from '../../src/core/frame.js';
import { Rng } from '../../src/core/rng.js';
import { checkModel, REFERENCE_ARTIFACT } from '../../src/monitor/check-model.js';
import { errorRate, latencyOverTime, quantile, summariseLatency } from '../../src/monitor/latency.js';
import { flattenOutputs, outputsFrame, parseDuration, readWindow } from '../../src/monitor/prediction-window.js';
import { buildReferenceProfile } from '../../src/data/profile/reference-profile.js';
import { renderMonitorHtml } from '../../src/monitor/report-html.js';
import { parseModelRef } from '../../src/store/model-ref.js';
import { openHome, type KilnHome } from '../../src/store/open-store.js';
import type { PredictionRecord } from '../../src/store/store.js';
import { expectCode } from '../helpers/assertions.js';
import { kiln, tempHome } from '../helpers/kiln-cli.js';

const T0 = Date.UTC(2026, 10, 1);
const rng = new Rng(42);
const TRAIN = 800;

function row(drifted: boolean) {
  const age = 40 + rng.normal() * 10 + (drifted ? 12 : 0);
  const income = Math.exp(10 + rng.normal() * 0.5);
  const plan = drifted && rng.next() < 0.3 ? 'enterprise' : (['free', 'pro', 'team'][rng.int(3)] as string);
  const p = 1 / (1 + Math.exp(-(age - 45) / 8));
  return { inputs: { age, income, plan }, outputs: { label: p > 0.5 ? 'churn' : 'stay', probabilities: { churn: p, stay: 1 - p } } };
}

let dir: string;
let home: KilnHome;

before(async () => {
  dir = tempHome('kiln-monitor-');
  home = await openHome(dir);
  const training = Array.from({ length: TRAIN }, () => row(false));
  const frame = new Frame([
    { kind: 'numeric', name: 'age', values: Float64Array.from(training, (r) => r.inputs.age) },
    { kind: 'numeric', name: 'income', values: Float64Array.from(training, (r) => r.inputs.income) },
    { kind: 'categorical', name: 'plan', values: training.map((r) => r.inputs.plan) },
  ]);
  const profile = buildReferenceProfile(frame, { predictions: outputsFrame(training.map((r) => r.outputs)) });
  const digest = await home.artifacts.put(Buffer.from(JSON.stringify(profile)));
  await home.store.createModelVersion({ model: 'churn', runId: null, artifacts: { [REFERENCE_ARTIFACT]: digest }, signature: {}, metrics: {} });
  await home.store.createModelVersion({ model: 'churn', runId: null, artifacts: {}, signature: {}, metrics: {} });
  // v1: 600 older predictions like the training data, then 600 recent ones with age and plan drifted.
  const records: PredictionRecord[] = [];
  for (let i = 0; i < 1200; i++) {
    const r = row(i >= 600);
    records.push({ requestId: `r${i}`, model: 'churn', version: 1, timestamp: T0 + i * 1000, latencyMs: 2 + (i % 10) + (i >= 1100 ? 20 : 0), inputs: r.inputs, outputs: r.outputs });
  }
  await home.store.logPredictions(records);
});

after(async () => {
  await home.store.close();
  rmSync(dir, { recursive: true, force: true });
});

test('the recent window flags exactly the drifted inputs and the drifted outputs', async () => {
  const report = await checkModel(home, parseModelRef('churn:1'), { window: { kind: 'count', last: 600 } });
  assert.equal(report.rows, 600);
  assert.deepEqual(report.drift.columns.map((c) => [c.column, c.test, c.drift]), [['age', 'ks', true], ['income', 'ks', false], ['plan', 'chisquare', true]]);
  assert.equal(report.drift.dataset_drift, true);
  assert.match(report.verdict, /Dataset drift: 2 of the 3 columns the model reads changed \(age, plan\)/);
  assert.ok(report.prediction_drift !== null);
  assert.ok(report.prediction_drift.columns.find((c) => c.column === 'probability[churn]')?.drift);
  assert.ok(report.latency_ms.p99 > report.latency_ms.p50);
  assert.equal(report.error_rate, 0, 'no record in the window failed');
  assert.equal(report.failed, 0);
  assert.equal(report.performance.labelled, 0);
  assert.match(report.performance.verdict, /No outcomes yet/);
  assert.ok(report.traffic_per_hour.reduce((n, h) => n + h.predictions, 0) === 600);
  const html = renderMonitorHtml(report);
  assert.match(html, /<svg[^>]*role="img"/);
  assert.match(html, /age: share of rows/);
  assert.match(html, /Latency over time/);
  assert.doesNotMatch(html, /<script|https?:\/\/(?!www\.w3\.org)/, 'self-contained');
});

test('the older window, like the training data, shows no drift; time windows select by timestamp', async () => {
  const now = T0 + 1200 * 1000;
  const records = await readWindow(home.store, 'churn', 1, { kind: 'time', sinceMs: parseDuration('5m') }, now);
  assert.equal(records.length, 300);
  assert.ok(records[0]!.timestamp < records[299]!.timestamp, 'oldest first');
  const early = await checkModel(home, parseModelRef('churn:1'), {
    window: { kind: 'time', sinceMs: parseDuration('20m') },
    now: T0 + 599 * 1000,
  });
  assert.equal(early.rows, 600);
  assert.equal(early.drift.drifted_columns, 0);
  assert.match(early.verdict, /^No dataset drift: none of the 3 columns the model reads has changed from the training data/);
});

test('clear errors: no reference profile, no predictions, bad windows', async () => {
  await assert.rejects(checkModel(home, parseModelRef('churn:2')), expectCode('REFERENCE_MISSING'));
  const profile = buildReferenceProfile(new Frame([{ kind: 'numeric', name: 'age', values: Float64Array.from([1, 2, 3]) }]));
  await assert.rejects(checkModel(home, parseModelRef('churn:2'), { reference: profile }), expectCode('MONITOR_NO_PREDICTIONS'));
  assert.throws(() => parseDuration('yesterday'), expectCode('INVALID_WINDOW'));
  await assert.rejects(readWindow(home.store, 'churn', 1, { kind: 'count', last: 0 }), expectCode('INVALID_WINDOW'));
});

test('latency quantiles, buckets over time, error rate and output flattening', () => {
  assert.equal(quantile([1, 2, 3, 4], 0.5), 2.5);
  assert.deepEqual(summariseLatency([5]), { count: 1, p50: 5, p95: 5, p99: 5 });
  const recs = [0, 1, 2, 3].map((i) => ({ requestId: `x${i}`, model: 'm', version: 1, timestamp: i * 1000, latencyMs: i, inputs: {}, outputs: {} }));
  const buckets = latencyOverTime(recs, 2);
  assert.equal(buckets.length, 2);
  assert.deepEqual(buckets.map((b) => b.count), [2, 2]);
  assert.equal(errorRate(recs), 0);
  assert.equal(errorRate([]), null);
  assert.equal(errorRate([...recs, { ...recs[0]!, error: 'INFERENCE_FAILED' }]), 0.2);
  assert.deepEqual(flattenOutputs({ label: 'a', probabilities: { a: 0.7, b: 0.3 } }), { label: 'a', 'probability[a]': 0.7, 'probability[b]': 0.3 });
  assert.deepEqual(flattenOutputs({ prediction: 3.5 }), { prediction: 3.5 });
});

test('kiln monitor prints the drift table as JSON and writes the HTML report', async () => {
  const htmlFile = join(dir, 'monitor.html');
  const r = await kiln(['monitor', 'churn:1', '--home', dir, '--json', '--window', '600', '--html', htmlFile]);
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout) as { drift: { dataset_drift: boolean; columns: { column: string; drift: boolean; test: string; statistic: number; threshold: number }[] } };
  assert.equal(out.drift.dataset_drift, true);
  assert.deepEqual(out.drift.columns.map((c) => c.column), ['age', 'income', 'plan']);
  assert.ok(existsSync(htmlFile) && readFileSync(htmlFile, 'utf8').includes('<svg'));
  assert.throws(() => windowFromOptions({ window: '5', since: '1h' }), expectCode('INVALID_WINDOW'));
  assert.throws(() => windowFromOptions({ window: '-3' }), expectCode('INVALID_WINDOW'));
  assert.deepEqual(windowFromOptions({ since: '2h' }), { kind: 'time', sinceMs: 7_200_000 });
});
