/**
 * Training a segments module (`task: cluster`): read → plan the columns as the tabular trainer does →
 * seeded holdout → fit the preprocessing (impute, one-hot, standardise) on the training part → k-means,
 * with k suggested by the silhouette and the inertia elbow when `clusters: auto` → segment profiles in
 * plain words → ONE ONNX graph (checked against the in-process model) → a tracked run and a version.
 *
 * Without a target there is no accuracy: the module reports how well separated the segments are
 * (silhouette, Davies–Bouldin, inertia per row) on the training part and on the held-out part, and the
 * adjusted Rand index against known groups when the spec names a `label` column (used only to evaluate).
 */
import { KilnError } from '../../core/errors.js';
import { Frame, type Column } from '../../core/frame.js';
import type { Matrix } from '../../core/matrix.js';
import { parseParams } from '../../core/params.js';
import { adjustedRandIndex } from '../../evaluate/metrics/adjusted-rand.js';
import { daviesBouldinScore, silhouetteScore } from '../../evaluate/metrics/clustering.js';
import { TabularPreprocessor } from '../../features/tabular-preprocessor.js';
import type { ClustererLearner, ClustererPredictor } from '../../learners/learner.js';
import { getLearner } from '../../learners/registry.js';
import type { LoadedSpec } from '../spec.js';
import type { TrainListener } from '../train-events.js';
import type { ModuleTrainResult, TrainContext } from '../train-module.js';
import { registerModuleVersion, startModuleRun, type PartMetrics } from '../unsupervised/module-run.js';
import { holdout, readModuleTable, roundedToFloat32 } from '../unsupervised/module-table.js';
import { runGraph } from '../unsupervised/run-graph.js';
import { chooseK, sampleRows, SILHOUETTE_SAMPLE, type KChoice } from './choose-k.js';
import { buildClusterGraph, clusterSignature } from './cluster-graph.js';
import { profileSegments, type SegmentProfile } from './segment-profiles.js';
import { markRunFailed } from '../failed-run.js';

/** The graph's distances may differ from the model's by float32 rounding only. */
export const CLUSTER_ONNX_TOLERANCE = 1e-5;
/** `clusters: auto` judges k on at most this many (seeded, sampled) training rows. */
export const K_SEARCH_ROWS = 20_000;
/** …and with at most this many k-means++ initialisations per k (the chosen k then gets the learner's nInit). */
export const K_SEARCH_N_INIT = 3;
const DEFAULT_LEARNER = 'kmeans';

type KMeansLike = ClustererPredictor & { readonly trainingInertia: number; inertia(X: Matrix): number };

