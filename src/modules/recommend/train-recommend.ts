/**
 * Training a recommend module end to end: read → the user, item (and rating, time) columns → a
 * per-user holdout (each user's latest interactions) → fit the recommender on the rest → ratings and
 * top-k metrics against the popularity baseline → two ONNX graphs (top-k items for a user; items
 * similar to an item), each checked against the in-process recommender → one run, two registered
 * models: `NAME` and `NAME-similar` (see docs/decisions.md).
 */
import { arch, platform } from 'node:os';
import { KilnError } from '../../core/errors.js';
import { Frame, type Column } from '../../core/frame.js';
import { parseParams } from '../../core/params.js';
import { KILN_VERSION } from '../../core/version.js';
import { toCategoricalColumn, toNumericColumn } from '../../data/coerce.js';
import { buildReferenceProfile } from '../../data/profile/reference-profile.js';
import type { Split } from '../../data/split.js';
import type { LossPoint } from '../../evaluate/diagnostics/learning-curve.js';
import { toEpochMs } from '../../features/datetime-parts.js';
import { buildInteractions, indexPairs, type InteractionMatrix } from '../../learners/recommend/interactions.js';
import { MASKED_SCORE } from '../../learners/recommend/recommend-items.js';
import { DEFAULT_RECOMMENDER, getRecommender } from '../../learners/recommend/recommender-registry.js';
import type { RecommenderPredictor } from '../../learners/recommend/recommender.js';
import { popularity } from '../../learners/recommend/popularity.js';
import { snapshotDataset } from '../../store/datasets.js';
import { isValidModelName } from '../../store/model-ref.js';
import { MANIFEST_FORMAT, MODULE_ARTIFACTS, type ModuleManifest, type Signature } from '../manifest.js';
import { readTrainingTables } from '../read-training-tables.js';
import { requireSpecField, type LoadedSpec } from '../spec.js';
import type { TrainListener } from '../train-events.js';
import type { ModuleTrainResult, TrainContext } from '../train-module.js';
import { rankingMetricNames, rankingScores, ratingScores, type HeldOut } from './evaluate-recommender.js';
import { graphAgreement, RECOMMEND_AGREEMENT_TOLERANCE } from './graph-agreement.js';
import { perUserHoldout } from './per-user-holdout.js';
import { buildRecommendReport, type RecommendReport } from './recommend-report.js';
import { ITEM_INPUT, USER_INPUT, buildSimilarItemsGraph, buildUserTopKGraph, recommendSignature } from './recommend-graph.js';
import { markRunFailed } from '../failed-run.js';

/** At most this many users and items are run through the graphs to check them against the predictor. */
const AGREEMENT_SAMPLE = 300;
/** An id no data set uses: checks the unknown-id path of both graphs. */
const UNKNOWN_ID = '\u0000kiln: an id training never saw';

/** The table's interactions as plain arrays (ids as text). */
interface InteractionColumns {
  readonly users: readonly string[];
  readonly items: readonly string[];
  readonly ratings?: Float64Array;
  readonly times?: Float64Array;
}

