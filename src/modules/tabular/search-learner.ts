/**
 * The AutoML step of a tabular module: cross-validated search over learners and settings on the
 * training part only, every trial recorded as its own run (tagged with the parent run), the winner
 * (or an ensemble of the best few) returned as a learner name and parameters to refit on everything.
 */
import { totalmem } from 'node:os';
import type { Frame } from '../../core/frame.js';
import { KILN_VERSION } from '../../core/version.js';
import { searchModels, type SearchResult, type Trial } from '../../evaluate/search/automl.js';
import { takeValues } from '../../core/matrix.js';
import { checkFoldsFit, foldBytes, prepareFolds } from '../../evaluate/search/fold-data.js';
import { checkMetric, defaultMetric } from '../../evaluate/search/objective.js';
import { spacesFor } from '../../evaluate/search/search-space.js';
import type { ColumnPlan } from '../../features/tabular-preprocessor.js';
import type { DatasetRef, Store } from '../../store/store.js';
import { budgetSeconds, type ModuleSpec } from '../spec.js';
import type { TrainListener } from '../train-events.js';
import type { TargetEncoding } from './plan-columns.js';
import { crossValidationFolds, crossValidationRepeats } from './split-rows.js';

export interface SearchChoice {
  readonly learner: string;
  readonly params: Record<string, unknown>;
  readonly metric: string;
  readonly result: SearchResult;
}

export function isSearch(spec: ModuleSpec): boolean {
  return spec.budget !== undefined || spec.learner === 'auto';
}

/** Checks the search settings before any work is recorded. */
export function checkSearchSpec(spec: ModuleSpec, task: TargetEncoding['task']): { metric: string; budget: number } {
  const metric = spec.metric ?? defaultMetric(task);
  checkMetric(task, metric);
  spacesFor(task, spec.learners);
  return { metric, budget: spec.budget === undefined ? 60 : budgetSeconds(spec.budget) };
}

export async function searchLearner(
  spec: ModuleSpec,
  frame: Frame,
  trainFrame: Frame,
  plan: readonly ColumnPlan[],
  target: TargetEncoding,
  trainRows: Int32Array,
  ctx: {
    store: Store;
    parentRunId: string;
    emit: TrainListener;
    signal?: AbortSignal;
    datasetDigest: string;
    /** The data the parent run trains on: every trial's run names it too (lineage). */
    dataset: DatasetRef;
    datasetVersionId: string;
  },
): Promise<SearchChoice> {
  const { metric, budget } = checkSearchSpec(spec, target.task);
  const y = target.task === 'regression' ? takeValues(target.values, trainRows) : takeValues(target.classIndex, trainRows);
  const k = Math.min(spec.folds, trainFrame.nRows);
  // The folds follow the holdout's protocol (grouped, time-ordered or stratified); the test part stays locked away.
  const splits = crossValidationFolds(frame, trainRows, target, k, spec, crossValidationRepeats(spec, trainRows.length));
  // the cuts actually made: identical group cuts are kept once (crossValidationFolds)
  const cuts = Math.round(splits.length / k);
  const protocol = `${cuts > 1 ? `${cuts} × ` : ''}${k}-fold cross-validation`;
  ctx.emit({ type: 'stage', stage: 'search', message: `searching learners and settings for ${budget} s (${protocol})` });
  // every fold holds its own preprocessed copy of the training part: the first one's size says whether all fit
  const folds = prepareFolds(trainFrame, plan, y, splits, spec.seed, target.task === 'regression' ? 0 : target.classes.length, {
    afterFirst: (first) => checkFoldsFit(foldBytes(first), splits.length, totalmem()),
    ...(spec.augment === undefined ? {} : { augment: spec.augment }),
  });

  const record = async (trial: Trial) => {
    const run = await ctx.store.createRun({
      name: `${spec.name} trial ${trial.id}`,
      task: target.task,
      learner: trial.learner,
      params: { ...trial.params, rows: trial.rows, folds: trial.folds, rung: trial.rung },
      tags: { automl_parent: ctx.parentRunId, final: String(trial.final), ...trialEnd(trial, budget).tags },
      dataset: ctx.dataset,
      datasetVersionId: ctx.datasetVersionId,
      environment: { kiln: KILN_VERSION, node: process.version },
    });
    if (trial.status === 'ok') await ctx.store.logMetrics(run.id, { [`cv.${metric}`]: trial.value, seconds: trial.seconds });
    const end = trialEnd(trial, budget);
    await ctx.store.finishRun(run.id, end.status, end.error);
  };

  const result = await searchModels(folds, {
    task: target.task,
    nClasses: target.classes.length,
    metric,
    budgetSeconds: budget,
    seed: spec.seed,
    ensembleSize: spec.ensemble ? 3 : 0,
    ...(spec.learners === undefined ? {} : { learners: spec.learners }),
    ...(ctx.signal === undefined ? {} : { signal: ctx.signal }),
    onTrial: async (trial, leader) => {
      await record(trial);
      ctx.emit({ type: 'trial', trial, leader, metric });
    },
  });

  if (result.firstModelLate !== undefined) {
    ctx.emit({
      type: 'note',
      message: `no model was complete within the ${budget} s budget: the search waited for the first one (${result.firstModelLate.toFixed(1)} s more) and stopped the others; give it more time to compare several`,
    });
  }
  if (result.ensemble !== undefined) {
    return {
      learner: target.task === 'regression' ? 'soft-voting-regressor' : 'soft-voting',
      params: { members: result.ensemble.members.map((m, k) => ({ learner: m.learner, params: m.params, weight: result.ensemble?.weights[k] ?? 1 })) },
      metric,
      result,
    };
  }
  const top = result.leaderboard[0];
  if (top !== undefined && top.id !== result.best.id) {
    ctx.emit({
      type: 'note',
      message: `chose ${result.best.learner} (cross-validated ${metric} ${result.best.value.toFixed(4)}): the simplest model that the folds cannot tell apart from the best, ${top.learner} (${top.value.toFixed(4)}; the fold-by-fold difference is within its standard error)`,
    });
  }
  return { learner: result.best.learner, params: result.best.params, metric, result };
}

/**
 * How a trial's run ends in the store. A trial the budget cut short did not fail: its run is marked
 * failed (runs finish or fail) but says why, and a `stopped: budget` tag tells it apart.
 */
export function trialEnd(trial: Pick<Trial, 'status' | 'error'>, budgetSeconds: number): { status: 'finished' | 'failed'; error?: string; tags: Record<string, string> } {
  if (trial.status === 'ok') return { status: 'finished', tags: {} };
  if (trial.status === 'cancelled') return { status: 'failed', error: `stopped: the search's ${budgetSeconds} s ran out before this trial finished`, tags: { stopped: 'budget' } };
  return { status: 'failed', ...(trial.error === undefined ? {} : { error: trial.error }), tags: {} };
}
