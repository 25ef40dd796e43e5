/**
 * The naive references of ./histogram.ts, the test oracles of the fast kernels: for every listed row and
 * every feature, add the row's gradient and hessian (or a count of 1) to its bin. No gathering, no
 * subtraction; the same layouts (see HISTOGRAM_ENTRY).
 */
import { BIN_STRIDE } from '../hist/binning.js';
import { countHistogramLength, HISTOGRAM_ENTRY, histogramLength } from './histogram.js';

export function buildHistogramNaive(
  codes: Uint8Array,
  nRows: number,
  nFeatures: number,
  rows: readonly number[],
  grad: ArrayLike<number>,
  hess: ArrayLike<number>,
): Float64Array {
  const hist = new Float64Array(histogramLength(nFeatures));
  for (const row of rows) {
    for (let f = 0; f < nFeatures; f++) {
      const bin = codes[f * nRows + row] as number;
      const at = (f * BIN_STRIDE + bin) * HISTOGRAM_ENTRY;
      hist[at] = (hist[at] as number) + (grad[row] as number);
      hist[at + 1] = (hist[at + 1] as number) + (hess[row] as number);
    }
  }
  return hist;
}

export function buildCountHistogramNaive(codes: Uint8Array, nRows: number, nFeatures: number, rows: readonly number[]): Float64Array {
  const counts = new Float64Array(countHistogramLength(nFeatures));
  for (const row of rows) {
    for (let f = 0; f < nFeatures; f++) {
      const at = f * BIN_STRIDE + (codes[f * nRows + row] as number);
      counts[at] = (counts[at] as number) + 1;
    }
  }
  return counts;
}