export async function trainRecommendModule(loaded: LoadedSpec, ctx: TrainContext): Promise<ModuleTrainResult> {
  const { spec } = loaded;
  const emit: TrainListener = ctx.onEvent ?? (() => {});
  const userColumn = requireSpecField(spec, 'user', loaded.file);
  const itemColumn = requireSpecField(spec, 'item', loaded.file);
  const similarName = `${spec.name}-similar`;
  if (!isValidModelName(similarName)) {
    throw new KilnError('INVALID_SPEC', { file: loaded.file ?? '', summary: `name: "${spec.name}" is too long to also register "${similarName}" (at most 120 characters)` });
  }

  // what reading changed (a guessed encoding, numbers read from text, …) is said as notes there
  const { table, testTable } = await readTrainingTables(loaded, emit);
  const columns = { user: userColumn, item: itemColumn, rating: spec.rating, time: spec.time };
  const all = interactionColumns(table.frame, columns, spec.data);
  const testColumns = testTable === undefined ? undefined : interactionColumns(testTable.frame, columns, loaded.testDataPath as string);
  const feedback = spec.rating === undefined ? 'implicit' : 'explicit';

  // Refuse an unknown learner or bad parameters before a run is recorded; record the effective ones.
  const learnerName = spec.learner ?? DEFAULT_RECOMMENDER[feedback];
  const learner = getRecommender(learnerName);
  const learnerParams = parseParams(learner.paramsSchema, spec.params, `${learnerName} parameters`) as Record<string, unknown>;
  if (learner.feedback === 'explicit' && feedback === 'implicit') throw new KilnError('RECOMMEND_NEEDS_RATINGS', { learner: learnerName });
  emit({ type: 'stage', stage: 'schema', message: `${table.frame.nRows} ${feedback === 'explicit' ? 'ratings' : 'interactions'} (user "${userColumn}", item "${itemColumn}")` });

  const datasetVersion = await snapshotDataset(table, { store: ctx.store, artifacts: ctx.artifacts });
  const dataset = { source: table.source, digest: table.digest, rows: table.frame.nRows, columns: table.frame.columns.length };
  const run = await ctx.store.createRun({
    name: spec.name,
    task: 'recommend',
    learner: learnerName,
    params: {
      ...learnerParams,
      seed: spec.seed,
      test_fraction: spec.split.test,
      top_k: spec.topK,
      user: userColumn,
      item: itemColumn,
      ...(spec.rating === undefined ? {} : { rating: spec.rating }),
      ...(spec.time === undefined ? {} : { time: spec.time }),
    },
    dataset,
    datasetVersionId: datasetVersion.id,
    environment: { kiln: KILN_VERSION, node: process.version, platform: `${platform()}-${arch()}` },
  });

  // Learners stop between epochs; the stages around them stop here.
  const stopIfCancelled = (): void => {
    if (ctx.signal?.aborted === true) throw new KilnError('CANCELLED', { what: 'training' });
  };
  try {
    stopIfCancelled();
    const split: Split =
      testColumns === undefined
        ? perUserHoldout(userKeys(all.users), { fraction: spec.split.test, seed: spec.seed, ...(all.times === undefined ? {} : { times: all.times }) })
        : { train: Int32Array.from(all.users, (_, r) => r), test: new Int32Array(0) };
    const trainRows = take(all, split.train);
    const testRows = testColumns ?? take(all, split.test);
    if (testRows.users.length === 0) throw new KilnError('TOO_FEW_ROWS', { what: 'the test table', rows: 0, needed: 1 });
    const holdoutKind = testColumns !== undefined ? 'separate test table' : all.times === undefined ? 'random per user' : 'latest per user';
    emit({ type: 'stage', stage: 'split', message: `${trainRows.users.length} interactions to train on, ${testRows.users.length} held out (${holdoutKind})` });

    const data = buildInteractions(trainRows.users, trainRows.items, trainRows.ratings);
    const heldOut: HeldOut = {
      pairs: indexPairs(data, testRows.users, testRows.items, testRows.ratings ?? new Float64Array(testRows.users.length).fill(1)),
      userIds: testRows.users,
      itemIds: testRows.items,
    };

    emit({ type: 'stage', stage: 'fit', message: `training ${learnerName} on ${data.userIds.length} users × ${data.itemIds.length} items` });
    const started = performance.now();
    const learningCurve: LossPoint[] = [];
    const predictor = await learner.fit(data, learnerParams, {
      seed: spec.seed,
      validation: heldOut.pairs,
      onProgress: (p) => {
        learningCurve.push({ iteration: p.iteration, trainLoss: p.trainLoss, ...(p.validationLoss === undefined ? {} : { validationLoss: p.validationLoss }) });
        emit({ type: 'progress', ...p });
      },
      ...(ctx.signal ? { signal: ctx.signal } : {}),
    });
    const fitSeconds = (performance.now() - started) / 1000;

    stopIfCancelled();
    emit({ type: 'stage', stage: 'evaluate', message: `scoring the top ${spec.topK} of ${new Set(testRows.users).size} held-out users against popularity` });
    const k = spec.topK;
    const baseline = await popularity.fit(data, {}, { seed: spec.seed, ...(ctx.signal ? { signal: ctx.signal } : {}) });
    const modelRanking = rankingScores(predictor, heldOut, k);
    const baselineRanking = rankingScores(baseline, heldOut, k);
    const ratings =
      feedback === 'explicit' && learner.feedback === 'explicit'
        ? {
            train: ratingScores(predictor, trainingPairs(data)),
            test: ratingScores(predictor, heldOut.pairs),
            meanBaselineRmse: meanBaselineRmse(data, heldOut.pairs.values),
          }
        : undefined;
    const metrics = {
      train: ratings === undefined ? {} : { rmse: ratings.train.rmse, mae: ratings.train.mae },
      test: {
        ...(ratings === undefined ? {} : { rmse: ratings.test.rmse, mae: ratings.test.mae }),
        ...rankingMetricNames(modelRanking, k),
        [`baseline_precision_at_${k}`]: baselineRanking.precision,
        [`baseline_recall_at_${k}`]: baselineRanking.recall,
        [`baseline_ndcg_at_${k}`]: baselineRanking.ndcg,
      },
    };
    const report = buildRecommendReport({
      learner: learnerName,
      feedback,
      k,
      modelName: spec.name,
      similarName,
      data: {
        users: data.userIds.length,
        items: data.itemIds.length,
        trainInteractions: trainRows.users.length,
        testInteractions: testRows.users.length,
        density: data.nnz / (data.userIds.length * data.itemIds.length),
      },
      holdout: { kind: holdoutKind, fraction: spec.split.test, usersTested: modelRanking.users },
      ...(ratings === undefined ? {} : { ratings: { rmse: ratings.test.rmse, mae: ratings.test.mae, meanBaselineRmse: ratings.meanBaselineRmse } }),
      ranking: { model: modelRanking, popularity: baselineRanking },
      learningCurve,
    });
    emit({ type: 'note', message: report.verdict });

    stopIfCancelled();
    emit({ type: 'stage', stage: 'export', message: 'exporting "top-k items for a user" and "items similar to an item" as ONNX graphs' });
    const graphK = Math.min(k, data.itemIds.length);
    const metadata = { kiln_run_id: run.id };
    const userGraph = buildUserTopKGraph(predictor, graphK, { name: spec.name, metadata });
    const similarGraph = buildSimilarItemsGraph(predictor, graphK, { name: similarName, metadata });
    const onnxMaxScaledDiff = await checkGraphs(predictor, userGraph, similarGraph, graphK, [...new Set(testRows.users)], learnerName);

    stopIfCancelled();
    emit({ type: 'stage', stage: 'register', message: `registering "${spec.name}" and "${similarName}"` });
    const flatMetrics = flatten(metrics);
    const manifestOf = (name: string, signature: Signature): ModuleManifest => ({
      format: MANIFEST_FORMAT,
      name,
      task: 'recommend',
      target: itemColumn,
      signature,
      learner: learnerName,
      params: learnerParams,
      metrics: flatMetrics,
      dataset,
      datasetVersion: datasetVersion.id,
      seed: spec.seed,
      trainedAt: new Date().toISOString(),
      kilnVersion: KILN_VERSION,
    });
    const json = (value: unknown): Uint8Array => new TextEncoder().encode(JSON.stringify(value, null, 2));
    const userSignature = recommendSignature(USER_INPUT, graphK);
    const similarSignature = recommendSignature(ITEM_INPUT, graphK);
    const reportDigest = await ctx.artifacts.put(json(report));
    const specDigest = await ctx.artifacts.put(json(spec));
    const predictorDigest = await ctx.artifacts.put(new TextEncoder().encode(JSON.stringify(predictor.toJSON())));
    // What monitoring compares live requests with, named as served. Ids are names, not a distribution:
    // profiling them as categories made any few requests "drift". The profile says which ids the graphs
    // know and what share of held-out ids they did not (the share of cold starts to expect); monitoring
    // watches that share (docs/decisions.md).
    const reference = (name: string, heldOut: readonly string[], trained: readonly string[]): Uint8Array =>
      json(buildReferenceProfile(new Frame([{ kind: 'categorical', name, values: heldOut }]), { seed: spec.seed, ids: { [name]: trained } }));
    await ctx.store.logMetrics(run.id, { ...flatMetrics, fit_s: fitSeconds, onnx_max_abs_diff: onnxMaxScaledDiff });
    const version = await ctx.store.createModelVersion({
      model: spec.name,
      runId: run.id,
      artifacts: {
        [MODULE_ARTIFACTS.model]: await ctx.artifacts.put(userGraph),
        [MODULE_ARTIFACTS.manifest]: await ctx.artifacts.put(json(manifestOf(spec.name, userSignature))),
        [MODULE_ARTIFACTS.predictor]: predictorDigest,
        [MODULE_ARTIFACTS.report]: reportDigest,
        [MODULE_ARTIFACTS.spec]: specDigest,
        [MODULE_ARTIFACTS.reference]: await ctx.artifacts.put(reference(USER_INPUT, testRows.users, data.userIds)),
      },
      signature: userSignature,
      metrics: flatMetrics,
      ...(spec.description === undefined ? {} : { description: spec.description }),
    });
    const similarVersion = await ctx.store.createModelVersion({
      model: similarName,
      runId: run.id,
      artifacts: {
        [MODULE_ARTIFACTS.model]: await ctx.artifacts.put(similarGraph),
        [MODULE_ARTIFACTS.manifest]: await ctx.artifacts.put(json(manifestOf(similarName, similarSignature))),
        [MODULE_ARTIFACTS.predictor]: predictorDigest,
        [MODULE_ARTIFACTS.report]: reportDigest,
        [MODULE_ARTIFACTS.spec]: specDigest,
        [MODULE_ARTIFACTS.reference]: await ctx.artifacts.put(reference(ITEM_INPUT, testRows.items, data.itemIds)),
      },
      signature: similarSignature,
      metrics: flatMetrics,
      description: `Items similar to an item, from the ${spec.name} recommender (${learnerName}).`,
    });
    await ctx.store.finishRun(run.id, 'finished');
    return {
      model: spec.name,
      version: version.version,
      runId: run.id,
      task: 'recommend',
      learner: learnerName,
      fitSeconds,
      rows: { train: trainRows.users.length, test: testRows.users.length },
      metrics,
      details: {
        feedback,
        k: graphK,
        users: data.userIds.length,
        items: data.itemIds.length,
        holdout: holdoutKind,
        similar_model: { model: similarName, version: similarVersion.version },
        baseline: { learner: 'popularity', ...rankingMetricNames(baselineRanking, k) },
        onnx_max_abs_diff: onnxMaxScaledDiff,
        verdict: report.verdict,
      },
      summary: summaryLines(report, spec.name, similarName, similarVersion.version),
    };
  } catch (err) {
    await markRunFailed(ctx.store, run.id, err);
    throw err;
  }
}

