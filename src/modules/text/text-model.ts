/**
 * What a text-classify module fits: TF-IDF features (./text-features.ts) and a linear classifier on
 * them — logistic regression or multinomial naive Bayes — as one configuration, and the choice among
 * several configurations by stratified k-fold cross-validation on the training rows (accuracy, ties
 * broken by log loss), unless the spec names the learner and its settings.
 */
import { KilnError } from '../../core/errors.js';
import { createMatrix } from '../../core/matrix.js';
import { parseParams, z } from '../../core/params.js';
import { stratifiedKFold } from '../../data/splits/k-fold.js';
import { accuracy, argmaxRows, logLoss } from '../../evaluate/metrics/index.js';
import type { AugmentOptions } from '../../features/augment-rows.js';
import { augmentTexts } from '../../features/augment-texts.js';
import type { FitOptions } from '../../learners/learner.js';
import { linearTextModel, textProbabilities, type LinearTextModel } from './linear-text-model.js';
import { fitSparseLogistic } from './sparse-logistic.js';
import { fitSparseNaiveBayes } from './sparse-naive-bayes.js';
import { DEFAULT_TEXT_FEATURES, TextFeatures, textFeatureFields, type TextFeatureOptions } from './text-features.js';

export const TEXT_LEARNERS = ['logistic-regression', 'multinomial-nb'] as const;
export type TextLearner = (typeof TEXT_LEARNERS)[number];

export interface TextModelConfig {
  readonly features: TextFeatureOptions;
  readonly learner: TextLearner;
  /** Logistic regression's inverse penalty strength. */
  readonly C: number;
  /** Naive Bayes' additive smoothing. */
  readonly alpha: number;
}

export interface FittedTextModel {
  readonly config: TextModelConfig;
  readonly features: TextFeatures;
  readonly model: LinearTextModel;
}

/** The spec's `params` for text-classify: the feature knobs, the learners' own, and embeddings. */
export const textParamsSchema = z.strictObject({
  ...textFeatureFields,
  C: z.number().positive().optional().describe('logistic-regression: inverse strength of the L2 penalty (scikit-learn\'s C).'),
  alpha: z.number().positive().optional().describe('multinomial-nb: additive smoothing.'),
  embeddings: z
    .string()
    .min(1)
    .optional()
    .describe('A local transformers.js model folder (config.json, tokenizer.json, onnx/model.onnx): classify mean-pooled sentence embeddings instead of TF-IDF.'),
  folds: z.number().int().min(2).max(10).default(5).describe('Cross-validation folds used to choose among configurations.'),
});
export type TextParams = z.output<typeof textParamsSchema>;

export function parseTextParams(raw: Readonly<Record<string, unknown>>): TextParams {
  return parseParams(textParamsSchema, raw, 'text-classify parameters');
}

/**
 * The configurations cross-validation chooses from. With `learner` named in the spec only that
 * learner's; with any feature knob or C/alpha set in `params`, those values in every candidate.
 */
export function candidateConfigs(learner: string | undefined, params: TextParams): TextModelConfig[] {
  if (learner !== undefined && learner !== 'auto' && !(TEXT_LEARNERS as readonly string[]).includes(learner)) {
    throw new KilnError('UNKNOWN_LEARNER', { learner, task: 'text-classify', available: [...TEXT_LEARNERS, 'auto'].join(', ') });
  }
  const defaults = DEFAULT_TEXT_FEATURES;
  const featureGrid: TextFeatureOptions[] = [
    { ...defaults, wordNgrams: [1, 2], charNgrams: null },
    { ...defaults, wordNgrams: [1, 2], charNgrams: [2, 5], minDf: 2 },
  ];
  const fixedFeatures = (['wordNgrams', 'charNgrams', 'minDf', 'maxFeatures', 'sublinearTf'] as const).some((k) => params[k] !== undefined);
  const features = fixedFeatures
    ? [{ ...defaults, ...definedFeatureParams(params) }]
    : featureGrid;
  const configs: TextModelConfig[] = [];
  for (const f of features) {
    if (learner === undefined || learner === 'auto' || learner === 'logistic-regression') {
      for (const C of params.C === undefined ? [1, 10] : [params.C]) configs.push({ features: f, learner: 'logistic-regression', C, alpha: 1 });
    }
    if (learner === undefined || learner === 'auto' || learner === 'multinomial-nb') {
      for (const alpha of params.alpha === undefined ? [0.1, 1] : [params.alpha]) configs.push({ features: f, learner: 'multinomial-nb', C: 1, alpha });
    }
  }
  return configs;
}

function definedFeatureParams(params: TextParams): Partial<TextFeatureOptions> {
  const out: Record<string, unknown> = {};
  for (const k of ['wordNgrams', 'charNgrams', 'minDf', 'maxFeatures', 'sublinearTf'] as const) if (params[k] !== undefined) out[k] = params[k];
  return out as Partial<TextFeatureOptions>;
}

