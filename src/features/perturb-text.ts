/**
 * How free text gets messier in production, for the robustness check of text modules: typing slips
 * (two neighbouring letters of a word swapped, "teh" for "the"), words left out (a hurried or cut
 * short review), and texts missing altogether. Seeded, so a report is reproducible.
 */
import type { Rng } from '../core/rng.js';

/** Runs of letters (any script) with the apostrophes inside words: what a slip of the fingers hits. */
const WORD = /\p{L}[\p{L}']*/gu;

/** In a `share` of the words of 3 letters or more, two neighbouring letters swap places. */
export function typoTexts(texts: readonly (string | null)[], share: number, rng: Rng): (string | null)[] {
  return texts.map((text) =>
    text === null
      ? null
      : text.replace(WORD, (word) => {
          if (word.length < 3 || rng.next() >= share) return word;
          const at = rng.int(word.length - 1);
          return word.slice(0, at) + (word[at + 1] as string) + (word[at] as string) + word.slice(at + 2);
        }),
  );
}

/** A `share` of the words (with the space after them) left out. */
export function dropWords(texts: readonly (string | null)[], share: number, rng: Rng): (string | null)[] {
  return texts.map((text) => (text === null ? null : text.replace(/\p{L}[\p{L}']*\s*/gu, (word) => (rng.next() < share ? '' : word))));
}

/** A `share` of the texts missing (null: what an empty cell reads as). */
export function blankTexts(texts: readonly (string | null)[], share: number, rng: Rng): (string | null)[] {
  return texts.map((text) => (rng.next() < share ? null : text));
}