/** The user, item, rating and time columns as arrays, refusing missing ids or ratings with their row. */
function interactionColumns(
  frame: Frame,
  names: { user: string; item: string; rating: string | undefined; time: string | undefined },
  source: string,
): InteractionColumns {
  // `source` names the table in messages about its rows (the training data or the test table).
  const column = (name: string): Column => {
    const c = frame.get(name);
    if (c === undefined) throw new KilnError('COLUMN_NOT_FOUND', { column: name, columns: frame.names });
    return c;
  };
  const ids = (name: string): string[] => {
    const values = toCategoricalColumn(column(name)).values;
    return values.map((v, r) => {
      if (v === null || v === '') {
        throw new KilnError('INVALID_PARAMS', { what: `column "${name}" of ${source}`, summary: `row ${r + 1} has no id; drop the rows without one` });
      }
      return v;
    });
  };
  const users = ids(names.user);
  const items = ids(names.item);
  let ratings: Float64Array | undefined;
  if (names.rating !== undefined) {
    ratings = toNumericColumn(column(names.rating)).values;
    const bad = ratings.findIndex((v) => !Number.isFinite(v));
    if (bad >= 0) throw new KilnError('TARGET_HAS_MISSING', { target: names.rating, count: ratings.filter((v) => !Number.isFinite(v)).length });
  }
  const times = names.time === undefined ? undefined : toEpochMs(column(names.time), 'ms');
  return { users, items, ...(ratings === undefined ? {} : { ratings }), ...(times === undefined ? {} : { times }) };
}

