/**
 * Adam on one flat parameter vector, exactly as scikit-learn's MLP applies it (sklearn/neural_network/
 * _stochastic_optimizers.py): one step per mini-batch, the bias correction folded into the step size,
 * and epsilon added to the uncorrected root of the second moment.
 *
 * It runs in plain JavaScript rather than as TensorFlow.js ops: the whole update is one pass over a
 * few thousand numbers, where tfjs would spend ~12 ops (each with tens of microseconds of engine
 * overhead on the wasm backend) per weight tensor, more than the matrix products themselves cost.
 */
export interface AdamSettings {
  readonly learningRate: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
}

export class Adam {
  private readonly m: Float64Array;
  private readonly v: Float64Array;
  private t = 0;

  constructor(
    size: number,
    private readonly settings: AdamSettings,
  ) {
    this.m = new Float64Array(size);
    this.v = new Float64Array(size);
  }

  /** Moves `params` one step against `gradient` (same length). */
  step(params: Float64Array, gradient: Float64Array): void {
    const { learningRate, beta1, beta2, epsilon } = this.settings;
    this.t++;
    const stepSize = (learningRate * Math.sqrt(1 - beta2 ** this.t)) / (1 - beta1 ** this.t);
    const { m, v } = this;
    for (let k = 0; k < params.length; k++) {
      const g = gradient[k] as number;
      const mk = beta1 * (m[k] as number) + (1 - beta1) * g;
      const vk = beta2 * (v[k] as number) + (1 - beta2) * g * g;
      m[k] = mk;
      v[k] = vk;
      params[k] = (params[k] as number) - (stepSize * mk) / (Math.sqrt(vk) + epsilon);
    }
  }
}
