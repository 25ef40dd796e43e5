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
  const [age, sex] = p.toJSON().columns;
  assert.ok(age?.kind === 'numeric' && sex?.kind === 'categorical');
  assert.equal(age.imputer.fill[0], 35);
  const imputed = [22, 38, 35, 35, 54, 2];
  const mean = imputed.reduce((a, b) => a + b) / 6;
  const std = Math.sqrt(imputed.reduce((a, b) => a + (b - mean) ** 2, 0) / 6);
  assert.ok(age.scaler !== null && Math.abs((age.scaler.offset[0] as number) - mean) < 1e-12 && Math.abs((age.scaler.scale[0] as number) - std) < 1e-12);
  assert.ok(sex.encoder.type === 'one-hot');
  assert.deepEqual(sex.encoder.categories, ['female', 'male']);
  assert.equal(sex.imputer.fill, 'male');
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

test('a preprocessor saved in format 1 (Kiln 0.1) loads and computes the same features', () => {
  const p = TabularPreprocessor.fit(train, [{ name: 'Age', kind: 'numeric' }, { name: 'Sex', kind: 'categorical' }]);
  const age = p.toJSON().columns[0];
  assert.ok(age?.kind === 'numeric' && age.scaler !== null);
  const v1 = {
    format: 1 as const,
    steps: [
      { name: 'Age', kind: 'numeric' as const, median: 35, mean: age.scaler.offset[0] as number, scale: age.scaler.scale[0] as number },
      { name: 'Sex', kind: 'categorical' as const, mostFrequent: 'male', categories: ['female', 'male'] },
    ],
  };
  const old = TabularPreprocessor.fromJSON(v1);
  const score = new Frame([
    { kind: 'numeric', name: 'Age', values: Float64Array.from([40, NaN, 1]) },
    { kind: 'categorical', name: 'Sex', values: ['female', null, 'unknown-value'] },
  ]);
  assert.deepEqual(old.transform(score), p.transform(score));
  assert.deepEqual(old.featureNames(), p.featureNames());
});

test('each column kind gets its default chain and input type; overrides are validated', () => {
  const frame = new Frame([
    { kind: 'numeric', name: 'n', values: Float64Array.from([1, 2, NaN, 4]) },
    { kind: 'categorical', name: 'b', values: ['yes', 'no', null, 'TRUE'] },
    { kind: 'categorical', name: 'c', values: ['x', 'y', 'x', null] },
    { kind: 'categorical', name: 'd', values: ['2024-01-01', '2024-06-15T08:00:00Z', null, '2023-12-31 23:59'] },
    { kind: 'categorical', name: 't', values: ['good food', 'bad food', null, 'good service'] },
  ]);
  const p = TabularPreprocessor.fit(frame, [
    { name: 'n', kind: 'numeric' },
    { name: 'b', kind: 'boolean' },
    { name: 'c', kind: 'categorical' },
    { name: 'd', kind: 'datetime' },
    { name: 't', kind: 'text' },
  ]);
  assert.deepEqual(p.featureNames(), ['n', 'b', 'c=x', 'c=y', 'd.year', 'd.month', 'd.day', 'd.weekday', 'd.hour', 't:bad', 't:food', 't:good', 't:service']);
  assert.deepEqual(p.inputColumns().map((c) => `${c.name}:${c.kind}:${c.datatype}`), ['n:numeric:FP32', 'b:numeric:FP32', 'c:categorical:BYTES', 'd:numeric:INT64', 't:categorical:BYTES']);
  // boolean: yes/no/TRUE read as 1/0/1, the missing one imputed with the median (1), then standardised
  const b = Array.from({ length: 4 }, (_, i) => p.transform(frame).data[i * p.nFeatures + 1] as number);
  assert.ok((b[0] as number) > 0 && (b[1] as number) < 0 && b[2] === b[0] && b[3] === b[0]);

  assert.throws(
    () => TabularPreprocessor.fit(frame, [{ name: 'n', kind: 'numeric', transform: { scale: { method: 'zscore' } } as never }]),
    (e: Error & { code?: string }) => e.code === 'INVALID_PARAMS' && /column "n"/.test(e.message),
  );
  assert.throws(
    () => TabularPreprocessor.fit(frame, [{ name: 'c', kind: 'categorical', transform: { impute: { strategy: 'mean' } } }]),
    (e: Error & { code?: string }) => e.code === 'INVALID_PARAMS' && /most_frequent/.test(e.message),
  );
  assert.throws(
    () => TabularPreprocessor.fit(frame, [{ name: 'n', kind: 'numeric', transform: { encode: { method: 'onehot' }, impute: { strategy: 'constant', fill_value: 'x' } } }]),
    (e: Error & { code?: string }) => e.code === 'INVALID_PARAMS' && /"encode" does not apply to a numeric column/.test(e.message) && /fill_value/.test(e.message),
  );
  assert.throws(
    () => TabularPreprocessor.fit(frame, [{ name: 'c', kind: 'categorical', transform: { encode: { method: 'ordinal', max_categories: 3 } } }]),
    (e: Error & { code?: string }) => e.code === 'INVALID_PARAMS' && /encode.max_categories: applies to method "onehot"/.test(e.message),
  );
  assert.throws(
    () => TabularPreprocessor.fit(frame, [{ name: 't', kind: 'text', transform: { text: { min_df: 3 } } }]),
    (e: Error & { code?: string }) => e.code === 'EMPTY_VOCABULARY' && /"t"/.test(e.message),
  );
  const badBool = new Frame([{ kind: 'categorical', name: 'b', values: ['maybe'] }]);
  assert.throws(() => p.columns[1]?.transform(badBool.get('b') as never), (e: Error & { code?: string }) => e.code === 'INPUT_DATA' && /maybe/.test(e.message));
});
