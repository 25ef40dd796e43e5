/**
 * Training a tabular module end to end: read → infer the schema → seeded (stratified) holdout split →
 * fit the preprocessing on the training part only → fit the learner → holdout metrics → ONE ONNX graph
 * (checked against the in-process predictor) → a tracked run and a registered version.
 */
import { arch, platform } from 'node:os';
import { KilnError } from '../../core/errors.js';
import { Frame, type Column } from '../../core/frame.js';
import { takeRows, takeValues, type Matrix } from '../../core/matrix.js';
import { KILN_VERSION } from '../../core/version.js';
import { inferSchema } from '../../data/infer-schema.js';
import { buildReferenceProfile } from '../../data/profile/reference-profile.js';
import type { Split } from '../../data/split.js';
import { argmaxRows, classificationMetrics, regressionMetrics } from '../../evaluate/metrics/index.js';
import { checkMetric } from '../../evaluate/search/objective.js';
import { augmentRows, describeAugmentation, type AugmentOptions } from '../../features/augment-rows.js';
import { TabularPreprocessor } from '../../features/tabular-preprocessor.js';
import type { EncodingTarget } from '../../features/target-encode.js';
import type { FitOptions, SupervisedPredictor } from '../../learners/learner.js';
import { getLearner } from '../../learners/registry.js';
import { openSession } from '../../onnx/session.js';
import { snapshotDataset } from '../../store/datasets.js';
import { frameToFeeds } from '../frame-feeds.js';
import { MANIFEST_FORMAT, MODULE_ARTIFACTS, type ModuleManifest } from '../manifest.js';
import { readTrainingTables, trainingFrame } from '../read-training-tables.js';
import type { LoadedSpec } from '../spec.js';
import type { TrainListener } from '../train-events.js';
import type { TrainContext } from '../train-module.js';
import { diagnoseLearningCurve, type LossPoint } from '../../evaluate/diagnostics/learning-curve.js';
import { buildModelReport, type ModelReport } from './model-report.js';
import { checkSearchSpec, isSearch, searchLearner, type SearchChoice } from './search-learner.js';
import { buildModuleGraph, moduleSignature } from './module-graph.js';
import { DEFAULT_LEARNER, effectiveParams } from './learner-choice.js';
import { holdoutSplit, splitProtocol } from './split-rows.js';
import { encodeTarget, planColumns, type ExcludedColumn, type TargetEncoding } from './plan-columns.js';
import { markRunFailed } from '../failed-run.js';

/**
 * How far the ONNX graph may stray from the in-process predictor before the module is refused:
 * probabilities within 1e-5; regression predictions within 1e-5 of their scale (the graph's float32
 * output of a prediction near 500 cannot be closer than about 3e-5, and sums of many trees or terms
 * accumulate a few float32 roundings).
 */
export const ONNX_AGREEMENT_TOLERANCE = 1e-5;

export type { TrainContext };

export interface TrainResult {
  readonly model: string;
  readonly version: number;
  readonly runId: string;
  readonly task: string;
  readonly learner: string;
  readonly fitSeconds: number;
  readonly rows: { readonly train: number; readonly test: number };
  readonly features: readonly string[];
  readonly excluded: readonly ExcludedColumn[];
  /** scikit-learn's metric names, on the training part and on the held-out test part. */
  readonly metrics: { readonly train: Record<string, number>; readonly test: Record<string, number> };
  /** Largest difference between the ONNX graph's outputs and the predictor's on the test rows. */
  readonly onnxMaxAbsDiff: number;
  /** Baseline comparison, diagnoses and column importances. */
  readonly report: ModelReport;
  /** What the AutoML search tried, when the spec asked for one. */
  readonly search?: SearchSummary;
  /** The perturbed copies the model was also fitted on (a spec's `augment`), and how many rows that made. */
  readonly augment?: AugmentOptions & { readonly fittedRows: number };
}

export interface SearchSummary {
  readonly metric: string;
  readonly trials: number;
  readonly seconds: number;
  /** Complete (all rows, all folds) trials, best first, with their cross-validated metric. */
  readonly leaderboard: readonly { learner: string; params: Record<string, unknown>; cv: number }[];
  /** The learners averaged, when an ensemble won. */
  readonly ensemble?: readonly string[];
}


