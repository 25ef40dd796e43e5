/**
 * A trained multilayer perceptron as plain numbers: what a predictor keeps, runs, saves and exports.
 * Prediction needs no TensorFlow.js: `forward` is a float64 dense pass, and `addNetworkToOnnx` writes
 * the same computation as MatMul/Add/(Relu|Tanh) nodes, so the two agree up to float32 rounding.
 *
 * Layer l maps `sizes[l]` inputs to `sizes[l + 1]` outputs; its weights are stored input-major
 * (`weights[l][i * out + j]` links input i to unit j), the layout of scikit-learn's `coefs_` and of
 * ONNX's MatMul right-hand side.
 */
import { KilnError } from '../../core/errors.js';
import { createMatrix, type Matrix } from '../../core/matrix.js';
import { z } from '../../core/params.js';
import { tensor, type GraphBuilder } from '../../onnx/graph-builder.js';

export type HiddenActivation = 'relu' | 'tanh';
/** sigmoid: one unit, the probability of class 1; softmax: one unit per class; identity: regression. */
export type OutputActivation = 'sigmoid' | 'softmax' | 'identity';

export interface DenseNetwork {
  /** Units per layer, inputs first, outputs last. */
  readonly sizes: readonly number[];
  readonly activation: HiddenActivation;
  readonly output: OutputActivation;
  readonly weights: readonly Float64Array[];
  readonly biases: readonly Float64Array[];
}

/** The network's output for every row: probabilities for sigmoid/softmax, values for identity. */
export function forward(net: DenseNetwork, X: Matrix): Matrix {
  let current = X;
  const last = net.weights.length - 1;
  net.weights.forEach((w, l) => {
    const z = denseLayer(current, w, net.biases[l] as Float64Array);
    if (l < last) applyHidden(z.data, net.activation);
    current = z;
  });
  return net.output === 'identity' ? current : outputProbabilities(current, net.output);
}

/** z = X · W + b, float64. */
function denseLayer(X: Matrix, w: Float64Array, b: Float64Array): Matrix {
  const n = X.rows;
  const d = X.cols;
  const k = b.length;
  const out = createMatrix(n, k);
  const x = X.data;
  const z = out.data;
  for (let i = 0; i < n; i++) {
    const zRow = i * k;
    z.set(b, zRow);
    for (let j = 0; j < d; j++) {
      const xij = x[i * d + j] as number;
      if (xij === 0) continue; // relu leaves many zeros: skipping them is exact and cheap
      const wRow = j * k;
      for (let u = 0; u < k; u++) z[zRow + u] = (z[zRow + u] as number) + xij * (w[wRow + u] as number);
    }
  }
  return out;
}

function applyHidden(z: Float64Array, activation: HiddenActivation): void {
  if (activation === 'relu') {
    for (let k = 0; k < z.length; k++) if ((z[k] as number) < 0) z[k] = 0;
  } else {
    for (let k = 0; k < z.length; k++) z[k] = Math.tanh(z[k] as number);
  }
}

/** Class probabilities (rows × nClasses) from the last layer's scores. */
function outputProbabilities(scores: Matrix, output: 'sigmoid' | 'softmax'): Matrix {
  const s = scores.data;
  if (output === 'sigmoid') {
    const proba = createMatrix(scores.rows, 2);
    for (let i = 0; i < scores.rows; i++) {
      const p1 = 1 / (1 + Math.exp(-(s[i] as number)));
      proba.data[2 * i] = 1 - p1;
      proba.data[2 * i + 1] = p1;
    }
    return proba;
  }
  const k = scores.cols;
  const proba = createMatrix(scores.rows, k);
  const p = proba.data;
  for (let i = 0; i < scores.rows; i++) {
    const start = i * k;
    let max = -Infinity;
    for (let c = 0; c < k; c++) max = Math.max(max, s[start + c] as number);
    let sum = 0;
    for (let c = 0; c < k; c++) {
      const e = Math.exp((s[start + c] as number) - max);
      p[start + c] = e;
      sum += e;
    }
    for (let c = 0; c < k; c++) p[start + c] = (p[start + c] as number) / sum;
  }
  return proba;
}

