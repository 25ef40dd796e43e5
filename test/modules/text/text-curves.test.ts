/**
 * "Would more rows help?" for text-classify modules (text-curves.ts): the learning curve against the
 * number of training texts on the example reviews, featurised inside each fold as training does; a
 * registered version's curve is its spec's curve with the configuration training settled on; a
 * validation curve of C; augmentation inside the folds; and sentence-embedding modules.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isKilnError } from '../../../src/core/errors.js';
import { validateSpec } from '../../../src/modules/spec.js';
import { versionCurves, versionCurvesInput } from '../../../src/modules/tabular/version-curves.js';
import { textCurves } from '../../../src/modules/text/text-curves.js';
import { trainModule } from '../../../src/modules/train-module.js';
import { openHome, type KilnHome } from '../../../src/store/open-store.js';
import { tempHome } from '../../helpers/kiln-cli.js';
import { writeTinyModel } from './tiny-embedder.js';

const sentiment = fileURLToPath(new URL('../../../examples/sentiment/sentiment.csv', import.meta.url));
/** Word n-grams only, the learner and C named: one configuration, so no cross-validated choice first. */
const wordsSpec = {
  name: 'reviews',
  task: 'text-classify',
  data: sentiment,
  target: 'label',
  text: 'sentence',
  seed: 42,
  learner: 'logistic-regression',
  params: { C: 10, wordNgrams: [1, 2], charNgrams: null },
};
const loaded = (raw: Record<string, unknown>) => validateSpec(raw, null, dirname(sentiment));

