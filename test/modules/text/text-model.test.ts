/**
 * The parts of text-classify against their references: sparse TF-IDF against the dense vectorizer,
 * sparse logistic regression and naive Bayes against the dense learners (the naive reference), the
 * word + character graph against the in-process model, and the explanations adding up.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createMatrix, type Matrix } from '../../../src/core/matrix.js';
import { TfidfVectorizer } from '../../../src/features/tfidf.js';
import { multinomialNb } from '../../../src/learners/bayes/multinomial-nb.js';
import { logisticRegression } from '../../../src/learners/linear/logistic-regression.js';
import { openSession, ort } from '../../../src/onnx/session.js';
import { explainTexts, indicativeTerms } from '../../../src/modules/text/explain-text.js';
import { linearTextModel, textProbabilities } from '../../../src/modules/text/linear-text-model.js';
import { fitSparseLogistic } from '../../../src/modules/text/sparse-logistic.js';
import { fitSparseNaiveBayes } from '../../../src/modules/text/sparse-naive-bayes.js';
import type { SparseRows } from '../../../src/modules/text/sparse-rows.js';
import { TextFeatures, DEFAULT_TEXT_FEATURES } from '../../../src/modules/text/text-features.js';
import { buildTextGraph } from '../../../src/modules/text/text-graph.js';
import { candidateConfigs, fitTextModel, parseTextParams } from '../../../src/modules/text/text-model.js';
import { isKilnError } from '../../../src/core/errors.js';

const TEXTS = [
  'Great phone, works great and the battery lasts',
  'Terrible service, the food was cold',
  'I loved the acting, a wonderful film',
  'Boring plot and bad acting',
  'The best burger in town!',
  'Never again: rude staff, awful wait',
  'Excellent value, highly recommended',
  'It broke after a week. Poor quality.',
  'Ça marche très bien — génial',
  'not good, not bad',
  'Wonderful wonderful wonderful',
  'worst purchase ever',
];
const BINARY = Int32Array.from([1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0]);
const THREE = Int32Array.from([0, 1, 2, 2, 1, 1, 0, 0, 0, 1, 2, 0]);

function dense(X: SparseRows): Matrix {
  const m = createMatrix(X.rows, X.cols);
  for (let i = 0; i < X.rows; i++) for (let p = X.indptr[i] as number; p < (X.indptr[i + 1] as number); p++) m.data[i * X.cols + (X.indices[p] as number)] = X.values[p] as number;
  return m;
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs((a[i] as number) - (b[i] as number)));
  return worst;
}

const UNION = { ...DEFAULT_TEXT_FEATURES, wordNgrams: [1, 2] as const, charNgrams: [2, 4] as const };

describe('text features', () => {
  test('the word + character union is the two dense TF-IDF blocks side by side', () => {
    const features = TextFeatures.fit('review', TEXTS, UNION);
    const X = features.transform(TEXTS);
    const options = { minDf: UNION.minDf, maxFeatures: UNION.maxFeatures, sublinearTf: true, norm: 'l2' as const };
    const word = TfidfVectorizer.fit('review', TEXTS, { ...options, analyzer: 'word', ngramRange: [1, 2] });
    const char = TfidfVectorizer.fit('review', TEXTS, { ...options, analyzer: 'char', ngramRange: [2, 4] });
    assert.equal(X.cols, word.width + char.width);
    const expected = createMatrix(TEXTS.length, X.cols);
    word.transformInto(TEXTS, expected, 0);
    char.transformInto(TEXTS, expected, word.width);
    assert.equal(maxAbsDiff(dense(X).data, expected.data), 0);
    assert.deepEqual(features.terms().slice(0, 3).map((t) => t.kind), ['word', 'word', 'word']);
    assert.equal(features.terms().at(-1)?.kind, 'char');
  });
});

describe('sparse learners against the dense ones', () => {
  const features = TextFeatures.fit('review', TEXTS, UNION);
  const X = features.transform(TEXTS);

  for (const [what, y, k] of [['binary', BINARY, 2], ['three classes', THREE, 3]] as const) {
    test(`logistic regression (${what}): the same optimum as the dense learner`, async () => {
      const sparse = await fitSparseLogistic(X, y, k, { C: 10, tol: 1e-9 });
      const reference = await logisticRegression.fit(dense(X), y, k, { C: 10, tol: 1e-9 });
      assert.ok(maxAbsDiff(textProbabilities(linearTextModel(sparse), X), reference.predictProba(dense(X)).data) < 1e-6);
      assert.ok(maxAbsDiff(sparse.predictProba(dense(X)).data, reference.predictProba(dense(X)).data) < 1e-6);
    });

    test(`multinomial naive Bayes (${what}): exactly the dense learner`, async () => {
      const sparse = fitSparseNaiveBayes(X, y, k, 0.5);
      const reference = await multinomialNb.fit(dense(X), y, k, { alpha: 0.5 });
      assert.ok(maxAbsDiff(sparse.featureLogProb.data, reference.featureLogProb.data) < 1e-12);
      assert.ok(maxAbsDiff(textProbabilities(linearTextModel(sparse), X), reference.predictProba(dense(X)).data) < 1e-12);
    });
  }
});

describe('the one ONNX graph', () => {
  for (const learner of ['logistic-regression', 'multinomial-nb'] as const) {
    test(`text in, probabilities of ${learner} out, within 1e-5 — unseen words, empty and accented texts included`, async () => {
      const classes = ['amazon', 'imdb', 'yelp'];
      const fitted = await fitTextModel('review', TEXTS, THREE, 3, { features: UNION, learner, C: 10, alpha: 0.5 });
      const probe = [...TEXTS, '', 'zzz qqq', 'GREAT!!! Génial', 'İstanbul ΣΊΣΥΦΟΣ'];
      const expected = textProbabilities(fitted.model, fitted.features.transform(probe));
      const session = await openSession(buildTextGraph('reviews', fitted.features, fitted.model.predictor, classes));
      try {
        const out = await session.run({ review: new ort.Tensor('string', probe, [probe.length, 1]) });
        assert.ok(maxAbsDiff(out['probabilities']!.data as Float32Array, expected) <= 1e-5);
        const labels = out['label']!.data as string[];
        probe.forEach((_, i) => {
          const row = expected.subarray(3 * i, 3 * i + 3);
          assert.equal(labels[i], classes[row.indexOf(Math.max(...row))]);
        });
      } finally {
        await session.release();
      }
    });
  }
});

describe('the words that drove each prediction', () => {
  test('base + Σ contributions is the log-odds of the predicted class; positive terms push towards it', async () => {
    const fitted = await fitTextModel('review', TEXTS, BINARY, 2, { features: { ...DEFAULT_TEXT_FEATURES, wordNgrams: [1, 1] }, learner: 'logistic-regression', C: 10, alpha: 1 });
    const probe = ['wonderful acting, great value', 'awful and boring'];
    const [pos, neg] = explainTexts(fitted.features, fitted.model, [0, 1], probe, 10);
    for (const e of [pos!, neg!]) {
      const logOdds = Math.log(e.probability / (1 - e.probability));
      const total = [...e.towards, ...e.against].reduce((sum, c) => sum + c.contribution, e.base);
      assert.ok(Math.abs(e.score - logOdds) < 1e-9 && Math.abs(total - e.score) < 1e-9, JSON.stringify(e));
    }
    assert.equal(pos!.outcome, 1);
    assert.ok(pos!.towards.some((t) => t.term === 'wonderful'));
    assert.equal(neg!.outcome, 0);
    assert.ok(neg!.towards.some((t) => t.term === 'awful' || t.term === 'boring'));
    const [classZero, classOne] = indicativeTerms(fitted.features, fitted.model, [0, 1], 5);
    // two classes: class 0's evidence is the negated coefficient, so the two lists never share a term
    assert.ok(classOne!.terms[0]!.evidence > 0 && classZero!.terms[0]!.evidence > 0);
    assert.ok(classZero!.terms.every((t) => !classOne!.terms.some((u) => u.term === t.term)));
    assert.ok(classZero!.terms.some((t) => ['terrible', 'bad', 'awful', 'worst', 'not', 'poor', 'boring'].includes(t.term)), JSON.stringify(classZero));
  });
});

describe('choosing configurations', () => {
  test('auto tries word and word + character features with both learners; a named learner or knob narrows it', () => {
    const auto = candidateConfigs(undefined, parseTextParams({}));
    assert.equal(auto.length, 8);
    assert.deepEqual([...new Set(auto.map((c) => c.learner))], ['logistic-regression', 'multinomial-nb']);
    const nb = candidateConfigs('multinomial-nb', parseTextParams({ alpha: 0.3, charNgrams: null }));
    assert.deepEqual(nb.map((c) => [c.learner, c.alpha, c.features.charNgrams]), [['multinomial-nb', 0.3, null]]);
    assert.throws(() => candidateConfigs('random-forest', parseTextParams({})), (e) => isKilnError(e, 'UNKNOWN_LEARNER'));
    assert.throws(() => parseTextParams({ wordNgrams: [2, 1] }), (e) => isKilnError(e, 'INVALID_PARAMS'));
    assert.throws(() => parseTextParams({ ngrams: [1, 2] }), (e) => isKilnError(e, 'INVALID_PARAMS'));
  });
});