function take(c: InteractionColumns, rows: Int32Array): InteractionColumns {
  return {
    users: Array.from(rows, (r) => c.users[r] as string),
    items: Array.from(rows, (r) => c.items[r] as string),
    ...(c.ratings === undefined ? {} : { ratings: Float64Array.from(rows, (r) => c.ratings?.[r] as number) }),
  };
}

/** Each row's user as a small integer (first appearance order). */
function userKeys(users: readonly string[]): Int32Array {
  const keys = new Map<string, number>();
  return Int32Array.from(users, (u) => {
    let k = keys.get(u);
    if (k === undefined) keys.set(u, (k = keys.size));
    return k;
  });
}

function trainingPairs(data: InteractionMatrix): { users: Int32Array; items: Int32Array; values: Float64Array } {
  const users = new Int32Array(data.nnz);
  for (let u = 0; u < data.userIds.length; u++) users.fill(u, data.byUser.ptr[u] as number, data.byUser.ptr[u + 1] as number);
  return { users, items: data.byUser.index, values: data.byUser.value };
}

/** RMSE of always predicting the training ratings' mean: the bar any rating model must clear. */
function meanBaselineRmse(data: InteractionMatrix, actual: Float64Array): number {
  let mean = 0;
  for (const v of data.byUser.value) mean += v / data.nnz;
  let sum = 0;
  for (const v of actual) sum += (v - mean) ** 2;
  return Math.sqrt(sum / actual.length);
}

