/**
 * One mini-batch's forward and backward pass on TensorFlow.js (wasm backend, XNNPACK kernels): the
 * matrix products, activations and dropout masks run as tfjs ops; the output loss and the parameter
 * update run in JavaScript (./output-loss.ts, ./adam.ts), because at these sizes every tfjs op costs
 * more in engine overhead than in arithmetic and those two steps are cheap loops over small arrays.
 *
 * Backpropagation is written out rather than taped with tf.grad: for a dense network the gradients are
 * three products per layer, and writing them lets every product be a plain (non-transposed) matMul,
 * which the wasm backend sends to XNNPACK (its transposed variants fall back to a slow generic loop).
 *
 *   forward:  A_0 = X,  Z_l = A_{l-1} W_l + b_l,  A_l = act(Z_l) ⊙ M_l (M_l the dropout mask)
 *   backward: δ_L = d loss / d Z_L (from JavaScript),
 *             ∂W_l = A_{l-1}ᵀ δ_l,  ∂b_l = Σ_rows δ_l,  δ_{l-1} = (δ_l W_lᵀ) ⊙ act'(Z_{l-1}) ⊙ M_{l-1}
 *
 * Every tensor is created and released inside one tf.tidy per call: nothing outlives a batch.
 */
import type { Tensor, Tensor2D } from '@tensorflow/tfjs';
import type { HiddenActivation, OutputActivation } from './dense-network.js';
import { outputLossAndDelta } from './output-loss.js';
import type { ParameterLayout } from './parameter-layout.js';
import type { Tfjs } from './tfjs-runtime.js';

/** One mini-batch, row-major, in float32 (tfjs's wasm backend computes in float32). */
export interface Batch {
  readonly rows: number;
  /** rows × inputs */
  readonly x: Float32Array;
  /** inputs × rows: the transpose, built while gathering the rows, for ∂W of the first layer. */
  readonly xT: Float32Array;
  /** Per row: class index or (standardised) value. */
  readonly targets: Float64Array;
  /** Per hidden layer, rows × units of 0 or 1/(1 − rate); absent without dropout. */
  readonly masks?: readonly Float32Array[];
}

/** Rows scored per tfjs call when evaluating a whole set. */
const SCORE_CHUNK_ROWS = 4096;

export class TfjsBackprop {
  private readonly params32: Float32Array;
  private readonly transposed32: Float32Array[];

  constructor(
    private readonly tf: Tfjs,
    private readonly layout: ParameterLayout,
    private readonly activation: HiddenActivation,
    private readonly output: OutputActivation,
  ) {
    this.params32 = new Float32Array(layout.size);
    this.transposed32 = layout.layers.map((s) => new Float32Array(s.inputs * s.units));
  }

  /**
   * Writes the gradient of the batch's mean loss (without the L2 penalty) into `gradient` and returns
   * the batch's summed loss.
   */
  gradient(params: Float64Array, batch: Batch, gradient: Float64Array): number {
    const { tf, layout } = this;
    const last = layout.layers.length - 1;
    this.params32.set(params);
    return tf.tidy(() => {
      const weights = layout.layers.map((s) => this.tensor(this.params32.subarray(s.weightOffset, s.biasOffset), s.inputs, s.units));
      const biases = layout.layers.map((s) => tf.tensor1d(this.params32.subarray(s.biasOffset, s.biasOffset + s.units)));

      // Forward, keeping each hidden layer's activations (before and after dropout) for the backward pass.
      const inputs: Tensor2D[] = [this.tensor(batch.x, batch.rows, layout.sizes[0] as number)];
      const activated: Tensor2D[] = [];
      for (let l = 0; l < last; l++) {
        const a = this.hiddenLayer(inputs[l] as Tensor2D, weights[l] as Tensor2D, biases[l] as Tensor);
        activated.push(a);
        const mask = batch.masks?.[l];
        inputs.push(mask === undefined ? a : tf.mul(a, this.tensor(mask, batch.rows, layout.layers[l]!.units)));
      }
      const scores = tf.fused.matMul({ a: inputs[last] as Tensor2D, b: weights[last] as Tensor2D, bias: biases[last] as Tensor });
      const scores32 = scores.dataSync() as Float32Array;
      const outputDelta = new Float32Array(scores32.length);
      const loss = outputLossAndDelta(this.output, scores32, batch.targets, batch.rows, outputDelta);

      // Backward: the output layer's bias gradient is a column sum of δ_L, done here in JavaScript.
      const outSlots = layout.layers[last]!;
      const outBias = gradient.subarray(outSlots.biasOffset, outSlots.biasOffset + outSlots.units);
      outBias.fill(0);
      for (let i = 0; i < outputDelta.length; i++) outBias[i % outSlots.units] = (outBias[i % outSlots.units] as number) + (outputDelta[i] as number);

      let delta: Tensor2D = this.tensor(outputDelta, batch.rows, outSlots.units);
      for (let l = last; l >= 0; l--) {
        const slots = layout.layers[l]!;
        const inputT = l === 0 ? this.tensor(batch.xT, slots.inputs, batch.rows) : tf.transpose(inputs[l] as Tensor2D);
        gradient.set(tf.matMul(inputT, delta).dataSync(), slots.weightOffset);
        if (l === 0) break;
        const upstream = tf.matMul(delta, this.transposedWeights(l)) as Tensor2D;
        delta = this.throughActivation(upstream, activated[l - 1] as Tensor2D, batch.masks?.[l - 1], batch.rows);
        gradient.set(tf.sum(delta, 0).dataSync(), layout.layers[l - 1]!.biasOffset);
      }
      return loss;
    });
  }

