/**
 * Learning curves against training-set size and validation curves of one parameter, for a tabular
 * module's spec (`kiln curves`). Only the training part is used: the test part the module would be
 * judged on stays locked away, and the folds follow the spec's protocol (stratified, grouped or
 * time-ordered), with preprocessing fitted inside each fold.
 */
import { KilnError } from '../../core/errors.js';
import { takeValues } from '../../core/matrix.js';
import { inferSchema } from '../../data/infer-schema.js';
import type { CurvePoint, FoldScore } from '../../evaluate/curves/curve-point.js';
import { DEFAULT_SIZE_FRACTIONS, readSizeCurve, sizeCurve, type CurveReading } from '../../evaluate/curves/size-curve.js';
import { readValidationCurve, validationCurve } from '../../evaluate/curves/validation-curve.js';
import { prepareFolds, type Fold } from '../../evaluate/search/fold-data.js';
import { checkMetric, defaultMetric, metricsOf, predictOutputs, toScore } from '../../evaluate/search/objective.js';
import { fitByTask } from '../../learners/fit-by-task.js';
import type { Matrix } from '../../core/matrix.js';
import type { LoadedTable } from '../../data/sources/csv.js';
import type { IngestNote } from '../../data/sources/ingest-note.js';
import { readCurvesData } from '../read-curves-data.js';
import type { LoadedSpec, ModuleSpec } from '../spec.js';
import { DEFAULT_LEARNER, effectiveParams } from './learner-choice.js';
import { encodeTarget, planColumns } from './plan-columns.js';
import { crossValidationFolds, holdoutSplit, splitProtocol } from './split-rows.js';

export interface CurvesOptions {
  /** Shares of each fold's training rows for the size curve (default 10%, 32.5%, 55%, 77.5%, 100%). */
  readonly fractions?: readonly number[];
  /** A parameter of the learner to draw a validation curve for, and the values to try. */
  readonly param?: { readonly name: string; readonly values: readonly (number | string)[] };
  /** Called after each point: what the CLI's progress bar and the app draw from. */
  readonly onPoint?: (curve: 'size' | 'validation', point: CurvePoint, done: number, total: number) => void;
  readonly signal?: AbortSignal;
  /** The model's settings came out of a search (a registered version's), which the reading takes into account. */
  readonly searched?: boolean;
  /**
   * Called once the spec's data file is read, before any fit, with what reading it changed (a guessed
   * encoding, numbers read from text, …; empty when nothing): what the CLI prints and puts in --json. A
   * registered version's curves read the snapshot it was trained on, whose notes training said.
   */
  readonly onNotes?: (notes: readonly IngestNote[]) => void;
}

export interface Curve {
  readonly points: readonly CurvePoint[];
  readonly reading: CurveReading;
}

export interface CurvesResult {
  readonly model: string;
  readonly task: string;
  readonly learner: string;
  readonly params: Record<string, unknown>;
  readonly metric: string;
  /** False for error metrics (rmse, mae, log_loss, …), whose curves fall as the model gets better. */
  readonly higherIsBetter: boolean;
  readonly folds: number;
  readonly protocol: string;
  readonly trainingRows: number;
  readonly size: Curve;
  readonly validation?: Curve & { readonly param: string; readonly best: number | string };
}

export async function tabularCurves(loaded: LoadedSpec, options: CurvesOptions = {}): Promise<CurvesResult> {
  return curvesOfTable(await readCurvesData(loaded, options), loaded.spec, options);
}

/**
 * The curves of `spec` on a table already read: the spec's data file, or the dataset version a
 * registered model was trained on (version-curves.ts). With a separate test table (`testData`), every
 * row of `table` is a training row, as in training.
 */
export async function curvesOfTable(
  table: Pick<LoadedTable, 'frame' | 'sourceTypes'>,
  spec: ModuleSpec,
  options: CurvesOptions = {},
): Promise<CurvesResult> {
  const frame = table.frame;
  const target = encodeTarget(frame, spec);
  const { features } = planColumns(inferSchema(frame, table.sourceTypes), spec);
  if (spec.learner === 'auto') {
    throw new KilnError('INVALID_PARAMS', { what: 'curves', summary: 'curves describe one learner: name it in the spec or with --learner (not "auto")' });
  }
  const learner = spec.learner ?? DEFAULT_LEARNER[target.task];
  const baseParams = effectiveParams(learner, target.task, spec.params);
  if (options.param !== undefined) effectiveParams(learner, target.task, { ...spec.params, [options.param.name]: options.param.values[0] });
  const metric = spec.metric ?? defaultMetric(target.task);
  checkMetric(target.task, metric);

  const split = spec.testData === undefined ? holdoutSplit(frame, target, spec) : { train: Int32Array.from({ length: frame.nRows }, (_, i) => i) };
  const trainFrame = frame.select(features.map((f) => f.name)).take(split.train);
  const nClasses = target.task === 'regression' ? 0 : target.classes.length;
  const y = target.task === 'regression' ? takeValues(target.values, split.train) : takeValues(target.classIndex, split.train);
  const k = Math.min(spec.folds, trainFrame.nRows);
  const folds = prepareFolds(trainFrame, features, y, crossValidationFolds(frame, split.train, target, k, spec), spec.seed, nClasses, spec.augment === undefined ? {} : { augment: spec.augment });

  const metricOn = (predictor: Awaited<ReturnType<typeof fitByTask>>, X: Matrix, truth: Int32Array | Float64Array) =>
    metricsOf(target.task, truth, predictOutputs(predictor, X), nClasses)[metric] ?? Number.NaN;
  const fitAndScore = async (train: { X: Matrix; y: Int32Array | Float64Array }, fold: Fold, params: Record<string, unknown>): Promise<FoldScore> => {
    options.signal?.throwIfAborted();
    const predictor = await fitByTask(learner, target.task, nClasses, train.X, train.y, params, {
      seed: spec.seed,
      ...(options.signal === undefined ? {} : { signal: options.signal }),
    });
    return { train: metricOn(predictor, train.X, train.y), validation: metricOn(predictor, fold.Xval, fold.yval) };
  };

  const fractions = options.fractions ?? DEFAULT_SIZE_FRACTIONS;
  const sizePoints = await sizeCurve(folds, fractions, (train, fold) => fitAndScore(train, fold, baseParams), (p, done, total) =>
    options.onPoint?.('size', p, done, total),
  );
  let validation: CurvesResult['validation'];
  if (options.param !== undefined) {
    const { name, values } = options.param;
    const points = await validationCurve(
      folds,
      values,
      (value, fold) => fitAndScore({ X: fold.X, y: fold.y }, fold, effectiveParams(learner, target.task, { ...spec.params, [name]: value })),
      (p, done, total) => options.onPoint?.('validation', p, done, total),
    );
    const reading = readValidationCurve(points, name, metric);
    validation = { param: name, points, reading, best: reading.best };
  }
  return {
    model: spec.name,
    task: target.task,
    learner,
    params: baseParams,
    metric,
    higherIsBetter: toScore(metric, 1) > 0,
    folds: folds.length,
    protocol: splitProtocol(spec),
    trainingRows: split.train.length,
    size: { points: sizePoints, reading: readSizeCurve(sizePoints, metric, { searched: options.searched === true }) },
    ...(validation === undefined ? {} : { validation }),
  };
}
