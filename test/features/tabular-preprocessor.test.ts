import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Frame } from '../../src/core/frame.js';
import { TabularPreprocessor } from '../../src/features/tabular-preprocessor.js';
import { GraphBuilder } from '../../src/onnx/graph-builder.js';
import { openSession, ort } from '../../src/onnx/session.js';

const train = new Frame([
  { kind: 'numeric', name: 'Age', values: Float64Array.from([22, 38, NaN, 35, 54, 2]) },
  { kind: 'categorical', name: 'Sex', values: ['male', 'female', 'female', null, 'male', 'male'] },
]);

test('fits imputation, scaling and one-hot on the training part like scikit-learn', () => {
  const p = TabularPreprocessor.fit(train, [{ name: 'Age', kind: 'numeric' }, { name: 'Sex', kind: 'categorical' }]);
  const [age, sex] = p.steps;
  assert.equal(age?.kind === 'numeric' && age.median, 35);
  const imputed = [22, 38, 35, 35, 54, 2];
  const mean = imputed.reduce((a, b) => a + b) / 6;
  const std = Math.sqrt(imputed.reduce((a, b) => a + (b - mean) ** 2, 0) / 6);
  assert.ok(age?.kind === 'numeric' && Math.abs(age.mean - mean) < 1e-12 && Math.abs(age.scale - std) < 1e-12);
  assert.deepEqual(sex?.kind === 'categorical' && sex.categories, ['female', 'male']);
  assert.equal(sex?.kind === 'categorical' && sex.mostFrequent, 'male');
  assert.deepEqual(p.featureNames(), ['Age', 'Sex=female', 'Sex=male']);

  const m = p.transform(train);
  assert.equal(m.cols, 3);
  assert.ok(Math.abs((m.data[0] as number) - (22 - mean) / std) < 1e-12);
  // row 3: missing Sex → most frequent (male)
  assert.deepEqual(Array.from(m.data.subarray(3 * 3 + 1, 3 * 3 + 3)), [0, 1]);
});

test('the ONNX graph computes the same features, with missing values and unseen categories', async () => {
  const p = TabularPreprocessor.fit(train, [{ name: 'Age', kind: 'numeric' }, { name: 'Sex', kind: 'categorical' }]);
  const score = new Frame([
    { kind: 'numeric', name: 'Age', values: Float64Array.from([40, NaN, 1]) },
    { kind: 'categorical', name: 'Sex', values: ['female', null, 'unknown-value'] },
  ]);
  const expected = p.transform(score);
  // unseen category → all zeros
  assert.deepEqual(Array.from(expected.data.subarray(7, 9)), [0, 0]);

  const g = new GraphBuilder('prep');
  const features = p.toOnnx(g);
  g.output(features, 'features', 'float', ['N', p.nFeatures]);
  const session = await openSession(g.toBytes({ producerVersion: 'test' }));
  const out = await session.run({
    Age: new ort.Tensor('float32', Float32Array.from([40, NaN, 1]), [3, 1]),
    Sex: new ort.Tensor('string', ['female', '', 'unknown-value'], [3, 1]),
  });
  const got = out['features']?.data as Float32Array;
  assert.deepEqual(out['features']?.dims, [3, 3]);
  for (let i = 0; i < expected.data.length; i++) assert.ok(Math.abs((got[i] as number) - (expected.data[i] as number)) < 1e-5, `feature ${i}`);
});

test('numbers that arrive as text are converted, and bad ones are named', () => {
  const p = TabularPreprocessor.fit(train, [{ name: 'Age', kind: 'numeric' }, { name: 'Sex', kind: 'categorical' }]);
  const asText = new Frame([
    { kind: 'categorical', name: 'Age', values: ['40', null] },
    { kind: 'categorical', name: 'Sex', values: ['male', 'female'] },
  ]);
  assert.equal(p.transform(asText).rows, 2);
  const bad = new Frame([
    { kind: 'categorical', name: 'Age', values: ['forty', null] },
    { kind: 'categorical', name: 'Sex', values: ['male', 'female'] },
  ]);
  assert.throws(() => p.transform(bad), (e: Error & { code?: string }) => e.code === 'INPUT_DATA' && /Age/.test(e.message) && /forty/.test(e.message));
});