export async function trainTabularModule(loaded: LoadedSpec, ctx: TrainContext): Promise<TrainResult> {
  const { spec } = loaded;
  const emit: TrainListener = ctx.onEvent ?? (() => {});

  // what reading changed on the person's behalf (numbers read from text, missing markers, …) is said there
  const tables = await readTrainingTables(loaded, emit);
  const { table, testTable } = tables;
  // With a separate test table, its rows are appended and become the held-out part.
  const frame = trainingFrame(tables, loaded);

  emit({ type: 'stage', stage: 'schema', message: `${frame.nRows} rows × ${frame.columns.length} columns` });
  const target = encodeTarget(frame, spec);
  const schema = inferSchema(frame, table.sourceTypes);
  const { features, excluded } = planColumns(schema, spec);
  for (const e of excluded) emit({ type: 'note', message: `left out "${e.name}" (${e.reason})` });

  // Refuse an unknown learner, bad parameters or bad search settings before a run is recorded; record
  // the effective parameters (defaults filled in) so the run can be reproduced.
  const searching = isSearch(spec);
  let learnerName = searching ? 'automl' : (spec.learner ?? DEFAULT_LEARNER[target.task]);
  let learnerParams: Record<string, unknown> = searching ? {} : effectiveParams(learnerName, target.task, spec.params);
  const searchSettings = searching ? checkSearchSpec(spec, target.task) : undefined;
  // without a search the metric is not used (every metric is reported), but a misspelt one is refused
  // rather than ignored: the person meant something by it
  if (!searching && spec.metric !== undefined) checkMetric(target.task, spec.metric);

  // The data as trained on becomes an immutable, content-addressed dataset version (lineage).
  stopIfCancelled(ctx.signal); // before anything is recorded
  const datasetVersion = await snapshotDataset(table, { store: ctx.store, artifacts: ctx.artifacts });
  const run = await ctx.store.createRun({
    name: spec.name,
    task: target.task,
    learner: learnerName,
    params: {
      ...learnerParams,
      seed: spec.seed,
      test_fraction: spec.split.test,
      stratify: spec.split.stratify,
      split: splitProtocol(spec),
      ...(spec.augment === undefined ? {} : { augment_copies: spec.augment.copies, augment_jitter: spec.augment.jitter, augment_swap: spec.augment.swap, augment_missing: spec.augment.missing }),
      ...(searchSettings ? { budget_s: searchSettings.budget, metric: searchSettings.metric, folds: spec.folds, ...(spec.repeats === undefined ? {} : { repeats: spec.repeats }) } : {}),
    },
    dataset: { source: table.source, digest: table.digest, rows: frame.nRows, columns: frame.columns.length },
    datasetVersionId: datasetVersion.id,
    environment: { kiln: KILN_VERSION, node: process.version, platform: `${platform()}-${arch()}` },
  });

  try {
    const split =
      testTable === undefined
        ? holdoutSplit(frame, target, spec)
        : fixedSplit(table.frame.nRows, testTable.frame.nRows);
    emit({ type: 'stage', stage: 'split', message: `${split.train.length} rows to train on, ${split.test.length} held out for the test` });
    const trainFrame = frame.select(features.map((f) => f.name)).take(split.train);
    const testFrame = frame.select(features.map((f) => f.name)).take(split.test);

    // What the model is fitted on: the training part, plus its perturbed copies when the spec asks
    // (augment-rows.ts); `fitRows` are the rows of `frame` each fitted row's target comes from.
    const augmented = spec.augment === undefined ? undefined : augmentRows(trainFrame, features, spec.augment, spec.seed);
    if (spec.augment !== undefined) emit({ type: 'note', message: `augmenting: ${describeAugmentation(spec.augment)}` });
    const fitFrame = augmented?.frame ?? trainFrame;
    const fitRows = augmented === undefined ? split.train : takeValues(split.train, augmented.source);

    emit({ type: 'stage', stage: 'preprocess', message: `preparing ${features.length} columns` });
    const preprocessor = TabularPreprocessor.fit(fitFrame, features, {
      target: encodingTarget(target, fitRows),
      seed: spec.seed,
      ...(augmented === undefined ? {} : { groups: augmented.source }),
    });
    const Xfit = preprocessor.transform(fitFrame);
    // the clean training rows (the augmented frame's first rows, encoded alike): what training metrics,
    // feature means and the drift reference describe
    const Xtrain = augmented === undefined ? Xfit : takeRows(Xfit, Int32Array.from({ length: trainFrame.nRows }, (_, i) => i));
    const Xtest = preprocessor.transform(testFrame);

    let search: SearchChoice | undefined;
    if (searching) {
      search = await searchLearner(spec, frame, trainFrame, features, target, split.train, {
        store: ctx.store,
        parentRunId: run.id,
        emit,
        datasetDigest: table.digest,
        dataset: { source: table.source, digest: table.digest, rows: frame.nRows, columns: frame.columns.length },
        datasetVersionId: datasetVersion.id,
        ...(ctx.signal ? { signal: ctx.signal } : {}),
      });
      learnerName = search.learner;
      learnerParams = effectiveParams(learnerName, target.task, search.params);
    }

    stopIfCancelled(ctx.signal);
    emit({ type: 'stage', stage: 'fit', message: `training ${learnerName} on ${preprocessor.nFeatures} features` });
    const started = performance.now();
    const learningCurve: LossPoint[] = [];
    const fitOptions: FitOptions = {
      seed: spec.seed,
      onProgress: (p) => {
        // an ensemble's members report one after the other: not one learning curve (Progress.part)
        if (p.part === undefined) learningCurve.push({ iteration: p.iteration, trainLoss: p.trainLoss, ...(p.validationLoss === undefined ? {} : { validationLoss: p.validationLoss }) });
        emit({ type: 'progress', ...p });
      },
      ...(ctx.signal ? { signal: ctx.signal } : {}),
    };
    const predictor: SupervisedPredictor =
      target.task === 'regression'
        ? await getLearner(learnerName, 'regression').fit(Xfit, takeValues(target.values, fitRows), learnerParams, fitOptions)
        : await getLearner(learnerName, target.task).fit(
            Xfit, takeValues(target.classIndex, fitRows), target.classes.length, learnerParams, fitOptions,
          );
    const fitSeconds = (performance.now() - started) / 1000;

    refuseDivergedModel(predictor, Xtrain, learningCurve);

    stopIfCancelled(ctx.signal);
    emit({ type: 'stage', stage: 'evaluate', message: 'scoring the held-out test part' });
    const metrics = {
      train: score(predictor, Xtrain, target, split.train),
      test: score(predictor, Xtest, target, split.test),
    };
    const report = buildModelReport({
      predictor, preprocessor, target, trainRows: split.train, testRows: split.test, testFrame,
      trainMetrics: metrics.train, testMetrics: metrics.test, learningCurve, seed: spec.seed,
    });
    for (const d of report.diagnoses) emit({ type: 'note', message: `${d.severity}: ${d.message}` });

    stopIfCancelled(ctx.signal);
    emit({ type: 'stage', stage: 'export', message: 'exporting preprocessing + model as one ONNX graph' });
    const onnx = buildModuleGraph(spec.name, preprocessor, predictor, target.classes, { kiln_run_id: run.id });
    const signature = moduleSignature(preprocessor, predictor, target.classes);
    // The graph receives numbers as FP32 tensors, so it is checked against the predictor on the same
    // float32-rounded inputs (a float64 value within one float32 step of a tree threshold may route
    // differently once rounded, in the graph and in the predictor alike).
    const { maxAbsDiff: onnxMaxAbsDiff, scale } = await onnxAgreement(
      onnx, signature, testFrame, predictor, preprocessor.transform(roundedToFloat32(testFrame)),
    );
    const tolerance = ONNX_AGREEMENT_TOLERANCE * (predictor.kind === 'classifier' ? 1 : Math.max(1, scale));
    if (!(onnxMaxAbsDiff <= tolerance)) {
      throw new KilnError('INTERNAL', {
        reason: `the exported ONNX graph of ${learnerName} ${JSON.stringify(learnerParams)} differs from the trained model by ${onnxMaxAbsDiff} (more than ${tolerance})`,
      });
    }

    const flatMetrics = flatten(metrics);
    const manifest: ModuleManifest = {
      format: MANIFEST_FORMAT,
      name: spec.name,
      task: target.task,
      target: target.name,
      ...(target.task === 'regression' ? {} : { classes: target.classes }),
      signature,
      learner: learnerName,
      params: learnerParams,
      metrics: flatMetrics,
      dataset: { source: table.source, digest: table.digest, rows: frame.nRows, columns: frame.columns.length },
      datasetVersion: datasetVersion.id,
      seed: spec.seed,
      ...(spec.augment === undefined ? {} : { augment: spec.augment }),
      trainedAt: new Date().toISOString(),
      kilnVersion: KILN_VERSION,
    };

    stopIfCancelled(ctx.signal);
    emit({ type: 'stage', stage: 'register', message: `registering a new version of "${spec.name}"` });
    const encoder = new TextEncoder();
    const artifacts = {
      [MODULE_ARTIFACTS.model]: await ctx.artifacts.put(onnx),
      [MODULE_ARTIFACTS.manifest]: await ctx.artifacts.put(encoder.encode(JSON.stringify(manifest, null, 2))),
      [MODULE_ARTIFACTS.predictor]: await ctx.artifacts.put(
        encoder.encode(JSON.stringify({ preprocessor: preprocessor.toJSON(), predictor: predictor.toJSON(), featureMeans: columnMeans(Xtrain) })),
      ),
      [MODULE_ARTIFACTS.report]: await ctx.artifacts.put(encoder.encode(JSON.stringify(report, null, 2))),
      [MODULE_ARTIFACTS.spec]: await ctx.artifacts.put(encoder.encode(JSON.stringify(spec, null, 2))),
      [MODULE_ARTIFACTS.reference]: await ctx.artifacts.put(
        encoder.encode(JSON.stringify(buildReferenceProfile(trainFrame, { predictions: modelOutputs(predictor, Xtest, target.classes), seed: spec.seed }))),
      ),
    };
    await ctx.store.logMetrics(run.id, { ...flatMetrics, fit_s: fitSeconds, onnx_max_abs_diff: onnxMaxAbsDiff });
    stopIfCancelled(ctx.signal); // the last moment a cancel keeps the version from being registered
    const version = await ctx.store.createModelVersion({
      model: spec.name,
      runId: run.id,
      artifacts,
      signature,
      metrics: flatMetrics,
      ...(spec.description === undefined ? {} : { description: spec.description }),
    });
    await ctx.store.finishRun(run.id, 'finished');
    return {
      model: spec.name,
      version: version.version,
      runId: run.id,
      task: target.task,
      learner: learnerName,
      fitSeconds,
      rows: { train: split.train.length, test: split.test.length },
      features: preprocessor.featureNames(),
      excluded,
      metrics,
      onnxMaxAbsDiff,
      report,
      ...(search === undefined ? {} : { search: summarise(search) }),
      ...(spec.augment === undefined ? {} : { augment: { ...spec.augment, fittedRows: Xfit.rows } }),
    };
  } catch (err) {
    await markRunFailed(ctx.store, run.id, err);
    throw err;
  }
}

