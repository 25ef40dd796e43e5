/**
 * The text-classify trainer's choices and refusals: several classes with text labels, the text column
 * found or asked for, and targets it cannot learn.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isKilnError } from '../../../src/core/errors.js';
import { loadModule } from '../../../src/modules/load-module.js';
import { scoreFrame } from '../../../src/modules/score-table.js';
import { Frame } from '../../../src/core/frame.js';
import { validateSpec } from '../../../src/modules/spec.js';
import { trainModule } from '../../../src/modules/train-module.js';
import { trainJson } from '../../../src/cli/train.js';
import { openHome, type KilnHome } from '../../../src/store/open-store.js';
import { tempHome } from '../../helpers/kiln-cli.js';

const DATA = join(import.meta.dirname, '..', '..', '..', 'examples', 'sentiment', 'sentiment.csv');

describe('the text-classify trainer', () => {
  const dir = tempHome('kiln-text-data-');
  let home: KilnHome;
  before(async () => {
    home = await openHome(tempHome());
  });
  after(async () => home.store.close());

  const spec = (fields: Record<string, unknown>) => validateSpec({ name: 'reviews', task: 'text-classify', data: DATA, ...fields }, null, dir);

  test('several classes with text labels: which site a sentence comes from, served with string labels', async () => {
    const result = await trainModule(spec({ target: 'source', learner: 'multinomial-nb', params: { alpha: 0.5, charNgrams: null } }), home);
    assert.equal(result.details['text'], 'sentence');
    assert.deepEqual(result.details['classes'], ['amazon', 'imdb', 'yelp']);
    // `kiln train --json` and a job's result name the module, and the configuration beside it (its
    // description once overwrote the module's name there)
    const json = trainJson(result);
    assert.equal(json['model'], 'reviews');
    assert.match(String(json['configuration']), /multinomial naive Bayes|naive bayes/i);
    // three balanced sources: chance is a third
    assert.ok(result.metrics.test['accuracy']! > 0.7, `accuracy ${result.metrics.test['accuracy']}`);
    const { manifest, onnx } = await loadModule(await home.store.getVersion('reviews', result.version), home.artifacts);
    assert.deepEqual(manifest.signature.outputs.map((o) => `${o.name}:${o.datatype}:${o.shape.join(',')}`), ['label:BYTES:-1,1', 'probabilities:FP32:-1,3']);
    const scores = await scoreFrame({ manifest, onnx }, new Frame([{ kind: 'categorical', name: 'sentence', values: ['The battery died and the headset broke', 'The director and the cast'] }]));
    assert.deepEqual(scores.columns['label'], ['amazon', 'imdb']);
  });

  test('a separate test table is appended as the held-out part, as for tables; one without the text column is refused', async () => {
    const words = (i: number) => (i % 2 === 0 ? `a lovely great film number ${i}` : `a dull awful film number ${i}`);
    writeFileSync(join(dir, 'fit.csv'), ['review,label', ...Array.from({ length: 40 }, (_, i) => `${words(i)},${i % 2 === 0 ? 'good' : 'bad'}`)].join('\n'));
    // its columns in another order, with one more: the training columns are what counts
    writeFileSync(join(dir, 'check.csv'), ['label,review,note', ...Array.from({ length: 10 }, (_, i) => `${i % 2 === 0 ? 'good' : 'bad'},${words(i + 100)},n${i}`)].join('\n'));
    writeFileSync(join(dir, 'labels-only.csv'), 'label\ngood\n');
    const fields = { name: 'split-reviews', task: 'text-classify', data: 'fit.csv', target: 'label', learner: 'multinomial-nb', params: { charNgrams: null } };
    const result = await trainModule(validateSpec({ ...fields, testData: 'check.csv' }, null, dir), home);
    assert.deepEqual(result.rows, { train: 40, test: 10 });
    assert.equal(result.metrics.test['accuracy'], 1);
    await assert.rejects(
      trainModule(validateSpec({ ...fields, testData: 'labels-only.csv' }, null, dir), home),
      (e) => isKilnError(e, 'COLUMN_NOT_FOUND') && /no column "review" .*labels-only\.csv, which needs every column/.test(e.message),
    );
  });

  test('the text column must be named when none or several columns read as free text', async () => {
    const file = join(dir, 'two-texts.csv');
    const rows = ['title,body,label'];
    for (let i = 0; i < 40; i++) rows.push(`title number ${i} here,the body of review ${i} goes on,${i % 2}`);
    writeFileSync(file, rows.join('\n'));
    await assert.rejects(
      trainModule(validateSpec({ name: 'two', task: 'text-classify', data: file, target: 'label' }, null, dir), home),
      (e) => isKilnError(e, 'INVALID_SPEC') && /2 columns read as free text \(title, body\)/.test(e.message),
    );
    await assert.rejects(trainModule(spec({ target: 'label', text: 'sentense' }), home), (e) => isKilnError(e, 'COLUMN_NOT_FOUND') && /sentense/.test(e.message));
    await assert.rejects(trainModule(spec({ target: 'label', text: 'label' }), home), (e) => isKilnError(e, 'INVALID_SPEC') && /also the target/.test(e.message));
  });

  test('a target of fractional numbers, an unknown learner and a missing target are refused before a run starts', async () => {
    const file = join(dir, 'scores.csv');
    const rows = ['review,score'];
    for (let i = 0; i < 30; i++) rows.push(`a review with some words number ${i},${(i / 7).toFixed(3)}`);
    writeFileSync(file, rows.join('\n'));
    const runsBefore = (await home.store.listRuns()).length;
    await assert.rejects(
      trainModule(validateSpec({ name: 'scores', task: 'text-classify', data: file, target: 'score' }, null, dir), home),
      (e) => isKilnError(e, 'UNSUPPORTED_TASK') && /fractional/.test(e.message),
    );
    await assert.rejects(trainModule(spec({ target: 'label', learner: 'gbdt' }), home), (e) => isKilnError(e, 'UNKNOWN_LEARNER') && /multinomial-nb/.test(e.hint ?? ''));
    assert.throws(() => spec({}), (e) => isKilnError(e, 'INVALID_SPEC') && /target: required for task "text-classify"/.test(e.message));
    assert.equal((await home.store.listRuns()).length, runsBefore);
  });
});
