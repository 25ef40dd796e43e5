import { logisticRegression } from '../../src/learners/linear/logistic-regression.js';
import { ridgeRegression } from '../../src/learners/linear/ridge-regression.js';
import { learnerConformance, makeDataset } from './learner-conformance.js';

learnerConformance(logisticRegression);
learnerConformance(logisticRegression, { data: makeDataset('multiclass') });
learnerConformance(ridgeRegression);
