/**
 * Gradient histograms, the hot kernel of histogram boosting: for one tree node and each feature, the
 * sums of gradients and hessians per bin. Split finding then scans ≤ 256 bins per feature instead of
 * the node's rows.
 *
 * Layout: one Float64Array per node, `HISTOGRAM_ENTRY` numbers per bin and BIN_STRIDE bins per feature,
 * so bin b of feature f starts at `(f * BIN_STRIDE + b) * HISTOGRAM_ENTRY` (gradient, hessian).
 * Histograms are preallocated and reused by the grower; nothing here allocates.
 *
 * Row counts per bin are not accumulated with them: a third read-modify-write per row and feature made
 * the kernel about a third slower, and the split finder rarely needs counts (only for minSamplesLeaf,
 * which it can usually settle from hessian sums; see ./split-finder.ts). When it does, or for
 * categorical features and features with missing values, `buildCountHistogram` counts separately.
 *
 * Building goes feature by feature over the column-major bin codes (BinnedMatrix, `codes[f * rows + i]`),
 * as scikit-learn does, four features per pass (four independent update chains the CPU overlaps), and
 * in chunks of CHUNK_ROWS rows whose gradients are first gathered into a small buffer that stays in
 * cache. A node's rows are scattered over the data set; reading one column at a time keeps those random
 * reads inside one column (rows bytes, a few hundred kilobytes, cache- and TLB-friendly). A row-major
 * copy of the codes, read row by row, was as fast for the root, but on small scattered nodes (a few
 * percent of the rows) it cost up to twice as much per row in a micro-benchmark (800k × 28); small
 * nodes still cost more per row than the root either way, the price of scattered memory reads.
 *
 * The slow, obvious version of this kernel is ./histogram.naive.ts (the test oracle).
 */
import { BIN_STRIDE, type BinnedMatrix } from '../hist/binning.js';

/** Numbers per bin: sum of gradients, sum of hessians. */
export const HISTOGRAM_ENTRY = 2;
const FEATURE_STRIDE = BIN_STRIDE * HISTOGRAM_ENTRY;
/** Rows per chunk: their gathered gradients (16 bytes a row) stay in the CPU's fastest caches. */
const CHUNK_ROWS = 2048;

/** Length of a histogram over `nFeatures` features. */
export function histogramLength(nFeatures: number): number {
  return nFeatures * FEATURE_STRIDE;
}

/** A scratch buffer for `buildHistogram` (one per grower; reused for every node). */
export function histogramScratch(): Float64Array {
  return new Float64Array(2 * CHUNK_ROWS);
}

/**
 * Fills `hist` for the features in `features` over the node's rows: `rows[start..end)`, or rows
 * start..end-1 themselves when `rows` is null (the root without row subsampling). `gradHess`
 * interleaves each row's gradient and hessian (`[g0, h0, g1, h1, …]`, indexed by row); `scratch` comes
 * from `histogramScratch`. Features not listed are untouched.
 */
export function buildHistogram(
  binned: BinnedMatrix,
  features: Int32Array,
  rows: Int32Array | null,
  start: number,
  end: number,
  gradHess: Float64Array,
  scratch: Float64Array,
  hist: Float64Array,
): void {
  const nf = features.length;
  for (let j = 0; j < nf; j++) {
    const base = (features[j] as number) * FEATURE_STRIDE;
    hist.fill(0, base, base + FEATURE_STRIDE);
  }
  for (let chunk = start; chunk < end; chunk += CHUNK_ROWS) {
    const m = Math.min(CHUNK_ROWS, end - chunk);
    // The chunk's gradients in order: gathered for listed rows, read in place for consecutive ones.
    let gh = gradHess;
    let ghAt = 2 * chunk;
    if (rows !== null) {
      for (let k = 0; k < m; k++) {
        const r = rows[chunk + k] as number;
        scratch[2 * k] = gradHess[2 * r] as number;
        scratch[2 * k + 1] = gradHess[2 * r + 1] as number;
      }
      gh = scratch;
      ghAt = 0;
    }
    let j = 0;
    for (; j + 4 <= nf; j += 4) addFourFeatures(binned, features, j, rows, chunk, m, gh, ghAt, hist);
    for (; j < nf; j++) addOneFeature(binned, features[j] as number, rows, chunk, m, gh, ghAt, hist);
  }
}

