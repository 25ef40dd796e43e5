/**
 * The shared learner conformance suite for both gradient-boosting learners, with small models so it
 * stays fast. NaN features are missing values by default (`acceptsMissing`); the first suite also
 * runs with `missing: 'error'`, where they must be refused. The last three grow on quantised gradients
 * (`quantizedGradients: true`; "auto" keeps data this small exact).
 */
import { gradientBoosting, gradientBoostingRegressor } from '../../src/learners/gbdt/gradient-boosting.js';
import { learnerConformance, makeDataset } from './learner-conformance.js';

const small = { maxIter: 15, numLeaves: 7, minSamplesLeaf: 5 };

learnerConformance(gradientBoosting, { params: { ...small, missing: 'error' } });
learnerConformance(gradientBoosting, { params: small, acceptsMissing: true });
learnerConformance(gradientBoosting, { params: small, data: makeDataset('multiclass'), acceptsMissing: true });
learnerConformance(gradientBoostingRegressor, { params: small, acceptsMissing: true });
learnerConformance(gradientBoostingRegressor, { params: { ...small, loss: 'absolute_error' }, acceptsMissing: true });
learnerConformance(gradientBoostingRegressor, { params: { ...small, loss: 'huber', subsample: 0.7, featureFraction: 0.6 }, acceptsMissing: true });
learnerConformance(gradientBoosting, { params: { ...small, quantizedGradients: true }, acceptsMissing: true });
learnerConformance(gradientBoosting, { params: { ...small, quantizedGradients: true }, data: makeDataset('multiclass'), acceptsMissing: true });
learnerConformance(gradientBoostingRegressor, { params: { ...small, quantizedGradients: true, subsample: 0.7 }, acceptsMissing: true });
