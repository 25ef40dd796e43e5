import { mlpClassifier } from '../../src/learners/mlp/mlp-classifier.js';
import { mlpRegressor } from '../../src/learners/mlp/mlp-regressor.js';
import { learnerConformance, makeDataset } from './learner-conformance.js';

// Small networks and few epochs keep the suite fast; the variants cover both output kinds of the
// classifier, tanh, dropout and early stopping (each with its own seeded randomness to reproduce).
const small = { hiddenLayerSizes: [8, 4], maxIter: 15 };

learnerConformance(mlpClassifier, { params: small });
learnerConformance(mlpClassifier, { params: { ...small, activation: 'tanh', dropout: 0.2, earlyStopping: true }, data: makeDataset('multiclass') });
learnerConformance(mlpRegressor, { params: small });
learnerConformance(mlpRegressor, { params: { hiddenLayerSizes: [6], activation: 'tanh', dropout: 0.1, batchSize: 32, maxIter: 10 } });