  /**
   * The output layer's scores for every row of `X` (float32, rows × inputs), in chunks so that a large
   * validation set never needs its hidden activations in memory all at once.
   */
  scores(params: Float64Array, X: Float32Array, rows: number): Float32Array {
    const { tf, layout } = this;
    const last = layout.layers.length - 1;
    const inputs = layout.sizes[0] as number;
    const outputs = layout.layers[last]!.units;
    this.params32.set(params);
    const out = new Float32Array(rows * outputs);
    for (let start = 0; start < rows; start += SCORE_CHUNK_ROWS) {
      const end = Math.min(start + SCORE_CHUNK_ROWS, rows);
      tf.tidy(() => {
        let current = this.tensor(X.subarray(start * inputs, end * inputs), end - start, inputs);
        layout.layers.forEach((s, l) => {
          const w = this.tensor(this.params32.subarray(s.weightOffset, s.biasOffset), s.inputs, s.units);
          const b = tf.tensor1d(this.params32.subarray(s.biasOffset, s.biasOffset + s.units));
          current = l < last ? this.hiddenLayer(current, w, b) : (tf.fused.matMul({ a: current, b: w, bias: b }) as Tensor2D);
        });
        out.set(current.dataSync() as Float32Array, start * outputs);
      });
    }
    return out;
  }

  private hiddenLayer(input: Tensor2D, w: Tensor2D, b: Tensor): Tensor2D {
    const { tf } = this;
    // relu fuses into the product; tfjs's fused matMul has no tanh, so that is a separate op.
    if (this.activation === 'relu') return tf.fused.matMul({ a: input, b: w, bias: b, activation: 'relu' }) as Tensor2D;
    return tf.tanh(tf.fused.matMul({ a: input, b: w, bias: b })) as Tensor2D;
  }

  /** δ_{l-1} = upstream ⊙ act'(Z) ⊙ M, with act' read off the activations A = act(Z). */
  private throughActivation(upstream: Tensor2D, a: Tensor2D, mask: Float32Array | undefined, rows: number): Tensor2D {
    const { tf } = this;
    const derivative = this.activation === 'relu' ? tf.step(a) : tf.sub(1, tf.square(a));
    const delta = tf.mul(upstream, derivative) as Tensor2D;
    return mask === undefined ? delta : (tf.mul(delta, this.tensor(mask, rows, a.shape[1])) as Tensor2D);
  }

  /** W_lᵀ as a tensor, transposed in JavaScript from the float32 copy (cheaper than a tfjs transpose op). */
  private transposedWeights(l: number): Tensor2D {
    const s = this.layout.layers[l]!;
    const out = this.transposed32[l] as Float32Array;
    const w = this.params32;
    for (let i = 0; i < s.inputs; i++) {
      for (let u = 0; u < s.units; u++) out[u * s.inputs + i] = w[s.weightOffset + i * s.units + u] as number;
    }
    return this.tensor(out, s.units, s.inputs);
  }

  private tensor(values: Float32Array, rows: number, cols: number): Tensor2D {
    // tfjs copies the values into the wasm heap at once, so the caller's buffers can be reused.
    return this.tf.tensor2d(values, [rows, cols], 'float32');
  }
}
