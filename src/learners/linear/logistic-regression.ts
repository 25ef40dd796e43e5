/**
 * Logistic regression: scikit-learn's `LogisticRegression`, with the same parameters and the same
 * minimiser for each penalty:
 *
 *   'l2' (default), 'none':   smooth, fitted by L-BFGS (scikit-learn's 'lbfgs' solver);
 *   'l1', 'elasticnet':       mean log loss + λ·((1 − ρ)/2·‖w‖² + ρ·‖w‖₁), λ = 1/(C·Σ s_i), fitted by
 *                             accelerated proximal gradient (./proximal-gradient.ts), which reaches
 *                             the optimum scikit-learn's 'saga' solver converges to.
 *
 * Two classes use the sigmoid of one linear score (the log-odds of class 1); more classes use the
 * softmax of one score per class (multinomial). See ./logistic-loss.ts for the objective.
 *
 * With `interactions`, the scores are linear in the inputs AND their pairwise products
 * (./pairwise-interactions.ts), fitted on standardised columns (./column-scaling.ts): scikit-learn's
 * PolynomialFeatures(interaction_only=True) → StandardScaler → LogisticRegression in one learner.
 * With `powerTransform`, skewed input columns are reshaped first (./yeo-johnson.ts, ./input-shaping.ts):
 * scikit-learn's PowerTransformer → LogisticRegression.
 */
import { KilnError } from '../../core/errors.js';
import { createMatrix, type Matrix } from '../../core/matrix.js';
import { minimizeLbfgsAsync } from '../../core/optimize/lbfgs.js';
import { parseParams, z } from '../../core/params.js';
import { tensor, type GraphBuilder } from '../../onnx/graph-builder.js';
import { checkClassificationData, checkPredictionInput, checkValidationData } from '../check-training-data.js';
import type { ClassifierLearner, ClassifierPredictor, FitOptions, SerializedPredictor } from '../learner.js';
import { foldScaling } from './column-scaling.js';
import type { LinearWeights } from './linear-scores.js';
import { LogisticObjective, meanLogLoss, sigmoid } from './logistic-loss.js';
import { addShapedScores, PLAIN_INPUTS, shapedScores, shapedWidth, shapeInputs, type InputShaping } from './input-shaping.js';
import { inputImportances } from './pairwise-interactions.js';
import { minimizeL1Proximal } from './proximal-gradient.js';

const NAME = 'logistic-regression';
const FORMAT = 1;

export const logisticRegressionParams = z.strictObject({
  penalty: z
    .enum(['l2', 'l1', 'elasticnet', 'none'])
    .default('l2')
    .describe("The penalty on coefficients: 'l2' shrinks them, 'l1' sets weak ones to exactly 0, 'elasticnet' mixes both (see l1Ratio), 'none' fits the plain likelihood."),
  C: z
    .number()
    .positive()
    .default(1)
    .describe('Inverse strength of the penalty (as in scikit-learn): smaller C means smaller coefficients, a simpler model. Unused with penalty "none".'),
  l1Ratio: z
    .number()
    .min(0)
    .max(1)
    .default(0.5)
    .describe('With penalty "elasticnet": the L1 share of the penalty (scikit-learn\'s l1_ratio; 1 is pure L1, 0 pure L2).'),
  maxIter: z.number().int().positive().default(1000).describe('Most optimiser iterations to run.'),
  tol: z
    .number()
    .positive()
    // 1e-7 rather than a rounder 1e-6: on standardised data it lands within ~1e-6 of the exact
    // minimiser's probabilities (1e-6 leaves ~1e-5) for a handful of extra iterations.
    .default(1e-7)
    .describe('Stop when no gradient component of the objective (mean log loss + penalty; with an L1 penalty, its smallest subgradient) exceeds this.'),
  fitIntercept: z.boolean().default(true).describe('Learn an intercept (bias) term; it is never penalised.'),
  classWeight: z
    .enum(['balanced'])
    .nullable()
    .default(null)
    .describe('"balanced" weighs each class inversely to its frequency, so rare classes count as much as common ones.'),
  interactions: z
    .boolean()
    .default(false)
    .describe('Also learn from the product of every pair of input columns ("female and third class"), on standardised columns; at most 60 input columns. Usually wants a smaller C.'),
  powerTransform: z
    .boolean()
    .default(false)
    .describe('Reshape each skewed input column with a Yeo–Johnson power transform (λ fitted per column, as scikit-learn\'s PowerTransformer) before the linear score: long tails (areas, counts, prices) stop dominating the fit. Columns with two values are left as they are.'),
});

