/**
 * Scaling, fitted on the training part only, as x ↦ (x − offset) / scale per feature:
 *
 *   standard  offset = mean, scale = population std                (StandardScaler)
 *   minmax    maps [min, max] onto feature_range [a, b]             (MinMaxScaler)
 *   robust    offset = median, scale = q75 − q25 (quantile_range)   (RobustScaler)
 *
 * A feature with no spread gets scale 1, as scikit-learn does, instead of dividing by zero. In ONNX
 * it is one Sub and one Div over the [N, width] block.
 */
import { attr, tensor, type GraphBuilder } from '../onnx/graph-builder.js';
import type { Block } from './block.js';
import { fitStandardiser } from './standard-scale.js';

export type ScalerKind = 'standard' | 'minmax' | 'robust';

export interface ScalerOptions {
  readonly kind: ScalerKind;
  /** minmax: the target range (default [0, 1]). */
  readonly featureRange?: readonly [number, number];
  /** robust: the quantiles, in percent (default [25, 75]). */
  readonly quantileRange?: readonly [number, number];
}

export interface SerializedScaler {
  readonly type: 'scaler';
  readonly kind: ScalerKind;
  readonly offset: readonly number[];
  readonly scale: readonly number[];
}

/** numpy's default (linear) percentile of sorted values; q in [0, 100]. */
export function percentileOfSorted(sorted: Float64Array, q: number): number {
  const n = sorted.length;
  if (n === 0) return 0;
  const pos = (q / 100) * (n - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(n - 1, lo + 1);
  const frac = pos - lo;
  return (sorted[lo] as number) + frac * ((sorted[hi] as number) - (sorted[lo] as number));
}

/** scikit-learn's _handle_zeros_in_scale: a (near-)zero scale becomes 1. */
const nonZero = (scale: number): number => (Math.abs(scale) < 10 * Number.EPSILON ? 1 : scale);

export class Scaler {
  private constructor(readonly state: SerializedScaler) {}

  static fit(block: Block, options: ScalerOptions): Scaler {
    const offset: number[] = [];
    const scale: number[] = [];
    for (const values of block) {
      if (options.kind === 'standard') {
        const s = fitStandardiser(values);
        offset.push(s.mean);
        scale.push(s.scale);
      } else if (options.kind === 'minmax') {
        const [a, b] = options.featureRange ?? [0, 1];
        let min = Infinity;
        let max = -Infinity;
        for (const v of values) {
          if (v < min) min = v;
          if (v > max) max = v;
        }
        if (values.length === 0) [min, max] = [0, 1];
        const range = nonZero(max - min);
        offset.push(min - (a * range) / (b - a));
        scale.push(range / (b - a));
      } else {
        const [qlo, qhi] = options.quantileRange ?? [25, 75];
        const sorted = Float64Array.from(values).sort();
        offset.push(percentileOfSorted(sorted, 50));
        scale.push(nonZero(percentileOfSorted(sorted, qhi) - percentileOfSorted(sorted, qlo)));
      }
    }
    return new Scaler({ type: 'scaler', kind: options.kind, offset, scale });
  }

  static fromJSON(json: SerializedScaler): Scaler {
    return new Scaler(json);
  }

  toJSON(): SerializedScaler {
    return this.state;
  }

  transform(block: Block): Block {
    return block.map((values, j) => {
      const offset = this.state.offset[j] as number;
      const scale = this.state.scale[j] as number;
      return values.map((v) => (v - offset) / scale);
    });
  }

  /**
   * `x` is a float [N, width] tensor. The arithmetic runs in double, as `transform` does, and only the
   * result is rounded to float: a value lying exactly on a tree's split threshold (a midpoint of two
   * training values, e.g. age 24.5 between 24 and 25) then routes the same way in the graph as in the
   * predictor, which float32 subtraction and division would not guarantee.
   */
  toOnnx(g: GraphBuilder, x: string, hint: string): string {
    const x64 = g.op('Cast', [x], { to: attr.int(11 /* DOUBLE */) }, { name: `${hint}_double` });
    const centred = g.op('Sub', [x64, g.constant(`${hint}_offset`, tensor.double(this.state.offset))], {}, { name: `${hint}_centred` });
    const scaled = g.op('Div', [centred, g.constant(`${hint}_scale`, tensor.double(this.state.scale))], {}, { name: `${hint}_scaled64` });
    return g.op('Cast', [scaled], { to: attr.int(1 /* FLOAT */) }, { name: `${hint}_scaled` });
  }
}