export async function fitTextModel(
  column: string,
  texts: readonly (string | null)[],
  y: Int32Array,
  nClasses: number,
  config: TextModelConfig,
  options: Pick<FitOptions, 'signal' | 'onProgress'> = {},
): Promise<FittedTextModel> {
  const features = TextFeatures.fit(column, texts, config.features);
  const X = features.transform(texts);
  const predictor =
    config.learner === 'logistic-regression'
      ? await fitSparseLogistic(X, y, nClasses, { C: config.C }, options)
      : fitSparseNaiveBayes(X, y, nClasses, config.alpha);
  return { config, features, model: linearTextModel(predictor) };
}

export function predictText(fitted: FittedTextModel, texts: readonly (string | null)[]): Float64Array {
  return textProbabilities(fitted.model, fitted.features.transform(texts));
}

export interface CandidateScore {
  readonly config: TextModelConfig;
  /** Mean over the folds. */
  readonly accuracy: number;
  readonly logLoss: number;
}

/** A configuration in a few words, for logs and reports. */
export function describeConfig(c: TextModelConfig): string {
  const f = c.features;
  const words = `word ${f.wordNgrams[0]}-${f.wordNgrams[1]}-grams`;
  const chars = f.charNgrams === null ? '' : ` + char ${f.charNgrams[0]}-${f.charNgrams[1]}-grams`;
  const model = c.learner === 'logistic-regression' ? `logistic regression C=${c.C}` : `naive Bayes alpha=${c.alpha}`;
  return `${words}${chars} (min_df ${f.minDf}${f.sublinearTf ? ', sublinear tf' : ''}) → ${model}`;
}

/**
 * Scores each configuration by stratified k-fold cross-validation. Each fold fits its own vocabulary
 * and idf on its training part, as the final model will on all training rows.
 */
export async function crossValidateConfigs(
  column: string,
  texts: readonly (string | null)[],
  y: Int32Array,
  nClasses: number,
  configs: readonly TextModelConfig[],
  options: {
    readonly folds: number;
    readonly seed: number;
    /** Messier copies of each fold's training texts (augment-texts.ts), as the final fit gets them. */
    readonly augment?: AugmentOptions;
    readonly signal?: AbortSignal;
    readonly onScore?: (s: CandidateScore) => void;
  },
): Promise<CandidateScore[]> {
  const folds = stratifiedKFold(y, nClasses, options.folds, { seed: options.seed });
  const scores: CandidateScore[] = [];
  // Features depend only on the feature options: fit them once per fold and share them across learners.
  const featureKeys = [...new Set(configs.map((c) => JSON.stringify(c.features)))];
  const sums = new Map<TextModelConfig, { acc: number; loss: number }>(configs.map((c) => [c, { acc: 0, loss: 0 }]));
  for (const [k, fold] of folds.entries()) {
    const clean = Array.from(fold.train, (i) => texts[i] ?? null);
    const testTexts = Array.from(fold.test, (i) => texts[i] ?? null);
    const yClean = Int32Array.from(fold.train, (i) => y[i] as number);
    // copies made after the folds are cut: no copy is scored against its own original
    const { texts: trainTexts, y: yTrain } = options.augment === undefined ? { texts: clean, y: yClean } : augmentTexts(clean, yClean, options.augment, options.seed + k);
    const yTest = Int32Array.from(fold.test, (i) => y[i] as number);
    for (const key of featureKeys) {
      const featureOptions = JSON.parse(key) as TextFeatureOptions;
      const features = TextFeatures.fit(column, trainTexts, featureOptions);
      const Xtrain = features.transform(trainTexts);
      const Xtest = features.transform(testTexts);
      for (const config of configs.filter((c) => JSON.stringify(c.features) === key)) {
        if (options.signal?.aborted === true) throw new KilnError('CANCELLED', { what: 'training' });
        const predictor =
          config.learner === 'logistic-regression'
            ? await fitSparseLogistic(Xtrain, yTrain, nClasses, { C: config.C }, options.signal === undefined ? {} : { signal: options.signal })
            : fitSparseNaiveBayes(Xtrain, yTrain, nClasses, config.alpha);
        const proba = createMatrix(yTest.length, nClasses, textProbabilities(linearTextModel(predictor), Xtest));
        const sum = sums.get(config) as { acc: number; loss: number };
        sum.acc += accuracy(yTest, argmaxRows(proba));
        sum.loss += logLoss(yTest, proba);
      }
    }
  }
  for (const config of configs) {
    const sum = sums.get(config) as { acc: number; loss: number };
    const score = { config, accuracy: sum.acc / folds.length, logLoss: sum.loss / folds.length };
    options.onScore?.(score);
    scores.push(score);
  }
  return scores;
}

/** Highest accuracy first; equal accuracy (within half a row in a thousand) goes to the lower log loss. */
export function rankCandidates(scores: readonly CandidateScore[]): CandidateScore[] {
  return [...scores].sort((a, b) => (Math.abs(a.accuracy - b.accuracy) > 5e-4 ? b.accuracy - a.accuracy : a.logLoss - b.logLoss));
}
