/**
 * Kiln's text classification against scikit-learn's numbers on the same folds: TfidfVectorizer() +
 * LogisticRegression() over the 3,000 review sentences of examples/sentiment, 5-fold accuracy. The
 * fixture (folds and scikit-learn's accuracies) is written by
 * `node --import tsx bench/modules/sentiment.ts --fixture` (through bench/modules/sentiment_peer.py).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readTable } from '../../../src/data/sources/read-table.js';
import { stratifiedKFold } from '../../../src/data/splits/k-fold.js';
import { fitTextModel, predictText, type TextModelConfig } from '../../../src/modules/text/text-model.js';

const DATA = join(import.meta.dirname, '..', '..', '..', 'examples', 'sentiment', 'sentiment.csv');
const fixture = JSON.parse(readFileSync(join(import.meta.dirname, 'fixtures', 'sentiment-sklearn.json'), 'utf8')) as {
  fold: number[];
  cv_accuracy: number;
  per_fold: number[];
};

/** scikit-learn's defaults: word unigrams (≥ 2 word characters), raw counts, smooth idf, l2 rows, C=1. */
const SKLEARN_DEFAULT: TextModelConfig = {
  features: { wordNgrams: [1, 1], charNgrams: null, minDf: 1, maxFeatures: 200_000, sublinearTf: false },
  learner: 'logistic-regression',
  C: 1,
  alpha: 1,
};

test('5-fold accuracy on the sentiment sentences is within 1 point of scikit-learn on the same folds', async () => {
  const frame = (await readTable(DATA)).frame;
  const texts = frame.get('sentence')!.values as (string | null)[];
  const y = Int32Array.from(frame.get('label')!.values as Float64Array);
  assert.equal(fixture.fold.length, y.length);
  // the fixture's folds are Kiln's own stratified folds (seed 42), written by the benchmark
  const folds = stratifiedKFold(y, 2, 5, { seed: 42 });
  folds.forEach((f, k) => assert.ok(Array.from(f.test).every((i) => fixture.fold[i] === k), `fold ${k}`));

  const perFold: number[] = [];
  for (let k = 0; k < 5; k++) {
    const train = fixture.fold.flatMap((f, i) => (f === k ? [] : [i]));
    const test = fixture.fold.flatMap((f, i) => (f === k ? [i] : []));
    const fitted = await fitTextModel('sentence', train.map((i) => texts[i] ?? null), Int32Array.from(train, (i) => y[i] as number), 2, SKLEARN_DEFAULT);
    const proba = predictText(fitted, test.map((i) => texts[i] ?? null));
    perFold.push(test.filter((i, r) => ((proba[2 * r + 1] as number) > (proba[2 * r] as number) ? 1 : 0) === y[i]).length / test.length);
  }
  const accuracy = perFold.reduce((a, b) => a + b, 0) / perFold.length;
  assert.ok(Math.abs(accuracy - fixture.cv_accuracy) <= 0.01, `Kiln ${accuracy} vs scikit-learn ${fixture.cv_accuracy}`);
  // fold by fold too, within 2 points (120 … 600 rows per fold)
  perFold.forEach((a, k) => assert.ok(Math.abs(a - (fixture.per_fold[k] as number)) <= 0.02, `fold ${k}: ${a} vs ${fixture.per_fold[k]}`));
});
