/**
 * Classification metrics, computed as scikit-learn computes them (same names, same edge cases) so
 * that Kiln's numbers can be compared with anyone else's.
 *
 * Class labels are indices 0..k-1; probabilities are a rows × k Matrix (column c = P(class c)).
 */
import type { Matrix } from '../../core/matrix.js';

/** The fraction of rows whose predicted class is the true class. NaN for no rows. */
export function accuracy(yTrue: Int32Array, yPred: Int32Array): number {
  checkLength(yTrue.length, yPred.length, 'predictions');
  let correct = 0;
  for (let i = 0; i < yTrue.length; i++) if (yTrue[i] === yPred[i]) correct++;
  return correct / yTrue.length;
}

/** The most probable class of each row; ties go to the lowest class index (as numpy's argmax). */
export function argmaxRows(proba: Matrix): Int32Array {
  const { rows, cols, data } = proba;
  const out = new Int32Array(rows);
  for (let i = 0; i < rows; i++) {
    const start = i * cols;
    let best = 0;
    let bestValue = data[start] as number;
    for (let c = 1; c < cols; c++) {
      const v = data[start + c] as number;
      if (v > bestValue) {
        best = c;
        bestValue = v;
      }
    }
    out[i] = best;
  }
  return out;
}

/**
 * Area under the ROC curve.
 *   - two columns: the binary AUC of the scores in column 1 (scikit-learn's `roc_auc_score(y, p[:, 1])`);
 *   - more: one-vs-rest, macro-averaged (`roc_auc_score(y, p, multi_class='ovr', average='macro')`).
 * Tied scores are handled exactly: the curve moves diagonally across a group of equal scores, so a
 * tied positive/negative pair counts one half.
 *
 * Where scikit-learn raises, this returns NaN instead (JSON output shows null): when y has a single
 * class. A class absent from y in the multiclass case is left out of the average (scikit-learn
 * refuses the whole computation), so a test set missing a rare class still gets a score.
 */
export function rocAuc(yTrue: Int32Array, proba: Matrix): number {
  checkLength(yTrue.length, proba.rows, 'probability rows');
  return oneVsRest(yTrue, proba, binaryRocAuc);
}

/**
 * A binary metric of class scores, for any number of classes: with two columns, the metric of column 1;
 * with more, its macro average one-vs-rest over the classes where it is defined (not NaN).
 */
export function oneVsRest(yTrue: Int32Array, proba: Matrix, binary: (positive: Uint8Array, scores: Float64Array) => number): number {
  const n = yTrue.length;
  const scores = new Float64Array(n);
  const positive = new Uint8Array(n);
  const classes = proba.cols === 2 ? [1] : Array.from({ length: proba.cols }, (_, c) => c);
  let sum = 0;
  let counted = 0;
  for (const c of classes) {
    for (let i = 0; i < n; i++) {
      scores[i] = proba.data[i * proba.cols + c] as number;
      positive[i] = yTrue[i] === c ? 1 : 0;
    }
    const value = binary(positive, scores);
    if (!Number.isNaN(value)) {
      sum += value;
      counted++;
    }
  }
  return counted === 0 ? Number.NaN : sum / counted;
}

/**
 * Binary AUC: the trapezoidal area under the ROC curve drawn through every distinct threshold
 * (scikit-learn's `roc_curve` + `auc`). NaN when there are no positives or no negatives.
 */
export function binaryRocAuc(positive: Uint8Array, scores: Float64Array): number {
  const n = scores.length;
  for (let i = 0; i < n; i++) {
    if (Number.isNaN(scores[i] as number)) throw new RangeError(`score ${i} is NaN; ROC AUC needs every row scored`);
  }
  // Rows from the highest score to the lowest: lowering the threshold admits them in this order.
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  order.sort((a, b) => (scores[b] as number) - (scores[a] as number));

  let tp = 0;
  let fp = 0;
  let prevTp = 0;
  let prevFp = 0;
  let area = 0;
  for (let k = 0; k < n; k++) {
    const i = order[k] as number;
    if (positive[i] === 1) tp++;
    else fp++;
    // Close the curve segment only after the last row of a group of equal scores.
    const next = order[k + 1];
    if (next === undefined || scores[next] !== scores[i]) {
      area += ((fp - prevFp) * (tp + prevTp)) / 2;
      prevTp = tp;
      prevFp = fp;
    }
  }
  return tp === 0 || fp === 0 ? Number.NaN : area / (tp * fp);
}

/**
 * Mean negative log-likelihood of the true class (scikit-learn's `log_loss`): probabilities are first
 * clipped to [ε, 1 − ε] with ε = 2^-52 (float64 machine epsilon, scikit-learn's 'auto') and each row
 * renormalised, so a confident mistake costs about 36 rather than infinity.
 */
export function logLoss(yTrue: Int32Array, proba: Matrix): number {
  checkLength(yTrue.length, proba.rows, 'probability rows');
  const eps = Number.EPSILON;
  const { cols, data } = proba;
  let total = 0;
  for (let i = 0; i < yTrue.length; i++) {
    const label = yTrue[i] as number;
    if (label < 0 || label >= cols) throw new RangeError(`row ${i} has class ${label}, but the probabilities have ${cols} columns`);
    const start = i * cols;
    let rowSum = 0;
    for (let c = 0; c < cols; c++) rowSum += clip(data[start + c] as number, eps);
    total -= Math.log(clip(data[start + label] as number, eps) / rowSum);
  }
  return total / yTrue.length;
}

function clip(p: number, eps: number): number {
  return p < eps ? eps : p > 1 - eps ? 1 - eps : p;
}

function checkLength(expected: number, got: number, what: string): void {
  if (expected !== got) throw new RangeError(`${got} ${what} for ${expected} true labels`);
}
