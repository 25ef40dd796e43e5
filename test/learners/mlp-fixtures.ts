/** Reading the MLP fixtures written by test/fixtures/sklearn/make_mlp_fixtures.py. */
import { readFileSync } from 'node:fs';
import { matrixFromRows, type Matrix } from '../../src/core/matrix.js';
import type { MlpClassifierLearner } from '../../src/learners/mlp/mlp-classifier.js';

export interface ClassifierFit {
  readonly params: Record<string, unknown>;
  readonly runs: readonly { seed: number; epochs: number; accuracy: number }[];
  readonly meanAccuracy: number;
}

export interface RegressorFit {
  readonly params: Record<string, unknown>;
  readonly runs: readonly { seed: number; epochs: number; rmse: number }[];
  readonly meanRmse: number;
}

export interface MlpFixture<F> {
  readonly sklearn_version: string;
  readonly nClasses: number;
  readonly Xtrain: Matrix;
  readonly ytrain: readonly number[];
  readonly Xtest: Matrix;
  readonly ytest: readonly number[];
  readonly fits: readonly F[];
}

export function loadMlpFixture<F>(name: string): MlpFixture<F> {
  const raw = JSON.parse(readFileSync(new URL(`../fixtures/sklearn/${name}.json`, import.meta.url), 'utf8')) as {
    sklearn_version: string;
    nClasses?: number;
    divideBy: number;
    Xtrain: number[][];
    ytrain: number[];
    Xtest: number[][];
    ytest: number[];
    fits: F[];
  };
  // Digits are stored as integer pixels; both sides fit on pixel / 16.
  const prepared = (rows: number[][]): Matrix => matrixFromRows(rows.map((r) => r.map((v) => v / raw.divideBy)));
  return { ...raw, nClasses: raw.nClasses ?? 0, Xtrain: prepared(raw.Xtrain), Xtest: prepared(raw.Xtest) };
}

/** Test accuracy of the most probable class. */
export function accuracyOf(proba: Matrix, y: readonly number[]): number {
  let correct = 0;
  for (let i = 0; i < proba.rows; i++) {
    let best = 0;
    for (let c = 1; c < proba.cols; c++) if (proba.data[i * proba.cols + c]! > proba.data[i * proba.cols + best]!) best = c;
    if (best === y[i]) correct++;
  }
  return correct / proba.rows;
}

/** Mean test accuracy of Kiln's MLP over `seeds`. */
export async function meanAccuracy(learner: MlpClassifierLearner, fx: MlpFixture<unknown>, params: Record<string, unknown>, seeds: readonly number[]): Promise<number> {
  let sum = 0;
  for (const seed of seeds) {
    const model = await learner.fit(fx.Xtrain, Int32Array.from(fx.ytrain), fx.nClasses, params, { seed });
    sum += accuracyOf(model.predictProba(fx.Xtest), fx.ytest);
  }
  return sum / seeds.length;
}
