/**
 * Checks a served graph against the in-process recommender before the module is registered: the same
 * ids through both must give scores within 1e-5 (relative to the score's size, for scores above 1) and
 * the same item lists, except where two items' scores tie within that tolerance (float32 sums may
 * order a near tie either way).
 */
import { openSession, ort } from '../../onnx/session.js';
import { topK } from '../../learners/recommend/top-k.js';

export const RECOMMEND_AGREEMENT_TOLERANCE = 1e-5;

export interface Agreement {
  /** Largest |graph − in-process| score difference, divided by max(1, |score|). */
  readonly maxScaledDiff: number;
  /** List positions whose items differ without a tie to explain it. */
  readonly mismatches: number;
  readonly rows: number;
}

/**
 * `scoresFor(row)` gives the in-process scores of every item for `ids[row]`, masked as the graph masks
 * them (seen items, the item itself).
 */
export async function graphAgreement(
  onnx: Uint8Array,
  input: string,
  ids: readonly string[],
  itemIds: readonly string[],
  k: number,
  scoresFor: (row: number) => Float64Array,
): Promise<Agreement> {
  const session = await openSession(onnx);
  try {
    const out = await session.run({ [input]: new ort.Tensor('string', [...ids], [ids.length, 1]) });
    const gotItems = out['items']?.data as string[];
    const gotScores = out['scores']?.data as Float32Array;
    const indexOf = new Map(itemIds.map((id, i) => [id, i]));
    let maxScaledDiff = 0;
    let mismatches = 0;
    ids.forEach((_, row) => {
      const scores = scoresFor(row);
      const expected = topK(scores, k);
      for (let p = 0; p < expected.length; p++) {
        const want = scores[expected[p] as number] as number;
        const got = gotScores[row * k + p] as number;
        const diff = Math.abs(got - want) / Math.max(1, Math.abs(want));
        maxScaledDiff = Number.isNaN(diff) ? Infinity : Math.max(maxScaledDiff, diff);
        const gotItem = indexOf.get(gotItems[row * k + p] as string);
        if (gotItem === expected[p]) continue;
        const tie = gotItem !== undefined && Math.abs((scores[gotItem] as number) - want) / Math.max(1, Math.abs(want)) <= RECOMMEND_AGREEMENT_TOLERANCE;
        if (!tie) mismatches++;
      }
    });
    return { maxScaledDiff, mismatches, rows: ids.length };
  } finally {
    await session.release();
  }
}
