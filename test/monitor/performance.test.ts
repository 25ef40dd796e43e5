/**
 * Performance drift from labelled predictions: the metrics against naive reference computations, the
 * verdicts, and the degradation rule — it flags a known drop in accuracy and stays quiet (≤ 5% of seeded
 * trials) when the live model is as good as at training.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Rng } from '../../src/core/rng.js';
import { classIndex, hanleyMcNeilSe, measurePerformance } from '../../src/monitor/performance.js';
import type { LabelledPrediction } from '../../src/store/store.js';

const T0 = Date.UTC(2026, 10, 1);

/** Binary predictions whose outcome disagrees with the predicted label with probability `errorRate`. */
function classified(rng: Rng, n: number, errorRate: number, start = 0): LabelledPrediction[] {
  return Array.from({ length: n }, (_, i) => {
    const pYes = rng.next();
    const label = pYes >= 0.5 ? 'yes' : 'no';
    const wrong = rng.next() < errorRate;
    const outcome = wrong ? (label === 'yes' ? 'no' : 'yes') : label;
    return {
      requestId: `r${start + i}`,
      model: 'm',
      version: 1,
      timestamp: T0 + (start + i) * 1000,
      latencyMs: 1,
      inputs: {},
      outputs: { label, probabilities: { no: 1 - pYes, yes: pYes } },
      outcome,
      feedbackAt: T0 + (start + i) * 1000 + 60_000,
    };
  });
}

/** ROC AUC by counting every positive/negative pair (ties count one half): the textbook definition. */
function naiveAuc(scores: readonly number[], positive: readonly boolean[]): number {
  let wins = 0;
  let pairs = 0;
  scores.forEach((s, i) => {
    if (!positive[i]) return;
    scores.forEach((t, j) => {
      if (positive[j]) return;
      pairs++;
      wins += s > t ? 1 : s === t ? 0.5 : 0;
    });
  });
  return wins / pairs;
}

test('classification metrics equal naive accuracy and pairwise ROC AUC', () => {
  const rng = new Rng(7);
  const records = classified(rng, 300, 0.2);
  const report = measurePerformance(records, { 'test.accuracy': 0.8, 'test.roc_auc': 0.9 });
  assert.equal(report.task, 'classification');
  assert.equal(report.scored, 300);
  const accuracy = records.filter((r) => (r.outputs as { label: string }).label === r.outcome).length / records.length;
  const auc = naiveAuc(
    records.map((r) => (r.outputs as { probabilities: { yes: number } }).probabilities.yes),
    records.map((r) => r.outcome === 'yes'),
  );
  const byName = Object.fromEntries(report.metrics.map((m) => [m.name, m]));
  assert.ok(Math.abs((byName['accuracy']?.current ?? NaN) - accuracy) < 1e-12);
  assert.ok(Math.abs((byName['roc_auc']?.current ?? NaN) - auc) < 1e-12);
  assert.equal(byName['accuracy']?.training, 0.8);
  assert.ok(Math.abs((byName['accuracy']?.change ?? NaN) - (accuracy - 0.8)) < 1e-12);
  // The chart's stretches cover every scored prediction, in time order.
  assert.equal(report.over_time.reduce((n, p) => n + p.count, 0), 300);
  assert.ok(report.over_time.every((p, i, all) => i === 0 || p.start > (all[i - 1]?.end ?? 0)));
});

test('regression metrics equal naive RMSE and MAE; numeric text outcomes count, others are skipped', () => {
  const records: LabelledPrediction[] = [3, 5, 8, 13].map((y, i) => ({
    requestId: `r${i}`,
    model: 'm',
    version: 1,
    timestamp: T0 + i,
    latencyMs: 1,
    inputs: {},
    outputs: { prediction: y + (i % 2 === 0 ? 1 : -2) },
    outcome: i === 3 ? String(y) : y,
    feedbackAt: T0,
  }));
  records.push({ ...records[0]!, requestId: 'bad', outcome: 'not a number' });
  const report = measurePerformance(records, { 'test.rmse': 1.5 });
  assert.equal(report.task, 'regression');
  assert.deepEqual([report.labelled, report.scored], [5, 4]);
  const errors = [1, -2, 1, -2];
  const rmse = Math.sqrt(errors.reduce((s, e) => s + e * e, 0) / 4);
  assert.ok(Math.abs((report.metrics[0]?.current ?? NaN) - rmse) < 1e-12);
  assert.equal(report.metrics[1]?.current, 1.5);
  assert.equal(report.metrics[1]?.training, null, 'no test.mae recorded');
  assert.equal(report.degraded, false, 'four outcomes are too few to call anything degraded');
  assert.match(report.verdict, /too few outcomes/);
});

