/**
 * Item-to-item cosine similarity on the binary interaction matrix, keeping each item's top `k`:
 *
 *   sim(i, j) = |users(i) ∩ users(j)| / sqrt(|users(i)| · |users(j)|)
 *
 * Co-occurrence counts are accumulated per item through its users' item lists into one dense
 * accumulator (O(Σ_u n_u²) in all, never an nItems × nItems matrix); only co-occurring items are
 * ranked. Ties keep the lower item index, as the ONNX TopK does.
 */
import type { InteractionMatrix } from './interactions.js';
import { topK } from './top-k.js';

export interface ItemNeighbours {
  readonly k: number;
  /** nItems × k indices (unused places: item 0 with similarity 0). */
  readonly neighbours: Int32Array;
  readonly similarities: Float32Array;
}

export function itemNeighbours(data: InteractionMatrix, k: number, onItem?: (done: number) => void): ItemNeighbours {
  const nItems = data.itemIds.length;
  const { byUser, byItem } = data;
  const norm = new Float64Array(nItems);
  for (let i = 0; i < nItems; i++) norm[i] = Math.sqrt((byItem.ptr[i + 1] as number) - (byItem.ptr[i] as number));
  const width = Math.min(k, Math.max(1, nItems - 1));
  const neighbours = new Int32Array(nItems * width);
  const similarities = new Float32Array(nItems * width);
  const shared = new Float64Array(nItems);
  const touched = new Int32Array(nItems);
  const candidateScores = new Float64Array(nItems);
  for (let i = 0; i < nItems; i++) {
    let nTouched = 0;
    for (let p = byItem.ptr[i] as number; p < (byItem.ptr[i + 1] as number); p++) {
      const u = byItem.index[p] as number;
      for (let q = byUser.ptr[u] as number; q < (byUser.ptr[u + 1] as number); q++) {
        const j = byUser.index[q] as number;
        if (shared[j] === 0) touched[nTouched++] = j;
        shared[j] = (shared[j] as number) + 1;
      }
    }
    // Only co-occurring items can be neighbours (the item itself is left out). In index order, so that
    // top-k's "lower position first" on ties is "lower item index first".
    const candidates = touched.subarray(0, nTouched).sort();
    let nCandidates = 0;
    for (let t = 0; t < nTouched; t++) {
      const j = candidates[t] as number;
      if (j !== i) {
        candidates[nCandidates] = j;
        candidateScores[nCandidates++] = (shared[j] as number) / ((norm[i] as number) * (norm[j] as number));
      }
      shared[j] = 0;
    }
    const best = topK(candidateScores.subarray(0, nCandidates), width);
    best.forEach((c, rank) => {
      neighbours[i * width + rank] = candidates[c] as number;
      similarities[i * width + rank] = candidateScores[c] as number;
    });
    onItem?.(i + 1);
  }
  return { k: width, neighbours, similarities };
}
