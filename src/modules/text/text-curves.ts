/**
 * "Would more rows help?" for a text-classify module: its learning curve against the number of
 * training texts (and, on request, the validation curve of one setting), read in the same plain words
 * as a table's (src/evaluate/curves/size-curve.ts).
 *
 * Fitted the way training fits (./train-text.ts): the training part of the same holdout, the same
 * stratified folds its cross-validation cuts, and inside each fold the vocabulary and idf fitted on
 * the subsample alone — a vocabulary fitted on every training text would let the small sizes know
 * words only the held-out texts contain. With `augment`, each subsample gets its messier copies, as
 * each fold's training texts do in training; the held-out texts are scored as they are.
 *
 * The model is the one training settles on: for a registered version its learner, n-grams and C or
 * alpha (version-curves.ts passes them as the spec's); for a spec that leaves the choice open, the
 * configuration training's cross-validation would pick, chosen once on the full folds and then
 * refitted at every size (a choice per point would measure the choice's luck as much as the size).
 *
 * Sentence embeddings: a text's embedding does not depend on the other texts, so every training text
 * is embedded once and each fit is only the logistic regression on those vectors.
 */
import { KilnError } from '../../core/errors.js';
import type { Column } from '../../core/frame.js';
import { takeRows, takeValues, type Matrix } from '../../core/matrix.js';
import { Rng } from '../../core/rng.js';
import type { LoadedTable } from '../../data/sources/csv.js';
import { stratifiedKFold } from '../../data/splits/k-fold.js';
import type { Split } from '../../data/split.js';
import type { FoldScore } from '../../evaluate/curves/curve-point.js';
import { DEFAULT_SIZE_FRACTIONS, readSizeCurve, sizeCurveOf } from '../../evaluate/curves/size-curve.js';
import { readValidationCurve, validationCurve } from '../../evaluate/curves/validation-curve.js';
import { checkMetric, metricsOf, toScore } from '../../evaluate/search/objective.js';
import { augmentTexts } from '../../features/augment-texts.js';
import { logisticRegression } from '../../learners/linear/logistic-regression.js';
import type { LoadedSpec, ModuleSpec } from '../spec.js';
import { encodeTarget } from '../tabular/plan-columns.js';
import { readCurvesData } from '../read-curves-data.js';
import type { CurvesOptions, CurvesResult } from '../tabular/tabular-curves.js';
import { loadSentenceEmbedder } from './sentence-embeddings.js';
import {
  candidateConfigs, crossValidateConfigs, fitTextModel, parseTextParams, predictText, rankCandidates,
  type TextModelConfig, type TextParams,
} from './text-model.js';
import { chooseTextColumn, holdout, refuseContinuousTarget, textValues } from './train-text.js';

/** How one fold's training texts become a fitted model and its probabilities. */
type TextFit = (train: { texts: readonly (string | null)[]; rows: Int32Array; y: Int32Array }, scoreOn: readonly { texts: readonly (string | null)[]; rows: Int32Array }[]) => Promise<Float64Array[]>;

/** The settings a validation curve may vary: those of the TF-IDF features and of the two learners. */
const CURVE_PARAMS = ['C', 'alpha', 'minDf', 'maxFeatures', 'sublinearTf'] as const;

export async function textCurves(loaded: LoadedSpec, options: CurvesOptions = {}): Promise<CurvesResult> {
  return curvesOfTexts(await readCurvesData(loaded, options), loaded.spec, { ...options, file: loaded.file });
}

/**
 * The curves of a text-classify `spec` on a table already read: the spec's data file, or the dataset
 * version a registered model was trained on (version-curves.ts).
 */
