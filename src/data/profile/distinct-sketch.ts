/**
 * An estimate of how many distinct numbers a column holds, in 4 KB whatever its length: HyperLogLog
 * (Flajolet et al. 2007) with 4,096 registers, a standard error of 1.6 %, and linear counting below
 * 10,240 distinct values, where it is typically within a fraction of a percent. (DuckDB's
 * `approx_count_distinct` keeps far fewer registers: 1,249 for 1,000 distinct values, 13 % over at
 * 5,000; the profile decides from this estimate whether a column gets exact value counts, so that
 * matters.) -0 and 0 count as one value, like equality in SQL.
 */
import { finalMix32 } from '../../core/hash-mix.js';

const INDEX_BITS = 12;
const REGISTERS = 1 << INDEX_BITS;
const TWO_POW_32 = 2 ** 32;
/** HyperLogLog's bias correction for this many registers. */
const ALPHA = 0.7213 / (1 + 1.079 / REGISTERS);
/** 2^-rank for every rank a register can hold (at most 33). */
const INVERSE_POWERS = Array.from({ length: 34 }, (_, r) => 2 ** -r);

export class DistinctSketch {
  private readonly registers = new Uint8Array(REGISTERS);

  /** Adds the first `length` values; NaN (a missing value) is skipped. */
  addValues(values: Float64Array, length: number): void {
    // The values' own bytes, read as two 32-bit words per number: no copy, no per-value conversion.
    const words = new Uint32Array(values.buffer, values.byteOffset, 2 * length);
    const registers = this.registers;
    for (let r = 0; r < length; r++) {
      const x = values[r] as number;
      if (x !== x) continue;
      const h = x === 0 ? ZERO_HASH : hashWords(words[2 * r] as number, words[2 * r + 1] as number);
      const index = h >>> (32 - INDEX_BITS);
      // Rank: position of the first 1 bit in the remaining 20 bits (a sentinel bit caps it at 21).
      const rank = Math.clz32((h << INDEX_BITS) | (1 << (INDEX_BITS - 1))) + 1;
      if (rank > (registers[index] as number)) registers[index] = rank;
    }
  }

  estimate(): number {
    let sum = 0;
    let zeros = 0;
    for (const r of this.registers) {
      sum += INVERSE_POWERS[r] as number;
      if (r === 0) zeros++;
    }
    const raw = (ALPHA * REGISTERS * REGISTERS) / sum;
    if (raw <= 2.5 * REGISTERS && zeros > 0) return Math.round(REGISTERS * Math.log(REGISTERS / zeros));
    // A 32-bit hash saturates near 2^32 values: the usual large-range correction.
    if (raw > TWO_POW_32 / 30) return Math.round(-TWO_POW_32 * Math.log(1 - raw / TWO_POW_32));
    return Math.round(raw);
  }
}

/**
 * A well-mixed 32-bit hash of a double's two words: the high word multiplied by an odd constant (a
 * bijection, so doubles that differ only there never collide — whole numbers have a zero low word),
 * then MurmurHash3's finaliser, which spreads every input bit over every output bit.
 */
function hashWords(low: number, high: number): number {
  return finalMix32(low ^ Math.imul(high, 0x9e3779b1));
}

/** 0 and -0 differ in their bits but are one value. */
const ZERO_HASH = hashWords(0, 0);
