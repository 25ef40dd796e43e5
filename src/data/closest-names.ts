/** Suggesting the name a person probably meant ("Survivd" → "Survived") when a column is missing. */

/** Up to two column names within a small edit distance of `name` (case-insensitive). */
export function closestNames(name: string, candidates: readonly string[]): string[] {
  const target = name.toLowerCase();
  return candidates
    .map((c) => ({ c, d: editDistance(target, c.toLowerCase()) }))
    .filter(({ d }) => d <= Math.max(2, Math.floor(target.length / 3)))
    .sort((a, b) => a.d - b.d)
    .slice(0, 2)
    .map(({ c }) => c);
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min((prev[j] as number) + 1, (cur[j - 1] as number) + 1, (prev[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length] as number;
}