export async function curvesOfTexts(
  table: Pick<LoadedTable, 'frame' | 'sourceTypes'>,
  spec: ModuleSpec,
  options: CurvesOptions & { readonly file?: string | null } = {},
): Promise<CurvesResult> {
  const frame = table.frame;
  refuseContinuousTarget(frame, spec);
  const target = encodeTarget(frame, { ...spec, task: 'classification' });
  const textColumn = chooseTextColumn(frame, table.sourceTypes, spec, target.name, options.file ?? null);
  const params = parseTextParams(spec.params);
  const nClasses = target.classes.length;
  const task = nClasses === 2 ? 'binary' : 'multiclass';
  // what the report's robustness check scores in: the ranking for yes/no questions, else the share right
  const metric = spec.metric ?? (nClasses === 2 ? 'roc_auc' : 'accuracy');
  checkMetric(task, metric);

  const trainRows = spec.testData === undefined ? holdout(frame, undefined, frame.nRows, target, spec).train : Int32Array.from({ length: frame.nRows }, (_, i) => i);
  const all = textValues(frame.get(textColumn) as Column);
  const texts = Array.from(trainRows, (i) => all[i] ?? null);
  const y = takeValues(target.classIndex, trainRows);
  // the folds training's cross-validation cuts (text-model.ts), with a seeded order of each fold's texts
  // whose prefixes are the sizes, so that a larger size keeps the smaller one's texts
  const splits = stratifiedKFold(y, nClasses, params.folds, { seed: spec.seed });
  const rng = new Rng(spec.seed);
  const folds = splits.map((split) => ({ split, order: rng.shuffle(Int32Array.from(split.train)) }));

  const model = await settleModel(textColumn, texts, y, nClasses, spec, params, options);
  const scoreOf = (truth: Int32Array, proba: Float64Array) => metricsOf(task, truth, proba, nClasses)[metric] ?? Number.NaN;
  const fitAndScore = async (fit: TextFit, split: Split, rows: Int32Array, k: number): Promise<FoldScore> => {
    options.signal?.throwIfAborted();
    const clean = { texts: Array.from(rows, (i) => texts[i] ?? null), y: takeValues(y, rows) };
    // copies made after the folds are cut, of the subsample only: no copy is scored against its original
    const fitOn = spec.augment === undefined ? clean : augmentTexts(clean.texts, clean.y, spec.augment, spec.seed + k);
    const fitRows = Int32Array.from({ length: fitOn.texts.length }, (_, i) => rows[i % rows.length] as number);
    const heldOut = { texts: Array.from(split.test, (i) => texts[i] ?? null), rows: split.test };
    const [trainProba, heldOutProba] = (await fit({ texts: fitOn.texts, rows: fitRows, y: fitOn.y }, [{ texts: fitOn.texts, rows: fitRows }, heldOut])) as [Float64Array, Float64Array];
    return { train: scoreOf(fitOn.y, trainProba), validation: scoreOf(takeValues(y, split.test), heldOutProba) };
  };

  const sizePoints = await sizeCurveOf(
    folds,
    (f) => f.split.train.length,
    options.fractions ?? DEFAULT_SIZE_FRACTIONS,
    (fold, rows, k) => fitAndScore(model.fit, fold.split, fold.order.subarray(0, rows), k),
    (p, done, total) => options.onPoint?.('size', p, done, total),
  );

  let validation: CurvesResult['validation'];
  if (options.param !== undefined) {
    const { name, values } = options.param;
    const fits = new Map(values.map((value) => [value, model.with(name, value)] as const));
    const points = await validationCurve(
      folds,
      values,
      (value, fold, k) => fitAndScore(fits.get(value) as TextFit, fold.split, fold.split.train, k),
      (p, done, total) => options.onPoint?.('validation', p, done, total),
    );
    const reading = readValidationCurve(points, name, metric);
    validation = { param: name, points, reading, best: reading.best };
  }
  return {
    model: spec.name,
    task: 'text-classify',
    learner: model.learner,
    params: model.params,
    metric,
    higherIsBetter: toScore(metric, 1) > 0,
    folds: folds.length,
    protocol: 'stratified',
    trainingRows: trainRows.length,
    size: { points: sizePoints, reading: readSizeCurve(sizePoints, metric, { searched: options.searched === true || model.searched, subject: 'texts' }) },
    ...(validation === undefined ? {} : { validation }),
  };
}

interface SettledModel {
  readonly learner: string;
  /** As the manifest names them: the n-gram settings and C or alpha, or the embedding model and C. */
  readonly params: Record<string, unknown>;
  /** Whether cross-validation chose the configuration just now (the spec left the choice open). */
  readonly searched: boolean;
  readonly fit: TextFit;
  /** The same model with one setting changed (a validation curve's point); refused when it does not apply. */
  with(name: string, value: number | string): TextFit;
}