/**
 * Learners check the AbortSignal inside their loops; this checks it between stages, so a job cancelled
 * while the data is read, scored or exported stops there and registers nothing.
 */
function stopIfCancelled(signal: AbortSignal | undefined): void {
  if (signal?.aborted === true) throw new KilnError('CANCELLED', { what: 'training' });
}

function summarise(choice: SearchChoice): SearchSummary {
  const { result } = choice;
  return {
    metric: choice.metric,
    trials: result.trials.length,
    seconds: result.seconds,
    leaderboard: result.leaderboard.slice(0, 10).map((t) => ({ learner: t.learner, params: t.params, cv: t.value })),
    ...(result.ensemble ? { ensemble: result.ensemble.members.map((m) => m.learner) } : {}),
  };
}

/**
 * The model's answers on `X`, named as the server logs them (`label`, `probability[c]`, `prediction`),
 * so that prediction drift compares like with like. The reference takes them on the held-out rows: on
 * its own training rows a model is more confident than on any new row, so healthy traffic would read
 * as prediction drift against them.
 */
export function modelOutputs(predictor: SupervisedPredictor, X: Matrix, classes: readonly (string | number)[]): Frame {
  if (predictor.kind === 'regressor') return new Frame([{ kind: 'numeric', name: 'prediction', values: predictor.predict(X) }]);
  const proba = predictor.predictProba(X);
  const best = argmaxRows(proba);
  const numeric = classes.every((c) => typeof c === 'number');
  const label: Column = numeric
    ? { kind: 'numeric', name: 'label', values: Float64Array.from(best, (k) => classes[k] as number) }
    : { kind: 'categorical', name: 'label', values: Array.from(best, (k) => String(classes[k])) };
  const probabilities: Column[] = classes.map((c, k) => ({
    kind: 'numeric',
    name: `probability[${c}]`,
    values: Float64Array.from({ length: proba.rows }, (_, i) => proba.data[i * proba.cols + k] as number),
  }));
  return new Frame([label, ...probabilities]);
}

