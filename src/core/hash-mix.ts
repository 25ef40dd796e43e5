/**
 * MurmurHash3's 32-bit finaliser ("fmix32"): spreads every input bit over every output bit, so that
 * inputs differing only in their last bits (counters, consecutive ids) land far apart. Used after the
 * per-item mixing of the few hashes Kiln computes itself (sampling by request id, A/B assignment,
 * the distinct-value sketch).
 */
export function finalMix32(hash: number): number {
  let h = hash;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
