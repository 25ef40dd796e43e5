/**
 * The k-nearest-neighbour search as ONNX nodes, shared by the kNN classifier and regressor:
 *
 *   centred rows → squared distances to every training row, ‖x‖² − 2·x·tᵀ + ‖t‖² (MatMul)
 *               → TopK (smallest k) → indices
 *               → the k neighbours' exact squared distances, by Gather of their rows and (x − t)²
 *               → weights: 1, or 1/distance with scikit-learn's rule for distance 0.
 *
 * Rows and training rows are centred on the training mean first, which shrinks the norms in the
 * expansion and so its float32 cancellation error; the exact distances of the k found make the weights
 * (and the zero-distance test) as precise as the in-process predictor's. Where two training rows are
 * (nearly) tied for k-th nearest, float32 may pick the other one: agreement holds on rows without
 * such ties.
 */
import type { Matrix } from '../../core/matrix.js';
import { attr, tensor, type GraphBuilder } from '../../onnx/graph-builder.js';

export interface OnnxNeighbours {
  /** int64 [N, k]: training-row indices of the neighbours. */
  readonly indices: string;
  /** float [N, k]: neighbour weights (not normalised). */
  readonly weights: string;
}

export function addNeighbourSearch(g: GraphBuilder, features: string, training: Matrix, k: number, weighting: 'uniform' | 'distance', hint: string): OnnxNeighbours {
  const { rows: m, cols: d, data } = training;
  const mean = new Float64Array(d);
  for (let i = 0; i < m; i++) for (let j = 0; j < d; j++) mean[j] = (mean[j] as number) + (data[i * d + j] as number) / m;
  const mean32 = Float32Array.from(mean);
  // Centred training rows in float32 exactly as the graph will centre a row equal to one of them.
  const centred = new Float32Array(m * d);
  for (let i = 0; i < m; i++) for (let j = 0; j < d; j++) centred[i * d + j] = Math.fround(Math.fround(data[i * d + j] as number) - (mean32[j] as number));
  const transposed = new Float32Array(d * m);
  const norms = new Float32Array(m);
  for (let i = 0; i < m; i++) {
    let s = 0;
    for (let j = 0; j < d; j++) {
      const v = centred[i * d + j] as number;
      transposed[j * m + i] = v;
      s += v * v;
    }
    norms[i] = s;
  }
  const x = g.op('Sub', [features, g.constant(`${hint}_mean`, tensor.float(mean32, [d]))], {}, { name: `${hint}_centred` });
  const xNorm = g.op('ReduceSumSquare', [x], { axes: attr.ints([1]), keepdims: attr.int(1) }, { name: `${hint}_row_norms` });
  const cross = g.op('MatMul', [x, g.constant(`${hint}_training_t`, tensor.float(transposed, [d, m]))], {}, { name: `${hint}_cross` });
  const minusTwoCross = g.op('Mul', [cross, g.constant(`${hint}_minus_two`, tensor.float([-2], [1]))], {}, { name: `${hint}_minus_two_cross` });
  const squared = g.op('Add', [g.op('Add', [minusTwoCross, xNorm], {}, { name: `${hint}_partial` }), g.constant(`${hint}_training_norms`, tensor.float(norms, [m]))], {}, { name: `${hint}_squared_distances` });
  const [, indices] = g.node('TopK', [squared, g.constant(`${hint}_k`, tensor.int64([k]))], { axis: attr.int(1), largest: attr.int(0), sorted: attr.int(1) }, { outputs: 2, name: `${hint}_topk` }) as [string, string];

  if (weighting === 'uniform') {
    // Ones shaped like the indices: Cast(indices) · 0 + 1.
    const asFloat = g.op('Cast', [indices], { to: attr.int(1) }, { name: `${hint}_indices_float` });
    const zero = g.op('Mul', [asFloat, g.constant(`${hint}_zero`, tensor.float([0], [1]))], {}, { name: `${hint}_zeros` });
    return { indices, weights: g.op('Add', [zero, g.constant(`${hint}_one`, tensor.float([1], [1]))], {}, { name: `${hint}_weights` }) };
  }
  const neighbours = g.op('Gather', [g.constant(`${hint}_training`, tensor.float(centred, [m, d])), indices], { axis: attr.int(0) }, { name: `${hint}_neighbour_rows` });
  const rows = g.op('Unsqueeze', [x, g.constant(`${hint}_axis1`, tensor.int64([1]))], {}, { name: `${hint}_rows` });
  const exact = g.op('ReduceSumSquare', [g.op('Sub', [rows, neighbours], {}, { name: `${hint}_diff` })], { axes: attr.ints([2]), keepdims: attr.int(0) }, { name: `${hint}_exact_squared` });
  const distance = g.op('Sqrt', [exact], {}, { name: `${hint}_distances` });
  const inverse = g.op('Reciprocal', [distance], {}, { name: `${hint}_inverse` });
  const isZero = g.op('Cast', [g.op('Equal', [distance, g.constant(`${hint}_zero_distance`, tensor.float([0], [1]))], {}, { name: `${hint}_is_zero` })], { to: attr.int(1) }, { name: `${hint}_zero_weight` });
  const anyZero = g.op('Greater', [g.op('ReduceMax', [isZero], { axes: attr.ints([1]), keepdims: attr.int(1) }, { name: `${hint}_any_zero_float` }), g.constant(`${hint}_half`, tensor.float([0.5], [1]))], {}, { name: `${hint}_any_zero` });
  return { indices, weights: g.op('Where', [anyZero, isZero, inverse], {}, { name: `${hint}_weights` }) };
}
