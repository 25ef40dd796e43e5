import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createMatrix, type Matrix } from '../../src/core/matrix.js';
import { baselineShapley, EXACT_GROUPS } from '../../src/evaluate/explain/baseline-shapley.js';

/** A model with interactions and two outputs: a product, a maximum, a square. */
function curvy(X: Matrix): Float64Array {
  const out = new Float64Array(X.rows * 2);
  for (let i = 0; i < X.rows; i++) {
    const x = X.data.subarray(i * X.cols, (i + 1) * X.cols);
    out[i * 2] = (x[0] as number) * (x[1] as number) + Math.max(x[2] as number, x[3] as number) + (x[4] as number) ** 2;
    out[i * 2 + 1] = Math.tanh((x[0] as number) - (x[4] as number)) * (x[3] as number);
  }
  return out;
}

/** The definition itself: the average over every order of the groups of each group's marginal contribution. */
function naiveShapley(score: (X: Matrix) => Float64Array, K: number, row: number[], reference: number[], groupOf: number[], G: number): number[] {
  const phi = new Array<number>(K * G).fill(0);
  const orders: number[][] = [];
  const permute = (prefix: number[], rest: number[]) => {
    if (rest.length === 0) orders.push(prefix);
    rest.forEach((g, i) => permute([...prefix, g], [...rest.slice(0, i), ...rest.slice(i + 1)]));
  };
  permute([], Array.from({ length: G }, (_, g) => g));
  const valueOf = (present: Set<number>) => score(createMatrix(1, row.length, Float64Array.from(row, (v, j) => (present.has(groupOf[j]!) ? v : reference[j]!))));
  for (const order of orders) {
    const present = new Set<number>();
    let before = valueOf(present);
    for (const g of order) {
      present.add(g);
      const after = valueOf(present);
      for (let k = 0; k < K; k++) phi[k * G + g]! += (after[k]! - before[k]!) / orders.length;
      before = after;
    }
  }
  return phi;
}

test('exact baseline Shapley values equal the definition, averaged over every order of the groups', () => {
  // six features in four groups: features 0 and 1 play together, as a one-hot column's indicators do
  const groupOf = [0, 0, 1, 2, 3, 3];
  const reference = [0.2, -0.1, 0.5, 0.0, 1.0, 0.3];
  const rows = [[1.5, 2.0, -1.0, 0.7, -0.5, 0.1], [-2.0, 0.3, 0.4, 3.0, 2.0, -1.0]];
  const X = createMatrix(2, 6, Float64Array.from(rows.flat()));
  const result = baselineShapley(curvy, 2, X, Float64Array.from(reference), Int32Array.from(groupOf), 4);
  assert.equal(result.nGroups, 4);
  rows.forEach((row, r) => {
    const expected = naiveShapley(curvy, 2, row, reference, groupOf, 4);
    expected.forEach((v, i) => assert.ok(Math.abs(result.values[r * 8 + i]! - v) < 1e-12, `row ${r}, value ${i}: ${result.values[r * 8 + i]} vs ${v}`));
  });
  assert.deepEqual(Array.from(result.base), Array.from(curvy(createMatrix(1, 6, Float64Array.from(reference)))));
});

test('sampled values (more groups than are enumerated) still add up exactly, and are exact for an additive model', () => {
  const G = EXACT_GROUPS + 3;
  const weights = Float64Array.from({ length: G }, (_, j) => j - 6);
  const additive = (X: Matrix) => Float64Array.from({ length: X.rows }, (_, i) => weights.reduce((a, w, j) => a + w * (X.data[i * G + j] as number) ** 3, 0));
  const interacting = (X: Matrix) => Float64Array.from({ length: X.rows }, (_, i) => Math.sin(X.data[i * G] as number) * (X.data[i * G + 1] as number) + additive(createMatrix(1, G, X.data.slice(i * G, (i + 1) * G)))[0]!);
  const reference = new Float64Array(G).fill(0.5);
  const X = createMatrix(1, G, Float64Array.from({ length: G }, (_, j) => Math.cos(j)));
  const groupOf = Int32Array.from({ length: G }, (_, j) => j);
  const plain = baselineShapley(additive, 1, X, reference, groupOf, G, 3);
  weights.forEach((w, j) => {
    const own = w * ((X.data[j] as number) ** 3 - 0.5 ** 3);
    assert.ok(Math.abs(plain.values[j]! - own) < 1e-9, `group ${j}: in an additive model a group's value is its own term`);
  });
  const mixed = baselineShapley(interacting, 1, X, reference, groupOf, G, 3);
  const total = mixed.values.reduce((a, v) => a + v, mixed.base[0]!);
  assert.ok(Math.abs(total - interacting(X)[0]!) < 1e-9, 'base + Σ values = the score of the row');
  assert.ok(mixed.values.slice(2).every((v, j) => Math.abs(v - plain.values[j + 2]!) < 1e-9), 'groups outside the interaction keep their own term');
});

test('a group the model ignores gets nothing, and a row equal to the reference gets nothing anywhere', () => {
  const score = (X: Matrix) => Float64Array.from({ length: X.rows }, (_, i) => (X.data[i * 3] as number) * (X.data[i * 3 + 1] as number));
  const reference = Float64Array.from([1, 2, 3]);
  const X = createMatrix(2, 3, Float64Array.from([4, 5, 6, 1, 2, 3]));
  const { values } = baselineShapley(score, 1, X, reference, Int32Array.from([0, 1, 2]), 3);
  assert.equal(values[2], 0, 'feature 2 is never read');
  // x0·x1 from (1, 2) to (4, 5): v(∅) = 2, v({0}) = 8, v({1}) = 5, v({0, 1}) = 20
  assert.ok(Math.abs(values[0]! - ((8 - 2) + (20 - 5)) / 2) < 1e-12, `x0: ${values[0]}`);
  assert.ok(Math.abs(values[1]! - ((5 - 2) + (20 - 8)) / 2) < 1e-12, `x1: ${values[1]}`);
  assert.deepEqual(Array.from(values.slice(3)), [0, 0, 0]);
});
