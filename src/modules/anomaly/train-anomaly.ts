/**
 * Training an anomalies module (`task: detect-anomalies`): read → plan the columns as the tabular
 * trainer does → seeded holdout (stratified by the known anomalies when the spec names a `label`) →
 * fit the preprocessing on the training part → isolation forest, its threshold at the `contamination`
 * quantile of the training scores → beside it the robust z-score baseline (max |z| over the numeric
 * columns, median/MAD) with its threshold at the same quantile → with labels: precision@k, recall,
 * precision and ROC AUC of both → the reasons of the most anomalous held-out rows → ONE ONNX graph
 * (checked against the in-process model) → a tracked run and a version.
 *
 * The label column never reaches training: it only evaluates.
 */
import { KilnError } from '../../core/errors.js';
import { Frame, type Column } from '../../core/frame.js';
import { parseParams } from '../../core/params.js';
import { TabularPreprocessor } from '../../features/tabular-preprocessor.js';
import type { AnomalyLearner, AnomalyPredictor } from '../../learners/learner.js';
import { getLearner } from '../../learners/registry.js';
import type { LoadedSpec } from '../spec.js';
import type { TrainListener } from '../train-events.js';
import type { ModuleTrainResult, TrainContext } from '../train-module.js';
import { registerModuleVersion, startModuleRun, type PartMetrics } from '../unsupervised/module-run.js';
import { holdout, readModuleTable, roundedToFloat32 } from '../unsupervised/module-table.js';
import { runGraph } from '../unsupervised/run-graph.js';
import { buildAnomalyGraph, anomalySignature } from './anomaly-graph.js';
import { detectionMetrics, quantile } from './anomaly-metrics.js';
import { knownAnomalies } from './known-anomalies.js';
import { anomalyReasons, fitRobustZ, largestZ, robustZScores, type AnomalyReason, type RobustZ } from './robust-z.js';
import { markRunFailed } from '../failed-run.js';

/** The graph's scores may differ from the model's by float32 rounding only. */
export const ANOMALY_ONNX_TOLERANCE = 1e-5;
const DEFAULT_LEARNER = 'isolation-forest';
/** How many of the most anomalous held-out rows the report explains. */
const EXPLAINED_ROWS = 10;

export interface ExplainedRow {
  /** The row's number in the data, counting from 1 at the first data row (the training table's rows first, then the test table's). */
  readonly row: number;
  readonly score: number;
  readonly flagged: boolean;
  /** Whether the label column marks it (only with a label). */
  readonly known?: boolean;
  readonly reasons: readonly AnomalyReason[];
}