/**
 * Adds the network to `g`, reading float [N, sizes[0]] `features`. Returns a float [N, nClasses]
 * probability tensor (sigmoid widened to [1 − p, p]) or, for identity, a float [N, 1] prediction.
 */
export function addNetworkToOnnx(g: GraphBuilder, features: string, net: DenseNetwork, hint: string): string {
  let current = features;
  const last = net.weights.length - 1;
  net.weights.forEach((w, l) => {
    const b = net.biases[l] as Float64Array;
    const inputs = net.sizes[l] as number;
    const wName = g.constant(`${hint}_w${l}`, tensor.float(Float32Array.from(w), [inputs, b.length]));
    const bName = g.constant(`${hint}_b${l}`, tensor.float(Float32Array.from(b), [b.length]));
    const product = g.op('MatMul', [current, wName], {}, { name: `${hint}_matmul${l}` });
    current = g.op('Add', [product, bName], {}, { name: `${hint}_z${l}` });
    if (l < last) current = g.op(net.activation === 'relu' ? 'Relu' : 'Tanh', [current], {}, { name: `${hint}_h${l}` });
  });
  switch (net.output) {
    case 'identity':
      return current;
    case 'softmax':
      return g.op('Softmax', [current], { axis: { t: 'int', v: 1 } }, { name: `${hint}_probabilities` });
    case 'sigmoid': {
      const p1 = g.op('Sigmoid', [current], {}, { name: `${hint}_p1` });
      const one = g.constant(`${hint}_one`, tensor.float([1], [1]));
      const p0 = g.op('Sub', [one, p1], {}, { name: `${hint}_p0` });
      return g.op('Concat', [p0, p1], { axis: { t: 'int', v: 1 } }, { name: `${hint}_probabilities` });
    }
  }
}

/**
 * A rough per-feature importance: the L1 norm of each input's weights into the first hidden layer
 * (large weights from an input mean the network listens to it; on standardised features only).
 */
export function inputWeightNorms(net: DenseNetwork): Float64Array {
  const inputs = net.sizes[0] as number;
  const units = net.sizes[1] as number;
  const w = net.weights[0] as Float64Array;
  const norms = new Float64Array(inputs);
  for (let i = 0; i < inputs; i++) {
    let sum = 0;
    for (let u = 0; u < units; u++) sum += Math.abs(w[i * units + u] as number);
    norms[i] = sum;
  }
  return norms;
}

/** The saved form: plain arrays, checked on load. */
export const networkStateSchema = z.strictObject({
  sizes: z.array(z.number().int().positive()).min(2),
  activation: z.enum(['relu', 'tanh']),
  output: z.enum(['sigmoid', 'softmax', 'identity']),
  weights: z.array(z.array(z.number())),
  biases: z.array(z.array(z.number())),
});

export type NetworkState = z.output<typeof networkStateSchema>;

export function networkToState(net: DenseNetwork): NetworkState {
  return {
    sizes: [...net.sizes],
    activation: net.activation,
    output: net.output,
    weights: net.weights.map((w) => Array.from(w)),
    biases: net.biases.map((b) => Array.from(b)),
  };
}

/** Rebuilds a network from its saved form; INVALID_PREDICTOR (naming `learner`) if it does not fit together. */
export function networkFromState(state: unknown, learner: string): DenseNetwork {
  const invalid = (reason: string): KilnError => new KilnError('INVALID_PREDICTOR', { learner, reason });
  const parsed = networkStateSchema.safeParse(state);
  if (!parsed.success) throw invalid(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
  const { sizes, activation, output, weights, biases } = parsed.data;
  const layers = sizes.length - 1;
  if (weights.length !== layers || biases.length !== layers) throw invalid(`expected ${layers} weight and bias arrays for ${sizes.length} layer sizes`);
  for (let l = 0; l < layers; l++) {
    const inputs = sizes[l] as number;
    const units = sizes[l + 1] as number;
    if (weights[l]?.length !== inputs * units || biases[l]?.length !== units) {
      throw invalid(`layer ${l} should have ${inputs}×${units} weights and ${units} biases`);
    }
  }
  return { sizes, activation, output, weights: weights.map((w) => Float64Array.from(w)), biases: biases.map((b) => Float64Array.from(b)) };
}
