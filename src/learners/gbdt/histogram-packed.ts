/**
 * Gradient histograms from quantised gradients (./quantize.ts): the same result layout as
 * ./histogram.ts (`hist[(f * BIN_STRIDE + b) * HISTOGRAM_ENTRY]` = gradient sum, `+ 1` = hessian sum),
 * built with ONE addition per row and feature instead of two. Rows are summed as packed numbers
 * (`gq · shift + hq`) into a packed histogram, one number per bin, which is unpacked into the gradient
 * and hessian sums after every block of at most PACKED_BLOCK_ROWS rows (so packed sums stay exact
 * integers) and cleared for the next block.
 *
 * Like ./histogram.ts, features are read column by column, four per pass, and a node's packed values
 * are gathered per CHUNK_ROWS rows. The root without row subsampling reads its rows in order: there
 * the codes are loaded four rows at a time (one unaligned 32-bit read through a DataView, then shifts),
 * which took the root's cost per row and feature from ~1.2 to ~0.75 ns in a micro-benchmark.
 *
 * The reference is ./histogram.naive.ts's `buildHistogramNaive` on the unpacked gradients (see
 * `unpackRow`).
 */
import { BIN_STRIDE, type BinnedMatrix } from '../hist/binning.js';
import { HISTOGRAM_ENTRY } from './histogram.js';
import { PACKED_BLOCK_ROWS, type QuantizedTree } from './quantize.js';

const FEATURE_STRIDE = BIN_STRIDE * HISTOGRAM_ENTRY;
/** Rows per chunk of gathered packed values (16 KB: they stay in the CPU's fastest cache). */
const CHUNK_ROWS = 2048;

/** Buffers `buildPackedHistogram` reuses (one set per grower). */
export interface PackedScratch {
  /** One packed number per bin and feature (`f * BIN_STRIDE + b`); all zero between calls. */
  readonly packedHist: Float64Array;
  /** A chunk's gathered packed values. */
  readonly gathered: Float64Array;
  /** The binned codes, for reading four consecutive rows of a column at once. */
  readonly codeWords: DataView;
}

export function packedScratch(binned: BinnedMatrix): PackedScratch {
  const { codes } = binned;
  return {
    packedHist: new Float64Array(binned.cols * BIN_STRIDE),
    gathered: new Float64Array(CHUNK_ROWS),
    codeWords: new DataView(codes.buffer, codes.byteOffset, codes.byteLength),
  };
}

/**
 * Fills `hist` (gradient and hessian sums, ./histogram.ts's layout) for the features in `features` over
 * the node's rows: `rows[start..end)`, or rows start..end−1 themselves when `rows` is null. `tree`
 * holds each row's packed value (`tree.packed[row]`) and how to unpack it. Features not listed are
 * untouched.
 */
export function buildPackedHistogram(
  binned: BinnedMatrix,
  features: Int32Array,
  rows: Int32Array | null,
  start: number,
  end: number,
  tree: QuantizedTree,
  scratch: PackedScratch,
  hist: Float64Array,
): void {
  const nf = features.length;
  const packed = tree.packed;
  for (let j = 0; j < nf; j++) {
    const base = (features[j] as number) * FEATURE_STRIDE;
    hist.fill(0, base, base + FEATURE_STRIDE);
  }
  for (let block = start; block < end; block += PACKED_BLOCK_ROWS) {
    const blockEnd = Math.min(end, block + PACKED_BLOCK_ROWS);
    if (rows === null) {
      // Four rows at a time up to `whole`; the last block's 1–3 remaining rows feature by feature.
      const whole = block + ((blockEnd - block) & ~3);
      let j = 0;
      for (; j + 4 <= nf; j += 4) addFourFeaturesInOrder(binned, scratch.codeWords, features, j, block, whole, packed, scratch.packedHist);
      for (; j < nf; j++) addOneFeature(binned, features[j] as number, null, block, whole - block, packed, block, scratch.packedHist);
      if (whole < blockEnd) for (j = 0; j < nf; j++) addOneFeature(binned, features[j] as number, null, whole, blockEnd - whole, packed, whole, scratch.packedHist);
    } else {
      const gathered = scratch.gathered;
      for (let chunk = block; chunk < blockEnd; chunk += CHUNK_ROWS) {
        const m = Math.min(CHUNK_ROWS, blockEnd - chunk);
        for (let k = 0; k < m; k++) gathered[k] = packed[rows[chunk + k] as number] as number;
        let j = 0;
        for (; j + 4 <= nf; j += 4) addFourFeatures(binned, features, j, rows, chunk, m, gathered, scratch.packedHist);
        for (; j < nf; j++) addOneFeature(binned, features[j] as number, rows, chunk, m, gathered, 0, scratch.packedHist);
      }
    }
    unpackInto(features, tree, scratch.packedHist, hist);
  }
}

