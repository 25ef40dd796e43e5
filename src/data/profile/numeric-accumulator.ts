/**
 * Everything a profile says about one numeric column that one look at each value can tell — count,
 * distinct values (estimated), min, max, mean, standard deviation, whether all values are whole,
 * outliers beyond fences known in advance, the histogram (overall and per class of the target) and the
 * correlation with a numeric target — gathered chunk by chunk. This is the hot loop of `kiln inspect`:
 * a million rows × a hundred columns pass through it once. DuckDB evaluates each of these as separate
 * vector expressions (a subtraction, a division, a floor, a comparison, a map insert …), which costs
 * several times more than a few JavaScript loops over a chunk that stays in the CPU cache (see
 * docs/decisions.md).
 *
 * The histogram needs the min and max before the first value: the caller passes bounds it believes
 * are exact (DuckDB's table statistics, see numeric-pass.ts). `finish()` says whether they were; when
 * not, the caller runs the column again with the exact min and max this run found.
 */
import { DistinctSketch } from './distinct-sketch.js';
import { BINS, binLayout, isUnitRange } from './histogram-bins.js';
import type { Histogram } from './profile-types.js';

export interface Range {
  readonly low: number;
  readonly high: number;
}

export interface NumericAccumulatorOptions {
  /** The min and max the histogram is binned over; the histogram is kept only if they prove exact. */
  readonly bounds?: Range;
  /** Values strictly below `low` or above `high` are outliers. */
  readonly fences: Range | null;
  /** A value near the middle (the median), subtracted before summing squares so the variance keeps its digits. */
  readonly shift: number;
  /** Class codes in `add()` run 1 … classes (0: no class); per-class bins are counted when classes > 0. */
  readonly classes: number;
  /** Rows known to be missing. They arrive as NaN, so NaNs beyond this many are NaN values in the data. */
  readonly missing: number;
  /** Set to correlate with the target values passed to `add()`; the number is its median (as `shift`). */
  readonly targetShift?: number;
}

export interface NumericMeasures {
  /** Present values (NaN values in the data count as present, as in DuckDB). */
  readonly count: number;
  /** Estimated distinct numbers (distinct-sketch.ts), at most `count`. */
  readonly approxDistinct: number;
  /** NaN when the column holds NaN values (DuckDB sorts NaN above every number). */
  readonly min: number;
  readonly max: number;
  readonly mean: number;
  /** Sample standard deviation (n − 1); null below two values or when values are not finite. */
  readonly std: number | null;
  readonly allIntegers: boolean;
  readonly outliers: number;
  /** Whether the bounds given were the exact min and max (then `histogram` is set if there is a range). */
  readonly boundsExact: boolean;
  readonly histogram?: Histogram;
  /** Per class code (index 1 … classes; 0 holds rows without a class): counts per histogram bin. */
  readonly classBins?: readonly (readonly number[])[];
  /** Pearson's r with the target over rows where both are present; NaN when undefined. */
  readonly correlation?: number;
}

export class NumericAccumulator {
  private readonly options: NumericAccumulatorOptions;
  private n = 0;
  private nanSeen = 0;
  private min = Number.POSITIVE_INFINITY;
  private max = Number.NEGATIVE_INFINITY;
  private sum = 0;
  private sumSquares = 0;
  private nonIntegers = 0;
  private outliers = 0;
  private readonly distinct = new DistinctSketch();
  /** Equal-width bin counts, BINS per class code (class 0 first). Empty without usable bounds. */
  private readonly widthCounts: Float64Array;
  /** One-per-value bin counts, `unitBins` per class code, when the bounds are a small whole range. */
  private readonly unitCounts: Float64Array;
  private readonly unitBins: number;
  private pairs = 0;
  private pairX = 0;
  private pairY = 0;
  private pairXX = 0;
  private pairYY = 0;
  private pairXY = 0;

  constructor(options: NumericAccumulatorOptions) {
    this.options = options;
    const b = options.bounds;
    const groups = options.classes + 1;
    const binnable = b !== undefined && Number.isFinite(b.low) && Number.isFinite(b.high) && b.high > b.low;
    this.widthCounts = new Float64Array(binnable ? BINS * groups : 0);
    this.unitBins = binnable && isUnitRange(b.low, b.high) ? b.high - b.low + 1 : 0;
    this.unitCounts = new Float64Array(this.unitBins * groups);
  }

  /**
   * Adds `length` values (NaN for missing). `classCodes` (when counting per class) and `target` (when
   * correlating) hold the same rows' class code and target value.
   */
  add(values: Float64Array, length: number, classCodes?: Float64Array, target?: Float64Array): void {
    // Separate tight loops over the chunk (it stays in the CPU cache) run faster than one loop with
    // a branch per optional feature.
    this.distinct.addValues(values, length);
    this.addMoments(values, length);
    if (this.widthCounts.length > 0) this.addToBins(values, length, this.options.classes > 0 ? classCodes : undefined);
    if (target !== undefined && this.options.targetShift !== undefined) this.addPairs(values, length, target, this.options.targetShift);
  }

