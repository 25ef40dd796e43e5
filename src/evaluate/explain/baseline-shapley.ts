/**
 * Shapley values of single predictions for any model ("baseline Shapley", Sundararajan & Najmi, "The
 * many Shapley values for model explanation", 2020): the players are groups of features (the columns a
 * person knows: a one-hot column's indicators play together), and a coalition S is scored by the model on
 * a mixed row that takes the explained row's values on S's features and the reference row's elsewhere.
 * Each group's value is its average marginal contribution over all orders of adding the groups, so the
 * values add up exactly to score(row) − score(reference).
 *
 * Used for the models without an exact method of their own (shap-values.ts): soft-voting mixes,
 * networks, neighbours, naive Bayes. A mix averages probabilities while its members' exact methods
 * explain different raw scores (log-odds, class fractions), so their values cannot simply be averaged.
 *
 * With up to EXACT_GROUPS groups every coalition is scored (2^G rows per explained row, one batch);
 * with more, the values are estimated from random orders (Štrumbelj & Kononenko 2014), each order
 * walked forward and backward (antithetic pairs, lower variance); every order adds up exactly, so the
 * estimate does too.
 */
import { createMatrix, type Matrix } from '../../core/matrix.js';
import { Rng } from '../../core/rng.js';

/** Above this many groups, orders are sampled instead of enumerating 2^G coalitions. */
export const EXACT_GROUPS = 10;
/** Random orders per explained row when sampling (each walked both ways). */
export const SAMPLED_ORDERS = 32;

export interface GroupShapley {
  readonly nOutputs: number;
  readonly nGroups: number;
  /** The score of the reference row, per output. */
  readonly base: Float64Array;
  /** values[(row * nOutputs + k) * nGroups + g]. */
  readonly values: Float64Array;
}

/**
 * `score` maps a matrix of rows to their raw scores, `nOutputs` per row (row-major); `groupOf[j]` is the
 * group (0 … nGroups − 1) of feature j; `reference` is the "nothing known" row (the training means).
 */
export function baselineShapley(
  score: (X: Matrix) => Float64Array,
  nOutputs: number,
  X: Matrix,
  reference: Float64Array,
  groupOf: Int32Array,
  nGroups: number,
  seed = 0,
): GroupShapley {
  const F = X.cols;
  const base = score(createMatrix(1, F, Float64Array.from(reference))).slice(0, nOutputs);
  const values = new Float64Array(X.rows * nOutputs * nGroups);
  const rng = new Rng(seed);
  for (let r = 0; r < X.rows; r++) {
    const row = X.data.subarray(r * F, (r + 1) * F);
    const phi = nGroups <= EXACT_GROUPS ? exactRow(score, nOutputs, row, reference, groupOf, nGroups) : sampledRow(score, nOutputs, row, reference, groupOf, nGroups, rng);
    values.set(phi, r * nOutputs * nGroups);
  }
  return { nOutputs, nGroups, base, values };
}

/** Writes a coalition's mixed row at `offset`: the explained row's values on its groups, the reference's elsewhere. */
function writeMixed(target: Float64Array, offset: number, row: Float64Array, reference: Float64Array, groupOf: Int32Array, inCoalition: (g: number) => boolean): void {
  for (let j = 0; j < row.length; j++) target[offset + j] = inCoalition(groupOf[j] as number) ? (row[j] as number) : (reference[j] as number);
}

/** Every coalition scored once; φ_g = Σ_S |S|!(G−|S|−1)!/G! · (v(S ∪ {g}) − v(S)). Per output, per group. */
function exactRow(score: (X: Matrix) => Float64Array, K: number, row: Float64Array, reference: Float64Array, groupOf: Int32Array, G: number): Float64Array {
  const F = row.length;
  const coalitions = 1 << G;
  const mixed = new Float64Array(coalitions * F);
  for (let mask = 0; mask < coalitions; mask++) writeMixed(mixed, mask * F, row, reference, groupOf, (g) => (mask & (1 << g)) !== 0);
  const v = score(createMatrix(coalitions, F, mixed));
  // weight of a coalition of size s that lacks the group: s!(G−s−1)!/G!
  const weight = Array.from({ length: G }, (_, s) => factorial(s) * factorial(G - s - 1) / factorial(G));
  const phi = new Float64Array(K * G);
  for (let mask = 0; mask < coalitions; mask++) {
    const size = popCount(mask);
    for (let g = 0; g < G; g++) {
      if ((mask & (1 << g)) !== 0) continue;
      const w = weight[size] as number;
      const withG = mask | (1 << g);
      for (let k = 0; k < K; k++) phi[k * G + g] = (phi[k * G + g] as number) + w * ((v[withG * K + k] as number) - (v[mask * K + k] as number));
    }
  }
  return phi;
}

/** Random orders, each walked forward and then backward; the average marginal contribution per group. */
function sampledRow(score: (X: Matrix) => Float64Array, K: number, row: Float64Array, reference: Float64Array, groupOf: Int32Array, G: number, rng: Rng): Float64Array {
  const F = row.length;
  const orders: Int32Array[] = [];
  for (let p = 0; p < SAMPLED_ORDERS; p++) {
    const order = Int32Array.from({ length: G }, (_, g) => g);
    rng.shuffle(order);
    orders.push(order, order.slice().reverse());
  }
  // per order: G + 1 rows, from the reference to the explained row, one group switched at a time
  const steps = G + 1;
  const mixed = new Float64Array(orders.length * steps * F);
  orders.forEach((order, o) => {
    const switched = new Uint8Array(G);
    for (let s = 0; s < steps; s++) {
      if (s > 0) switched[order[s - 1] as number] = 1;
      writeMixed(mixed, (o * steps + s) * F, row, reference, groupOf, (g) => switched[g] === 1);
    }
  });
  const v = score(createMatrix(orders.length * steps, F, mixed));
  const phi = new Float64Array(K * G);
  orders.forEach((order, o) => {
    for (let s = 1; s < steps; s++) {
      const g = order[s - 1] as number;
      const at = (o * steps + s) * K;
      for (let k = 0; k < K; k++) phi[k * G + g] = (phi[k * G + g] as number) + ((v[at + k] as number) - (v[at - K + k] as number)) / orders.length;
    }
  });
  return phi;
}

function factorial(n: number): number {
  let f = 1;
  for (let i = 2; i <= n; i++) f *= i;
  return f;
}

function popCount(mask: number): number {
  let n = 0;
  for (let m = mask; m !== 0; m &= m - 1) n++;
  return n;
}