export async function trainAnomalyModule(loaded: LoadedSpec, ctx: TrainContext): Promise<ModuleTrainResult> {
  const { spec } = loaded;
  const emit: TrainListener = ctx.onEvent ?? (() => {});
  const learnerName = spec.learner ?? DEFAULT_LEARNER;
  const learner = getLearner(learnerName, 'anomaly') as AnomalyLearner;
  if ('contamination' in spec.params) {
    throw new KilnError('INVALID_SPEC', { file: loaded.file ?? '', summary: 'params.contamination: set the expected share of anomalies with `contamination:` at the top of the spec' });
  }
  const params = parseParams(learner.paramsSchema, { ...spec.params, contamination: spec.contamination }, `${learnerName} parameters`) as Record<string, unknown>;

  const t = await readModuleTable(loaded, emit, spec.label);
  const known = t.evaluation === undefined ? undefined : knownAnomalies(t.evaluation);
  const run = await startModuleRun(ctx, spec, t, { task: 'detect-anomalies', learner: learnerName, params });
  try {
    const strata = known === undefined || !spec.split.stratify ? undefined : { classes: Int32Array.from(known), nClasses: 2 };
    const split = holdout(t, spec.split.test, spec.seed, strata);
    emit({ type: 'stage', stage: 'split', message: `${split.train.length} rows to learn what is usual from, ${split.test.length} held out to check the detector` });
    const names = t.features.map((f) => f.name);
    const trainFrame = t.frame.select(names).take(split.train);
    const testFrame = t.frame.select(names).take(split.test);

    emit({ type: 'stage', stage: 'preprocess', message: `preparing ${names.length} columns` });
    const preprocessor = TabularPreprocessor.fit(trainFrame, t.features, { seed: spec.seed });
    const Xtrain = preprocessor.transform(trainFrame);
    const Xtest = preprocessor.transform(testFrame);

    emit({ type: 'stage', stage: 'fit', message: `training ${learnerName} on ${preprocessor.nFeatures} features` });
    const started = performance.now();
    const model = await learner.fit(Xtrain, params, {
      seed: spec.seed,
      onProgress: (p) => emit({ type: 'progress', ...p }),
      ...(ctx.signal ? { signal: ctx.signal } : {}),
    });
    // The baseline reads plain numbers and categories (not datetimes, booleans or text).
    const baseline = fitRobustZ(trainFrame.select(t.features.filter((f) => f.kind === 'numeric' || f.kind === 'categorical').map((f) => f.name)));
    const fitSeconds = (performance.now() - started) / 1000;

    emit({ type: 'stage', stage: 'evaluate', message: 'scoring the rows and comparing with the robust z-score baseline' });
    const scores = { train: model.score(Xtrain), test: model.score(Xtest) };
    const baselineScores = { train: robustZScores(baseline, trainFrame), test: robustZScores(baseline, testFrame) };
    const baselineThreshold = quantile(baselineScores.train, 1 - spec.contamination);
    const pick = (rows: Int32Array): Uint8Array | undefined => (known === undefined ? undefined : Uint8Array.from(rows, (i) => known[i] as number));
    const metrics: PartMetrics = {
      train: partMetrics(scores.train, model.threshold, baselineScores.train, baselineThreshold, pick(split.train)),
      test: partMetrics(scores.test, model.threshold, baselineScores.test, baselineThreshold, pick(split.test)),
    };
    const explained = explainTopRows(baseline, testFrame, split.test, scores.test, model.threshold, pick(split.test));

    emit({ type: 'stage', stage: 'export', message: 'exporting preprocessing + isolation forest as one ONNX graph' });
    const onnx = buildAnomalyGraph(spec.name, preprocessor, model, baseline, { kiln_run_id: run.runId });
    const signature = anomalySignature(preprocessor, baseline);
    const agreement = await checkAgreement(onnx, signature, testFrame, preprocessor, model, baseline, learnerName);

    const comparison = compareWithBaseline(metrics.test, known === undefined ? undefined : pick(split.test));
    const summary = [
      `threshold ${model.threshold.toFixed(4)}: the ${quantileWords(spec.contamination)} of the training scores (contamination ${spec.contamination}); it flags ${percent(metrics.test['flagged_share'] as number)} of the held-out rows`,
      ...comparison,
      '',
      'the most unusual held-out rows, and why (robust z of each column against its median):',
      ...explained.slice(0, 5).map((r) => `  row ${r.row} (score ${r.score.toFixed(3)}${r.known === undefined ? '' : r.known ? ', a known anomaly' : ', not marked in the label'}): ${r.reasons.map((x) => x.words).join('; ') || '(no numeric or categorical column stands out)'}`),
    ];
    const details = {
      threshold: model.threshold,
      contamination: spec.contamination,
      baseline: { method: 'robust z-score (max |z| over numeric columns, median/MAD)', threshold: baselineThreshold, scales: baseline.numeric },
      top_rows: explained,
      features: preprocessor.featureNames(),
      excluded: t.excluded,
      onnx_max_abs_diff: agreement.maxAbsDiff,
      ...(agreement.nearThreshold > 0 ? { onnx_near_threshold: agreement.nearThreshold } : {}),
    };
    const report = {
      task: 'detect-anomalies',
      summary,
      threshold: model.threshold,
      contamination: spec.contamination,
      reasons_method:
        'reasons are the columns with the largest robust z (|x − median| / (1.4826·MAD)) and categories rare in training: in the column\'s own units, and the same every run, unlike the features a randomised isolation path happens to split on',
      metrics,
      metric_meanings: METRIC_MEANINGS,
      baseline: details.baseline,
      top_rows: explained,
    };

    emit({ type: 'stage', stage: 'register', message: `registering a new version of "${spec.name}"` });
    const version = await registerModuleVersion(ctx, {
      spec, run, table: t, task: 'detect-anomalies', answers: 'is_anomaly', learner: learnerName, params,
      signature, onnx, report, metrics,
      predictor: { preprocessor: preprocessor.toJSON(), predictor: model.toJSON(), baseline },
      reference: {
        inputs: trainFrame,
        // outputs on the held-out rows, which live rows resemble: the threshold is the training scores'
        // quantile, so on the training rows the flagged share is exactly the contamination
        outputs: new Frame([
          { kind: 'numeric', name: 'score', values: scores.test },
          { kind: 'numeric', name: 'is_anomaly', values: Float64Array.from(model.predict(Xtest)) },
          ...servedReasons(baseline, testFrame),
        ]),
      },
      runMetrics: { fit_s: fitSeconds, onnx_max_abs_diff: agreement.maxAbsDiff },
    });
    return {
      model: spec.name,
      version,
      runId: run.runId,
      task: 'detect-anomalies',
      learner: learnerName,
      fitSeconds,
      rows: { train: split.train.length, test: split.test.length },
      metrics,
      details,
      summary,
    };
  } catch (err) {
    await markRunFailed(ctx.store, run.runId, err);
    throw err;
  }
}