function columnMeans(X: Matrix): number[] {
  const means = new Array<number>(X.cols).fill(0);
  for (let i = 0; i < X.rows; i++) for (let j = 0; j < X.cols; j++) means[j] = (means[j] as number) + (X.data[i * X.cols + j] as number) / X.rows;
  return means;
}

/**
 * A model whose outputs are not numbers (a diverged fit) cannot be scored or served: refuse it with
 * the divergence diagnosis as the reason, instead of failing later in a metric.
 */
function refuseDivergedModel(predictor: SupervisedPredictor, X: Matrix, curve: readonly LossPoint[]): void {
  const out = predictor.kind === 'classifier' ? predictor.predictProba(X).data : predictor.predict(X);
  if (out.every(Number.isFinite)) return;
  const diverged = diagnoseLearningCurve(curve).find((d) => d.code === 'divergence');
  throw new KilnError('TRAINING_FAILED', {
    reason: diverged?.message ?? 'the model predicts values that are not numbers (training diverged)',
  });
}

/** The training rows' target, for transforms that learn from it (target encoding, cross-fitted). */
function encodingTarget(target: TargetEncoding, rows: Int32Array): EncodingTarget {
  return target.task === 'regression'
    ? { kind: 'continuous', values: takeValues(target.values, rows) }
    : { kind: 'classes', classIndex: takeValues(target.classIndex, rows), nClasses: target.classes.length };
}

