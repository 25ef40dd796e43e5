/**
 * Which features a node looks at: scikit-learn's scheme of drawing features without replacement until
 * `maxFeatures` of them turned out not to be constant in the node (constant ones do not count, so a
 * node never ends up a leaf just because its draw was unlucky), or every feature was tried.
 */
import { z } from '../../core/params.js';
import type { Rng } from '../../core/rng.js';

export class FeatureSampler {
  private readonly order: Int32Array;
  private remaining = 0;
  private informative = 0;

  constructor(
    readonly nFeatures: number,
    readonly maxFeatures: number,
    private readonly rng: Rng,
  ) {
    this.order = Int32Array.from({ length: nFeatures }, (_, j) => j);
  }

  /** Starts the draw for a new node. */
  begin(): void {
    this.remaining = this.nFeatures;
    this.informative = 0;
  }

  /** The next feature to try, or −1 when enough were tried. Call `informativeFound` for each non-constant one. */
  next(): number {
    if (this.informative >= this.maxFeatures || this.remaining === 0) return -1;
    const j = this.rng.int(this.remaining);
    const last = --this.remaining;
    const f = this.order[j] as number;
    this.order[j] = this.order[last] as number;
    this.order[last] = f;
    return f;
  }

  informativeFound(): void {
    this.informative++;
  }
}

/**
 * How many features each node draws: 'sqrt' and 'log2' of the feature count, a fraction in (0, 1],
 * an integer count above 1, or null for all of them (scikit-learn's `max_features`). At least 1.
 */
export type MaxFeatures = 'sqrt' | 'log2' | number | null;

export function resolveMaxFeatures(maxFeatures: MaxFeatures, nFeatures: number): number {
  let n: number;
  if (maxFeatures === null) n = nFeatures;
  else if (maxFeatures === 'sqrt') n = Math.floor(Math.sqrt(nFeatures));
  else if (maxFeatures === 'log2') n = Math.floor(Math.log2(nFeatures));
  else if (maxFeatures <= 1) n = Math.floor(maxFeatures * nFeatures);
  else n = Math.floor(maxFeatures);
  return Math.min(nFeatures, Math.max(1, n));
}

/** The params schema of `maxFeatures`, shared by trees and forests. */
export function maxFeaturesSchema(defaultValue: MaxFeatures) {
  return z
    .union([z.enum(['sqrt', 'log2']), z.number().positive()])
    .nullable()
    .default(defaultValue)
    .describe(
      'Features each split considers: "sqrt" or "log2" of their count, a fraction in (0, 1], a count above 1, or null for all (scikit-learn\'s max_features).',
    );
}