export async function trainClusterModule(loaded: LoadedSpec, ctx: TrainContext): Promise<ModuleTrainResult> {
  const { spec } = loaded;
  const emit: TrainListener = ctx.onEvent ?? (() => {});
  const learnerName = spec.learner ?? DEFAULT_LEARNER;
  const learner = getLearner(learnerName, 'cluster') as ClustererLearner;
  if ('nClusters' in spec.params) {
    throw new KilnError('INVALID_SPEC', { file: loaded.file ?? '', summary: 'params.nClusters: set the number of segments with `clusters: K` (or `clusters: auto`)' });
  }
  // The parameters are checked before a run is recorded; nClusters is filled in once k is known.
  const params = parseParams(learner.paramsSchema, { ...spec.params, nClusters: spec.clusters === 'auto' ? 2 : spec.clusters }, `${learnerName} parameters`) as Record<string, unknown>;

  const t = await readModuleTable(loaded, emit, spec.label);
  const run = await startModuleRun(ctx, spec, t, { task: 'cluster', learner: learnerName, params: { ...params, nClusters: spec.clusters } });
  try {
    const split = holdout(t, spec.split.test, spec.seed);
    emit({ type: 'stage', stage: 'split', message: `${split.train.length} rows to find segments in, ${split.test.length} held out to check them` });
    const names = t.features.map((f) => f.name);
    const trainFrame = t.frame.select(names).take(split.train);
    const testFrame = t.frame.select(names).take(split.test);

    emit({ type: 'stage', stage: 'preprocess', message: `preparing ${names.length} columns` });
    const preprocessor = TabularPreprocessor.fit(trainFrame, t.features, { seed: spec.seed });
    const Xtrain = preprocessor.transform(trainFrame);
    const Xtest = preprocessor.transform(testFrame);
    if (Xtrain.rows <= 2) throw new KilnError('TOO_FEW_ROWS', { what: 'the training part', rows: Xtrain.rows, needed: 3 });

    const started = performance.now();
    const fit = async (k: number, X: Matrix = Xtrain, overrides: Record<string, unknown> = {}): Promise<KMeansLike> => {
      if (X.rows < k) throw new KilnError('FEWER_ROWS_THAN_PARAM', { rows: X.rows, param: 'clusters', value: k });
      return (await learner.fit(X, { ...params, ...overrides, nClusters: k }, { seed: spec.seed, ...(ctx.signal ? { signal: ctx.signal } : {}) })) as KMeansLike;
    };
    let model: KMeansLike;
    let choice: KChoice | undefined;
    if (spec.clusters === 'auto') {
      // Nine k-means fits with every initialisation on a large table would take long: k is judged
      // on a seeded sample with at most K_SEARCH_N_INIT initialisations, and only the chosen k is
      // fitted on every training row with the learner's own settings.
      const searchRows = Xtrain.rows > K_SEARCH_ROWS ? sampleRows(Xtrain, K_SEARCH_ROWS, spec.seed) : Xtrain;
      const sampled = searchRows !== Xtrain;
      const nInit = typeof params['nInit'] === 'number' ? params['nInit'] : undefined;
      const searchOverrides = nInit !== undefined && nInit > K_SEARCH_N_INIT ? { nInit: K_SEARCH_N_INIT } : {};
      const refit = sampled || Object.keys(searchOverrides).length > 0;
      emit({ type: 'stage', stage: 'search', message: `trying k = 2..10 segments (silhouette and inertia elbow)${sampled ? ` on a sample of ${K_SEARCH_ROWS} rows` : ''}` });
      const chosen = await chooseK(searchRows, (k) => fit(k, searchRows, searchOverrides), {
        seed: spec.seed,
        onCandidate: (c, maxK) => {
          emit({ type: 'progress', iteration: c.k - 1, maxIterations: maxK - 1, trainLoss: c.inertia / searchRows.rows });
          emit({ type: 'note', message: `k=${c.k}: silhouette ${c.silhouette.toFixed(3)}, inertia per row ${(c.inertia / searchRows.rows).toPrecision(4)}` });
        },
      });
      choice = sampled ? { ...chosen.choice, sentence: `${chosen.choice.sentence} (judged on a sample of ${K_SEARCH_ROWS} rows)` } : chosen.choice;
      if (refit) emit({ type: 'stage', stage: 'fit', message: `finding ${choice.k} segments with ${learnerName} on every training row` });
      model = refit ? await fit(choice.k) : chosen.model;
      emit({ type: 'note', message: choice.sentence });
    } else {
      emit({ type: 'stage', stage: 'fit', message: `finding ${spec.clusters} segments with ${learnerName} on ${preprocessor.nFeatures} features` });
      model = await fit(spec.clusters);
    }
    const fitSeconds = (performance.now() - started) / 1000;
    const k = model.nClusters;

    emit({ type: 'stage', stage: 'evaluate', message: 'describing the segments and checking them on the held-out rows' });
    const trainLabels = model.predict(Xtrain);
    const testLabels = model.predict(Xtest);
    const known = t.evaluation === undefined ? undefined : groupKeys(t.evaluation);
    const metrics: PartMetrics = {
      train: separation(Xtrain, trainLabels, model, spec.seed, known === undefined ? undefined : pick(known, split.train)),
      test: separation(Xtest, testLabels, model, spec.seed, known === undefined ? undefined : pick(known, split.test)),
    };
    const profiles = profileSegments(trainFrame, trainLabels, k);

    emit({ type: 'stage', stage: 'export', message: 'exporting preprocessing + k-means as one ONNX graph' });
    const onnx = buildClusterGraph(spec.name, preprocessor, model, { kiln_run_id: run.runId });
    const signature = clusterSignature(preprocessor, k);
    const agreement = await checkAgreement(onnx, signature, testFrame, preprocessor, model, learnerName);

    const details = {
      clusters: k,
      ...(choice === undefined ? {} : { k_choice: choice }),
      segments: profiles,
      features: preprocessor.featureNames(),
      excluded: t.excluded,
      onnx_max_abs_diff: agreement.maxAbsDiff,
      ...(agreement.ties > 0 ? { onnx_near_ties: agreement.ties } : {}),
    };
    const report = {
      task: 'cluster',
      summary: summaryLines(k, choice, profiles, metrics),
      clusters: k,
      ...(choice === undefined ? {} : { k_choice: choice }),
      segments: profiles,
      metrics,
      metric_meanings: METRIC_MEANINGS,
    };

    emit({ type: 'stage', stage: 'register', message: `registering a new version of "${spec.name}"` });
    const effectiveParams = { ...params, nClusters: k };
    const version = await registerModuleVersion(ctx, {
      spec, run, table: t, task: 'cluster', answers: 'segment', learner: learnerName, params: effectiveParams,
      signature, onnx, report, metrics,
      predictor: { preprocessor: preprocessor.toJSON(), predictor: model.toJSON() },
      // segments of the held-out rows: the share new rows fall into (k-means centres sit on the training rows)
      reference: { inputs: trainFrame, outputs: new Frame([{ kind: 'numeric', name: 'segment', values: Float64Array.from(testLabels) }]) },
      runMetrics: { fit_s: fitSeconds, onnx_max_abs_diff: agreement.maxAbsDiff },
    });
    return {
      model: spec.name,
      version,
      runId: run.runId,
      task: 'cluster',
      learner: learnerName,
      fitSeconds,
      rows: { train: split.train.length, test: split.test.length },
      metrics,
      details,
      summary: report.summary,
    };
  } catch (err) {
    await markRunFailed(ctx.store, run.runId, err);
    throw err;
  }
}

