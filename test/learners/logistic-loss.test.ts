/** The logistic objective's fast loss-and-gradient pass against a naive reference (./logistic-loss.ts). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createMatrix, type Matrix } from '../../src/core/matrix.js';
import { Rng } from '../../src/core/rng.js';
import { LogisticObjective, softplus } from '../../src/learners/linear/logistic-loss.js';

/** The objective written out row by row: Σ s_i·(softplus(z_i) − y_i·z_i) / Σ s_i + ½·λ·‖w‖², and its gradient. */
function naiveBinary(X: Matrix, y: Int32Array, classWeights: Float64Array, C: number, w: Float64Array): { value: number; grad: Float64Array; meanLoss: number } {
  const d = X.cols;
  let total = 0;
  let weighted = 0;
  let plain = 0;
  const grad = new Float64Array(d + 1);
  for (let i = 0; i < X.rows; i++) {
    let z = w[d]!;
    for (let j = 0; j < d; j++) z += X.data[i * d + j]! * w[j]!;
    const s = classWeights[y[i]!]!;
    const loss = softplus(z) - y[i]! * z;
    total += s;
    weighted += s * loss;
    plain += loss;
    const slope = s * (1 / (1 + Math.exp(-z)) - y[i]!);
    for (let j = 0; j < d; j++) grad[j] = grad[j]! + slope * X.data[i * d + j]!;
    grad[d] = grad[d]! + slope;
  }
  const penalty = 1 / (C * total);
  let squaredNorm = 0;
  for (let j = 0; j < d; j++) {
    squaredNorm += w[j]! * w[j]!;
    grad[j] = grad[j]! / total + penalty * w[j]!;
  }
  grad[d] = grad[d]! / total;
  return { value: weighted / total + 0.5 * penalty * squaredNorm, grad, meanLoss: plain / X.rows };
}

test('binary loss and gradient equal the naive ones: blocks of eight, a tail, products logged every 512 rows, zero coefficients', () => {
  const rng = new Rng(5);
  // 1,301 rows: several flushed products per class, and a tail of 5 rows after the blocks of eight.
  const n = 1301;
  const d = 6;
  const X = createMatrix(n, d);
  for (let k = 0; k < X.data.length; k++) X.data[k] = rng.normal() * 2;
  const y = Int32Array.from({ length: n }, () => (rng.next() < 0.4 ? 1 : 0));
  const classWeights = Float64Array.of(0.7, 1.9);
  const objective = new LogisticObjective(X, y, 2, classWeights, 0.5, true);
  const random = Float64Array.from({ length: d + 1 }, () => rng.normal() * 3);
  const zeroCoefficients = Float64Array.from({ length: d + 1 }, (_, j) => (j === d ? -0.8 : 0));
  // Large scores too: e^{−|z|} underflows for some rows, the products must still be right.
  const large = random.map((v) => v * 40);
  for (const w of [random, zeroCoefficients, large]) {
    const grad = new Float64Array(d + 1);
    const value = objective.evaluate(w, grad);
    const naive = naiveBinary(X, y, classWeights, 0.5, w);
    assert.ok(Math.abs(value - naive.value) <= 1e-12 * Math.max(1, naive.value), `value ${value} vs ${naive.value}`);
    for (let j = 0; j <= d; j++) assert.ok(Math.abs(grad[j]! - naive.grad[j]!) <= 1e-12 * Math.max(1, Math.abs(naive.grad[j]!)), `gradient ${j}`);
    assert.ok(Math.abs(objective.lastMeanLogLoss - naive.meanLoss) <= 1e-12 * Math.max(1, naive.meanLoss));
  }
});