describe('the learning curve of a text-classify module', () => {
  const root = tempHome('kiln-text-curves-');
  let home: KilnHome;
  before(async () => {
    home = await openHome(root);
  });
  after(async () => {
    await home.store.close();
    rmSync(root, { recursive: true, force: true });
  });

  test('on 3,000 reviews: five nested sizes of the 2,400 training texts, the held-out AUC climbing, read in words about texts', async () => {
    const seen: number[] = [];
    const r = await textCurves(loaded(wordsSpec), { onPoint: (curve, point) => curve === 'size' && seen.push(Number(point.x)) });
    assert.equal(r.task, 'text-classify');
    assert.equal(r.learner, 'logistic-regression');
    assert.deepEqual({ C: r.params['C'], charNgrams: r.params['charNgrams'] }, { C: 10, charNgrams: null });
    assert.equal(r.metric, 'roc_auc');
    assert.equal(r.higherIsBetter, true);
    assert.equal(r.trainingRows, 2400); // 3,000 sentences, a fifth held out for the test
    assert.equal(r.folds, 5);
    assert.deepEqual(r.size.points.map((p) => p.x), [192, 624, 1056, 1488, 1920]); // shares of each fold's 1,920
    assert.deepEqual(seen, [192, 624, 1056, 1488, 1920], 'each point is reported as it is drawn');
    const held = r.size.points.map((p) => p.validation);
    for (let i = 1; i < held.length; i++) assert.ok((held[i] as number) > (held[i - 1] as number) - 0.01, `the held-out AUC does not fall: ${held.join(', ')}`);
    assert.ok((held[4] as number) - (held[0] as number) > 0.05, `ten times the texts read clearly better: ${held.join(', ')}`);
    assert.ok((held[4] as number) > 0.85 && (held[4] as number) < 0.97, `a real score on these reviews: ${held[4]}`);
    assert.ok(r.size.points.every((p) => p.train >= p.validation), 'the texts it learned from score at least as well');
    // the reading is the tables' (size-curve.ts), in words about texts
    assert.ok(['more-data-helps', 'overfitting', 'plateau'].includes(r.size.reading.verdict));
    assert.match(r.size.reading.sentence, /roc_auc/);
    assert.match(r.size.reading.sentence, /texts/);
    assert.doesNotMatch(r.size.reading.nextSteps.join(' '), /columns/, 'a text module has no columns to add or leave out');
  });

  test('a spec that leaves the choice open is settled first as training settles it, then refitted at every size', async () => {
    const { learner: _learner, params: _params, ...open } = wordsSpec;
    const r = await textCurves(loaded({ ...open, params: { wordNgrams: [1, 2], charNgrams: null } }), { fractions: [0.5, 1] });
    assert.ok(['logistic-regression', 'multinomial-nb'].includes(r.learner));
    assert.ok(r.params['C'] !== undefined || r.params['alpha'] !== undefined, 'the chosen strength is named');
    assert.equal(r.size.points.length, 2);
  });

  test("a registered version's curve is its spec's: the same texts, folds and model, refitted on the snapshot of its data", async () => {
    const trained = await trainModule(loaded(wordsSpec), home);
    const input = await versionCurvesInput(await home.store.getVersion('reviews', trained.version), home);
    assert.equal(input.spec.task, 'text-classify');
    assert.equal(input.spec.text, 'sentence');
    assert.equal(input.spec.learner, 'logistic-regression');
    assert.equal(input.searched, false);
    const fromVersion = await versionCurves(input, home.artifacts, { fractions: [0.3, 1] });
    const fromSpec = await textCurves(loaded(wordsSpec), { fractions: [0.3, 1] });
    assert.equal(fromVersion.version, trained.version);
    assert.deepEqual(fromVersion.size.points, fromSpec.size.points);
    assert.equal(fromVersion.size.reading.sentence, fromSpec.size.reading.sentence);
  });

  test('a searched version refits the configuration cross-validation chose, and its reading knows it was chosen', async () => {
    // 600 reviews: the eight candidates are cross-validated in a few seconds
    const small = join(root, 'reviews-600.csv');
    writeFileSync(small, readFileSync(sentiment, 'utf8').split('\n').slice(0, 601).join('\n'));
    const trained = await trainModule(validateSpec({ name: 'reviews-auto', task: 'text-classify', data: small, target: 'label', text: 'sentence' }, null, root), home);
    const input = await versionCurvesInput(await home.store.getVersion('reviews-auto', trained.version), home);
    assert.equal(input.searched, true);
    assert.equal(input.spec.learner, trained.learner);
    const settled = input.spec.params;
    assert.ok(Array.isArray(settled['wordNgrams']) && settled['charNgrams'] !== undefined, `the n-grams it settled on: ${JSON.stringify(settled)}`);
    assert.equal(settled['text'], undefined, 'the text column is the spec\'s `text`, not a parameter');
    const r = await versionCurves(input, home.artifacts, { fractions: [0.5, 1] });
    assert.equal(r.learner, trained.learner);
    assert.equal(r.trainingRows, 480);
  });

  test('augmentation happens inside the folds: sizes count distinct texts, the held-out texts are scored as they are', async () => {
    const small = join(root, 'reviews-900.csv');
    writeFileSync(small, readFileSync(sentiment, 'utf8').split('\n').slice(0, 901).join('\n'));
    const spec = { ...wordsSpec, data: small, name: 'reviews-augmented' };
    const plain = await textCurves(validateSpec(spec, null, root), { fractions: [0.5, 1] });
    const augmented = await textCurves(validateSpec({ ...spec, augment: { copies: 1 } }, null, root), { fractions: [0.5, 1] });
    assert.deepEqual(augmented.size.points.map((p) => p.x), plain.size.points.map((p) => p.x));
    assert.notDeepEqual(augmented.size.points.map((p) => p.validation), plain.size.points.map((p) => p.validation), 'the copies change the fits');
  });

  test('a validation curve of C, and settings that do not belong to the model are refused', async () => {
    const small = join(root, 'reviews-600b.csv');
    writeFileSync(small, readFileSync(sentiment, 'utf8').split('\n').slice(0, 601).join('\n'));
    const spec = validateSpec({ ...wordsSpec, data: small }, null, root);
    const r = await textCurves(spec, { fractions: [1], param: { name: 'C', values: [0.01, 1, 100] } });
    assert.deepEqual(r.validation?.points.map((p) => p.x), [0.01, 1, 100]);
    assert.ok([0.01, 1, 100].includes(r.validation?.best as number));
    await assert.rejects(textCurves(spec, { fractions: [1], param: { name: 'alpha', values: [1] } }), (e) => isKilnError(e, 'INVALID_PARAMS') && /its strength is C/.test(e.message));
    await assert.rejects(textCurves(spec, { fractions: [1], param: { name: 'maxDepth', values: [1] } }), (e) => isKilnError(e, 'INVALID_PARAMS') && /minDf/.test(e.message));
  });

  test('sentence embeddings: each text embedded once, the classifier refitted at each size; a version whose model folder is gone says so', async () => {
    const folder = join(root, 'tiny-bert');
    writeTinyModel(folder);
    const rows = ['sentence,label'];
    const subjects = ['the movie', 'the food', 'movie', 'food'];
    for (let i = 0; i < 80; i++) {
      const positive = i % 2 === 0;
      const word = positive ? (i % 4 === 0 ? 'good' : 'great') : i % 4 === 1 ? 'bad' : 'awful';
      rows.push(`${subjects[(i >> 1) % 4]} was ${word},${positive ? 'pos' : 'neg'}`);
    }
    const data = join(root, 'tiny.csv');
    writeFileSync(data, rows.join('\n'));
    const spec = validateSpec({ name: 'tiny', task: 'text-classify', data, target: 'label', text: 'sentence', params: { embeddings: folder, C: 10 } }, null, root);
    const r = await textCurves(spec, { fractions: [0.25, 1] });
    assert.equal(r.params['embeddings'], folder);
    assert.equal(r.size.points[1]?.validation, 1, 'the first coordinate of the embedding is the sentiment');

    const trained = await trainModule(spec, home);
    const version = await home.store.getVersion('tiny', trained.version);
    const input = await versionCurvesInput(version, home);
    assert.equal(input.spec.params['embeddings'], folder);
    assert.deepEqual((await versionCurves(input, home.artifacts, { fractions: [0.25, 1] })).size.points, r.size.points);
    renameSync(folder, `${folder}-moved`);
    await assert.rejects(
      versionCurvesInput(version, home),
      (e) => isKilnError(e, 'CURVES_UNAVAILABLE') && /no longer there/.test(e.message) && /put the model folder back/.test(e.hint ?? ''),
    );
  });
});
