/**
 * Split criteria, computed from a node's summary statistics so that the exact (sorted) and the
 * histogram split finders share them.
 *
 * Statistics layout, `2 + width` numbers: [row count, total weight W, S_0 .. S_{width-1}], where for
 * classification S_k is the weight of class k (width = nClasses) and for regression S_0 is Σ w·y
 * (width = 1). Regression impurity also needs Σ w·y², which only whole nodes (not candidate children)
 * carry; split search only needs the proxy below.
 *
 * The proxy of a split is the children's part of the impurity decrease, up to terms that do not depend
 * on the split: maximising it maximises `W·impurity(node) − W_L·impurity(L) − W_R·impurity(R)`
 * (scikit-learn's `proxy_impurity_improvement`).
 */
export type CriterionName = 'gini' | 'entropy' | 'squared_error';

export interface Criterion {
  readonly name: CriterionName;
  /** Number of S entries: nClasses, or 1 for regression. */
  readonly width: number;
  /** Impurity of a node from its statistics at `offset` (and Σ w·y² for regression). */
  impurity(stats: Float64Array, offset: number, sumSquares: number): number;
  /** The split's proxy (higher is better) from the left and right children's statistics. */
  proxy(left: Float64Array, leftOffset: number, right: Float64Array, rightOffset: number): number;
}

/** Index of W and of S_0 within a statistics record. */
export const COUNT = 0;
export const WEIGHT = 1;
export const SUMS = 2;

export function makeCriterion(name: CriterionName, width: number): Criterion {
  switch (name) {
    case 'gini':
      return {
        name,
        width,
        impurity(stats, o) {
          const w = stats[o + WEIGHT] as number;
          let sq = 0;
          for (let k = 0; k < width; k++) {
            const p = (stats[o + SUMS + k] as number) / w;
            sq += p * p;
          }
          return 1 - sq;
        },
        proxy(l, lo, r, ro) {
          let sl = 0;
          let sr = 0;
          for (let k = 0; k < width; k++) {
            const a = l[lo + SUMS + k] as number;
            const b = r[ro + SUMS + k] as number;
            sl += a * a;
            sr += b * b;
          }
          return sl / (l[lo + WEIGHT] as number) + sr / (r[ro + WEIGHT] as number);
        },
      };
    case 'entropy':
      return {
        name,
        width,
        impurity(stats, o) {
          return entropy(stats, o, width);
        },
        proxy(l, lo, r, ro) {
          return -(l[lo + WEIGHT] as number) * entropy(l, lo, width) - (r[ro + WEIGHT] as number) * entropy(r, ro, width);
        },
      };
    case 'squared_error':
      return {
        name,
        width,
        impurity(stats, o, sumSquares) {
          const w = stats[o + WEIGHT] as number;
          const mean = (stats[o + SUMS] as number) / w;
          return Math.max(0, sumSquares / w - mean * mean);
        },
        proxy(l, lo, r, ro) {
          const a = l[lo + SUMS] as number;
          const b = r[ro + SUMS] as number;
          return (a * a) / (l[lo + WEIGHT] as number) + (b * b) / (r[ro + WEIGHT] as number);
        },
      };
  }
}

/** Entropy in bits, as scikit-learn's 'entropy' criterion (log base 2). */
function entropy(stats: Float64Array, o: number, width: number): number {
  const w = stats[o + WEIGHT] as number;
  let h = 0;
  for (let k = 0; k < width; k++) {
    const c = stats[o + SUMS + k] as number;
    if (c > 0) {
      const p = c / w;
      h -= p * Math.log2(p);
    }
  }
  return h;
}