/** The one model every point refits: the spec's, or the one training's cross-validation would choose. */
async function settleModel(
  column: string,
  texts: readonly (string | null)[],
  y: Int32Array,
  nClasses: number,
  spec: ModuleSpec,
  params: TextParams,
  options: CurvesOptions,
): Promise<SettledModel> {
  const signal = options.signal === undefined ? {} : { signal: options.signal };
  if (params.embeddings !== undefined) return embeddingModel(texts, nClasses, spec, params, params.embeddings, options);

  const configs = candidateConfigs(spec.learner, params);
  let config = configs[0];
  if (configs.length > 1) {
    const scores = await crossValidateConfigs(column, texts, y, nClasses, configs, { folds: params.folds, seed: spec.seed, ...(spec.augment === undefined ? {} : { augment: spec.augment }), ...signal });
    config = rankCandidates(scores)[0]?.config;
  }
  if (config === undefined) throw new KilnError('INTERNAL', { reason: 'no text model configuration to draw the curve of' });
  const fitWith = (c: TextModelConfig): TextFit => async (train, scoreOn) => {
    const fitted = await fitTextModel(column, train.texts, train.y, nClasses, c, signal);
    return scoreOn.map((part) => predictText(fitted, part.texts));
  };
  const settled = config;
  return {
    learner: settled.learner,
    params: { ...settled.features, ...(settled.learner === 'logistic-regression' ? { C: settled.C } : { alpha: settled.alpha }) },
    searched: configs.length > 1,
    fit: fitWith(settled),
    with: (name, value) => fitWith(configWith(settled, name, value)),
  };
}

/** `config` with one setting replaced, checked as the spec's `params` are. */
function configWith(config: TextModelConfig, name: string, value: number | string): TextModelConfig {
  if (!(CURVE_PARAMS as readonly string[]).includes(name)) {
    throw new KilnError('INVALID_PARAMS', { what: 'curves arguments', summary: `a text-classify curve varies one of ${CURVE_PARAMS.join(', ')}, not "${name}"` });
  }
  const own = config.learner === 'logistic-regression' ? 'C' : 'alpha';
  if ((name === 'C' || name === 'alpha') && name !== own) {
    throw new KilnError('INVALID_PARAMS', { what: 'curves arguments', summary: `${name} is not a setting of ${config.learner}; its strength is ${own}` });
  }
  const checked = parseTextParams({ [name]: value }) as Record<string, unknown>;
  const v = checked[name];
  if (name === 'C' || name === 'alpha') return { ...config, [name]: v as number };
  return { ...config, features: { ...config.features, [name]: v } };
}

/** Logistic regression on sentence embeddings, every training text embedded once. */
async function embeddingModel(texts: readonly (string | null)[], nClasses: number, spec: ModuleSpec, params: TextParams, folder: string, options: CurvesOptions): Promise<SettledModel> {
  if (spec.augment !== undefined) {
    throw new KilnError('INVALID_PARAMS', { what: 'text-classify parameters', summary: 'augment applies to TF-IDF features, not to sentence embeddings; remove it or remove embeddings' });
  }
  if (spec.learner !== undefined && spec.learner !== 'auto' && spec.learner !== 'logistic-regression') {
    throw new KilnError('UNKNOWN_LEARNER', { learner: spec.learner, task: 'text-classify with embeddings', available: 'logistic-regression' });
  }
  const embedder = await loadSentenceEmbedder(folder);
  const X: Matrix = await embedder.embed(texts, options.signal);
  const fitWith = (C: number): TextFit => async (train, scoreOn) => {
    const predictor = await logisticRegression.fit(takeRows(X, train.rows), train.y, nClasses, { C }, { seed: spec.seed, ...(options.signal === undefined ? {} : { signal: options.signal }) });
    return scoreOn.map((part) => predictor.predictProba(takeRows(X, part.rows)).data);
  };
  const C = params.C ?? 1;
  return {
    learner: 'logistic-regression',
    params: { C, embeddings: embedder.folder },
    searched: false,
    fit: fitWith(C),
    with: (name, value) => {
      if (name !== 'C') throw new KilnError('INVALID_PARAMS', { what: 'curves arguments', summary: `a curve of sentence embeddings varies C (its logistic regression's), not "${name}"` });
      return fitWith(parseTextParams({ C: value }).C as number);
    },
  };
}
