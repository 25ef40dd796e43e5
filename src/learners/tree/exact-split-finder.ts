/**
 * Exact CART split finding: for each drawn feature, sort the node's rows by value and try every
 * threshold between two distinct neighbouring values (scikit-learn's BestSplitter). Used by single
 * decision trees, where every distinct value matters and data are small enough to sort at each node.
 *
 * Values are float32 (`Math.fround`) and thresholds are float32 midpoints (see float32Threshold), so the
 * predictor and its ONNX export route every row the same way.
 */
import { float32Threshold } from '../../onnx/tree-ensemble.js';
import { COUNT, SUMS, WEIGHT, type Criterion } from './criterion.js';
import type { FeatureSampler } from './feature-sampler.js';
import { nodeStatistics, type Split, type SplitFinder, type TreeTargets } from './grow-tree.js';

export class ExactSplitFinder implements SplitFinder {
  private readonly order: Int32Array;
  private readonly left: Float64Array;
  private readonly right: Float64Array;

  /**
   * @param columns float32 feature values, column-major: `columns[f * nRows + row]`.
   */
  constructor(
    private readonly columns: Float32Array,
    private readonly nRows: number,
    private readonly targets: TreeTargets,
    private readonly criterion: Criterion,
    private readonly minSamplesLeaf: number,
    private readonly sampler: FeatureSampler,
  ) {
    this.order = new Int32Array(nRows);
    this.left = new Float64Array(SUMS + criterion.width);
    this.right = new Float64Array(SUMS + criterion.width);
  }

  statistics(rows: Int32Array, start: number, end: number, out: Float64Array): number {
    return nodeStatistics(this.targets, this.criterion.width, rows, start, end, out);
  }

  find(rows: Int32Array, start: number, end: number, node: Float64Array): Split | null {
    const { columns, nRows, targets, criterion, left, right } = this;
    const width = criterion.width;
    const n = end - start;
    const order = this.order.subarray(0, n);
    let best: Split | null = null;
    let bestProxy = -Infinity;
    this.sampler.begin();
    for (let f = this.sampler.next(); f >= 0; f = this.sampler.next()) {
      const base = f * nRows;
      order.set(rows.subarray(start, end));
      order.sort((a, b) => (columns[base + a] as number) - (columns[base + b] as number));
      const first = columns[base + (order[0] as number)] as number;
      const last = columns[base + (order[n - 1] as number)] as number;
      if (first === last) continue;
      this.sampler.informativeFound();

      left.fill(0);
      right.set(node.subarray(0, SUMS + width));
      for (let k = 0; k < n - 1; k++) {
        const row = order[k] as number;
        const w = targets.weights[row] as number;
        const at = targets.classification ? SUMS + (targets.y[row] as number) : SUMS;
        const moved = targets.classification ? w : w * (targets.y[row] as number);
        left[COUNT] = (left[COUNT] as number) + 1;
        left[WEIGHT] = (left[WEIGHT] as number) + w;
        left[at] = (left[at] as number) + moved;
        right[COUNT] = (right[COUNT] as number) - 1;
        right[WEIGHT] = (right[WEIGHT] as number) - w;
        right[at] = (right[at] as number) - moved;
        const v = columns[base + row] as number;
        const next = columns[base + (order[k + 1] as number)] as number;
        if (v === next || k + 1 < this.minSamplesLeaf || n - k - 1 < this.minSamplesLeaf) continue;
        const proxy = criterion.proxy(left, 0, right, 0);
        if (proxy > bestProxy) {
          bestProxy = proxy;
          best = { feature: f, threshold: float32Threshold(v, next), bin: -1 };
        }
      }
    }
    return best;
  }

  partition(rows: Int32Array, start: number, end: number, split: Split): number {
    const base = split.feature * this.nRows;
    const t = split.threshold;
    let i = start;
    let j = end - 1;
    while (i <= j) {
      if ((this.columns[base + (rows[i] as number)] as number) <= t) i++;
      else {
        const tmp = rows[i] as number;
        rows[i] = rows[j] as number;
        rows[j] = tmp;
        j--;
      }
    }
    return i;
  }
}
