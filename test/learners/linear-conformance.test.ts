import { logisticRegression } from '../../src/learners/linear/logistic-regression.js';
import { ridgeRegression } from '../../src/learners/linear/ridge-regression.js';
import { learnerConformance, makeDataset } from './learner-conformance.js';

learnerConformance(logisticRegression);
learnerConformance(logisticRegression, { data: makeDataset('multiclass') });
learnerConformance(ridgeRegression);
// with pairwise interactions: the widened model must keep the same contract (ONNX agreement included)
learnerConformance(logisticRegression, { params: { interactions: true } });
learnerConformance(logisticRegression, { params: { interactions: true, C: 0.1 }, data: makeDataset('multiclass') });
learnerConformance(ridgeRegression, { params: { interactions: true } });
