import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../src/core/rng.js';
import { expectedValue, naiveTreeShap, treeShap, type ShapTree } from '../../src/evaluate/explain/tree-shap.js';

/** A random binary tree over `nFeatures` features with thresholds on uniform data, covers from a sample. */
function randomTree(rng: Rng, nFeatures: number, depth: number): ShapTree {
  const left: number[] = [];
  const right: number[] = [];
  const feature: number[] = [];
  const threshold: number[] = [];
  const value: number[] = [];
  const grow = (d: number): number => {
    const id = left.length;
    left.push(-1); right.push(-1); feature.push(-1); threshold.push(0); value.push(rng.normal());
    if (d < depth && rng.next() < 0.85) {
      feature[id] = rng.int(nFeatures); // features may repeat along a path
      threshold[id] = rng.next();
      left[id] = grow(d + 1);
      right[id] = grow(d + 1);
    }
    return id;
  };
  grow(0);
  const L = Int32Array.from(left);
  const R = Int32Array.from(right);
  const F = Int32Array.from(feature);
  const next = (node: number, row: Float64Array, offset: number) => ((row[offset + F[node]!]! <= threshold[node]! ? L[node] : R[node]) as number);
  // covers: route 500 uniform rows
  const cover = new Float64Array(L.length);
  for (let s = 0; s < 500; s++) {
    const x = Float64Array.from({ length: nFeatures }, () => rng.next());
    let node = 0;
    cover[0]!++;
    while (L[node]! >= 0) {
      node = next(node, x, 0);
      cover[node]!++;
    }
  }
  // a node no sample reached still needs a positive cover
  for (let i = 0; i < cover.length; i++) if (cover[i] === 0) cover[i] = 1e-3;
  for (let i = cover.length - 1; i >= 0; i--) if (L[i]! >= 0) cover[i] = cover[L[i]!]! + cover[R[i]!]!;
  return { left: L, right: R, feature: F, value: Float64Array.from(value), cover, next };
}

function output(tree: ShapTree, row: Float64Array): number {
  let node = 0;
  while (tree.left[node]! >= 0) node = tree.next(node, row, 0);
  return tree.value[node]!;
}

test('TreeSHAP equals the Shapley values computed by enumerating every subset', () => {
  const rng = new Rng(11);
  for (let t = 0; t < 30; t++) {
    const nFeatures = 2 + rng.int(5);
    const tree = randomTree(rng, nFeatures, 2 + rng.int(4));
    for (let r = 0; r < 5; r++) {
      const row = Float64Array.from({ length: nFeatures }, () => rng.next());
      const fast = new Float64Array(nFeatures);
      treeShap(tree, row, 0, fast);
      const slow = naiveTreeShap(tree, row, 0, nFeatures);
      for (let j = 0; j < nFeatures; j++) assert.ok(Math.abs(fast[j]! - slow[j]!) < 1e-9, `tree ${t} row ${r} feature ${j}: ${fast[j]} vs ${slow[j]}`);
    }
  }
});

test('the values plus the expected value sum to the tree output (local accuracy)', () => {
  const rng = new Rng(12);
  for (let t = 0; t < 20; t++) {
    const tree = randomTree(rng, 6, 6);
    const base = expectedValue(tree);
    for (let r = 0; r < 10; r++) {
      const row = Float64Array.from({ length: 6 }, () => rng.next());
      const phi = new Float64Array(6);
      treeShap(tree, row, 0, phi);
      const sum = phi.reduce((a, b) => a + b, base);
      assert.ok(Math.abs(sum - output(tree, row)) < 1e-9, `${sum} vs ${output(tree, row)}`);
    }
  }
});

test('a feature the tree never splits on gets exactly zero', () => {
  const rng = new Rng(13);
  const tree = randomTree(rng, 3, 5);
  const unused = 3; // a fourth feature, never used by the tree
  const phi = new Float64Array(4);
  treeShap(tree, Float64Array.from([0.2, 0.5, 0.9, 123]), 0, phi);
  assert.equal(phi[unused], 0);
});
