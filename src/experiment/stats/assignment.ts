/**
 * Sticky assignment of users to arms: the arm is a pure function of (experiment, user key), so a user
 * sees the same version on every request, on every replica, without storing anything. The key is hashed
 * (32-bit MurmurHash3, well mixed and uniform) into [0, 1) and the unit interval is cut by the arms'
 * weights. Salting with the experiment's name keeps assignments of different experiments independent.
 */
import { KilnError } from '../../core/errors.js';
import { finalMix32 } from '../../core/hash-mix.js';

export interface Arm {
  readonly name: string;
  /** Relative weight (weights need not sum to 1). */
  readonly weight: number;
}

const encoder = new TextEncoder();
/** Reused for every key: hashing runs on the request path, where a fresh encoder and array per call cost more than the hash. */
let scratch = new Uint8Array(256);

/** MurmurHash3 (x86, 32-bit) of a string's UTF-8 bytes. */
export function murmur3(text: string, seed = 0): number {
  // UTF-8 takes at most 3 bytes per UTF-16 code unit
  if (scratch.length < 3 * text.length) scratch = new Uint8Array(3 * text.length);
  const bytes = scratch;
  const length = encoder.encodeInto(text, bytes).written;
  let h = seed >>> 0;
  const c1 = 0xcc9e2d51;
  const c2 = 0x1b873593;
  const blocks = length >>> 2;
  for (let i = 0; i < blocks; i++) {
    let k = (bytes[4 * i] as number) | ((bytes[4 * i + 1] as number) << 8) | ((bytes[4 * i + 2] as number) << 16) | ((bytes[4 * i + 3] as number) << 24);
    k = Math.imul(k, c1);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, c2);
    h ^= k;
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  let k = 0;
  const tail = blocks * 4;
  const rest = length & 3;
  if (rest > 0) {
    if (rest === 3) k ^= (bytes[tail + 2] as number) << 16;
    if (rest >= 2) k ^= (bytes[tail + 1] as number) << 8;
    k ^= bytes[tail] as number;
    k = Math.imul(k, c1);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, c2);
    h ^= k;
  }
  h ^= length;
  return finalMix32(h);
}

/** Validates the arms once; returns a function from user key to arm name. */
export function stickyAssigner(experiment: string, arms: readonly Arm[]): (userKey: string) => string {
  if (arms.length === 0) throw new KilnError('INVALID_EXPERIMENT_DATA', { reason: 'an experiment needs at least one arm' });
  const total = arms.reduce((s, a) => s + a.weight, 0);
  for (const a of arms) {
    if (!(a.weight >= 0) || !Number.isFinite(a.weight)) throw new KilnError('INVALID_EXPERIMENT_DATA', { reason: `arm "${a.name}" has weight ${a.weight}; weights must be non-negative numbers` });
  }
  if (!(total > 0)) throw new KilnError('INVALID_EXPERIMENT_DATA', { reason: 'the arms\' weights sum to zero' });
  const bounds: number[] = [];
  let cumulative = 0;
  for (const a of arms) {
    cumulative += a.weight / total;
    bounds.push(cumulative);
  }
  return (userKey: string) => {
    const u = murmur3(`${experiment}\u0000${userKey}`) / 4294967296;
    for (let i = 0; i < arms.length; i++) if (u < (bounds[i] as number)) return (arms[i] as Arm).name;
    // rounding can leave the last bound a hair below 1
    return (arms[arms.length - 1] as Arm).name;
  };
}