/**
 * Both graphs against the in-process recommender, on (a sample of) the test users, every item up to the
 * sample size, and an unknown id each. Returns the largest scaled score difference; throws when the
 * graphs disagree (a bug, not a user error).
 */
async function checkGraphs(
  predictor: RecommenderPredictor,
  userGraph: Uint8Array,
  similarGraph: Uint8Array,
  k: number,
  testUsers: readonly string[],
  learnerName: string,
): Promise<number> {
  const userIndex = new Map(predictor.userIds.map((id, u) => [id, u]));
  const users = [...testUsers.slice(0, AGREEMENT_SAMPLE), UNKNOWN_ID];
  const items = [...predictor.itemIds.slice(0, AGREEMENT_SAMPLE), UNKNOWN_ID];
  const buffer = new Float64Array(predictor.itemIds.length);
  const onUsers = await graphAgreement(userGraph, USER_INPUT, users, predictor.itemIds, k, (row) => {
    const u = userIndex.get(users[row] as string) ?? -1;
    predictor.userScores(u, buffer);
    if (u >= 0) for (let p = predictor.seen.ptr[u] as number; p < (predictor.seen.ptr[u + 1] as number); p++) buffer[predictor.seen.index[p] as number] = MASKED_SCORE;
    return buffer;
  });
  const onItems = await graphAgreement(similarGraph, ITEM_INPUT, items, predictor.itemIds, k, (row) => {
    const i = row < items.length - 1 ? row : -1;
    predictor.similarScores(i, buffer);
    if (i >= 0) buffer[i] = MASKED_SCORE;
    return buffer;
  });
  const worst = Math.max(onUsers.maxScaledDiff, onItems.maxScaledDiff);
  if (!(worst <= RECOMMEND_AGREEMENT_TOLERANCE) || onUsers.mismatches + onItems.mismatches > 0) {
    throw new KilnError('INTERNAL', {
      reason: `the exported ONNX graphs of ${learnerName} differ from the trained recommender (largest score difference ${worst}, ${onUsers.mismatches + onItems.mismatches} differing list places)`,
    });
  }
  return worst;
}

function flatten(metrics: { train: Record<string, number>; test: Record<string, number> }): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [part, values] of Object.entries(metrics)) for (const [name, v] of Object.entries(values)) out[`${part}.${name}`] = v;
  return out;
}

function summaryLines(report: RecommendReport, name: string, similarName: string, similarVersion: number): string[] {
  return [
    report.verdict,
    ...report.sentences.map((s) => `  ${s}`),
    '',
    `also registered ${similarName}:${similarVersion} — items similar to an item (input "item")`,
    `ask for a user's top ${report.k}: POST /v2/models/${name}/infer with {"inputs":[{"name":"user","datatype":"BYTES","shape":[1,1],"data":["USER_ID"]}]}`,
  ];
}
