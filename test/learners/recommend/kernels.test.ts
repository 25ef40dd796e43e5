/**
 * The recommenders' kernels against slow, obvious references: ALS half-steps against dense least
 * squares solved by Gaussian elimination, conjugate gradient against the exact solve, item-kNN
 * similarities against brute-force cosine on dense columns, top-k against a full sort.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../../src/core/rng.js';
import { explicitAlsHalfStep, implicitAlsCgHalfStep, implicitAlsHalfStep } from '../../../src/learners/recommend/als-kernels.js';
import { buildInteractions, type InteractionMatrix } from '../../../src/learners/recommend/interactions.js';
import { itemNeighbours } from '../../../src/learners/recommend/item-similarity.js';
import { topK } from '../../../src/learners/recommend/top-k.js';
import { maxAbsDiff } from '../../helpers/assertions.js';

/** Solves A·x = b (dense, n × n) by Gaussian elimination with partial pivoting. */
function gaussSolve(a: number[][], b: number[]): number[] {
  const n = b.length;
  const m = a.map((row, i) => [...row, b[i]!]);
  for (let c = 0; c < n; c++) {
    let pivot = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r]![c]!) > Math.abs(m[pivot]![c]!)) pivot = r;
    [m[c], m[pivot]] = [m[pivot]!, m[c]!];
    for (let r = c + 1; r < n; r++) {
      const f = m[r]![c]! / m[c]![c]!;
      for (let k = c; k <= n; k++) m[r]![k]! -= f * m[c]![k]!;
    }
  }
  const x = new Array<number>(n).fill(0);
  for (let r = n - 1; r >= 0; r--) {
    let s = m[r]![n]!;
    for (let k = r + 1; k < n; k++) s -= m[r]![k]! * x[k]!;
    x[r] = s / m[r]![r]!;
  }
  return x;
}

/** Dense ridge regression: argmin |y − Xw|² + λ|w|² through (XᵀX + λI) w = Xᵀy, all written out. */
function denseRidge(X: number[][], y: number[], lambda: number): number[] {
  const d = X[0]!.length;
  const a = Array.from({ length: d }, (_, i) => Array.from({ length: d }, (_, j) => X.reduce((s, row) => s + row[i]! * row[j]!, 0) + (i === j ? lambda : 0)));
  const b = Array.from({ length: d }, (_, i) => X.reduce((s, row, r) => s + row[i]! * y[r]!, 0));
  return gaussSolve(a, b);
}

function randomRatings(nUsers: number, nItems: number, density: number, seed: number): InteractionMatrix {
  const rng = new Rng(seed);
  const users: string[] = [];
  const items: string[] = [];
  const ratings: number[] = [];
  for (let u = 0; u < nUsers; u++) {
    for (let i = 0; i < nItems; i++) {
      if (rng.next() < density || i === u % nItems) {
        users.push(`u${u}`);
        items.push(`i${i}`);
        ratings.push(1 + rng.int(5));
      }
    }
  }
  return buildInteractions(users, items, ratings);
}

function randomMatrix(rows: number, cols: number, rng: Rng): Float64Array {
  return Float64Array.from({ length: rows * cols }, () => rng.normal() * 0.5);
}

describe('explicit ALS half-step', () => {
  for (const weighted of [false, true]) {
    test(`equals a dense least-squares solve per user (${weighted ? 'ALS-WR' : 'plain'} λ)`, () => {
      const data = randomRatings(12, 15, 0.3, 1);
      const f = 4;
      const rng = new Rng(2);
      const items = randomMatrix(15, f, rng);
      const itemBias = Float64Array.from({ length: 15 }, () => rng.normal() * 0.3);
      const users = new Float64Array(12 * f);
      const userBias = new Float64Array(12);
      const mean = 3.1;
      const lambda = 0.3;
      explicitAlsHalfStep(data.byUser, items, itemBias, users, userBias, f, mean, lambda, weighted);
      for (let u = 0; u < 12; u++) {
        const X: number[][] = [];
        const y: number[] = [];
        for (let p = data.byUser.ptr[u]!; p < data.byUser.ptr[u + 1]!; p++) {
          const i = data.byUser.index[p]!;
          X.push([...items.subarray(i * f, (i + 1) * f), 1]);
          y.push(data.byUser.value[p]! - mean - itemBias[i]!);
        }
        const w = denseRidge(X, y, weighted ? lambda * X.length : lambda);
        assert.ok(maxAbsDiff(users.subarray(u * f, (u + 1) * f), w.slice(0, f)) < 1e-10, `user ${u} factors`);
        assert.ok(Math.abs(userBias[u]! - w[f]!) < 1e-10, `user ${u} bias`);
      }
    });
  }
});

