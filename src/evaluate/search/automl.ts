/**
 * AutoML: find a good learner and settings within a wall-clock budget.
 *
 *   1. every candidate learner's defaults, scored by k-fold cross-validation on all training rows
 *      (a search must never end worse than the defaults);
 *   2. then, while time remains, brackets of successive halving: η² seeded random settings scored on
 *      a small subsample and one fold, the best 1/η promoted to η× more rows, … up to full k-fold;
 *   3. the simplest complete trial within one standard error of the top score is chosen (on small
 *      data the leaders' scores differ by less than their noise);
 *   4. optionally a weighted soft-voting ensemble chosen greedily from the best complete trials
 *      (ensemble selection), kept only if its out-of-fold score beats the best single model by
 *      more than that standard error.
 *
 * The test part is never seen here: the caller passes only training rows. Trials run one after the
 * other; learners that parallelise internally (forests) use the cores themselves.
 */
import { isKilnError, KilnError } from '../../core/errors.js';
import { Rng } from '../../core/rng.js';
import type { SupervisedPredictor } from '../../learners/learner.js';
import { fitByTask } from '../../learners/fit-by-task.js';
import { subsample, type Fold } from './fold-data.js';
import { fromScore, metricsOf, predictOutputs, toScore, type SearchTask } from './objective.js';
import { spacesFor, type ParamSpace, type Params } from './search-space.js';
import { simplestWithinNoise } from './simplest-within-noise.js';

export interface SearchOptions {
  readonly task: SearchTask;
  readonly nClasses: number;
  readonly metric: string;
  readonly budgetSeconds: number;
  readonly seed: number;
  /** Only these learners (default: every registered learner with a search space for the task). */
  readonly learners?: readonly string[];
  /** Halving rate (default 3). */
  readonly eta?: number;
  /** Members of the ensemble tried at the end (0 = no ensemble; default 3). */
  readonly ensembleSize?: number;
  readonly signal?: AbortSignal;
  /** Called after every trial (tracking, live leaderboard). */
  readonly onTrial?: (trial: Trial, leader: Trial | undefined) => void | Promise<void>;
}

export interface Trial {
  readonly id: number;
  readonly learner: string;
  readonly params: Params;
  /** 0 = the smallest subsample; `final` trials used every row and every fold. */
  readonly rung: number;
  readonly final: boolean;
  readonly rows: number;
  readonly folds: number;
  readonly status: 'ok' | 'failed' | 'cancelled';
  /** Mean over folds of the metric (NaN unless ok). */
  readonly value: number;
  /** The same as a higher-is-better score. */
  readonly score: number;
  readonly seconds: number;
  readonly error?: string;
  /** Standard error of `score` over the folds (complete trials): how far apart two trials must be to differ. */
  readonly standardError?: number;
}

export interface EnsembleChoice {
  readonly members: readonly Trial[];
  /** How many times ensemble selection picked each member: its weight in the average. */
  readonly weights: readonly number[];
  readonly value: number;
  readonly score: number;
}

export interface SearchResult {
  /** The simplest complete trial within one standard error of the top score (see simplest-within-noise.ts). */
  readonly best: Trial;
  /** Final (full-data, all folds) trials, best first. */
  readonly leaderboard: readonly Trial[];
  readonly trials: readonly Trial[];
  /** Set when averaging the best few beat the best single model out of fold. */
  readonly ensemble?: EnsembleChoice;
  readonly seconds: number;
}

