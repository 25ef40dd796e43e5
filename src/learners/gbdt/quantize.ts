/**
 * Quantised gradients (LightGBM ≥ 4's `use_quantized_grad`, with finer levels): before a tree is grown,
 * every row's gradient and hessian are scaled to small integers with stochastic rounding and packed into
 * ONE float64 number, `packed = gq · 2^S + hq`. A histogram bin then needs one addition per row instead
 * of two (./histogram-packed.ts), and sums of packed numbers unpack exactly into the sums of gq and hq
 * as long as every partial sum stays an integer below 2^53.
 *
 * Bit budget. A packed partial histogram sums at most PACKED_BLOCK_ROWS rows (then it is unpacked into
 * the float64 gradient/hessian histogram and restarted), so with m < 2^L rows per block, |gq| ≤ 2^bg − 1
 * and 0 ≤ hq ≤ 2^bh − 1, the hessian part of a sum stays below 2^S with S = L + bh and the whole sum
 * below 2^(2L + bg + bh) + 2^S ≤ 2^53 when 2L + bg + bh ≤ 52. With blocks of up to 65,532 rows
 * (L = 16) that leaves 10 bits for the gradient (±1023 levels) and 10 for the hessian; smaller trees get
 * more (455 rows: 17 + 17 bits; at most 24 each). A constant hessian (squared, absolute and Huber
 * losses) is kept exactly (hq = 1, the scale is the hessian) and the gradient gets the remaining bits.
 * Levels span the rows' largest |gradient| and hessian, or the loss's known bounds (log losses).
 *
 * Stochastic rounding (round up with probability equal to the fraction) keeps every sum unbiased: the
 * quantisation noise of a node's sums shrinks with its row count. The uniforms come from a seeded hash of
 * (tree seed, row), so the same seed gives the same model.
 *
 * The packed numbers are written over the gradients they come from (row r's at index r, once rows
 * r' ≤ r have been read; see `quantizeInPlace`): no second buffer of 8 bytes per row at peak memory.
 */
import { finalMix32 } from '../../core/hash-mix.js';
import type { GradientBound } from './losses.js';

/**
 * Most rows one packed partial histogram sums: below 2^16 (L = 16 bits of row count), and a multiple
 * of 4 (the root's kernel reads four rows at a time; see ./histogram-packed.ts).
 */
export const PACKED_BLOCK_ROWS = 65_532;
/** Bits of a float64's exactly representable integers, less one of margin. */
const EXACT_BITS = 52;
/**
 * Most bits of one row's gradient or hessian: finer levels change nothing that matters (the rounding is
 * already far below the noise of any split choice), and levels below 2^24 keep the rounding in int32
 * arithmetic (see `quantize`).
 */
const MAX_LEVEL_BITS = 24;
/** Added before truncating to an int32 so that truncation rounds down (x + FLOOR_OFFSET > 0). */
const FLOOR_OFFSET = 2 ** 25;

/** How a tree's gradients and hessians were packed, and their sums over the tree's rows. */
export interface QuantizedTree {
  /** `packed[row]` for the tree's rows (a view of the gradient buffer it was written over). */
  readonly packed: Float64Array;
  /** A packed gradient unit: gradient ≈ gq · gradScale. */
  readonly gradScale: number;
  /** A packed hessian unit: hessian ≈ hq · hessScale. */
  readonly hessScale: number;
  /** 2^S: packed = gq · shift + hq, with 0 ≤ (sum of hq) < shift for any block of rows. */
  readonly shift: number;
  /** Sums over the tree's rows of the quantised gradients and hessians (what the root's histogram holds). */
  readonly grad: number;
  readonly hess: number;
  /** Smallest and largest quantised hessian of a tree row (bounds on row counts, see ./split-finder.ts). */
  readonly hessMin: number;
  readonly hessMax: number;
}

/**
 * Quantises the gradients and hessians (interleaved: `gradHess[2r]`, `gradHess[2r + 1]`) of the tree's
 * rows, `rows[0..nRows)` (increasing) or rows 0..nRows−1 when `rows` is null, rounding with uniforms
 * drawn from `seed`, and packs them IN PLACE: afterwards `gradHess[r]` is row r's packed number (the
 * returned `packed` view) and the exact gradients are gone. Rows are visited in increasing order, so
 * writing index r only replaces values of rows already read (r ≤ 2r). Levels span the loss's `bound`
 * when it has one (log losses: no pass to find the largest values), else the rows' own range.
 */
