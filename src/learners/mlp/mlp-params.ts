/**
 * The parameters of the multilayer perceptron, named like Kiln's other learners (camelCase) and with
 * scikit-learn's MLPClassifier / MLPRegressor defaults, so that "the same settings" means the same
 * numbers on both sides.
 */
import { z } from '../../core/params.js';

export const mlpParams = z.strictObject({
  hiddenLayerSizes: z
    .array(z.number().int().positive().max(4096))
    .min(1)
    .max(16)
    .default([100])
    .describe('Units in each hidden layer, input side first: [64, 32] is two hidden layers (scikit-learn: hidden_layer_sizes).'),
  activation: z.enum(['relu', 'tanh']).default('relu').describe('Activation of the hidden layers.'),
  alpha: z
    .number()
    .nonnegative()
    .default(1e-4)
    .describe('Strength of the L2 penalty on the weights (not the biases), scaled by the batch size as in scikit-learn.'),
  batchSize: z
    .number()
    .int()
    .positive()
    .nullable()
    .default(null)
    .describe('Rows per mini-batch; null means min(200, rows), as in scikit-learn.'),
  learningRate: z.number().positive().default(1e-3).describe('Adam step size (scikit-learn: learning_rate_init).'),
  beta1: z.number().min(0).lt(1).default(0.9).describe('Adam: decay of the running mean of the gradients.'),
  beta2: z.number().min(0).lt(1).default(0.999).describe('Adam: decay of the running mean of the squared gradients.'),
  epsilon: z.number().positive().default(1e-8).describe('Adam: added to the gradient scale for numerical stability.'),
  maxIter: z.number().int().positive().default(200).describe('Most epochs (passes over the training rows) to run.'),
  tol: z
    .number()
    .nonnegative()
    .default(1e-4)
    .describe('An epoch improves on the best loss only if it lowers it by more than tol; 0 never stops early on a plateau.'),
  nIterNoChange: z
    .number()
    .int()
    .positive()
    .default(10)
    .describe('Stop after this many epochs in a row without improvement (the training loss, or the validation loss with earlyStopping).'),
  earlyStopping: z
    .boolean()
    .default(false)
    .describe('Hold out validationFraction of the rows (seeded, stratified for classes), stop when their loss stops improving, and keep the best epoch.'),
  validationFraction: z.number().gt(0).lt(1).default(0.1).describe('Share of the rows held out when earlyStopping is on.'),
  dropout: z
    .number()
    .min(0)
    .lt(1)
    .default(0)
    .describe('Probability of zeroing each hidden unit during training (inverted dropout); 0 turns it off, as in scikit-learn.'),
  threads: z
    .union([z.literal(1), z.literal(2)])
    .default(1)
    .describe('Threads for the TensorFlow.js wasm backend, fixed by the first MLP fit in a process; under Node the backend runs 1 thread whatever is asked (see tfjs-runtime.ts).'),
});

export type MlpParams = z.output<typeof mlpParams>;
