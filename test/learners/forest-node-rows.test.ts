/**
 * A forest tree's rows in node order (src/learners/forest/node-rows.ts) against the obvious reading
 * through original row numbers: the row-major transposition, partitions that keep every position's
 * codes, weight, target and row number together, and node statistics.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../src/core/rng.js';
import { NodeRows, rowMajorCodes } from '../../src/learners/forest/node-rows.js';
import { nodeStatistics, type TreeTargets } from '../../src/learners/tree/grow-tree.js';

function makeRows(classification: boolean) {
  const rng = new Rng(3);
  const rows = 300;
  const cols = 7; // not a multiple of 4: rows are padded to 8 bytes
  const codes = Uint8Array.from({ length: rows * cols }, () => rng.int(40)); // column-major, as binMatrix
  const y = classification ? Int32Array.from({ length: rows }, () => rng.int(3)) : Float64Array.from({ length: rows }, () => rng.normal());
  const weights = Float64Array.from({ length: rows }, () => 1 + rng.int(3));
  const targets: TreeTargets = { y, classification, weights };
  const inBag = Int32Array.from({ length: rows }, (_, i) => i).filter((i) => i % 5 !== 0);
  return { rows, cols, codes, targets, inBag, rng };
}

test('rowMajorCodes transposes column-major codes into padded rows', () => {
  const { rows, cols, codes } = makeRows(true);
  const rm = rowMajorCodes({ rows, cols, codes });
  assert.equal(rm.stride, 8);
  for (let i = 0; i < rows; i++) for (let f = 0; f < cols; f++) assert.equal(rm.codes[i * rm.stride + f], codes[f * rows + i]);
});

for (const classification of [true, false]) {
  test(`${classification ? 'classification' : 'regression'}: partitions keep each position's row whole, and statistics match nodeStatistics`, () => {
    const { rows, cols, codes, targets, inBag, rng } = makeRows(classification);
    const rm = rowMajorCodes({ rows, cols, codes });
    const order = Int32Array.from(inBag);
    const nodeRows = new NodeRows(rm, targets, order);
    const width = classification ? 3 : 1;
    // split the whole range, then each side again, as growTree would
    const ranges: [number, number][] = [[0, order.length]];
    for (let step = 0; step < 6; step++) {
      const [start, end] = ranges.shift()!;
      const feature = rng.int(cols);
      const bin = 10 + rng.int(20);
      const before = new Set(order.subarray(start, end));
      const mid = nodeRows.partition(order, start, end, feature, bin);
      assert.deepEqual(new Set(order.subarray(start, end)), before, 'the node keeps the same rows');
      for (let p = start; p < end; p++) {
        const row = order[p]!;
        const code = codes[feature * rows + row]!;
        assert.equal(code <= bin, p < mid, `position ${p} on the right side`);
        for (let f = 0; f < cols; f++) assert.equal(nodeRows.codes[p * nodeRows.stride + f], codes[f * rows + row]);
        assert.equal(nodeRows.weight[p], targets.weights[row]);
        if (classification) assert.equal(nodeRows.cls[p], targets.y[row]);
        else assert.equal(nodeRows.y[p], targets.y[row]);
      }
      for (const [s, e] of [[start, mid], [mid, end]] as const) {
        const fast = new Float64Array(2 + width);
        const slow = new Float64Array(2 + width);
        // `order` lists each position's row, so both sum the same rows in the same order
        assert.equal(nodeRows.statistics(s, e, width, fast), nodeStatistics(targets, width, order, s, e, slow));
        assert.deepEqual(fast, slow);
        if (e - s > 1) ranges.push([s, e]);
      }
    }
  });
}
