/**
 * Augmentation for text modules: the training texts plus `copies` messier copies of each — a typing
 * slip in a `swap` share of the words, then a `missing` share of the words left out (perturb-text.ts:
 * the robustness check's cases) — each copy keeping its text's class. Texts are never blanked whole:
 * an empty text labelled with a class teaches nothing about words. `jitter` (noise on numbers) does not
 * apply to text.
 *
 * As for tables (augment-rows.ts), only texts a model is fitted on are augmented: each
 * cross-validation fold's training part, then the final fit's; held-out texts are scored as they are.
 */
import { Rng } from '../core/rng.js';
import type { AugmentOptions } from './augment-rows.js';
import { percent } from './perturb-columns.js';
import { dropWords, typoTexts } from './perturb-text.js';

export function augmentTexts(
  texts: readonly (string | null)[],
  y: Int32Array,
  options: AugmentOptions,
  seed: number,
): { readonly texts: (string | null)[]; readonly y: Int32Array } {
  const rng = new Rng(seed);
  const out = [...texts];
  for (let copy = 0; copy < options.copies; copy++) out.push(...dropWords(typoTexts(texts, options.swap, rng), options.missing, rng));
  return { texts: out, y: Int32Array.from({ length: out.length }, (_, i) => y[i % texts.length] as number) };
}

/** In words, for progress lines and reports. */
export function describeTextAugmentation(options: AugmentOptions): string {
  return `${options.copies} messier ${options.copies === 1 ? 'copy' : 'copies'} of every training text (a typing slip in ${percent(options.swap)} of the words, ${percent(options.missing)} of the words left out)`;
}
