/**
 * Learning curves against training size and validation curves: how they are read (on constructed
 * curves, for metrics where higher and where lower is better), and computed end to end through
 * `kiln curves` on data where the right reading is known.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CurvePoint } from '../../src/evaluate/curves/curve-point.js';
import { readSizeCurve } from '../../src/evaluate/curves/size-curve.js';
import { readValidationCurve } from '../../src/evaluate/curves/validation-curve.js';
import { kiln, tempHome } from '../helpers/kiln-cli.js';

const point = (x: number | string, train: number, validation: number, std = 0.001): CurvePoint => ({
  x,
  train,
  validation,
  trainStd: std,
  validationStd: std,
  validationFolds: [validation - std, validation, validation + std],
});

test('a held-out score still climbing at full size means more data would help', () => {
  const r = readSizeCurve([point(100, 0.95, 0.7), point(200, 0.93, 0.75), point(400, 0.92, 0.8)], 'roc_auc');
  assert.equal(r.verdict, 'more-data-helps');
  assert.match(r.sentence, /still improved from 0\.75 to 0\.8/);
  // lower is better: an RMSE still falling is the same reading
  assert.equal(readSizeCurve([point(100, 1, 3), point(200, 1.1, 2.5), point(400, 1.2, 2)], 'rmse').verdict, 'more-data-helps');
  // the same mean gain, but up in some folds and down in others: noise, not a trend
  const noisy = (x: number, v: number, folds: number[]): CurvePoint => ({ x, train: 1, validation: v, trainStd: 0, validationStd: 0.05, validationFolds: folds });
  assert.notEqual(readSizeCurve([noisy(100, 0.55, [0.5, 0.6, 0.55]), noisy(200, 0.6, [0.62, 0.5, 0.68])], 'accuracy').verdict, 'more-data-helps');
});

test("a text module's curve is read the same way, its next steps about texts and n-grams rather than columns", () => {
  const climbing = readSizeCurve([point(200, 1, 0.8), point(400, 1, 0.85)], 'roc_auc', { subject: 'texts' });
  assert.equal(climbing.verdict, 'more-data-helps');
  assert.match(climbing.sentence, /training texts grew from 200 to 400/);
  assert.match(climbing.nextSteps[0] ?? '', /labelled texts/);
  const overfit = readSizeCurve([point(200, 1, 0.6), point(400, 1, 0.601)], 'accuracy', { subject: 'texts' });
  assert.equal(overfit.verdict, 'overfitting');
  assert.match(overfit.nextSteps.join(' '), /minDf/);
  assert.doesNotMatch(overfit.nextSteps.join(' '), /columns/);
  assert.match(readSizeCurve([point(200, 0.8, 0.79), point(400, 0.8, 0.79)], 'accuracy', { subject: 'texts' }).sentence, /more texts of the same kind/);
});

test('a wide gap that more rows no longer close is overfitting; flat and close is a plateau', () => {
  assert.equal(readSizeCurve([point(100, 1, 0.6), point(200, 1, 0.62), point(400, 1, 0.621)], 'accuracy').verdict, 'overfitting');
  assert.equal(readSizeCurve([point(100, 10, 30), point(200, 10, 29.99)], 'rmse').verdict, 'overfitting');
  // a model whose settings a search chose is not told to try simpler settings again
  const overfit = [point(100, 1, 0.6), point(200, 1, 0.62), point(400, 1, 0.621)];
  assert.match(readSizeCurve(overfit, 'accuracy').nextSteps.join(' '), /Simplify the model/);
  const searched = readSizeCurve(overfit, 'accuracy', { searched: true });
  assert.equal(searched.verdict, 'overfitting');
  assert.doesNotMatch(searched.nextSteps.join(' '), /Simplify the model/);
  assert.match(searched.nextSteps.join(' '), /already chosen by a search/);
  const plateau = readSizeCurve([point(100, 0.86, 0.84), point(200, 0.855, 0.85), point(400, 0.852, 0.851)], 'roc_auc');
  assert.equal(plateau.verdict, 'plateau');
  assert.ok(plateau.nextSteps.length > 0);
});

test('a validation curve names the best value, an edge when only the edge is best, and a range when values tie', () => {
  const inside = readValidationCurve([point(0.01, 0.7, 0.69), point(0.1, 0.85, 0.84), point(1, 0.95, 0.8)], 'C', 'roc_auc');
  assert.equal(inside.verdict, 'best-inside');
  assert.equal(inside.best, 0.1);
  const edge = readValidationCurve([point(1, 0.7, 0.6), point(2, 0.8, 0.7), point(4, 0.9, 0.8)], 'maxDepth', 'accuracy');
  assert.equal(edge.verdict, 'best-at-edge');
  assert.match(edge.sentence, /largest value tried, maxDepth = 4/);
  const lowerBetter = readValidationCurve([point(0.1, 5, 4), point(1, 6, 5), point(10, 7, 6)], 'alpha', 'rmse');
  assert.equal(lowerBetter.best, 0.1);
  assert.match(lowerBetter.nextSteps[0] ?? '', /smaller values of alpha/);
  const ties = readValidationCurve([point(0.1, 0.85, 0.8), point(1, 0.86, 0.851), point(10, 0.86, 0.852)], 'C', 'roc_auc');
  assert.equal(ties.verdict, 'best-inside');
  assert.match(ties.sentence, /from 1 to 10 gives about the same/);
});

test('kiln curves: an unlimited tree on pure noise overfits, and the validation curve of its depth says where to stop', async () => {
  const dir = tempHome('kiln-curves-');
  const lines = ['a,b,c,label'];
  let state = 7;
  const rand = () => ((state = (Math.imul(state, 1103515245) + 12345) >>> 0) / 2 ** 32);
  for (let i = 0; i < 400; i++) lines.push(`${rand().toFixed(4)},${rand().toFixed(4)},${rand().toFixed(4)},${rand() < 0.5 ? 1 : 0}`);
  writeFileSync(join(dir, 'noise.csv'), lines.join('\n') + '\n');
  const html = join(dir, 'curves.html');
  const r = await kiln([
    'curves', '--data', join(dir, 'noise.csv'), '--target', 'label', '--learner', 'decision-tree', '--metric', 'accuracy',
    '--curve-param', 'maxDepth', '--values', '1,3,30', '--sizes', '0.5,1', '--html', html, '--json', '--home', dir,
  ]);
  assert.equal(r.code, 0, r.stderr);
  const doc = JSON.parse(r.stdout);
  assert.equal(doc.size.points.length, 2);
  assert.equal(doc.size.reading.verdict, 'overfitting');
  assert.ok(doc.size.points[1].train > 0.95 && doc.size.points[1].validation < 0.65, JSON.stringify(doc.size.points));
  assert.equal(doc.validation.points.length, 3);
  assert.equal(doc.protocol, 'stratified');
  assert.ok(existsSync(html) && /<svg/.test(readFileSync(html, 'utf8')));

  const bad = await kiln(['curves', '--data', join(dir, 'noise.csv'), '--target', 'label', '--curve-param', 'C', '--home', dir]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--curve-param NAME and --values/);
});

test('kiln curves --model: the curve of a registered version, in words and as JSON; and not together with a spec', async () => {
  const dir = tempHome('kiln-curves-model-');
  const spec = fileURLToPath(new URL('../../examples/titanic/kiln.yaml', import.meta.url));
  const trained = await kiln(['train', spec, '--home', dir, '--json']);
  assert.equal(trained.code, 0, trained.stderr);
  const r = await kiln(['curves', '--model', 'titanic:1', '--sizes', '0.5,1', '--json', '--home', dir]);
  assert.equal(r.code, 0, r.stderr);
  const doc = JSON.parse(r.stdout);
  assert.equal(doc.model, 'titanic');
  assert.equal(doc.version, 1);
  assert.equal(doc.learner, 'logistic-regression');
  assert.equal(doc.trainingRows, 712);
  assert.deepEqual(doc.size.points.map((p: { x: number }) => p.x), [285, 569]);
  const words = await kiln(['curves', '--model', 'titanic', '--sizes', '0.5,1', '--home', dir]);
  assert.equal(words.code, 0, words.stderr);
  assert.match(words.stderr, /^titanic:1: logistic-regression on 712 training rows, 5-fold cross-validation/m);
  const accuracy = await kiln(['curves', '--model', 'titanic', '--sizes', '1', '--metric', 'accuracy', '--json', '--home', dir]);
  assert.equal(JSON.parse(accuracy.stdout).metric, 'accuracy', accuracy.stderr);

  const both = await kiln(['curves', spec, '--model', 'titanic', '--home', dir]);
  assert.equal(both.code, 2);
  assert.match(both.stderr, /give either --model REF or a spec/);
});

test('kiln curves on a text-classify spec and version: the curve of training texts, in words about texts', async () => {
  const dir = tempHome('kiln-curves-text-');
  const sentiment = fileURLToPath(new URL('../../examples/sentiment/sentiment.csv', import.meta.url));
  writeFileSync(join(dir, 'reviews.csv'), readFileSync(sentiment, 'utf8').split('\n').slice(0, 901).join('\n') + '\n');
  const spec = join(dir, 'kiln.yaml');
  writeFileSync(spec, ['name: reviews', 'task: text-classify', 'data: reviews.csv', 'text: sentence', 'target: label', 'learner: logistic-regression', 'params: {C: 10, wordNgrams: [1, 2], charNgrams: null}', ''].join('\n'));
  const html = join(dir, 'curves.html');
  const r = await kiln(['curves', spec, '--sizes', '0.5,1', '--curve-param', 'C', '--values', '0.1,10', '--html', html, '--json', '--home', dir]);
  assert.equal(r.code, 0, r.stderr);
  const doc = JSON.parse(r.stdout);
  assert.equal(doc.task, 'text-classify');
  assert.equal(doc.trainingRows, 720);
  assert.deepEqual(doc.size.points.map((p: { x: number }) => p.x), [288, 576]);
  assert.deepEqual(doc.validation.points.map((p: { x: number }) => p.x), [0.1, 10]);
  assert.match(readFileSync(html, 'utf8'), /Learning curve: more texts/);

  assert.equal((await kiln(['train', spec, '--home', dir, '--json'])).code, 0);
  // (its report names the module and the configuration it settled on, each under its own key)
  const report = JSON.parse((await kiln(['report', 'reviews', '--json', '--home', dir])).stdout) as { model: string; configuration: string };
  assert.equal(report.model, 'reviews');
  assert.match(report.configuration, /^word 1-2-grams .* → logistic regression C=10$/);
  const words = await kiln(['curves', '--model', 'reviews', '--sizes', '0.5,1', '--home', dir]);
  assert.equal(words.code, 0, words.stderr);
  assert.match(words.stderr, /^reviews:1: logistic-regression on 720 training texts, 5-fold cross-validation \(stratified\), roc_auc:/m);
  assert.match(words.stderr, /^ {2}texts {5}training {3}held out$/m);
  assert.match(words.stderr, /texts/);
});
