import { formatNumber } from './scale.js';

/**
 * Bin labels for equal-width numeric bins: `edges` has one more entry than there are bins. Whole numbers
 * over a short range get one bin per value (edges min, min + 1, …, max + 1): each is labelled by its
 * value (Pclass 1, 2, 3), not as a range that runs past the largest value ("3–4").
 */
export function binLabels(edges: readonly number[]): string[] {
  const oneValueEach = edges.length >= 2 && edges.every((e, i) => Number.isInteger(e) && (i === 0 || e - (edges[i - 1] ?? e) === 1));
  if (oneValueEach) return edges.slice(0, -1).map((value) => formatNumber(value));
  return edges.slice(0, -1).map((lo, i) => `${formatNumber(lo)}–${formatNumber(edges[i + 1] ?? lo)}`);
}
