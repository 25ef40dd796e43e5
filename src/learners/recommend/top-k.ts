/**
 * The k best-scoring indices, best first, ties broken by the lower index — exactly the order of ONNX
 * TopK (largest, sorted), so that the in-process recommender and the served graph list the same items.
 */
export function topK(scores: ArrayLike<number>, k: number): Int32Array {
  const n = scores.length;
  const size = Math.min(k, n);
  const best = new Int32Array(size);
  let filled = 0;
  for (let i = 0; i < n; i++) {
    const s = scores[i] as number;
    // Keep `best` sorted; an index later than equal scores goes after them (lower index wins ties).
    if (filled === size && !(s > (scores[best[size - 1] as number] as number))) continue;
    let at = filled < size ? filled : size - 1;
    while (at > 0 && s > (scores[best[at - 1] as number] as number)) {
      best[at] = best[at - 1] as number;
      at--;
    }
    best[at] = i;
    if (filled < size) filled++;
  }
  return best;
}