export async function searchModels(folds: readonly Fold[], options: SearchOptions): Promise<SearchResult> {
  const started = performance.now();
  const deadline = started + options.budgetSeconds * 1000;
  const eta = options.eta ?? 3;
  const rng = new Rng(options.seed);
  const nRows = folds[0]?.X.rows ?? 0;
  const spaces = spacesFor(options.task, options.learners).filter((s) => s.maxRows === undefined || nRows <= s.maxRows);
  const trials: Trial[] = [];
  const oof = new Map<number, Float64Array>(); // out-of-fold outputs of final trials, for the ensemble
  const secondsPerRow = new Map<string, number>(); // per learner, from its final default trial
  let leader: Trial | undefined;

  const timeLeft = () => (deadline - performance.now()) / 1000;
  const rowsAtRung = (rung: number, rungs: number) => Math.max(Math.min(nRows, 200), Math.floor(nRows / eta ** (rungs - rung)));

  const run = async (space: ParamSpace, params: Params, rung: number, final: boolean): Promise<Trial> => {
    const rows = final ? nRows : rowsAtRung(rung, 2);
    const useFolds = final ? folds : folds.slice(0, 1);
    const t0 = performance.now();
    const id = trials.length + 1;
    let trial: Trial;
    try {
      const values: number[] = [];
      const outputs = final ? new Float64Array(totalValRows(folds) * width(options)) : undefined;
      for (const fold of useFolds) {
        const data = subsample(fold, rows);
        const signal = AbortSignal.any([AbortSignal.timeout(Math.max(1, Math.ceil(deadline - performance.now()))), ...(options.signal ? [options.signal] : [])]);
        const predictor = await fit(space.learner, options, data.X, data.y, params, signal);
        const out = predictOutputs(predictor, fold.Xval);
        values.push(metricsOf(options.task, fold.yval, out, options.nClasses)[options.metric] ?? Number.NaN);
        if (outputs) scatterRows(outputs, out, fold.valRows, width(options));
      }
      const value = values.reduce((a, b) => a + b, 0) / values.length;
      const seconds = (performance.now() - t0) / 1000;
      trial = { id, learner: space.learner, params, rung, final, rows, folds: useFolds.length, status: 'ok', value, score: toScore(options.metric, value), seconds };
      if (values.length > 1) {
        const variance = values.reduce((a, v) => a + (v - value) ** 2, 0) / (values.length - 1);
        trial = { ...trial, standardError: Math.sqrt(variance / values.length) };
      }
      if (outputs) oof.set(id, outputs);
    } catch (err) {
      options.signal?.throwIfAborted();
      const cancelled = isKilnError(err, 'CANCELLED');
      const seconds = (performance.now() - t0) / 1000;
      trial = {
        id, learner: space.learner, params, rung, final, rows, folds: useFolds.length,
        status: cancelled ? 'cancelled' : 'failed', value: Number.NaN, score: -Infinity, seconds,
        error: err instanceof Error ? err.message : String(err),
      };
    }
    trials.push(trial);
    if (trial.final && trial.status === 'ok' && (leader === undefined || trial.score > leader.score)) leader = trial;
    await options.onTrial?.(trial, leader);
    return trial;
  };

  // 1. defaults of every learner, on everything
  for (const space of spaces) {
    if (timeLeft() <= 0 && leader !== undefined) break;
    const t = await run(space, space.defaults, 2, true);
    if (t.status === 'ok') secondsPerRow.set(space.learner, t.seconds / Math.max(1, nRows));
  }

  // 2. successive halving brackets while the budget lasts
  const tunable = spaces.filter((s) => secondsPerRow.has(s.learner));
  while (tunable.length > 0 && timeLeft() > 0) {
    let candidates = Array.from({ length: eta * eta }, () => {
      const space = tunable[rng.int(tunable.length)] as ParamSpace;
      return { space, params: space.sample(rng) };
    });
    for (let rung = 0; rung <= 2 && candidates.length > 0; rung++) {
      const final = rung === 2;
      const scored: { space: ParamSpace; params: Params; score: number }[] = [];
      for (const c of candidates) {
        const estimate = (secondsPerRow.get(c.space.learner) ?? 0) * (final ? nRows : rowsAtRung(rung, 2) * folds.length);
        if (estimate > timeLeft()) continue;
        const t = await run(c.space, c.params, rung, final);
        scored.push({ ...c, score: t.score });
      }
      scored.sort((a, b) => b.score - a.score);
      candidates = scored.filter((s) => Number.isFinite(s.score)).slice(0, Math.max(1, Math.ceil(scored.length / eta)));
      if (timeLeft() <= 0) break;
    }
  }

  const leaderboard = trials.filter((t) => t.final && t.status === 'ok').sort((a, b) => b.score - a.score);
  const best = simplestWithinNoise(leaderboard);
  if (best === undefined) {
    const reasons = [...new Set(trials.map((t) => t.error).filter(Boolean))].join('; ');
    throw new KilnError('TRAINING_FAILED', { reason: `no model could be trained within the budget${reasons ? ` (${reasons})` : ''}; give it more time` });
  }
  // An ensemble must beat the chosen model by more than the noise the choice was allowed.
  const ensemble = chooseEnsemble(leaderboard, oof, folds, options, best.standardError ?? 0);
  return { best, leaderboard, trials, ...(ensemble ? { ensemble } : {}), seconds: (performance.now() - started) / 1000 };
}

function fit(
  learner: string,
  options: SearchOptions,
  X: Fold['X'],
  y: Int32Array | Float64Array,
  params: Params,
  signal: AbortSignal,
): Promise<SupervisedPredictor> {
  return fitByTask(learner, options.task, options.nClasses, X, y, params, { seed: options.seed, signal });
}

const width = (o: SearchOptions): number => (o.task === 'regression' ? 1 : o.nClasses);

function totalValRows(folds: readonly Fold[]): number {
  return folds.reduce((n, f) => n + f.valRows.length, 0);
}

