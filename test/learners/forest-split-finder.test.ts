/**
 * The histogram split finder against its naive oracle (recounting every candidate from scratch):
 * whole trees grown with either must be identical, in both modes, for classification and regression.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createMatrix } from '../../src/core/matrix.js';
import { Rng } from '../../src/core/rng.js';
import { HistogramSplitFinder, type BinnedFeatures, type SplitMode } from '../../src/learners/forest/histogram-split-finder.js';
import { NaiveHistogramSplitFinder } from '../../src/learners/forest/histogram-split-finder.naive.js';
import { rowMajorCodes } from '../../src/learners/forest/node-rows.js';
import { binMatrix, fitBins } from '../../src/learners/hist/binning.js';
import { makeCriterion, type CriterionName } from '../../src/learners/tree/criterion.js';
import { FeatureSampler } from '../../src/learners/tree/feature-sampler.js';
import { growTree, type SplitFinder, type TreeTargets } from '../../src/learners/tree/grow-tree.js';
import { float32Columns } from '../../src/learners/tree/training-rows.js';

function makeData(rows: number, cols: number, nClasses: number, seed: number): { data: BinnedFeatures; targets: TreeTargets; inBag: Int32Array } {
  const rng = new Rng(seed);
  const X = createMatrix(rows, cols);
  for (let k = 0; k < X.data.length; k++) {
    // a mix of continuous columns and columns with few distinct values (ties, constant stretches)
    X.data[k] = k % cols === 0 ? Math.floor(rng.next() * 4) : rng.normal();
  }
  const maxBins = 40; // fewer bins than distinct values: several values share a bin
  const bins = fitBins(X, { maxBins });
  const data: BinnedFeatures = {
    rows,
    cols,
    codes: rowMajorCodes(binMatrix(X, bins)),
    thresholds: bins.map((b) => (b.kind === 'numeric' ? b.thresholds : new Float32Array(0))),
    values: float32Columns(X),
  };
  const classification = nClasses > 0;
  const y = classification ? new Int32Array(rows) : new Float64Array(rows);
  for (let i = 0; i < rows; i++) {
    const signal = (X.data[i * cols + 1] as number) + 0.5 * (X.data[i * cols + 2] as number) + 0.3 * rng.normal();
    // integer targets keep every sum exact, so both finders see bit-identical statistics
    y[i] = classification ? Math.min(nClasses - 1, Math.max(0, Math.floor(signal + nClasses / 2))) : Math.round(10 * signal);
  }
  // bootstrap-like integer weights, with some rows left out
  const weights = new Float64Array(rows);
  for (let k = 0; k < rows; k++) weights[rng.int(rows)]! += 1;
  const inBag = Int32Array.from({ length: rows }, (_, i) => i).filter((i) => weights[i]! > 0);
  return { data, targets: { y, classification, weights }, inBag };
}

function grow(kind: 'fast' | 'naive', d: ReturnType<typeof makeData>, criterion: CriterionName, width: number, mode: SplitMode, minSamplesLeaf: number, cols: number) {
  const rng = new Rng(11);
  const c = makeCriterion(criterion, width);
  const sampler = new FeatureSampler(cols, 3, rng);
  const finder: SplitFinder =
    kind === 'fast'
      ? new HistogramSplitFinder(d.data, d.targets, d.inBag, c, minSamplesLeaf, sampler, mode, rng)
      : new NaiveHistogramSplitFinder(d.data, d.targets, c, minSamplesLeaf, sampler, mode, rng);
  return growTree(d.targets, Int32Array.from(d.inBag), cols, finder, { criterion: c, maxDepth: Infinity, minSamplesSplit: 2, minSamplesLeaf });
}

const cases: { name: string; nClasses: number; criterion: CriterionName }[] = [
  { name: 'binary gini', nClasses: 2, criterion: 'gini' },
  { name: 'three-class entropy', nClasses: 3, criterion: 'entropy' },
  { name: 'regression', nClasses: 0, criterion: 'squared_error' },
];

for (const { name, nClasses, criterion } of cases) {
  for (const mode of ['best', 'random'] as const) {
    for (const minSamplesLeaf of [1, 4]) {
      test(`${name}, ${mode} splits, minSamplesLeaf ${minSamplesLeaf}: the histogram finder grows the naive oracle's tree`, () => {
        // 600 rows: nodes above and below the small-node threshold (sorted path) both occur
        const cols = 6;
        const d = makeData(600, cols, nClasses, 5);
        const width = nClasses > 0 ? nClasses : 1;
        const fast = grow('fast', d, criterion, width, mode, minSamplesLeaf, cols);
        const naive = grow('naive', d, criterion, width, mode, minSamplesLeaf, cols);
        assert.ok(fast.tree.nodeCount > 50, `a real tree (${fast.tree.nodeCount} nodes)`);
        assert.deepEqual(fast.tree.feature, naive.tree.feature);
        assert.deepEqual(fast.tree.threshold, naive.tree.threshold);
        assert.deepEqual(fast.tree.left, naive.tree.left);
        assert.deepEqual(fast.tree.value, naive.tree.value);
        assert.deepEqual(fast.impurityDecrease, naive.impurityDecrease);
      });
    }
  }
}
