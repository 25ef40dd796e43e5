/**
 * Where each layer's weights and biases sit in the one flat parameter vector that training updates
 * (Adam works on the whole vector at once), and how that vector starts and ends.
 *
 * Layer l occupies [W_l (sizes[l] × sizes[l+1], input-major), b_l (sizes[l+1])], layers in order.
 */
import type { Rng } from '../../core/rng.js';
import type { DenseNetwork, HiddenActivation, OutputActivation } from './dense-network.js';

export interface LayerSlots {
  readonly inputs: number;
  readonly units: number;
  readonly weightOffset: number;
  readonly biasOffset: number;
}

export class ParameterLayout {
  readonly layers: readonly LayerSlots[];
  readonly size: number;

  constructor(readonly sizes: readonly number[]) {
    const layers: LayerSlots[] = [];
    let offset = 0;
    for (let l = 0; l + 1 < sizes.length; l++) {
      const inputs = sizes[l] as number;
      const units = sizes[l + 1] as number;
      layers.push({ inputs, units, weightOffset: offset, biasOffset: offset + inputs * units });
      offset += inputs * units + units;
    }
    this.layers = layers;
    this.size = offset;
  }

  weights(params: Float64Array, l: number): Float64Array {
    const s = this.layers[l] as LayerSlots;
    return params.subarray(s.weightOffset, s.weightOffset + s.inputs * s.units);
  }

  biases(params: Float64Array, l: number): Float64Array {
    const s = this.layers[l] as LayerSlots;
    return params.subarray(s.biasOffset, s.biasOffset + s.units);
  }

  /**
   * Adds the L2 penalty's gradient, `scale · W`, to the weight entries of `gradient`, and returns Σ W²
   * (what the penalty measures), both in one pass over the weights.
   */
  addWeightDecay(params: Float64Array, gradient: Float64Array, scale: number): number {
    let squared = 0;
    for (const s of this.layers) {
      for (let k = s.weightOffset; k < s.biasOffset; k++) {
        const w = params[k] as number;
        squared += w * w;
        gradient[k] = (gradient[k] as number) + scale * w;
      }
    }
    return squared;
  }

  /**
   * scikit-learn's initialisation (Glorot uniform for relu and tanh): every weight and bias of a layer
   * uniform in ±√(6 / (fan_in + fan_out)), drawn from the seeded generator layer by layer.
   */
  initialParameters(rng: Rng): Float64Array {
    const params = new Float64Array(this.size);
    for (const s of this.layers) {
      const bound = Math.sqrt(6 / (s.inputs + s.units));
      for (let k = s.weightOffset; k < s.biasOffset + s.units; k++) params[k] = (2 * rng.next() - 1) * bound;
    }
    return params;
  }

  /** The trained network as a predictor keeps it (copies, so training can go on with `params`). */
  toNetwork(params: Float64Array, activation: HiddenActivation, output: OutputActivation): DenseNetwork {
    return {
      sizes: [...this.sizes],
      activation,
      output,
      weights: this.layers.map((_, l) => this.weights(params, l).slice()),
      biases: this.layers.map((_, l) => this.biases(params, l).slice()),
    };
  }
}