export type LogisticRegressionParams = z.output<typeof logisticRegressionParams>;

/** The fitted coefficients, shaped like scikit-learn's `coef_` and `intercept_`. */
export interface LogisticCoefficients {
  /**
   * One row for binary (the log-odds of class 1), one per class for multinomial; nFeatures each, or
   * with interactions nFeatures + nFeatures·(nFeatures − 1)/2: the inputs, then the products in
   * PolynomialFeatures' order (x0·x1, x0·x2, …), each weight on the column's own (unscaled) values — with
   * powerTransform, on the reshaped column ψ(λ_j, x_j) (yeo-johnson.ts).
   */
  readonly weights: Float64Array[];
  /** One per row of `weights`. */
  readonly intercepts: Float64Array;
}

export interface LogisticRegressionPredictor extends ClassifierPredictor {
  coefficients(): LogisticCoefficients;
}

/** The learner, typed to return its own predictor (with `coefficients()`) rather than any classifier. */
export interface LogisticRegressionLearner extends ClassifierLearner<typeof logisticRegressionParams> {
  fit(X: Matrix, y: Int32Array, nClasses: number, params: unknown, options?: FitOptions): Promise<LogisticRegressionPredictor>;
  load(serialized: SerializedPredictor): LogisticRegressionPredictor;
}

export const logisticRegression: LogisticRegressionLearner = {
  name: NAME,
  kind: 'classifier',
  family: 'linear',
  summary: 'Linear model of class probabilities (sigmoid or softmax) with an L2, L1 or elastic-net penalty; fast, well calibrated, easy to explain.',
  paramsSchema: logisticRegressionParams,

  async fit(X, y, nClasses, rawParams, options = {}) {
    const params = parseParams(logisticRegressionParams, rawParams, 'logistic-regression parameters');
    const counts = checkClassificationData(X, y, nClasses);
    const validation = options.validation;
    if (validation !== undefined) checkValidationData(validation.X, validation.y, X.cols, nClasses);
    const cancelled = (): KilnError => new KilnError('CANCELLED', { what: 'training' });
    if (options.signal?.aborted === true) throw cancelled();

    // The smooth part of the objective carries the L2 share of the penalty; C = ∞ means none.
    const l2Share = params.penalty === 'l2' ? 1 : params.penalty === 'elasticnet' ? 1 - params.l1Ratio : 0;
    const smoothC = l2Share === 0 ? Number.POSITIVE_INFINITY : params.C / l2Share;
    // with shaped inputs: the reshaped or widened, standardised columns (and the validation rows made alike)
    const design = shapeInputs(X, params, params.fitIntercept, NAME);
    const validationX = validation === undefined ? undefined : design === null ? validation.X : design.prepare(validation.X);
    const objective = new LogisticObjective(design?.X ?? X, y, nClasses, classWeights(y.length, counts, params), smoothC, params.fitIntercept);
    const report = (iteration: number, x: Float64Array): void => {
      if (options.onProgress === undefined) return;
      // The optimisers report the point they evaluated last, so the objective's by-product applies.
      const trainLoss = objective.lastMeanLogLoss;
      options.onProgress(
        validation === undefined
          ? { iteration, maxIterations: params.maxIter, trainLoss }
          : { iteration, maxIterations: params.maxIter, trainLoss, validationLoss: meanLogLoss(validationX ?? validation.X, validation.y, objective.toWeights(x)) },
      );
    };
    const signal = options.signal === undefined ? {} : { signal: options.signal };

    let solution: Float64Array;
    let stop: string;
    if (params.penalty === 'l1' || params.penalty === 'elasticnet') {
      const l1 = l1Weights(objective, params);
      const result = await minimizeL1Proximal(objective.evaluate, l1, new Float64Array(objective.size), {
        maxIterations: params.maxIter,
        tol: params.tol,
        onIteration: report,
        ...signal,
      });
      solution = result.x;
      stop = result.stop;
    } else {
      const result = await minimizeLbfgsAsync(objective.evaluate, new Float64Array(objective.size), {
        maxIterations: params.maxIter,
        gradientTolerance: params.tol,
        ...signal,
        onIteration: ({ iteration, x }) => report(iteration, x),
      });
      solution = result.x;
      stop = result.stop;
    }
    if (stop === 'aborted') throw cancelled();

    const fitted = objective.toWeights(solution);
    const model = design === null ? fitted : foldScaling(fitted, design.scaling);
    if (!model.weights.every(Number.isFinite) || !model.intercepts.every(Number.isFinite)) {
      throw new KilnError('TRAINING_FAILED', {
        reason: `the optimiser ended with non-finite coefficients (${stop})${params.penalty === 'none' ? '; separable classes have no unpenalised optimum: use a penalty' : ''}`,
      });
    }
    return new LogisticPredictor(model, nClasses, X.cols, design?.shaping ?? PLAIN_INPUTS);
  },

  load(serialized) {
    return LogisticPredictor.fromJSON(serialized);
  },
};