const METRIC_MEANINGS = {
  flagged_share: 'share of rows scoring above the threshold',
  precision_at_k: 'of the k highest-scoring rows (k = the known anomalies), the share that are known anomalies',
  recall: 'share of the known anomalies the threshold flags',
  precision: 'share of the flagged rows that are known anomalies',
  roc_auc: 'chance that a known anomaly scores above a normal row',
  'baseline_*': 'the same for the robust z-score baseline, flagged at the same contamination quantile',
};

function partMetrics(
  scores: Float64Array,
  threshold: number,
  baselineScores: Float64Array,
  baselineThreshold: number,
  known: Uint8Array | undefined,
): Record<string, number> {
  const flagged = Uint8Array.from(scores, (s) => (s > threshold ? 1 : 0));
  const flaggedShare = scores.length === 0 ? Number.NaN : flagged.reduce((a, b) => a + b, 0) / scores.length;
  if (known === undefined) return { flagged_share: flaggedShare };
  const forest = detectionMetrics(known, scores, flagged);
  const base = detectionMetrics(known, baselineScores, Uint8Array.from(baselineScores, (s) => (s > baselineThreshold ? 1 : 0)));
  return {
    flagged_share: flaggedShare,
    ...forest,
    baseline_precision_at_k: base.precision_at_k,
    baseline_recall: base.recall,
    baseline_precision: base.precision,
    baseline_roc_auc: base.roc_auc,
  };
}

function compareWithBaseline(test: Readonly<Record<string, number>>, known: Uint8Array | undefined): string[] {
  if (known === undefined) return ['no label column: add `label: COLUMN` (1 = known anomaly) to measure precision@k and recall'];
  const k = known.reduce((a, b) => a + b, 0);
  if (k === 0) return ['the held-out rows hold no known anomaly, so precision@k and recall cannot be measured there'];
  const found = (p: number | undefined): string => `${Math.round((p ?? 0) * k)} of ${k} (precision@${k} ${(p ?? Number.NaN).toFixed(2)})`;
  const forest = test['precision_at_k'];
  const base = test['baseline_precision_at_k'];
  const verdict = (forest ?? 0) > (base ?? 0) ? 'the isolation forest does better' : (forest ?? 0) < (base ?? 0) ? 'the simpler baseline does better here: consider why (few columns, one-column outliers)' : 'they tie';
  return [
    `among its top ${k} held-out rows the isolation forest finds ${found(forest)} known anomalies; the robust z-score baseline finds ${found(base)}: ${verdict}`,
    `ROC AUC ${(test['roc_auc'] ?? Number.NaN).toFixed(3)} (baseline ${(test['baseline_roc_auc'] ?? Number.NaN).toFixed(3)}); the threshold flags ${Math.round((test['recall'] ?? 0) * k)} of the ${k} known anomalies (recall ${(test['recall'] ?? Number.NaN).toFixed(2)})`,
  ];
}

/** The most anomalous rows with their reasons, highest score first. */
function explainTopRows(baseline: RobustZ, frame: Frame, rows: Int32Array, scores: Float64Array, threshold: number, known: Uint8Array | undefined): ExplainedRow[] {
  const order = Array.from({ length: scores.length }, (_, i) => i).sort((a, b) => (scores[b] as number) - (scores[a] as number) || a - b);
  return order.slice(0, EXPLAINED_ROWS).map((i) => ({
    row: (rows[i] as number) + 1,
    score: scores[i] as number,
    flagged: (scores[i] as number) > threshold,
    ...(known === undefined ? {} : { known: known[i] === 1 }),
    reasons: anomalyReasons(baseline, frame, i),
  }));
}

