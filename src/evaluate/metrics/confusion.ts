/**
 * Metrics read off the confusion matrix: precision, recall, F1 (per class, macro and weighted, as
 * scikit-learn averages them) and balanced accuracy. A class never predicted has precision 0 (and a
 * class never present has recall 0) rather than an error: scikit-learn's `zero_division=0`.
 */

/** counts[t][p]: rows of true class t predicted as p (scikit-learn's `confusion_matrix`). */
export function confusionMatrix(yTrue: Int32Array, yPred: Int32Array, nClasses: number): number[][] {
  if (yTrue.length !== yPred.length) throw new RangeError(`${yPred.length} predictions for ${yTrue.length} true labels`);
  const counts = Array.from({ length: nClasses }, () => new Array<number>(nClasses).fill(0));
  for (let i = 0; i < yTrue.length; i++) {
    const row = counts[yTrue[i] as number];
    if (row === undefined || (yPred[i] as number) >= nClasses || (yPred[i] as number) < 0) {
      throw new RangeError(`row ${i} has a class outside 0..${nClasses - 1}`);
    }
    row[yPred[i] as number] = (row[yPred[i] as number] as number) + 1;
  }
  return counts;
}

export interface PerClassScores {
  readonly precision: number[];
  readonly recall: number[];
  readonly f1: number[];
  /** Rows of each true class. */
  readonly support: number[];
}

export function perClassScores(confusion: readonly (readonly number[])[]): PerClassScores {
  const k = confusion.length;
  const precision: number[] = [];
  const recall: number[] = [];
  const f1: number[] = [];
  const support: number[] = [];
  for (let c = 0; c < k; c++) {
    const tp = confusion[c]?.[c] ?? 0;
    let predicted = 0;
    let actual = 0;
    for (let o = 0; o < k; o++) {
      predicted += confusion[o]?.[c] ?? 0;
      actual += confusion[c]?.[o] ?? 0;
    }
    const p = predicted === 0 ? 0 : tp / predicted;
    const r = actual === 0 ? 0 : tp / actual;
    precision.push(p);
    recall.push(r);
    f1.push(p + r === 0 ? 0 : (2 * p * r) / (p + r));
    support.push(actual);
  }
  return { precision, recall, f1, support };
}

const mean = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;

function weighted(xs: readonly number[], weights: readonly number[]): number {
  const total = weights.reduce((a, b) => a + b, 0);
  return total === 0 ? 0 : xs.reduce((sum, x, i) => sum + x * (weights[i] as number), 0) / total;
}

/** Macro and weighted averages over the classes present in y or in the predictions (scikit-learn's label set). */
export function averagedScores(yTrue: Int32Array, yPred: Int32Array, nClasses: number) {
  const scores = perClassScores(confusionMatrix(yTrue, yPred, nClasses));
  const seen = new Set<number>([...yTrue, ...yPred]);
  const idx = [...seen].sort((a, b) => a - b);
  const pick = (xs: readonly number[]) => idx.map((c) => xs[c] as number);
  const support = pick(scores.support);
  return {
    precision_macro: mean(pick(scores.precision)),
    recall_macro: mean(pick(scores.recall)),
    f1_macro: mean(pick(scores.f1)),
    precision_weighted: weighted(pick(scores.precision), support),
    recall_weighted: weighted(pick(scores.recall), support),
    f1_weighted: weighted(pick(scores.f1), support),
  };
}

/** Mean recall over the classes present in y (scikit-learn's `balanced_accuracy_score`). */
export function balancedAccuracy(yTrue: Int32Array, yPred: Int32Array, nClasses: number): number {
  const { recall, support } = perClassScores(confusionMatrix(yTrue, yPred, nClasses));
  const present = recall.filter((_, c) => (support[c] as number) > 0);
  return mean(present);
}