/**
 * The L1 weight of each parameter: λ·ρ on coefficients, 0 on intercepts (never penalised), with
 * λ = 1/(C·Σ s_i) as for the L2 part, so the objective is scikit-learn's divided by C·Σ s_i.
 */
function l1Weights(objective: LogisticObjective, params: LogisticRegressionParams): Float64Array {
  const strength = (params.penalty === 'l1' ? 1 : params.l1Ratio) / (params.C * objective.weightTotal);
  const l1 = new Float64Array(objective.size);
  for (let r = 0; r < objective.nOutputs; r++) l1.fill(strength, r * objective.stride, r * objective.stride + objective.nFeatures);
  return l1;
}

/**
 * The weight of each class's rows: 1, or for classWeight 'balanced' n / (nClasses · count(class)) as
 * in scikit-learn, so that every class carries the same total weight.
 */
function classWeights(nRows: number, counts: Float64Array, params: LogisticRegressionParams): Float64Array {
  if (params.classWeight !== 'balanced') return new Float64Array(counts.length).fill(1);
  return counts.map((count) => nRows / (counts.length * count));
}

const stateSchema = z.strictObject({
  nFeatures: z.number().int().positive(),
  nClasses: z.number().int().min(2),
  coef: z.array(z.array(z.number())),
  intercept: z.array(z.number()),
  /** Present (true) only for models with interactions; older saved models have no such field. */
  interactions: z.boolean().optional(),
  /** The Yeo–Johnson λ per input column, present only for models with powerTransform. */
  powerLambdas: z.array(z.number()).optional(),
});

class LogisticPredictor implements LogisticRegressionPredictor {
  readonly learner = NAME;
  readonly kind = 'classifier';

  /** `model` is over the shaped input columns (input-shaping.ts): the inputs, or with interactions also their pairwise products. */
  constructor(
    private readonly model: LinearWeights,
    readonly nClasses: number,
    readonly nFeatures: number,
    private readonly shaping: InputShaping,
  ) {}

  /** Whether the log-odds are a weighted sum of the input columns themselves (so exact linear SHAP applies). */
  get linearInInputs(): boolean {
    return this.shaping.lambdas === null && !this.shaping.interactions;
  }

  predictProba(X: Matrix): Matrix {
    checkPredictionInput(X, this.nFeatures, NAME);
    const scores = shapedScores(X, this.model, this.shaping);
    const k = this.nClasses;
    const proba = createMatrix(X.rows, k);
    const p = proba.data;
    const s = scores.data;
    if (this.model.nOutputs === 1) {
      for (let i = 0; i < X.rows; i++) {
        const p1 = sigmoid(s[i] as number);
        p[2 * i] = 1 - p1;
        p[2 * i + 1] = p1;
      }
      return proba;
    }
    for (let i = 0; i < X.rows; i++) {
      const start = i * k;
      let max = -Infinity;
      for (let c = 0; c < k; c++) max = Math.max(max, s[start + c] as number);
      let sum = 0;
      for (let c = 0; c < k; c++) {
        const e = Math.exp((s[start + c] as number) - max);
        p[start + c] = e;
        sum += e;
      }
      for (let c = 0; c < k; c++) p[start + c] = (p[start + c] as number) / sum;
    }
    return proba;
  }