/** Adds rows chunk..chunk+m-1 (through `rows` when not null) to the histograms of features[j..j+3]. */
function addFourFeatures(
  binned: BinnedMatrix,
  features: Int32Array,
  j: number,
  rows: Int32Array | null,
  chunk: number,
  m: number,
  gh: Float64Array,
  ghAt: number,
  hist: Float64Array,
): void {
  const { codes, rows: n } = binned;
  const E = HISTOGRAM_ENTRY;
  const f0 = features[j] as number;
  const f1 = features[j + 1] as number;
  const f2 = features[j + 2] as number;
  const f3 = features[j + 3] as number;
  const b0 = f0 * FEATURE_STRIDE;
  const b1 = f1 * FEATURE_STRIDE;
  const b2 = f2 * FEATURE_STRIDE;
  const b3 = f3 * FEATURE_STRIDE;
  const c0 = f0 * n;
  const c1 = f1 * n;
  const c2 = f2 * n;
  const c3 = f3 * n;
  for (let k = 0; k < m; k++) {
    const r = rows === null ? chunk + k : (rows[chunk + k] as number);
    const g = gh[ghAt + 2 * k] as number;
    const h = gh[ghAt + 2 * k + 1] as number;
    const a0 = b0 + (codes[c0 + r] as number) * E;
    const a1 = b1 + (codes[c1 + r] as number) * E;
    const a2 = b2 + (codes[c2 + r] as number) * E;
    const a3 = b3 + (codes[c3 + r] as number) * E;
    hist[a0] = (hist[a0] as number) + g;
    hist[a0 + 1] = (hist[a0 + 1] as number) + h;
    hist[a1] = (hist[a1] as number) + g;
    hist[a1 + 1] = (hist[a1 + 1] as number) + h;
    hist[a2] = (hist[a2] as number) + g;
    hist[a2 + 1] = (hist[a2 + 1] as number) + h;
    hist[a3] = (hist[a3] as number) + g;
    hist[a3 + 1] = (hist[a3 + 1] as number) + h;
  }
}

function addOneFeature(binned: BinnedMatrix, f: number, rows: Int32Array | null, chunk: number, m: number, gh: Float64Array, ghAt: number, hist: Float64Array): void {
  const { codes, rows: n } = binned;
  const base = f * FEATURE_STRIDE;
  const column = f * n;
  for (let k = 0; k < m; k++) {
    const r = rows === null ? chunk + k : (rows[chunk + k] as number);
    const at = base + (codes[column + r] as number) * HISTOGRAM_ENTRY;
    hist[at] = (hist[at] as number) + (gh[ghAt + 2 * k] as number);
    hist[at + 1] = (hist[at + 1] as number) + (gh[ghAt + 2 * k + 1] as number);
  }
}

/** Length of a count histogram over `nFeatures` features: BIN_STRIDE counts per feature. */
export function countHistogramLength(nFeatures: number): number {
  return nFeatures * BIN_STRIDE;
}

/**
 * Row counts per bin, `counts[f * BIN_STRIDE + b]`, for the features in `features` over the same rows
 * as `buildHistogram` (`rows[start..end)`, or rows start..end-1 when `rows` is null). Features not
 * listed are untouched.
 */
export function buildCountHistogram(binned: BinnedMatrix, features: Int32Array, rows: Int32Array | null, start: number, end: number, counts: Float64Array): void {
  const { codes, rows: n } = binned;
  for (let j = 0; j < features.length; j++) {
    const f = features[j] as number;
    const base = f * BIN_STRIDE;
    const column = f * n;
    counts.fill(0, base, base + BIN_STRIDE);
    for (let k = start; k < end; k++) {
      const at = base + (codes[column + (rows === null ? k : (rows[k] as number))] as number);
      counts[at] = (counts[at] as number) + 1;
    }
  }
}

/**
 * The histogram-subtraction trick: a parent's rows are exactly its two children's, so the larger
 * child's histogram is the parent's minus the smaller child's. Writes `parent - child` into `parent`
 * (in place, for the listed features): the parent's buffer becomes the larger child's. Count
 * histograms subtract the same way, with `featureStride` BIN_STRIDE.
 */
export function subtractHistogram(parent: Float64Array, child: Float64Array, features: Int32Array, featureStride = FEATURE_STRIDE): void {
  for (let j = 0; j < features.length; j++) {
    const base = (features[j] as number) * featureStride;
    const stop = base + featureStride;
    for (let k = base; k < stop; k++) parent[k] = (parent[k] as number) - (child[k] as number);
  }
}