const METRIC_MEANINGS = {
  silhouette: 'how much closer rows are to their own segment than to the next (−1..1, higher is better; above 0.5 is clear structure); on a sample of at most 2,000 rows',
  davies_bouldin: 'average similarity of each segment to its most similar one (≥ 0, lower is better)',
  inertia_per_row: 'mean squared distance of a row to its segment centre, in standardised units',
  adjusted_rand: 'agreement with the known groups of the label column (1 = the same grouping, about 0 = chance)',
};

function separation(X: Matrix, labels: Int32Array, model: KMeansLike, seed: number, known: readonly string[] | undefined): Record<string, number> {
  // The silhouette of a sample: the rows and their labels drawn with the same seeded order.
  const sample = sampleRows(X, SILHOUETTE_SAMPLE, seed);
  const sampleLabels = sample === X ? labels : model.predict(sample);
  return {
    silhouette: X.rows >= 2 ? silhouetteScore(sample, sampleLabels) : Number.NaN,
    davies_bouldin: daviesBouldinScore(X, labels),
    inertia_per_row: X.rows === 0 ? Number.NaN : model.inertia(X) / X.rows,
    ...(known === undefined ? {} : { adjusted_rand: adjustedRandIndex(known, labels) }),
  };
}

function summaryLines(k: number, choice: KChoice | undefined, profiles: readonly SegmentProfile[], metrics: PartMetrics): string[] {
  const ari = metrics.test['adjusted_rand'];
  return [
    choice === undefined ? `${k} segments, as the spec asks` : `suggested ${choice.sentence}`,
    ...(ari === undefined ? [] : [`the segments match the known groups with an adjusted Rand index of ${ari.toFixed(3)} on the held-out rows`]),
    '',
    ...profiles.map((p) => p.sentence),
  ];
}

/** A label column's values as group keys (missing values form a group of their own). */
function groupKeys(column: Column): string[] {
  return column.kind === 'numeric' ? Array.from(column.values, (v) => (Number.isNaN(v) ? '' : String(v))) : column.values.map((v) => v ?? '');
}

const pick = (values: readonly string[], rows: Int32Array): string[] => Array.from(rows, (i) => values[i] as string);

/**
 * The graph on the held-out rows (as float32, the way they travel) against the model on the same
 * rounded rows: distances within the tolerance, and the same segment for every row, except a row whose
 * two nearest centres are closer than the tolerance — there float32 rounding may pick either, and both
 * answers are right.
 */
async function checkAgreement(
  onnx: Uint8Array,
  signature: ReturnType<typeof clusterSignature>,
  frame: Frame,
  preprocessor: TabularPreprocessor,
  model: ClustererPredictor,
  learnerName: string,
): Promise<{ maxAbsDiff: number; ties: number }> {
  const rounded = roundedToFloat32(frame);
  const out = await runGraph(onnx, signature, rounded);
  const expected = model.transform(preprocessor.transform(rounded));
  const k = model.nClusters;
  const distances = out['distances'] as Float32Array;
  const segments = out['segment'] as BigInt64Array;
  let maxAbsDiff = 0;
  let ties = 0;
  for (let i = 0; i < expected.rows; i++) {
    let best = 0;
    let second = Number.POSITIVE_INFINITY;
    for (let c = 0; c < k; c++) {
      const want = expected.data[i * k + c] as number;
      const diff = Math.abs((distances[i * k + c] as number) - want);
      maxAbsDiff = Number.isNaN(diff) ? Infinity : Math.max(maxAbsDiff, diff);
      if (c === 0) continue;
      const bestValue = expected.data[i * k + best] as number;
      if (want < bestValue) {
        second = bestValue;
        best = c;
      } else second = Math.min(second, want);
    }
    if (Number(segments[i]) === best) continue;
    if (second - (expected.data[i * k + best] as number) <= 2 * CLUSTER_ONNX_TOLERANCE) ties++;
    else maxAbsDiff = Infinity;
  }
  if (!(maxAbsDiff <= CLUSTER_ONNX_TOLERANCE)) {
    throw new KilnError('INTERNAL', { reason: `the exported ONNX graph of ${learnerName} differs from the trained model by ${maxAbsDiff} (more than ${CLUSTER_ONNX_TOLERANCE}) or puts a row in another segment` });
  }
  return { maxAbsDiff, ties };
}
