/**
 * Augmentation for text modules (spec `augment` on text-classify): messier copies of the training texts,
 * each with its text's class, fitted on together with the texts — and recorded wherever the tabular
 * augmentation is (run params, manifest, train JSON, summary). Not offered with sentence embeddings.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { KilnError } from '../../../src/core/errors.js';
import { augmentTexts, describeTextAugmentation } from '../../../src/features/augment-texts.js';
import { loadModule } from '../../../src/modules/load-module.js';
import { validateSpec } from '../../../src/modules/spec.js';
import type { TrainEvent } from '../../../src/modules/train-events.js';
import { trainModule } from '../../../src/modules/train-module.js';
import { openHome } from '../../../src/store/open-store.js';
import { tempHome } from '../../helpers/kiln-cli.js';

const DATA = join(import.meta.dirname, '..', '..', '..', 'examples', 'sentiment', 'sentiment.csv');
const words = (t: string | null) => (t ?? '').match(/\p{L}[\p{L}']*/gu) ?? [];

test('messier copies keep their text\'s class, come after the texts, and only lose or reorder letters of words', () => {
  const texts = ['The food was great and the staff friendly', 'Terrible service, we waited an hour', null];
  const y = Int32Array.from([1, 0, 1]);
  const out = augmentTexts(texts, y, { copies: 2, jitter: 0.1, swap: 0.5, missing: 0.3 }, 7);
  assert.equal(out.texts.length, 9);
  assert.deepEqual(out.texts.slice(0, 3), texts);
  assert.deepEqual(Array.from(out.y), [1, 0, 1, 1, 0, 1, 1, 0, 1]);
  for (let i = 3; i < 9; i++) {
    const original = texts[i % 3] ?? null;
    if (original === null) {
      assert.equal(out.texts[i], null);
      continue;
    }
    const copy = words(out.texts[i] ?? null);
    assert.ok(copy.length <= words(original).length);
    assert.ok(copy.every((w) => words(original).some((o) => [...o].sort().join('') === [...w].sort().join(''))), `${out.texts[i]}`);
  }
  assert.notDeepEqual(out.texts.slice(3, 5), texts.slice(0, 2), 'at these shares the copies differ');
  assert.match(describeTextAugmentation({ copies: 2, jitter: 0.1, swap: 0.1, missing: 0.1 }), /^2 messier copies of every training text \(a typing slip in 10% of the words, 10% of the words left out\)$/);
});

test('a text module trained with augment fits on its texts and their copies, and says so everywhere', async () => {
  const home = await openHome(tempHome());
  try {
    const notes: string[] = [];
    const spec = validateSpec(
      { name: 'sentiment', task: 'text-classify', data: DATA, target: 'label', learner: 'logistic-regression', params: { C: 10, wordNgrams: [1, 2], charNgrams: null }, augment: { copies: 1 } },
      null,
      '/',
    );
    const result = await trainModule(spec, { ...home, onEvent: (e: TrainEvent) => e.type === 'note' && notes.push(e.message) });
    assert.deepEqual(result.rows, { train: 2400, test: 600 });
    assert.deepEqual(result.details['augment'], { copies: 1, swap: 0.1, missing: 0.1, fitted_rows: 4800 });
    assert.ok(result.summary.includes('fitted on 2400 training texts and 2400 messier copies of them'), result.summary.join('\n'));
    assert.ok(notes.some((n) => n.startsWith('augmenting: 1 messier copy of every training text')), notes.join('\n'));
    assert.ok(result.metrics.test['roc_auc']! > 0.88, `roc_auc ${result.metrics.test['roc_auc']}`);
    const run = await home.store.getRun(result.runId);
    assert.equal(run.params['augment_copies'], 1);
    const { manifest } = await loadModule(await home.store.getVersion('sentiment', result.version), home.artifacts);
    assert.deepEqual(manifest.augment, { copies: 1, jitter: 0.1, swap: 0.1, missing: 0.1 });
    // training metrics describe the clean training texts
    assert.ok(result.metrics.train['accuracy']! > result.metrics.test['accuracy']!);

    const embeddings = validateSpec({ name: 'emb', task: 'text-classify', data: DATA, target: 'label', params: { embeddings: '/no/such/model' }, augment: true }, null, '/');
    await assert.rejects(trainModule(embeddings, home), (err: unknown) => err instanceof KilnError && err.code === 'INVALID_PARAMS' && /augment apply to TF-IDF features, not to sentence embeddings/.test(err.message));
  } finally {
    await home.store.close();
  }
});