describe('implicit ALS half-step', () => {
  const data = buildInteractions(
    ['a', 'a', 'a', 'b', 'b', 'c', 'c', 'c', 'c', 'd', 'a'],
    ['x', 'y', 'z', 'x', 'w', 'y', 'z', 'w', 'v', 'v', 'x'],
  );
  const f = 3;
  const nItems = data.itemIds.length;
  const alpha = 4;
  const lambda = 0.2;
  const rng = new Rng(5);
  const items = randomMatrix(nItems, f, rng);

  /** x_u = (Yᵀ C_u Y + λI)⁻¹ Yᵀ C_u p_u over every item, dense. */
  function denseImplicit(u: number): number[] {
    const c = new Array<number>(nItems).fill(1);
    const p = new Array<number>(nItems).fill(0);
    for (let q = data.byUser.ptr[u]!; q < data.byUser.ptr[u + 1]!; q++) {
      c[data.byUser.index[q]!] = 1 + alpha * data.byUser.value[q]!;
      p[data.byUser.index[q]!] = 1;
    }
    const y = (i: number, k: number) => items[i * f + k]!;
    const a = Array.from({ length: f }, (_, r) => Array.from({ length: f }, (_, s) => {
      let sum = r === s ? lambda : 0;
      for (let i = 0; i < nItems; i++) sum += c[i]! * y(i, r) * y(i, s);
      return sum;
    }));
    const b = Array.from({ length: f }, (_, r) => {
      let sum = 0;
      for (let i = 0; i < nItems; i++) sum += c[i]! * p[i]! * y(i, r);
      return sum;
    });
    return gaussSolve(a, b);
  }

  test('counts a repeated interaction twice (confidence 1 + 2α)', () => {
    const a = data.userIds.indexOf('a');
    const x = data.itemIds.indexOf('x');
    let count = 0;
    for (let q = data.byUser.ptr[a]!; q < data.byUser.ptr[a + 1]!; q++) if (data.byUser.index[q] === x) count = data.byUser.value[q]!;
    assert.equal(count, 2);
  });

  test('the exact solve equals the dense weighted least squares over every item', () => {
    const users = new Float64Array(data.userIds.length * f);
    implicitAlsHalfStep(data.byUser, items, users, f, alpha, lambda);
    for (let u = 0; u < data.userIds.length; u++) {
      assert.ok(maxAbsDiff(users.subarray(u * f, (u + 1) * f), denseImplicit(u)) < 1e-10, `user ${u}`);
    }
  });

  test('conjugate gradient reaches the exact solution with enough steps, and moves towards it with few', () => {
    const exact = new Float64Array(data.userIds.length * f);
    implicitAlsHalfStep(data.byUser, items, exact, f, alpha, lambda);
    const many = new Float64Array(data.userIds.length * f);
    implicitAlsCgHalfStep(data.byUser, items, many, f, alpha, lambda, f + 2);
    assert.ok(maxAbsDiff(many, exact) < 1e-8, `CG with ${f + 2} steps: ${maxAbsDiff(many, exact)}`);
    const one = new Float64Array(data.userIds.length * f);
    implicitAlsCgHalfStep(data.byUser, items, one, f, alpha, lambda, 1);
    assert.ok(maxAbsDiff(one, exact) < maxAbsDiff(new Float64Array(one.length), exact), 'one step from zero gets closer');
  });
});

describe('item-kNN similarities', () => {
  test('equal brute-force cosine over dense binary columns, top k per item, ties to the lower index', () => {
    const data = randomRatings(30, 12, 0.35, 9);
    const k = 4;
    const found = itemNeighbours(data, k);
    const nItems = data.itemIds.length;
    const column = (i: number): number[] => {
      const v = new Array<number>(data.userIds.length).fill(0);
      for (let p = data.byItem.ptr[i]!; p < data.byItem.ptr[i + 1]!; p++) v[data.byItem.index[p]!] = 1;
      return v;
    };
    for (let i = 0; i < nItems; i++) {
      const a = column(i);
      const sims = Array.from({ length: nItems }, (_, j) => {
        if (j === i) return -1;
        const b = column(j);
        const dot = a.reduce((s, x, r) => s + x * b[r]!, 0);
        return dot / (Math.sqrt(a.reduce((s, x) => s + x * x, 0)) * Math.sqrt(b.reduce((s, x) => s + x * x, 0)));
      });
      const expected = sims.map((s, j) => ({ s, j })).filter((e) => e.s > 0).sort((x, y) => y.s - x.s || x.j - y.j).slice(0, k);
      expected.forEach((e, c) => {
        assert.equal(found.neighbours[i * k + c], e.j, `item ${i} neighbour ${c}`);
        assert.ok(Math.abs(found.similarities[i * k + c]! - e.s) < 1e-6);
      });
    }
  });
});

describe('top-k', () => {
  test('is a full sort by score, ties by index, cut at k', () => {
    const rng = new Rng(4);
    for (let trial = 0; trial < 50; trial++) {
      const scores = Array.from({ length: 1 + rng.int(40) }, () => rng.int(6) / 2);
      const k = 1 + rng.int(12);
      const expected = scores.map((s, i) => ({ s, i })).sort((a, b) => b.s - a.s || a.i - b.i).slice(0, k).map((e) => e.i);
      assert.deepEqual([...topK(scores, k)], expected);
    }
  });
});

describe('interactions', () => {
  test('repeated ratings of a pair are averaged; both compressions list the same pairs', () => {
    const data = buildInteractions(['a', 'b', 'a', 'a'], ['x', 'x', 'y', 'x'], [4, 2, 5, 2]);
    assert.equal(data.nnz, 3);
    assert.deepEqual(data.userIds, ['a', 'b']);
    assert.deepEqual(data.itemIds, ['x', 'y']);
    assert.deepEqual([...data.byUser.ptr], [0, 2, 3]);
    assert.deepEqual([...data.byUser.value], [3, 5, 2]);
    assert.deepEqual([...data.byItem.ptr], [0, 2, 3]);
    assert.deepEqual([...data.byItem.index], [0, 1, 0]);
    assert.deepEqual([...data.byItem.value], [3, 2, 5]);
  });
});
