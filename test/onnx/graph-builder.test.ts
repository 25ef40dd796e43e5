import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GraphBuilder, attr, tensor } from '../../src/onnx/graph-builder.js';
import { openSession, ort } from '../../src/onnx/session.js';

test('a built graph runs in onnxruntime and computes what it says', async () => {
  const g = new GraphBuilder('t');
  const x = g.input('x', 'float', ['N', 2]);
  const w = g.constant('w', tensor.float([0.5, -2], [2, 1]));
  const b = g.constant('b', tensor.float([1]));
  const z = g.op('Add', [g.op('MatMul', [x, w]), b]);
  g.output(g.op('Sigmoid', [z]), 'p', 'float', ['N', 1]);
  const session = await openSession(g.toBytes({ producerVersion: 'test' }));
  const out = await session.run({ x: new ort.Tensor('float32', Float32Array.from([2, 1, 0, 0]), [2, 2]) });
  const p = out['p']?.data as Float32Array;
  assert.ok(Math.abs(p[0]! - 1 / (1 + Math.exp(-(1 - 2 + 1)))) < 1e-6);
  assert.ok(Math.abs(p[1]! - 1 / (1 + Math.exp(-1))) < 1e-6);
});

test('ai.onnx.ml string label encoding maps unknown strings to the default', async () => {
  const g = new GraphBuilder('t');
  const s = g.input('s', 'string', ['N', 1]);
  const idx = g.op('LabelEncoder', [s], {
    keys_strings: attr.strings(['a', 'b']),
    values_int64s: attr.ints([0, 1]),
    default_int64: attr.int(-1),
  }, { domain: 'ai.onnx.ml' });
  g.output(idx, 'i', 'int64', ['N', 1]);
  const session = await openSession(g.toBytes({ producerVersion: 'test' }));
  const out = await session.run({ s: new ort.Tensor('string', ['b', 'zzz', 'a'], [3, 1]) });
  assert.deepEqual(Array.from(out['i']?.data as BigInt64Array, Number), [1, -1, 0]);
});

test('names are made unique and inputs keep their exact names', () => {
  const g = new GraphBuilder('t');
  assert.equal(g.input('Age', 'float', ['N', 1]), 'Age');
  assert.equal(g.uniqueName('Age'), 'Age_1');
  assert.throws(() => g.input('Age', 'float', ['N', 1]));
});
