/**
 * What a split is and how good it is: shared by the fast split finder (./split-finder.ts), its naive
 * reference (./split-finder.naive.ts) and the grower.
 *
 * Gain is the decrease of the second-order (Newton) approximation of the loss, as in XGBoost, LightGBM
 * and scikit-learn: with G, H the sums of gradients and hessians of a node and λ the L2 penalty, a node
 * is worth G²/(H+λ) and its best constant raw score is −G/(H+λ); a split gains
 * G_L²/(H_L+λ) + G_R²/(H_R+λ) − G²/(H+λ).
 */

export interface SplitConstraints {
  /** Fewest rows in each child. */
  readonly minSamplesLeaf: number;
  /** Smallest sum of hessians in each child. */
  readonly minSumHessianInLeaf: number;
  /** λ, the L2 penalty on leaf values. */
  readonly l2Regularization: number;
  /** Most categories sent left by a categorical split (LightGBM's max_cat_threshold). */
  readonly maxCatThreshold: number;
  /** Added to the hessian when ordering categories by gradient/hessian (LightGBM's cat_smooth). */
  readonly catSmooth: number;
}

/** Sums of gradients and hessians over some rows (one side of a split). */
export interface SideSums {
  readonly grad: number;
  readonly hess: number;
}

/** Sums over a node's rows, and how many rows it has. */
export interface NodeSums extends SideSums {
  readonly count: number;
}

/**
 * A split as the split finder chooses it. Children's row counts are not part of it: they come from
 * partitioning the rows (the histograms do not count rows, see ./histogram.ts).
 */
export interface Split {
  readonly gain: number;
  readonly feature: number;
  /**
   * Numeric split: rows whose bin is <= `bin` go left. −1 for a categorical split.
   */
  readonly bin: number;
  /**
   * Where missing values go. Numeric split of a node with missing values in the feature: the learnt
   * direction. Null when the node has none: unseen missing values then follow the larger child
   * (scikit-learn's rule), which the grower settles when it partitions the rows. Categorical splits
   * send missing values right (false).
   */
  readonly missingLeft: boolean | null;
  /** Categorical split: `leftBins[b] === 1` for the bins (categories) that go left; null for numeric. */
  readonly leftBins: Uint8Array | null;
  readonly left: SideSums;
  readonly right: SideSums;
}

/** Gains at or below this are no improvement (guards against rounding noise). */
export const MIN_GAIN = 1e-12;

/** G²/(H+λ): how much a node with these sums lowers the (approximated) loss. */
export function nodeScore(grad: number, hess: number, l2: number): number {
  return (grad * grad) / (hess + l2);
}

/** The Newton step −G/(H+λ): a leaf's raw-score value before shrinkage. */
export function leafValue(grad: number, hess: number, l2: number): number {
  return -grad / (hess + l2);
}

/** Whether both children satisfy the size constraints. */
export function childrenAllowed(leftCount: number, leftHess: number, rightCount: number, rightHess: number, c: SplitConstraints): boolean {
  return (
    leftCount >= c.minSamplesLeaf && rightCount >= c.minSamplesLeaf && leftHess >= c.minSumHessianInLeaf && rightHess >= c.minSumHessianInLeaf
  );
}
