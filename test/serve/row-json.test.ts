import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rowInputs, rowInputsJson, rowOutputJsonReader, rowOutputReader, type DecodedBatch, type ModelOutputs } from '../../src/serve/batch.js';
import type { LoadedModel } from '../../src/serve/loaded-model.js';
import type { HostTensor } from '../../src/serve/datatypes.js';

const tensor = (datatype: HostTensor['datatype'], shape: number[], data: HostTensor['data']): HostTensor => ({ datatype, shape, data });
const model = (manifest: { task: string; classes?: unknown[] } | undefined, outputs: string[]): LoadedModel =>
  ({ manifest, outputs: new Map(outputs.map((n) => [n, {}])) }) as unknown as LoadedModel;

/**
 * The text path must read back as the object path's row, row by row. (The texts themselves may differ in
 * key order: an object lists integer-like keys such as class "2" first, the text keeps the class order.)
 */
function assertSameRows(m: LoadedModel, outputs: ModelOutputs, rows: number): void {
  const objects = rowOutputReader(m, outputs, rows);
  const texts = rowOutputJsonReader(m, outputs, rows);
  for (let i = 0; i < rows; i++) assert.deepEqual(JSON.parse(texts(i)), JSON.parse(JSON.stringify(objects(i))), `row ${i}`);
}

test('a row\'s inputs as text are JSON.stringify of the row object, whatever the values', () => {
  const batch: DecodedBatch = {
    rows: 3,
    columns: new Map([
      ['Age', { tensor: tensor('FP32', [3, 1], new Float32Array(3)), values: [22, null, Number.NaN] }],
      ['Name "nick"', { tensor: tensor('BYTES', [3, 1], ['', '', '']), values: ['Ann "Nan"', 'Zoë\n\u2028', undefined] }],
      ['tags', { tensor: tensor('BYTES', [3, 1], ['', '', '']), values: [['a', 'b'], { x: 1 }, -0] }],
    ]),
  };
  for (let i = 0; i < 3; i++) assert.equal(rowInputsJson(batch, i), JSON.stringify(rowInputs(batch, i)));
});

test('classification, regression and other outputs are written as the row objects are', () => {
  assertSameRows(
    model({ task: 'binary', classes: ['died', 'survived'] }, ['label', 'probabilities']),
    { label: tensor('BYTES', [2], ['died', 'surv"ived']), probabilities: tensor('FP32', [2, 2], new Float32Array([0.25, 0.75, 0.6, 0.4])) },
    2,
  );
  assertSameRows(
    model({ task: 'multiclass', classes: [2, 0, 1] }, ['label', 'probabilities']),
    { label: tensor('INT64', [1], new BigInt64Array([2n])), probabilities: tensor('FP32', [1, 3], new Float32Array([0.1, 0.2, 0.7])) },
    1,
  );
  assertSameRows(model({ task: 'regression' }, ['prediction']), { prediction: tensor('FP64', [2], new Float64Array([1.5, Number.POSITIVE_INFINITY])) }, 2);
  assertSameRows(
    model(undefined, ['y', 'flag', 'wide']),
    { y: tensor('FP32', [2, 1], new Float32Array([1, 2])), flag: tensor('BOOL', [2], new Uint8Array([1, 0])), wide: tensor('INT32', [2, 3], new Int32Array([1, 2, 3, 4, 5, 6])) },
    2,
  );
});

test('a recommend answer read row by row stops at its last recommendation; its tensors keep every place', async () => {
  const { MASKED_SCORE } = await import('../../src/learners/recommend/recommend-items.js');
  const { rowOutputLayout } = await import('../../src/serve/batch.js');
  const m = model({ task: 'recommend' }, ['items', 'scores']);
  // row 0: three recommendations; row 1: one, then two items the user already rated (masked)
  const outputs: ModelOutputs = {
    items: tensor('BYTES', [2, 3], ['a', 'b', 'c', 'd', 'a', 'b']),
    scores: tensor('FP32', [2, 3], new Float32Array([2.5, 1.5, 0.5, 3, MASKED_SCORE, MASKED_SCORE])),
  };
  const rows = rowOutputReader(m, outputs, 2);
  assert.deepEqual(rows(0), { items: ['a', 'b', 'c'], scores: [2.5, 1.5, 0.5] });
  assert.deepEqual(rows(1), { items: ['d'], scores: [3] });
  assertSameRows(m, outputs, 2);
  // rows of differing lengths have no fixed layout: the prediction log writes them as text
  assert.equal(rowOutputLayout(m, outputs, 2), undefined);
  // another tensor model with the same output names is read whole
  assert.deepEqual(rowOutputReader(model(undefined, ['items', 'scores']), outputs, 2)(1), { items: ['d', 'a', 'b'], scores: [3, MASKED_SCORE, MASKED_SCORE].map((v) => Math.fround(v)) });
});