test('a known drop in accuracy is flagged; failed requests and unknown classes are handled', () => {
  const rng = new Rng(11);
  const dropped = measurePerformance(classified(rng, 500, 0.35), { 'test.accuracy': 0.9, 'test.roc_auc': 0.95 });
  const accuracy = dropped.metrics.find((m) => m.name === 'accuracy');
  assert.ok(accuracy !== undefined && accuracy.current !== null && Math.abs(accuracy.current - 0.65) < 0.06, `accuracy ${accuracy?.current}`);
  assert.equal(accuracy.degraded, true);
  assert.equal(dropped.degraded, true);
  assert.match(dropped.verdict, /^Performance degraded: accuracy 0\.6\d* \(training 0\.9\)/);

  const mixed = classified(rng, 100, 0.1);
  mixed.push({ ...mixed[0]!, requestId: 'failed', error: 'INFERENCE_FAILED', outputs: null });
  mixed.push({ ...mixed[1]!, requestId: 'new-class', outcome: 'maybe' });
  const report = measurePerformance(mixed, {});
  assert.equal(report.labelled, 102);
  assert.equal(report.scored, 101, 'the failed request is not scored; the unknown class is, as a miss');
  assert.match(report.verdict, /no training-time test metrics/);
});

test('false alarms: a live model as good as at training is called degraded in at most 5% of seeded trials', () => {
  const trials = 200;
  let alarms = 0;
  for (let t = 0; t < trials; t++) {
    const rng = new Rng(1000 + t);
    const report = measurePerformance(classified(rng, 400, 0.2), { 'test.accuracy': 0.8, 'test.roc_auc': 0.5 });
    if (report.degraded) alarms++;
  }
  assert.ok(alarms / trials <= 0.05, `${alarms} false alarms in ${trials} trials`);
});

test('outcomes map to the model\'s classes by text, and booleans to 1/0 or yes/no', () => {
  assert.equal(classIndex(1, ['0', '1']), 1);
  assert.equal(classIndex('1', ['0', '1']), 1);
  assert.equal(classIndex(true, ['0', '1']), 1);
  assert.equal(classIndex(false, ['no', 'yes']), 0);
  assert.equal(classIndex(true, ['false', 'true']), 1);
  assert.equal(classIndex('maybe', ['no', 'yes']), -1);
});

test('Hanley–McNeil standard error matches the closed form at a known point and shrinks with more data', () => {
  // AUC 0.8 with 50/50: Q1 = 0.8/1.2, Q2 = 1.28/1.8 → variance (0.16 + 49(Q1 − 0.64) + 49(Q2 − 0.64)) / 2500.
  const q1 = 0.8 / 1.2;
  const q2 = 1.28 / 1.8;
  const expected = Math.sqrt((0.16 + 49 * (q1 - 0.64) + 49 * (q2 - 0.64)) / 2500);
  assert.ok(Math.abs(hanleyMcNeilSe(0.8, 50, 50) - expected) < 1e-12);
  assert.ok(hanleyMcNeilSe(0.8, 500, 500) < hanleyMcNeilSe(0.8, 50, 50));
  assert.equal(hanleyMcNeilSe(0.8, 0, 10), Infinity);
});

test('no outcomes yet says how to send them', () => {
  const report = measurePerformance([], { 'test.accuracy': 0.8 });
  assert.deepEqual([report.task, report.labelled, report.degraded, report.metrics.length], [null, 0, false, 0]);
  assert.match(report.verdict, /kiln feedback/);
});
