/**
 * The loss at the network's output and its gradient with respect to the last layer's scores, computed
 * in float64 JavaScript on the (small) rows × outputs score block of one mini-batch:
 *
 *   sigmoid:  binary log loss on one score (the log-odds of class 1),
 *   softmax:  multinomial log loss on one score per class,
 *   identity: half the squared error (scikit-learn's squared_loss).
 *
 * For each of these pairs the gradient of the summed loss is simply (output − target); it is divided
 * by the batch size here so that the backward pass yields the gradient of the batch's mean loss.
 */
import type { OutputActivation } from './dense-network.js';

/**
 * Writes d(mean loss)/d(score) into `delta` (rows × outputs) and returns the SUMMED loss over the rows.
 * `targets[i]` is a class index for sigmoid/softmax and a value for identity.
 */
export function outputLossAndDelta(
  output: OutputActivation,
  scores: Float32Array,
  targets: Float64Array,
  rows: number,
  delta: Float32Array,
): number {
  let loss = 0;
  const scale = 1 / rows;
  if (output === 'sigmoid') {
    for (let i = 0; i < rows; i++) {
      const z = scores[i] as number;
      const y = targets[i] as number;
      // log(1 + e^z) − y·z, written so that it never overflows
      loss += Math.max(z, 0) - y * z + Math.log1p(Math.exp(-Math.abs(z)));
      delta[i] = (1 / (1 + Math.exp(-z)) - y) * scale;
    }
    return loss;
  }
  if (output === 'identity') {
    for (let i = 0; i < rows; i++) {
      const r = (scores[i] as number) - (targets[i] as number);
      loss += 0.5 * r * r;
      delta[i] = r * scale;
    }
    return loss;
  }
  const k = scores.length / rows;
  for (let i = 0; i < rows; i++) {
    const start = i * k;
    let max = -Infinity;
    for (let c = 0; c < k; c++) max = Math.max(max, scores[start + c] as number);
    let sum = 0;
    for (let c = 0; c < k; c++) sum += Math.exp((scores[start + c] as number) - max);
    const logSum = max + Math.log(sum);
    const y = targets[i] as number;
    loss += logSum - (scores[start + y] as number);
    for (let c = 0; c < k; c++) {
      const p = Math.exp((scores[start + c] as number) - logSum);
      delta[start + c] = (p - (c === y ? 1 : 0)) * scale;
    }
  }
  return loss;
}

/** The summed loss alone (for validation sets), with the same definitions. */
export function summedOutputLoss(output: OutputActivation, scores: Float32Array, targets: Float64Array, rows: number): number {
  return outputLossAndDelta(output, scores, targets, rows, new Float32Array(scores.length));
}
