/**
 * Top-k metrics for recommendations, averaged over users: for each user, `recommended` is the ranked
 * list Kiln proposes and `relevant` the items the user actually chose in the held-out part.
 * Relevance is binary. Users with nothing relevant are skipped (they cannot be ranked well or badly).
 *
 *   precision@k = hits in the top k / k
 *   recall@k    = hits in the top k / |relevant|
 *   NDCG@k      = Σ_{hits at rank r ≤ k} 1/log2(r + 1)  ÷  the same for a perfect list (min(k, |relevant|) hits)
 *   MAP@k       = mean over users of Σ_{hits at rank r ≤ k} precision@r / min(k, |relevant|)
 */
export interface UserRanking<T> {
  readonly recommended: readonly T[];
  readonly relevant: ReadonlySet<T>;
}

export interface RankingMetrics {
  readonly precision_at_k: number;
  readonly recall_at_k: number;
  readonly ndcg_at_k: number;
  readonly map_at_k: number;
  /** Users that counted (those with at least one relevant item). */
  readonly users: number;
}

export function rankingMetrics<T>(rankings: Iterable<UserRanking<T>>, k: number): RankingMetrics {
  let users = 0;
  let precision = 0;
  let recall = 0;
  let ndcg = 0;
  let map = 0;
  for (const { recommended, relevant } of rankings) {
    if (relevant.size === 0) continue;
    users++;
    let hits = 0;
    let dcg = 0;
    let ap = 0;
    const top = recommended.slice(0, k);
    top.forEach((item, r) => {
      if (!relevant.has(item)) return;
      hits++;
      dcg += 1 / Math.log2(r + 2);
      ap += hits / (r + 1);
    });
    let idcg = 0;
    const ideal = Math.min(k, relevant.size);
    for (let r = 0; r < ideal; r++) idcg += 1 / Math.log2(r + 2);
    precision += hits / k;
    recall += hits / relevant.size;
    ndcg += dcg / idcg;
    map += ap / ideal;
  }
  const avg = (x: number) => (users === 0 ? Number.NaN : x / users);
  return { precision_at_k: avg(precision), recall_at_k: avg(recall), ndcg_at_k: avg(ndcg), map_at_k: avg(map), users };
}