  private addMoments(values: Float64Array, length: number): void {
    const { fences, shift } = this.options;
    const fenceLow = fences === null ? Number.NEGATIVE_INFINITY : fences.low;
    const fenceHigh = fences === null ? Number.POSITIVE_INFINITY : fences.high;
    // Locals, not fields, inside the loop: V8 keeps them in registers.
    let { n, nanSeen, min, max, sum, sumSquares, nonIntegers, outliers } = this;
    for (let r = 0; r < length; r++) {
      const x = values[r] as number;
      if (x !== x) {
        nanSeen++;
        continue;
      }
      n++;
      if (x < min) min = x;
      if (x > max) max = x;
      const d = x - shift;
      sum += d;
      sumSquares += d * d;
      if (Math.floor(x) !== x) nonIntegers++;
      if (x < fenceLow || x > fenceHigh) outliers++;
    }
    this.n = n;
    this.nanSeen = nanSeen;
    this.min = min;
    this.max = max;
    this.sum = sum;
    this.sumSquares = sumSquares;
    this.nonIntegers = nonIntegers;
    this.outliers = outliers;
  }

  private addToBins(values: Float64Array, length: number, classCodes: Float64Array | undefined): void {
    const low = this.options.bounds?.low ?? 0;
    const width = ((this.options.bounds?.high ?? 0) - low) / BINS;
    const widthCounts = this.widthCounts;
    const unitBins = this.unitBins;
    const unitCounts = this.unitCounts;
    for (let r = 0; r < length; r++) {
      const x = values[r] as number;
      if (x !== x) continue;
      const group = classCodes === undefined ? 0 : (classCodes[r] as number);
      let bin = Math.floor((x - low) / width);
      if (bin >= BINS) bin = BINS - 1;
      else if (bin < 0) bin = 0; // only when the bounds were not the real min (then this run is discarded)
      const w = group * BINS + bin;
      widthCounts[w] = (widthCounts[w] as number) + 1;
      if (unitBins > 0) {
        const unit = x - low;
        if (unit >= 0 && unit < unitBins && Math.floor(unit) === unit) {
          const u = group * unitBins + unit;
          unitCounts[u] = (unitCounts[u] as number) + 1;
        }
      }
    }
  }

  private addPairs(values: Float64Array, length: number, target: Float64Array, targetShift: number): void {
    const shift = this.options.shift;
    let { pairs, pairX, pairY, pairXX, pairYY, pairXY } = this;
    for (let r = 0; r < length; r++) {
      const x = values[r] as number;
      const t = target[r] as number;
      if (x !== x || t !== t) continue;
      const dx = x - shift;
      const dy = t - targetShift;
      pairs++;
      pairX += dx;
      pairY += dy;
      pairXX += dx * dx;
      pairYY += dy * dy;
      pairXY += dx * dy;
    }
    this.pairs = pairs;
    this.pairX = pairX;
    this.pairY = pairY;
    this.pairXX = pairXX;
    this.pairYY = pairYY;
    this.pairXY = pairXY;
  }

  finish(): NumericMeasures {
    const { n, options } = this;
    const nanValues = Math.max(0, this.nanSeen - options.missing);
    const allIntegers = this.nonIntegers === 0;
    const min = n > 0 ? this.min : Number.NaN;
    const max = n > 0 && nanValues === 0 ? this.max : Number.NaN;
    const mean = nanValues === 0 && n > 0 ? options.shift + this.sum / n : Number.NaN;
    const variance = n > 1 ? Math.max(0, (this.sumSquares - (this.sum * this.sum) / n) / (n - 1)) : Number.NaN;
    const std = nanValues === 0 && Number.isFinite(variance) ? Math.sqrt(variance) : null;
    const bounds = options.bounds;
    const boundsExact = bounds !== undefined && bounds.low === min && bounds.high === max;
    const layout = boundsExact ? binLayout(min, max, allIntegers) : undefined;
    const measures: NumericMeasures = {
      count: n + nanValues,
      approxDistinct: Math.min(n, this.distinct.estimate()),
      min,
      max,
      mean,
      std,
      allIntegers,
      outliers: this.outliers,
      boundsExact,
      ...(options.targetShift === undefined ? {} : { correlation: this.correlation() }),
    };
    if (layout === undefined) return measures;
    const perBin = layout.unit ? this.unitBins : BINS;
    const counts = layout.unit ? this.unitCounts : this.widthCounts;
    const groupBins = (group: number): number[] => Array.from(counts.subarray(group * perBin, (group + 1) * perBin));
    const total = new Array<number>(perBin).fill(0);
    const classBins: number[][] = [];
    for (let g = 0; g <= options.classes; g++) {
      const bins = groupBins(g);
      bins.forEach((c, k) => (total[k] = (total[k] as number) + c));
      classBins.push(bins);
    }
    return {
      ...measures,
      histogram: { edges: layout.edges, counts: total },
      ...(options.classes > 0 ? { classBins } : {}),
    };
  }

  private correlation(): number {
    const p = this.pairs;
    if (p === 0) return Number.NaN;
    const sxx = this.pairXX - (this.pairX * this.pairX) / p;
    const syy = this.pairYY - (this.pairY * this.pairY) / p;
    const sxy = this.pairXY - (this.pairX * this.pairY) / p;
    return sxy / Math.sqrt(sxx * syy);
  }
}