export function quantizeInPlace(gradHess: Float64Array, rows: Int32Array | null, nRows: number, seed: number, bound: GradientBound | null = null): QuantizedTree {
  const { gradMax, hessMin, hessMax } = bound === null ? gradientRange(gradHess, rows, nRows) : { gradMax: bound.grad, hessMin: 0, hessMax: bound.hess };
  // A block of rows never exceeds the tree's rows: small trees get finer levels.
  const lengthBits = bitsFor(Math.min(nRows, PACKED_BLOCK_ROWS));
  const free = EXACT_BITS - 2 * lengthBits;
  const constantHess = hessMin === hessMax;
  // A constant hessian needs one bit (hq = 1, or 0 when every hessian is 0); otherwise split the bits.
  const hessBits = constantHess ? 1 : Math.min(MAX_LEVEL_BITS, Math.floor(free / 2));
  const gradLevels = 2 ** Math.min(MAX_LEVEL_BITS, free - hessBits) - 1;
  const hessLevels = constantHess ? 0 : 2 ** hessBits - 1;
  const gradScale = gradMax > 0 ? gradMax / gradLevels : 1;
  const hessScale = hessMax > 0 ? (constantHess ? hessMax : hessMax / hessLevels) : 1;
  const shift = 2 ** (lengthBits + hessBits);
  const sums = packRows(gradHess, rows, nRows, seed, { gradLevels, gradInv: 1 / gradScale, hessLevels, hessInv: 1 / hessScale, hessUnit: hessMax > 0 ? 1 : 0, shift });
  return {
    packed: gradHess.subarray(0, gradHess.length >> 1),
    gradScale,
    hessScale,
    shift,
    grad: sums.gq * gradScale,
    hess: sums.hq * hessScale,
    hessMin: nRows > 0 ? sums.hqMin * hessScale : 0,
    hessMax: sums.hqMax * hessScale,
  };
}

/*
 * The two passes over the rows live in functions of their own: V8 compiles a long loop while it runs
 * (on-stack replacement), and code after that loop in the same function, never run before, made the
 * compiled loop bail out on every call.
 */

/** Largest |gradient|, smallest and largest hessian of the rows. */
function gradientRange(gradHess: Float64Array, rows: Int32Array | null, nRows: number): { gradMax: number; hessMin: number; hessMax: number } {
  let gradMax = 0;
  let hessMin = Number.POSITIVE_INFINITY;
  let hessMax = 0;
  for (let k = 0; k < nRows; k++) {
    const r = rows === null ? k : (rows[k] as number);
    const g = Math.abs(gradHess[2 * r] as number);
    const h = gradHess[2 * r + 1] as number;
    if (g > gradMax) gradMax = g;
    if (h < hessMin) hessMin = h;
    if (h > hessMax) hessMax = h;
  }
  return { gradMax, hessMin, hessMax };
}

interface Levels {
  readonly gradLevels: number;
  readonly gradInv: number;
  /** 0 for a constant hessian: every row gets `hessUnit`. */
  readonly hessLevels: number;
  readonly hessInv: number;
  readonly hessUnit: number;
  readonly shift: number;
}

/** Rounds and packs the rows (row r's number written at index r); sums and range of the levels. */
function packRows(gradHess: Float64Array, rows: Int32Array | null, nRows: number, seed: number, levels: Levels): { gq: number; hq: number; hqMin: number; hqMax: number } {
  const { gradLevels, gradInv, hessLevels, hessInv, hessUnit, shift } = levels;
  const packed = gradHess; // written over the gradients, see quantizeInPlace
  let gSum = 0;
  let hSum = 0;
  let hqMin = Number.POSITIVE_INFINITY;
  let hqMax = 0;
  for (let k = 0; k < nRows; k++) {
    const r = rows === null ? k : (rows[k] as number);
    // One 32-bit hash, two 16-bit uniforms in [0, 1) (rounding up with probability = the fraction).
    // Rounding down is an int32 truncation of a positive number: ~1.5× faster than Math.floor here.
    // The clamps only catch a product that rounding pushed a hair past the last level.
    const u = finalMix32((Math.imul(r, 0x9e3779b1) + seed) | 0);
    let gq = (((gradHess[2 * r] as number) * gradInv + (u & 0xffff) * (1 / 65536) + FLOOR_OFFSET) | 0) - FLOOR_OFFSET;
    gq = gq > gradLevels ? gradLevels : gq < -gradLevels ? -gradLevels : gq;
    let hq = hessLevels === 0 ? hessUnit : ((gradHess[2 * r + 1] as number) * hessInv + (u >>> 16) * (1 / 65536)) | 0;
    hq = hq > hessLevels && hessLevels > 0 ? hessLevels : hq;
    packed[r] = gq * shift + hq;
    gSum += gq;
    hSum += hq;
    if (hq < hqMin) hqMin = hq;
    if (hq > hqMax) hqMax = hq;
  }
  return { gq: gSum, hq: hSum, hqMin, hqMax };
}

/** Bits to write every count 0..n: ⌈log2(n + 1)⌉. */
function bitsFor(n: number): number {
  let bits = 0;
  while (2 ** bits <= n) bits++;
  return bits;
}
