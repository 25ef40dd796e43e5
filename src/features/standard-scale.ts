/**
 * Standardisation statistics: mean and population standard deviation (scikit-learn's StandardScaler).
 * A column with no spread gets scale 1, so it maps to 0 instead of dividing by zero.
 */
import { scaleOrOne } from '../core/stats/scale-or-one.js';

export interface Standardiser {
  readonly mean: number;
  readonly scale: number;
}

export function fitStandardiser(values: Float64Array): Standardiser {
  const n = values.length;
  if (n === 0) return { mean: 0, scale: 1 };
  let mean = 0;
  for (let i = 0; i < n; i++) mean += ((values[i] as number) - mean) / (i + 1);
  let ss = 0;
  for (let i = 0; i < n; i++) {
    const d = (values[i] as number) - mean;
    ss += d * d;
  }
  return { mean, scale: scaleOrOne(Math.sqrt(ss / n), mean) };
}
