import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GraphBuilder } from '../../src/onnx/graph-builder.js';
import { openSession, ort } from '../../src/onnx/session.js';
import { addTreeEnsemble, float32Threshold, type TreeEnsembleSpec } from '../../src/onnx/tree-ensemble.js';

async function run(spec: TreeEnsembleSpec, rows: number[][]): Promise<number[][]> {
  const g = new GraphBuilder('trees');
  const features = g.input('features', 'float', ['N', rows[0]!.length]);
  g.output(addTreeEnsemble(g, features, spec), 'out', 'float', ['N', spec.nTargets]);
  const session = await openSession(g.toBytes({ producerVersion: 'test' }));
  try {
    const result = await session.run({ features: new ort.Tensor('float32', Float32Array.from(rows.flat()), [rows.length, rows[0]!.length]) });
    const data = Array.from(result['out']!.data as Float32Array);
    return rows.map((_, i) => data.slice(i * spec.nTargets, (i + 1) * spec.nTargets));
  } finally {
    await session.release();
  }
}

/**
 * Two stumps: tree 0 tests x0 <= 0.5 (leaves 1, 2), tree 1 tests x1 <= 2 (leaves 1, 2); each leaf
 * names both targets, like class fractions.
 */
function twoStumps(aggregate: TreeEnsembleSpec['aggregate'], extra: Partial<TreeEnsembleSpec> = {}): TreeEnsembleSpec {
  return {
    nodes: {
      treeIds: [0, 0, 0, 1, 1, 1],
      nodeIds: [0, 1, 2, 0, 1, 2],
      featureIds: [0, 0, 0, 1, 0, 0],
      thresholds: [0.5, 0, 0, 2, 0, 0],
      modes: ['BRANCH_LEQ', 'LEAF', 'LEAF', 'BRANCH_LEQ', 'LEAF', 'LEAF'],
      trueNodeIds: [1, 0, 0, 1, 0, 0],
      falseNodeIds: [2, 0, 0, 2, 0, 0],
      missingTracksTrue: [0, 0, 0, 1, 0, 0],
    },
    leaves: {
      treeIds: [0, 0, 0, 0, 1, 1, 1],
      nodeIds: [1, 1, 2, 2, 1, 2, 2],
      targetIds: [0, 1, 0, 1, 1, 0, 1],
      weights: [0.75, 0.25, 0.1, 0.9, 1, 0.5, 0.5],
    },
    nTargets: 2,
    aggregate,
    ...extra,
  };
}

test('AVERAGE of per-leaf target weights gives class probabilities directly, for two classes too', async () => {
  const out = await run(twoStumps('AVERAGE'), [
    [0, 0], // leaves (0,1) and (1,1): [0.75 + 0, 0.25 + 1] / 2
    [1, 3], // leaves (0,2) and (1,2): [0.1 + 0.5, 0.9 + 0.5] / 2
    [0.5, 2], // equal to both thresholds: the <= branch
  ]);
  const expected = [[0.375, 0.625], [0.3, 0.7], [0.375, 0.625]];
  out.flat().forEach((v, k) => assert.ok(Math.abs(v - expected.flat()[k]!) < 1e-6, `value ${k}: ${v}`));
});

test('SUM with base values and a missing value routed by missingTracksTrue', async () => {
  const out = await run(twoStumps('SUM', { baseValues: [10, 20] }), [[0, Number.NaN]]);
  // tree 1 sends NaN to its true branch (node 1): [0.75 + 0, 0.25 + 1] + base
  assert.deepEqual(out[0]!.map((v) => Math.round(v * 1e6) / 1e6), [10.75, 21.25]);
});

test('a LOGISTIC post-transform applies the sigmoid to the aggregated score', async () => {
  const spec: TreeEnsembleSpec = {
    nodes: { treeIds: [0], nodeIds: [0], featureIds: [0], thresholds: [0], modes: ['LEAF'], trueNodeIds: [0], falseNodeIds: [0], missingTracksTrue: [0] },
    leaves: { treeIds: [0], nodeIds: [0], targetIds: [0], weights: [0.5] },
    nTargets: 1,
    aggregate: 'SUM',
    baseValues: [0.25],
    postTransform: 'LOGISTIC',
  };
  const [[p]] = (await run(spec, [[3]])) as [[number]];
  assert.ok(Math.abs(p - 1 / (1 + Math.exp(-0.75))) < 1e-6);
});

test('float32Threshold separates neighbouring float32 values exactly as a float32 comparison sees them', () => {
  const pairs: [number, number][] = [[1, 2], [0.1, 0.2], [-3.5, -3.4], [1e-30, 2e-30], [16777216, 16777218]];
  for (const [a, b] of pairs) {
    const lo = Math.fround(a);
    const hi = Math.fround(b);
    const t = float32Threshold(lo, hi);
    assert.equal(Math.fround(t), t, 'the threshold is a float32');
    assert.ok(lo <= t && hi > t, `${lo} <= ${t} < ${hi}`);
  }
  // adjacent float32 numbers: the midpoint rounds onto one of them, so the lower one is used
  const lo = Math.fround(1);
  const hi = new Float32Array(new Uint32Array([new Uint32Array(new Float32Array([1]).buffer)[0]! + 1]).buffer)[0]!;
  const t = float32Threshold(lo, hi);
  assert.ok(lo <= t && t < hi);
});

test('inconsistent arrays are refused before building a graph', () => {
  const g = new GraphBuilder('bad');
  const features = g.input('features', 'float', ['N', 2]);
  const spec = twoStumps('SUM');
  assert.throws(() => addTreeEnsemble(g, features, { ...spec, nodes: { ...spec.nodes, thresholds: [0.5] } }), /thresholds/);
  assert.throws(() => addTreeEnsemble(g, features, { ...spec, nTargets: 1 }), /target 1/);
  assert.throws(() => addTreeEnsemble(g, features, { ...spec, baseValues: [1] }), /base values/);
});

test('a SOFTMAX post-transform normalises the targets', async () => {
  const out = await run(twoStumps('SUM', { postTransform: 'SOFTMAX' }), [[0, 0]]);
  const [a, b] = [0.75, 1.25].map(Math.exp) as [number, number];
  assert.ok(Math.abs(out[0]![0]! - a / (a + b)) < 1e-6 && Math.abs(out[0]![1]! - b / (a + b)) < 1e-6);
});
