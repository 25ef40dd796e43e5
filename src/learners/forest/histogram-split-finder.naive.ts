/**
 * The slow, obvious version of ./histogram-split-finder.ts, kept as its test oracle: for every drawn
 * feature and every candidate bin, it recounts both sides from scratch over the node's rows, reading
 * codes, weights and targets through the original row numbers. It draws features and random bins in
 * the same order as the fast finder, so both must choose the same splits.
 */
import type { Rng } from '../../core/rng.js';
import { float32Threshold } from '../../onnx/tree-ensemble.js';
import { COUNT, SUMS, WEIGHT, type Criterion } from '../tree/criterion.js';
import type { FeatureSampler } from '../tree/feature-sampler.js';
import { nodeStatistics, type Split, type SplitFinder, type TreeTargets } from '../tree/grow-tree.js';
import { randomBin, type BinnedFeatures, type SplitMode } from './histogram-split-finder.js';

export class NaiveHistogramSplitFinder implements SplitFinder {
  constructor(
    private readonly data: BinnedFeatures,
    private readonly targets: TreeTargets,
    private readonly criterion: Criterion,
    private readonly minSamplesLeaf: number,
    private readonly sampler: FeatureSampler,
    private readonly mode: SplitMode,
    private readonly rng: Rng,
  ) {}

  statistics(rows: Int32Array, start: number, end: number, out: Float64Array): number {
    return nodeStatistics(this.targets, this.criterion.width, rows, start, end, out);
  }

  find(rows: Int32Array, start: number, end: number): Split | null {
    const { data } = this;
    let best: { feature: number; bin: number; proxy: number } | null = null;
    this.sampler.begin();
    for (let f = this.sampler.next(); f >= 0; f = this.sampler.next()) {
      const code = (row: number): number => data.codes.codes[row * data.codes.stride + f] as number;
      let minBin = Infinity;
      let maxBin = -Infinity;
      for (let k = start; k < end; k++) {
        minBin = Math.min(minBin, code(rows[k] as number));
        maxBin = Math.max(maxBin, code(rows[k] as number));
      }
      if (minBin === maxBin) continue;
      this.sampler.informativeFound();
      const candidates: number[] = [];
      if (this.mode === 'random') candidates.push(randomBin(data.thresholds[f] as Float32Array, minBin, maxBin, this.rng));
      else {
        for (let c = minBin; c < maxBin; c++) {
          let present = false;
          for (let k = start; k < end && !present; k++) present = code(rows[k] as number) === c;
          if (present) candidates.push(c);
        }
      }
      for (const c of candidates) {
        const left = this.sideStatistics(rows, start, end, (row) => code(row) <= c);
        const right = this.sideStatistics(rows, start, end, (row) => code(row) > c);
        if ((left[COUNT] as number) < this.minSamplesLeaf || (right[COUNT] as number) < this.minSamplesLeaf) continue;
        const proxy = this.criterion.proxy(left, 0, right, 0);
        if (best === null || proxy > best.proxy) best = { feature: f, bin: c, proxy };
      }
    }
    if (best === null) return null;
    const { feature, bin } = best;
    let maxLeft = -Infinity;
    let minRight = Infinity;
    for (let k = start; k < end; k++) {
      const row = rows[k] as number;
      const v = data.values[feature * data.rows + row] as number;
      if ((data.codes.codes[row * data.codes.stride + feature] as number) <= bin) maxLeft = Math.max(maxLeft, v);
      else minRight = Math.min(minRight, v);
    }
    return { feature, bin, threshold: float32Threshold(maxLeft, minRight) };
  }

  partition(rows: Int32Array, start: number, end: number, split: Split): number {
    const node = Array.from(rows.subarray(start, end));
    const goesLeft = (row: number): boolean => (this.data.codes.codes[row * this.data.codes.stride + split.feature] as number) <= split.bin;
    const ordered = [...node.filter(goesLeft), ...node.filter((row) => !goesLeft(row))];
    rows.set(ordered, start);
    return start + node.filter(goesLeft).length;
  }

  private sideStatistics(rows: Int32Array, start: number, end: number, keep: (row: number) => boolean): Float64Array {
    const out = new Float64Array(SUMS + this.criterion.width);
    for (let k = start; k < end; k++) {
      const row = rows[k] as number;
      if (!keep(row)) continue;
      const w = this.targets.weights[row] as number;
      out[COUNT] = (out[COUNT] as number) + 1;
      out[WEIGHT] = (out[WEIGHT] as number) + w;
      if (this.targets.classification) {
        const at = SUMS + (this.targets.y[row] as number);
        out[at] = (out[at] as number) + w;
      } else out[SUMS] = (out[SUMS] as number) + w * (this.targets.y[row] as number);
    }
    return out;
  }
}