/**
 * Rows block..end−1, in order, into the packed histograms of features[j..j+3]: each feature's codes of
 * four consecutive rows come in one little-endian 32-bit read (byte q is row r + q's code). `end −
 * block` is a multiple of 4: a loop for leftover rows here, rarely run, made V8's compiled code of the
 * main loop bail out at its end on every call.
 */
function addFourFeaturesInOrder(
  binned: BinnedMatrix,
  words: DataView,
  features: Int32Array,
  j: number,
  block: number,
  end: number,
  packed: Float64Array,
  ph: Float64Array,
): void {
  const n = binned.rows;
  const f0 = features[j] as number;
  const f1 = features[j + 1] as number;
  const f2 = features[j + 2] as number;
  const f3 = features[j + 3] as number;
  const b0 = f0 * BIN_STRIDE;
  const b1 = f1 * BIN_STRIDE;
  const b2 = f2 * BIN_STRIDE;
  const b3 = f3 * BIN_STRIDE;
  const c0 = f0 * n;
  const c1 = f1 * n;
  const c2 = f2 * n;
  const c3 = f3 * n;
  for (let r = block; r < end; r += 4) {
    const w0 = words.getUint32(c0 + r, true);
    const w1 = words.getUint32(c1 + r, true);
    const w2 = words.getUint32(c2 + r, true);
    const w3 = words.getUint32(c3 + r, true);
    const v0 = packed[r] as number;
    const v1 = packed[r + 1] as number;
    const v2 = packed[r + 2] as number;
    const v3 = packed[r + 3] as number;
    ph[b0 + (w0 & 255)] = (ph[b0 + (w0 & 255)] as number) + v0;
    ph[b1 + (w1 & 255)] = (ph[b1 + (w1 & 255)] as number) + v0;
    ph[b2 + (w2 & 255)] = (ph[b2 + (w2 & 255)] as number) + v0;
    ph[b3 + (w3 & 255)] = (ph[b3 + (w3 & 255)] as number) + v0;
    ph[b0 + ((w0 >>> 8) & 255)] = (ph[b0 + ((w0 >>> 8) & 255)] as number) + v1;
    ph[b1 + ((w1 >>> 8) & 255)] = (ph[b1 + ((w1 >>> 8) & 255)] as number) + v1;
    ph[b2 + ((w2 >>> 8) & 255)] = (ph[b2 + ((w2 >>> 8) & 255)] as number) + v1;
    ph[b3 + ((w3 >>> 8) & 255)] = (ph[b3 + ((w3 >>> 8) & 255)] as number) + v1;
    ph[b0 + ((w0 >>> 16) & 255)] = (ph[b0 + ((w0 >>> 16) & 255)] as number) + v2;
    ph[b1 + ((w1 >>> 16) & 255)] = (ph[b1 + ((w1 >>> 16) & 255)] as number) + v2;
    ph[b2 + ((w2 >>> 16) & 255)] = (ph[b2 + ((w2 >>> 16) & 255)] as number) + v2;
    ph[b3 + ((w3 >>> 16) & 255)] = (ph[b3 + ((w3 >>> 16) & 255)] as number) + v2;
    ph[b0 + (w0 >>> 24)] = (ph[b0 + (w0 >>> 24)] as number) + v3;
    ph[b1 + (w1 >>> 24)] = (ph[b1 + (w1 >>> 24)] as number) + v3;
    ph[b2 + (w2 >>> 24)] = (ph[b2 + (w2 >>> 24)] as number) + v3;
    ph[b3 + (w3 >>> 24)] = (ph[b3 + (w3 >>> 24)] as number) + v3;
  }
}