/** The training table's rows train; the appended test table's rows test. */
function fixedSplit(nTrain: number, nTest: number): Split {
  return { train: Int32Array.from({ length: nTrain }, (_, i) => i), test: Int32Array.from({ length: nTest }, (_, i) => nTrain + i) };
}

function score(predictor: SupervisedPredictor, X: Matrix, target: TargetEncoding, rows: Int32Array): Record<string, number> {
  if (predictor.kind === 'classifier') return { ...classificationMetrics(takeValues(target.classIndex, rows), predictor.predictProba(X)) };
  return { ...regressionMetrics(takeValues(target.values, rows), predictor.predict(X)) };
}

function flatten(metrics: TrainResult['metrics']): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [part, values] of Object.entries(metrics)) for (const [k, v] of Object.entries(values)) out[`${part}.${k}`] = v;
  return out;
}

/** The frame with every number rounded to float32, as an FP32 tensor carries it. */
function roundedToFloat32(frame: Frame): Frame {
  return new Frame(frame.columns.map((c): Column => (c.kind === 'numeric' ? { ...c, values: c.values.map(Math.fround) } : c)));
}

/**
 * Runs the exported graph on the test rows: the largest difference from the predictor, and the
 * largest absolute output (the scale regression tolerances are relative to).
 */
async function onnxAgreement(
  onnx: Uint8Array,
  signature: ReturnType<typeof moduleSignature>,
  frame: Frame,
  predictor: SupervisedPredictor,
  X: Matrix,
): Promise<{ maxAbsDiff: number; scale: number }> {
  const session = await openSession(onnx);
  try {
    const out = await session.run(frameToFeeds(frame, signature));
    const expected = predictor.kind === 'classifier' ? predictor.predictProba(X).data : predictor.predict(X);
    const got = out[predictor.kind === 'classifier' ? 'probabilities' : 'prediction']?.data as Float32Array;
    // rows where float32 may honestly pick another neighbour (kNN ties) are not compared
    const exact = predictor.onnxExactRows?.(X);
    const width = X.rows === 0 ? 1 : expected.length / X.rows;
    let worst = 0;
    let scale = 0;
    for (let i = 0; i < expected.length; i++) {
      if (exact !== undefined && exact[Math.floor(i / width)] === 0) continue;
      const diff = Math.abs((got[i] as number) - (expected[i] as number));
      worst = Number.isNaN(diff) ? Infinity : Math.max(worst, diff);
      scale = Math.max(scale, Math.abs(expected[i] as number));
    }
    return { maxAbsDiff: worst, scale };
  } finally {
    await session.release();
  }
}
