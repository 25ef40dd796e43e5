/** One point of a learning or validation curve: the metric on the training rows and on held-out rows, over folds. */
export interface CurvePoint {
  /** Training rows (learning curve) or the parameter's value (validation curve). */
  readonly x: number | string;
  /** Mean over folds of the metric on the rows the model was fitted on. */
  readonly train: number;
  /** Mean over folds of the metric on each fold's held-out rows. */
  readonly validation: number;
  readonly trainStd: number;
  readonly validationStd: number;
  /** The held-out score of each fold, in fold order: curves compare points fold by fold. */
  readonly validationFolds: readonly number[];
}

/** The metric of one fit, on its own training rows and on the fold's held-out rows. */
export interface FoldScore {
  readonly train: number;
  readonly validation: number;
}

export function summarise(x: number | string, scores: readonly FoldScore[]): CurvePoint {
  const mean = (v: readonly number[]) => v.reduce((a, b) => a + b, 0) / v.length;
  const std = (v: readonly number[]) => {
    const m = mean(v);
    return Math.sqrt(v.reduce((a, b) => a + (b - m) ** 2, 0) / v.length);
  };
  const train = scores.map((s) => s.train);
  const validation = scores.map((s) => s.validation);
  return { x, train: mean(train), validation: mean(validation), trainStd: std(train), validationStd: std(validation), validationFolds: validation };
}
