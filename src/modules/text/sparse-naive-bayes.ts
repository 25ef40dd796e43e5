/**
 * Multinomial naive Bayes on sparse text features: scikit-learn's MultinomialNB (θ_cj = (N_cj + α) /
 * (N_c + α·d), priors from class frequencies) with the per-class totals summed over each row's
 * non-zero features only. The result is an ordinary `multinomial-nb` predictor (built through the
 * learner's own `load`), so its ONNX export and serialisation are the learner's.
 */
import { KilnError } from '../../core/errors.js';
import { multinomialNb, type MultinomialNbPredictor } from '../../learners/bayes/multinomial-nb.js';
import type { SparseRows } from './sparse-rows.js';

export function fitSparseNaiveBayes(X: SparseRows, y: Int32Array, nClasses: number, alpha: number): MultinomialNbPredictor {
  const d = X.cols;
  const totals = new Float64Array(nClasses * d);
  const counts = new Float64Array(nClasses);
  for (let i = 0; i < X.rows; i++) {
    const c = y[i] as number;
    counts[c] = (counts[c] as number) + 1;
    for (let p = X.indptr[i] as number; p < (X.indptr[i + 1] as number); p++) {
      const v = X.values[p] as number;
      if (v < 0) throw new KilnError('FEATURE_NEGATIVE', { column: X.indices[p], row: i, value: v, learner: multinomialNb.name });
      const k = c * d + (X.indices[p] as number);
      totals[k] = (totals[k] as number) + v;
    }
  }
  const featureLogProb: number[][] = [];
  for (let c = 0; c < nClasses; c++) {
    if (counts[c] === 0) throw new KilnError('CLASS_WITHOUT_ROWS', { class: c, nClasses });
    let classTotal = 0;
    for (let j = 0; j < d; j++) classTotal += (totals[c * d + j] as number) + alpha;
    const logTotal = Math.log(classTotal);
    featureLogProb.push(Array.from(totals.subarray(c * d, (c + 1) * d), (t) => Math.log(t + alpha) - logTotal));
  }
  const classLogPrior = Array.from(counts, (n) => Math.log(n / X.rows));
  return multinomialNb.load({ learner: multinomialNb.name, format: 1, state: { nFeatures: d, featureLogProb, classLogPrior } });
}
