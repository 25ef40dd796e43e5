/** Pricing a yes/no model's held-out decision counts: the best cut-off for given payoffs, in words. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KilnError } from '../../src/core/errors.js';
import { parsePayoffs, priceThresholds } from '../../src/evaluate/business/price-thresholds.js';
import { thresholdTable } from '../../src/evaluate/business/threshold.js';

const positive = Uint8Array.from([1, 1, 1, 0, 0, 0, 0, 0, 1, 0]);
const p1 = Float64Array.from([0.9, 0.6, 0.3, 0.35, 0.2, 0.1, 0.05, 0.45, 0.25, 0.8]);

test('priced counts agree with pricing the probabilities directly, and the best cut-off is named', () => {
  const payoffs = { truePositive: 100, falsePositive: -20, falseNegative: -100, trueNegative: 0 };
  const direct = thresholdTable(positive, p1, payoffs);
  const counts = thresholdTable(positive, p1, { truePositive: 0, falsePositive: 0, falseNegative: 0, trueNegative: 0 }).map(({ valuePer1000: _, ...c }) => c);
  const advice = priceThresholds(counts, payoffs, 'churn');
  advice.rows.forEach((r, i) => assert.ok(Math.abs(r.valuePer1000 - (direct[i]?.valuePer1000 ?? NaN)) < 1e-9));
  // missing a churner costs 5× a false alarm: the best cut-off catches all four (the lowest at 0.25)
  assert.equal(advice.best.truePositives, 4);
  assert.ok(advice.best.threshold <= 0.25 && advice.best.threshold > 0.2);
  assert.match(advice.sentence, /Answer "churn" when its probability is at least 0\.2\d/);
  assert.match(advice.sentence, /more than deciding at 0\.50/);
});

test('payoffs are read from tp=,fp=,fn=,tn= and anything else is refused with a coded error', () => {
  assert.deepEqual(parsePayoffs('tp=10, fp=-2.5,fn=-8'), { truePositive: 10, falsePositive: -2.5, falseNegative: -8, trueNegative: 0 });
  assert.throws(() => parsePayoffs('tp=1,profit=3'), (err: unknown) => err instanceof KilnError && err.code === 'INVALID_PARAMS' && /profit=3/.test(err.message));
});

test('kiln report --payoffs proposes a cut-off for a trained yes/no model, from the counts its report keeps', async () => {
  const { join } = await import('node:path');
  const { readFileSync } = await import('node:fs');
  const { kiln, tempHome } = await import('../helpers/kiln-cli.js');
  const home = tempHome();
  const spec = join(import.meta.dirname, '..', '..', 'examples', 'titanic', 'kiln.yaml');
  assert.equal((await kiln(['train', spec, '--home', home])).code, 0);
  const html = join(home, 'r.html');
  const r = await kiln(['report', 'titanic', '--payoffs', 'tp=100,fp=-20,fn=-100,tn=0', '--html', html, '--json', '--home', home]);
  assert.equal(r.code, 0, r.stderr);
  const doc = JSON.parse(r.stdout);
  assert.equal(doc.charts.thresholds.rows.length, 101);
  const first = doc.charts.thresholds.rows[0];
  assert.equal(first.truePositives + first.falsePositives + first.falseNegatives + first.trueNegatives, 179);
  assert.ok(doc.threshold_advice.best.threshold < 0.5, JSON.stringify(doc.threshold_advice.best));
  assert.match(readFileSync(html, 'utf8'), /Where to draw the line/);
});
