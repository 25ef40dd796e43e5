/**
 * The shared learner conformance suite for both gradient-boosting learners, with small models so it
 * stays fast. `missing: 'error'` because the suite expects NaN features to be refused; the native
 * missing-value path (the default) is covered in gbdt.test.ts.
 */
import { gradientBoosting, gradientBoostingRegressor } from '../../src/learners/gbdt/gradient-boosting.js';
import { learnerConformance, makeDataset } from './learner-conformance.js';

const small = { maxIter: 15, numLeaves: 7, minSamplesLeaf: 5, missing: 'error' };

learnerConformance(gradientBoosting, { params: small });
learnerConformance(gradientBoosting, { params: small, data: makeDataset('multiclass') });
learnerConformance(gradientBoostingRegressor, { params: small });
learnerConformance(gradientBoostingRegressor, { params: { ...small, loss: 'absolute_error' } });
learnerConformance(gradientBoostingRegressor, { params: { ...small, loss: 'huber', subsample: 0.7, featureFraction: 0.6 } });