function scatterRows(target: Float64Array, rows: Float64Array, positions: Int32Array, w: number): void {
  for (let k = 0; k < positions.length; k++) target.set(rows.subarray(k * w, (k + 1) * w), (positions[k] as number) * w);
}

/**
 * Ensemble selection (Caruana et al. 2004, as auto-sklearn does it): starting from the leader, add — with
 * replacement — whichever of the best `pool` complete trials most improves the pooled out-of-fold score
 * of the running average, for `rounds` rounds; keep the best mix seen. A member picked three times
 * weighs three times as much. Returned only when it beats the leader alone and mixes at least two models.
 */
function chooseEnsemble(
  leaderboard: readonly Trial[],
  oof: Map<number, Float64Array>,
  folds: readonly Fold[],
  options: SearchOptions,
  margin: number,
): EnsembleChoice | undefined {
  const size = options.ensembleSize ?? 3;
  const leader = leaderboard[0];
  if (size < 2 || leader === undefined || !oof.has(leader.id)) return undefined;
  const pool: Trial[] = [];
  for (const t of leaderboard) {
    if (pool.length >= ENSEMBLE_POOL) break;
    const same = pool.some((m) => m.learner === t.learner && JSON.stringify(m.params) === JSON.stringify(t.params));
    if (!same && oof.has(t.id)) pool.push(t);
  }
  if (pool.length < 2) return undefined;
  const yAll = allValidationTargets(folds, options);
  // Compare like with like: the leader's pooled out-of-fold score, not its mean over folds.
  const pooled = (o: Float64Array) => toScore(options.metric, metricsOf(options.task, yAll, o, options.nClasses)[options.metric] ?? Number.NaN);
  const leaderOutputs = oof.get(leader.id) as Float64Array;
  const leaderPooled = pooled(leaderOutputs);

  const counts = new Map<number, number>([[leader.id, 1]]);
  const sum = Float64Array.from(leaderOutputs);
  let picks = 1;
  let best: { score: number; counts: Map<number, number> } | undefined;
  const candidate = new Float64Array(sum.length);
  for (let round = 0; round < ENSEMBLE_ROUNDS; round++) {
    let pick: { trial: Trial; score: number } | undefined;
    for (const t of pool) {
      const o = oof.get(t.id) as Float64Array;
      for (let i = 0; i < sum.length; i++) candidate[i] = ((sum[i] as number) + (o[i] as number)) / (picks + 1);
      const score = pooled(candidate);
      if (pick === undefined || score > pick.score) pick = { trial: t, score };
    }
    if (pick === undefined || !Number.isFinite(pick.score)) break;
    const o = oof.get(pick.trial.id) as Float64Array;
    for (let i = 0; i < sum.length; i++) sum[i] = (sum[i] as number) + (o[i] as number);
    picks++;
    counts.set(pick.trial.id, (counts.get(pick.trial.id) ?? 0) + 1);
    if (counts.size >= 2 && pick.score > (best?.score ?? leaderPooled) + 1e-12) best = { score: pick.score, counts: new Map(counts) };
  }
  if (best === undefined) return undefined;
  // At most `size` members: the most picked ones (ties: the better single model).
  const chosen = pool
    .filter((t) => best.counts.has(t.id))
    .sort((a, b) => (best.counts.get(b.id) as number) - (best.counts.get(a.id) as number) || b.score - a.score)
    .slice(0, Math.max(2, size));
  if (chosen.length < 2) return undefined;
  const weights = chosen.map((t) => best.counts.get(t.id) as number);
  // Trimming members changes the mix: score what is actually kept, and keep it only if it still wins.
  const kept = new Float64Array(sum.length);
  const total = weights.reduce((a, b) => a + b, 0);
  chosen.forEach((t, k) => {
    const o = oof.get(t.id) as Float64Array;
    for (let i = 0; i < kept.length; i++) kept[i] = (kept[i] as number) + ((o[i] as number) * (weights[k] as number)) / total;
  });
  const score = pooled(kept);
  if (!(score > leaderPooled + Math.max(margin, 1e-12))) return undefined;
  return { members: chosen, weights, value: fromScore(options.metric, score), score };
}

/** Complete trials ensemble selection may draw from, and how many picks it makes. */
const ENSEMBLE_POOL = 12;
const ENSEMBLE_ROUNDS = 20;

function allValidationTargets(folds: readonly Fold[], options: SearchOptions): Int32Array | Float64Array {
  const n = totalValRows(folds);
  const y = options.task === 'regression' ? new Float64Array(n) : new Int32Array(n);
  for (const f of folds) f.valRows.forEach((pos, k) => (y[pos] = f.yval[k] as number));
  return y;
}
