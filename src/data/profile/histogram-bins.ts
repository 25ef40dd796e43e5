/**
 * How a numeric column's histogram is laid out, from its min and max: 20 equal-width bins, or one bin
 * per value for whole numbers that span fewer than 40 values (a count of children reads better as
 * 0, 1, 2, … than as 0–1.95, 1.95–3.9, …). Value v of an equal-width layout falls in bin
 * min(BINS − 1, floor((v − min) / width)), so the max lands in the last bin; of a unit layout in v − min.
 */

export const BINS = 20;
/** Whole numbers spanning fewer values than this get one bin per value. */
export const MAX_UNIT_BINS = 40;

export interface BinLayout {
  /** Bin k holds [edges[k], edges[k + 1]); the last bin is closed. */
  readonly edges: number[];
  /** One bin per whole number (edges min, min + 1, …, max + 1). */
  readonly unit: boolean;
}

/** The layout for a column, or undefined when there is nothing to bin (no finite range, one value). */
export function binLayout(min: number, max: number, allIntegers: boolean): BinLayout | undefined {
  if (!Number.isFinite(min) || !Number.isFinite(max) || min === max) return undefined;
  if (allIntegers && isUnitRange(min, max)) {
    return { edges: Array.from({ length: max - min + 2 }, (_, k) => min + k), unit: true };
  }
  const width = (max - min) / BINS;
  return { edges: Array.from({ length: BINS + 1 }, (_, k) => (k === BINS ? max : min + k * width)), unit: false };
}

/** Whether whole numbers from `min` to `max` would get one bin per value. */
export function isUnitRange(min: number, max: number): boolean {
  return Number.isInteger(min) && Number.isInteger(max) && max - min < MAX_UNIT_BINS;
}
