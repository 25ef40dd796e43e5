import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { KilnError } from '../../../src/core/errors.js';
import { Frame } from '../../../src/core/frame.js';
import { detectionMetrics, precisionAtK, quantile } from '../../../src/modules/anomaly/anomaly-metrics.js';
import { knownAnomalies } from '../../../src/modules/anomaly/known-anomalies.js';
import { anomalyReasons, fitRobustZ, robustZScores } from '../../../src/modules/anomaly/robust-z.js';

// scipy's median_abs_deviation(scale='normal'): test/fixtures/sklearn/make_segments_fixtures.py
const fx = JSON.parse(readFileSync(new URL('../../fixtures/sklearn/segments-metrics.json', import.meta.url), 'utf8')) as {
  mad: { x: number[]; median: number; scale: number }[];
};

test('robust scales are the median and 1.4826 × MAD, as scipy computes them', () => {
  for (const c of fx.mad) {
    const model = fitRobustZ(new Frame([{ kind: 'numeric', name: 'x', values: Float64Array.from(c.x) }]));
    const s = model.numeric[0]!;
    assert.ok(Math.abs(s.median - c.median) < 1e-9 * c.median);
    assert.ok(Math.abs(s.scale - c.scale) < 1e-4 * c.scale, `${s.scale} vs ${c.scale}`); // scipy's 1/Φ⁻¹(3/4) = 1.482602…
  }
});

const frame = new Frame([
  { kind: 'numeric', name: 'amount', values: Float64Array.from([10, 11, 12, 13, 14, 500, Number.NaN, 12]) },
  { kind: 'numeric', name: 'hour', values: Float64Array.from([12, 12, 12, 12, 12, 12, 12, 3]) },
  { kind: 'numeric', name: 'constant', values: Float64Array.from([1, 1, 1, 1, 1, 1, 1, 1]) },
  { kind: 'categorical', name: 'merchant', values: ['a', 'a', 'a', 'a', 'a', 'a', 'a', 'a'] },
]);

test('the baseline score is the largest |robust z|; MAD = 0 falls back to the mean absolute deviation; constants and missing values score 0', () => {
  const model = fitRobustZ(frame);
  assert.deepEqual(model.numeric.map((s) => s.column), ['amount', 'hour']);
  const hour = model.numeric[1]!;
  assert.equal(hour.median, 12);
  assert.ok(Math.abs(hour.scale - 1.2533 * (9 / 8)) < 1e-12); // MAD is 0: 1.2533 × mean |x − 12|
  const scores = robustZScores(model, frame);
  const amount = model.numeric[0]!;
  assert.ok(Math.abs(scores[5]! - (500 - amount.median) / amount.scale) < 1e-12);
  assert.ok(Math.abs(scores[7]! - 9 / hour.scale) < 1e-12);
  assert.equal(scores[6], 0);
  // the naive definition: the largest |z| over columns, row by row
  for (let i = 0; i < frame.nRows; i++) {
    const zs = model.numeric.map((s) => {
      const v = (frame.get(s.column)!.values as Float64Array)[i]!;
      return Number.isNaN(v) ? 0 : Math.abs(v - s.median) / s.scale;
    });
    assert.ok(Math.abs(scores[i]! - Math.max(0, ...zs)) < 1e-12);
  }
});

test('reasons name the outlying columns in their own units, and rare or unseen categories', () => {
  const model = fitRobustZ(frame);
  const [reason] = anomalyReasons(model, frame, 5);
  assert.equal(reason!.column, 'amount');
  assert.match(reason!.words, /^amount 500 is far above the usual 12 \(robust z \d+\.\d\)$/);
  const unseen = new Frame(frame.columns.map((c) => (c.kind === 'categorical' ? { ...c, values: ['a', 'a', 'a', 'a', 'a', 'a', 'a', 'zz'] } : c)));
  const reasons = anomalyReasons(model, unseen, 7);
  assert.equal(reasons[0]!.words, 'merchant "zz" never appears in the training rows');
  assert.equal(reasons[1]!.column, 'hour');
  // an ordinary row: no column is extreme, the most unusual is still named
  const [ordinary] = anomalyReasons(model, frame, 1);
  assert.match(ordinary!.words, /^no single column is extreme/);
});

test('precision@k counts known anomalies among the k highest scores; detection metrics at the threshold', () => {
  const known = Uint8Array.from([0, 1, 0, 1, 0, 0]);
  const scores = Float64Array.from([0.1, 0.9, 0.8, 0.7, 0.2, 0.3]);
  assert.equal(precisionAtK(known, scores, 2), 0.5);
  assert.equal(precisionAtK(known, scores, 3), 2 / 3);
  const m = detectionMetrics(known, scores, Uint8Array.from([0, 1, 1, 0, 0, 0]));
  assert.equal(m.precision_at_k, 0.5);
  assert.equal(m.recall, 0.5);
  assert.equal(m.precision, 0.5);
  assert.equal(m.roc_auc, 7 / 8);
  assert.ok(Number.isNaN(precisionAtK(known, scores, 0)));
  assert.equal(quantile(Float64Array.from([1, 2, 3, 4, 5]), 0.9), 4.6); // numpy.percentile(…, 90)
});

test('known anomalies read 1/0, true/false, yes/no; anything else is a clear error', () => {
  assert.deepEqual(Array.from(knownAnomalies({ kind: 'numeric', name: 'y', values: Float64Array.from([0, 1, 0]) })), [0, 1, 0]);
  assert.deepEqual(Array.from(knownAnomalies({ kind: 'categorical', name: 'y', values: ['true', 'False', 'yes', 'normal'] })), [1, 0, 1, 0]);
  assert.throws(
    () => knownAnomalies({ kind: 'categorical', name: 'is_fraud', values: ['1', 'maybe', null] }),
    (err: unknown) => err instanceof KilnError && err.code === 'ANOMALY_LABEL_INVALID' && /is_fraud/.test(err.message) && /maybe/.test(err.message),
  );
});