  toOnnx(g: GraphBuilder, features: string): { readonly probabilities: string } {
    const scores = addShapedScores(g, features, this.nFeatures, this.shaping, this.model, 'logreg');
    if (this.model.nOutputs > 1) {
      return { probabilities: g.op('Softmax', [scores], { axis: { t: 'int', v: 1 } }, { name: 'logreg_probabilities' }) };
    }
    // Binary: [N, 1] probability of class 1, widened to [N, 2] as [1 − p, p].
    const p1 = g.op('Sigmoid', [scores], {}, { name: 'logreg_p1' });
    const one = g.constant('logreg_one', tensor.float([1], [1]));
    const p0 = g.op('Sub', [one, p1], {}, { name: 'logreg_p0' });
    return { probabilities: g.op('Concat', [p0, p1], { axis: { t: 'int', v: 1 } }, { name: 'logreg_probabilities' }) };
  }

  /**
   * |coefficient| per feature; for multinomial, the largest over the classes. With interactions, a
   * feature's own |coefficient| plus half of each of its products' (see inputImportances).
   */
  featureImportances(): Float64Array {
    if (this.shaping.interactions) return inputImportances(this.model, this.nFeatures);
    const { nFeatures: d, nOutputs: k, weights } = this.model;
    const importances = new Float64Array(d);
    for (let r = 0; r < k; r++) {
      for (let j = 0; j < d; j++) importances[j] = Math.max(importances[j] as number, Math.abs(weights[r * d + j] as number));
    }
    return importances;
  }

  coefficients(): LogisticCoefficients {
    const { nFeatures: d, nOutputs: k, weights, intercepts } = this.model;
    return {
      weights: Array.from({ length: k }, (_, r) => weights.slice(r * d, (r + 1) * d)),
      intercepts: intercepts.slice(),
    };
  }

  toJSON(): SerializedPredictor {
    const { weights, intercepts } = this.coefficients();
    return {
      learner: NAME,
      format: FORMAT,
      state: {
        nFeatures: this.nFeatures,
        nClasses: this.nClasses,
        coef: weights.map((w) => Array.from(w)),
        intercept: Array.from(intercepts),
        ...(this.shaping.interactions ? { interactions: true } : {}),
        ...(this.shaping.lambdas === null ? {} : { powerLambdas: Array.from(this.shaping.lambdas) }),
      },
    };
  }

  static fromJSON(serialized: SerializedPredictor): LogisticPredictor {
    const invalid = (reason: string): KilnError => new KilnError('INVALID_PREDICTOR', { learner: NAME, reason });
    if (serialized.learner !== NAME) throw invalid(`it was saved by learner "${serialized.learner}"`);
    if (serialized.format !== FORMAT) throw invalid(`format ${serialized.format} is not the supported format ${FORMAT}`);
    const parsed = stateSchema.safeParse(serialized.state);
    if (!parsed.success) throw invalid(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
    const { nFeatures, nClasses, coef, intercept, powerLambdas } = parsed.data;
    if (powerLambdas !== undefined && powerLambdas.length !== nFeatures) throw invalid(`expected ${nFeatures} power-transform λs, found ${powerLambdas.length}`);
    const shaping: InputShaping = { lambdas: powerLambdas === undefined ? null : Float64Array.from(powerLambdas), interactions: parsed.data.interactions === true };
    const nOutputs = nClasses === 2 ? 1 : nClasses;
    const width = shapedWidth(nFeatures, shaping);
    if (coef.length !== nOutputs || intercept.length !== nOutputs || coef.some((row) => row.length !== width)) {
      throw invalid(`expected ${nOutputs} coefficient row(s) of ${width} and ${nOutputs} intercept(s)`);
    }
    const weights = new Float64Array(nOutputs * width);
    coef.forEach((row, r) => weights.set(row, r * width));
    return new LogisticPredictor({ nFeatures: width, nOutputs, weights, intercepts: Float64Array.from(intercept) }, nClasses, nFeatures, shaping);
  }
}
