/**
 * The scale a standardiser divides a column by: its standard deviation, or 1 when the column has no
 * spread (relative to its mean), so that a constant column maps to 0 instead of dividing by zero — as
 * scikit-learn's StandardScaler does. Shared by the features' scaler and the linear learners' own
 * standardisation of interaction columns, so the two agree on what counts as constant.
 */
export function scaleOrOne(std: number, mean: number): number {
  return std > 1e-12 * Math.max(1, Math.abs(mean)) ? std : 1;
}
