/**
 * The parameters of gradient boosting: one schema each for the classifier and the regressor, sharing
 * every tree and boosting parameter. Names follow scikit-learn's HistGradientBoosting (camelCased) with
 * LightGBM's where scikit-learn has none (numLeaves, featureFraction, maxCatThreshold, catSmooth).
 * Defaults are scikit-learn's, so the same settings give comparable models.
 */
import { z } from '../../core/params.js';

const shared = {
  maxIter: z.number().int().positive().default(100).describe('Boosting iterations (trees per output); early stopping may use fewer.'),
  learningRate: z.number().positive().max(10).default(0.1).describe('Shrinkage of every tree: smaller learns slower but generalises better with more iterations.'),
  numLeaves: z.number().int().min(2).max(65_536).default(31).describe('Most leaves per tree (scikit-learn: max_leaf_nodes); trees grow leaf-wise, best split first.'),
  maxDepth: z.number().int().positive().nullable().default(null).describe('Most splits from the root to a leaf; null for no limit besides numLeaves.'),
  minSamplesLeaf: z.number().int().positive().default(20).describe('Fewest training rows in a leaf.'),
  minSumHessianInLeaf: z.number().min(0).default(1e-3).describe('Smallest sum of hessians (loss curvature) in a leaf.'),
  l2Regularization: z.number().min(0).default(0).describe('L2 penalty on leaf values (λ): larger values shrink leaves and smooth the model.'),
  maxBins: z.number().int().min(2).max(255).default(255).describe('Value bins per feature (plus one for missing values); fewer bins train faster and coarser.'),
  subsample: z.number().gt(0).max(1).default(1).describe('Fraction of rows drawn (without replacement, seeded) for each iteration; 1 uses every row.'),
  featureFraction: z.number().gt(0).max(1).default(1).describe('Fraction of features drawn (seeded) for each tree; 1 uses every feature.'),
  categoricalFeatures: z
    .array(z.number().int().min(0))
    .default([])
    .describe('Indices of the columns holding category codes (0, 1, 2, …; NaN = missing): they get native categorical splits.'),
  maxCatThreshold: z.number().int().positive().default(32).describe('Most categories a categorical split sends left.'),
  catSmooth: z.number().min(0).default(10).describe('Smoothing of per-category gradient ratios when ordering categories for a split.'),
  missing: z
    .enum(['learn', 'error'])
    .default('learn')
    .describe('"learn": missing (NaN) feature values are allowed and every split learns which side they go to; "error": NaN is rejected.'),
  earlyStopping: z
    .union([z.boolean(), z.literal('auto')])
    .default('auto')
    .describe('Stop when the validation loss stops improving; "auto" turns it on above 10,000 rows (scikit-learn\'s rule).'),
  validationFraction: z
    .number()
    .gt(0)
    .lt(1)
    .default(0.1)
    .describe('With early stopping and no validation set given, the fraction of training rows held out (seeded) to watch.'),
  nIterNoChange: z.number().int().positive().default(10).describe('Early stopping waits this many iterations without improvement.'),
  tol: z.number().min(0).default(1e-7).describe('An improvement of the validation loss smaller than this does not count.'),
  quantizedGradients: z
    .union([z.boolean(), z.literal('auto')])
    .default('auto')
    .describe(
      'Grow trees on gradients rounded (stochastically, seeded) to ~1,000 or more levels and packed one number per row: histograms ~1.4× faster (LightGBM\'s quantized training). "auto" turns it on from 100,000 training rows; false keeps exact gradients (scikit-learn\'s arithmetic).',
    ),
};

export const gradientBoostingClassifierParams = z.strictObject(shared);

export const gradientBoostingRegressorParams = z.strictObject({
  ...shared,
  loss: z
    .enum(['squared_error', 'absolute_error', 'huber'])
    .default('squared_error')
    .describe('squared_error fits the mean; absolute_error the median (robust to outliers); huber is squared near the fit and absolute far from it.'),
  huberQuantile: z
    .number()
    .gt(0)
    .lt(1)
    .default(0.9)
    .describe('Huber loss: residuals beyond this quantile of |residual| (re-estimated each iteration) count linearly.'),
});

export type GradientBoostingClassifierParams = z.output<typeof gradientBoostingClassifierParams>;
export type GradientBoostingRegressorParams = z.output<typeof gradientBoostingRegressorParams>;
/** What boosting needs, whatever the task. */
export type BoostingParams = GradientBoostingClassifierParams;