/**
 * The graph on the held-out rows (as float32, the way they travel) against the model on the same
 * rounded rows: scores within the tolerance, and the same flag for every row except one whose score is
 * within the tolerance of the threshold (there float32 rounding may decide either way).
 */
async function checkAgreement(
  onnx: Uint8Array,
  signature: ReturnType<typeof anomalySignature>,
  frame: Frame,
  preprocessor: TabularPreprocessor,
  model: AnomalyPredictor,
  baseline: RobustZ,
  learnerName: string,
): Promise<{ maxAbsDiff: number; nearThreshold: number }> {
  const rounded = roundedToFloat32(frame);
  const out = await runGraph(onnx, signature, rounded);
  const expected = model.score(preprocessor.transform(rounded));
  const got = out['score'] as Float32Array;
  const flags = out['is_anomaly'] as BigInt64Array;
  let maxAbsDiff = 0;
  let nearThreshold = 0;
  for (let i = 0; i < expected.length; i++) {
    const diff = Math.abs((got[i] as number) - (expected[i] as number));
    maxAbsDiff = Number.isNaN(diff) ? Infinity : Math.max(maxAbsDiff, diff);
    const flag = (expected[i] as number) > model.threshold ? 1 : 0;
    if (Number(flags[i]) === flag) continue;
    if (Math.abs((expected[i] as number) - model.threshold) <= 2 * ANOMALY_ONNX_TOLERANCE) nearThreshold++;
    else maxAbsDiff = Infinity;
  }
  if (baseline.numeric.length > 0) {
    const reasonDiff = reasonDisagreement(out, largestZ(baseline, rounded), baseline);
    maxAbsDiff = Math.max(maxAbsDiff, reasonDiff);
  }
  if (!(maxAbsDiff <= ANOMALY_ONNX_TOLERANCE)) {
    throw new KilnError('INTERNAL', { reason: `the exported ONNX graph of ${learnerName} differs from the trained model by ${maxAbsDiff} (more than ${ANOMALY_ONNX_TOLERANCE}), flags a row differently or names another reason` });
  }
  return { maxAbsDiff, nearThreshold };
}

/** The served `reason` and `reason_z` of `frame`'s rows, for the reference profile (when the graph answers them). */
function servedReasons(baseline: RobustZ, frame: Frame): Column[] {
  if (baseline.numeric.length === 0) return [];
  const { column, z } = largestZ(baseline, frame);
  return [
    { kind: 'categorical', name: 'reason', values: Array.from(column, (j) => baseline.numeric[j]?.column ?? null) },
    { kind: 'numeric', name: 'reason_z', values: z },
  ];
}

/**
 * The served reason against the in-process one: the same column (unless two columns' |z| are within
 * float32 rounding of each other) and its z within the tolerance relative to its size (a z of 500 in
 * float32 carries about 3e-5 of rounding). Returns the largest relative difference, or Infinity for
 * another column.
 */
function reasonDisagreement(out: Record<string, ArrayLike<number | bigint | string>>, expected: ReturnType<typeof largestZ>, baseline: RobustZ): number {
  const names = out['reason'] as ArrayLike<string>;
  const zs = out['reason_z'] as Float32Array;
  let worst = 0;
  for (let i = 0; i < expected.z.length; i++) {
    const want = expected.z[i] as number;
    const got = zs[i] as number;
    if (names[i] !== baseline.numeric[expected.column[i] as number]?.column) {
      // a near tie: the graph's column must have (about) the same |z|
      if (Math.abs(Math.abs(got) - Math.abs(want)) > ANOMALY_ONNX_TOLERANCE * Math.max(1, Math.abs(want))) return Infinity;
      continue;
    }
    const diff = Math.abs(got - want) / Math.max(1, Math.abs(want));
    worst = Number.isNaN(diff) ? Infinity : Math.max(worst, diff);
  }
  return worst;
}

const percent = (share: number): string => `${(share * 100).toFixed(1)}%`;
const quantileWords = (contamination: number): string => `${Number(((1 - contamination) * 100).toPrecision(4))}th percentile`;