/** Rows `rows[chunk..chunk+m)` (values gathered in `values[0..m)`) into features[j..j+3]'s packed histograms. */
function addFourFeatures(binned: BinnedMatrix, features: Int32Array, j: number, rows: Int32Array, chunk: number, m: number, values: Float64Array, ph: Float64Array): void {
  const { codes, rows: n } = binned;
  const f0 = features[j] as number;
  const f1 = features[j + 1] as number;
  const f2 = features[j + 2] as number;
  const f3 = features[j + 3] as number;
  const b0 = f0 * BIN_STRIDE;
  const b1 = f1 * BIN_STRIDE;
  const b2 = f2 * BIN_STRIDE;
  const b3 = f3 * BIN_STRIDE;
  const c0 = f0 * n;
  const c1 = f1 * n;
  const c2 = f2 * n;
  const c3 = f3 * n;
  for (let k = 0; k < m; k++) {
    const r = rows[chunk + k] as number;
    const v = values[k] as number;
    const a0 = b0 + (codes[c0 + r] as number);
    const a1 = b1 + (codes[c1 + r] as number);
    const a2 = b2 + (codes[c2 + r] as number);
    const a3 = b3 + (codes[c3 + r] as number);
    ph[a0] = (ph[a0] as number) + v;
    ph[a1] = (ph[a1] as number) + v;
    ph[a2] = (ph[a2] as number) + v;
    ph[a3] = (ph[a3] as number) + v;
  }
}

/** m rows into feature f's packed histogram: `rows[chunk + k]` (or chunk + k when null), value `values[at + k]`. */
function addOneFeature(binned: BinnedMatrix, f: number, rows: Int32Array | null, chunk: number, m: number, values: Float64Array, at: number, ph: Float64Array): void {
  const { codes, rows: n } = binned;
  const base = f * BIN_STRIDE;
  const column = f * n;
  for (let k = 0; k < m; k++) {
    const r = rows === null ? chunk + k : (rows[chunk + k] as number);
    const a = base + (codes[column + r] as number);
    ph[a] = (ph[a] as number) + (values[at + k] as number);
  }
}

/** Adds the unpacked sums of every listed feature's packed bins to `hist`, and clears the packed bins. */
function unpackInto(features: Int32Array, tree: QuantizedTree, ph: Float64Array, hist: Float64Array): void {
  const { shift, gradScale, hessScale } = tree;
  const invShift = 1 / shift;
  for (let j = 0; j < features.length; j++) {
    const f = features[j] as number;
    const from = f * BIN_STRIDE;
    for (let b = 0; b < BIN_STRIDE; b++) {
      const v = ph[from + b] as number;
      if (v === 0) continue;
      // v = G · shift + H with 0 ≤ H < shift: floor divides exactly (shift is a power of two).
      const g = Math.floor(v * invShift);
      const at = (from + b) * HISTOGRAM_ENTRY;
      hist[at] = (hist[at] as number) + g * gradScale;
      hist[at + 1] = (hist[at + 1] as number) + (v - g * shift) * hessScale;
      ph[from + b] = 0;
    }
  }
}

/** One row's quantised gradient and hessian, unpacked: what the histograms above sum. */
export function unpackRow(value: number, tree: QuantizedTree): { grad: number; hess: number } {
  const g = Math.floor(value / tree.shift);
  return { grad: g * tree.gradScale, hess: (value - g * tree.shift) * tree.hessScale };
}
