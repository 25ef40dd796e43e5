/**
 * AutoML: find a good learner and settings within a wall-clock budget.
 *
 *   1. every candidate learner's defaults, scored by k-fold cross-validation on all training rows
 *      (a search must never end worse than the defaults); then, on small data, the linear models'
 *      grid of penalties, plain and with pairwise interactions (search-space.ts), also complete;
 *   2. then, while time remains, brackets of successive halving: η² seeded random settings scored on
 *      a small subsample and one fold, the best 1/η promoted to η× more rows, … up to full k-fold;
 *   3. the simplest complete trial whose score cannot be told apart from the top one's is chosen (on
 *      small data the leaders' scores differ by less than their noise): its mean fold-by-fold shortfall
 *      is within one standard error of that shortfall, corrected for the folds' overlap
 *      (simplest-within-noise.ts);
 *   4. optionally a weighted soft-voting ensemble chosen greedily from a diverse library of complete
 *      trials (ensemble-selection.ts), kept when it beats the best single model fold by fold on
 *      average (then it replaces the choice of step 3).
 *
 * The test part is never seen here: the caller passes only training rows. Fits run in parallel on
 * worker threads, one per core (trial-runner.ts): the folds of a complete trial, the defaults of every
 * learner, the candidates of a rung.
 */
import { isKilnError, KilnError } from '../../core/errors.js';
import { Rng } from '../../core/rng.js';
import type { Fold } from './fold-data.js';
import { chooseEnsemble, meanAndStandardError, overlapCorrectedStandardError, validationShare, type EnsembleChoice } from './ensemble-selection.js';
import { metricsOf, toScore, type SearchTask } from './objective.js';
import { spacesFor, type ParamSpace, type Params } from './search-space.js';
import { simplestWithinNoise } from './simplest-within-noise.js';
import { trialRunner } from './trial-runner.js';

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
  /** Fits run at once, on worker threads when more than 1 (default: one per core; see trial-runner.ts). */
  readonly threads?: number;
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
  /** Time its fits took, added up as if one after the other (a wait for a free worker does not count). */
  readonly seconds: number;
  readonly error?: string;
  /**
   * Standard error of `score` over the folds (complete trials), corrected for the folds' overlap
   * (overlapCorrectedStandardError): how far apart two trials must be to differ.
   */
  readonly standardError?: number;
  /** `score` on each fold (complete trials): two trials on the same folds are compared fold by fold. */
  readonly foldScores?: readonly number[];
}

export type { EnsembleChoice } from './ensemble-selection.js';

export interface SearchResult {
  /** The simplest complete trial whose score cannot be told apart from the top one's (see simplest-within-noise.ts). */
  readonly best: Trial;
  /** Final (full-data, all folds) trials, best first. */
  readonly leaderboard: readonly Trial[];
  readonly trials: readonly Trial[];
  /** Set when averaging the best few beat the best single model out of fold. */
  readonly ensemble?: EnsembleChoice;
  readonly seconds: number;
  /** Set when no trial was complete by the deadline: how many seconds after it the first one was (the search waited for it). */
  readonly firstModelLate?: number;
}

export async function searchModels(folds: readonly Fold[], options: SearchOptions): Promise<SearchResult> {
  const started = performance.now();
  const eta = options.eta ?? 3;
  const rng = new Rng(options.seed);
  const nRows = folds[0]?.sourceRows ?? 0; // distinct rows: with augmentation, X also holds their copies
  const shape = { rows: nRows, cols: folds[0]?.X.cols ?? 0 };
  const spaces = spacesFor(options.task, options.learners, shape).filter((s) => s.maxRows === undefined || nRows <= s.maxRows);
  const trials: Trial[] = [];
  // out-of-fold outputs of final trials, for the ensemble: the folds' validation outputs one after the
  // other (see ensemble-selection.ts), so time-ordered and repeated folds need no row bookkeeping
  const oof = new Map<number, Float64Array>();
  const secondsPerRow = new Map<string, number>(); // per learner, from its final default trial
  let leader: Trial | undefined;
  let firstModelLate: number | undefined;

  const rowsAtRung = (rung: number, rungs: number) => Math.max(Math.min(nRows, 200), Math.floor(nRows / eta ** (rungs - rung)));

  // The budget ends the search through one signal: at the deadline — or, when no trial is complete by
  // then, at the first one that completes after it — every fit still queued is dropped and every one
  // running is stopped (on the pool, its worker), whether or not its learner checks the signal itself.
  // Waiting for the first complete trial means a short search on a loaded machine still ends with a
  // model (docs/decisions.md, "AutoML's budget starts when the worker threads are ready").
  const overtime = new AbortController();
  const runner = trialRunner(folds, options.threads, options.signal ? AbortSignal.any([options.signal, overtime.signal]) : overtime.signal);
  // The budget is the search's: it starts once the worker threads have loaded the code (over a second
  // under tsx on a busy machine, the whole of a short budget on a loaded one, which then cancelled even
  // the defaults and ended in "no model could be trained").
  try {
    await runner.ready();
  } catch (err) {
    await runner.close();
    throw err;
  }
  const deadline = performance.now() + options.budgetSeconds * 1000;
  const timeLeft = () => (deadline - performance.now()) / 1000;
  const stopLateFits = () => {
    if (leader !== undefined && timeLeft() <= 0 && !overtime.signal.aborted) {
      overtime.abort(new KilnError('CANCELLED', { what: `the fit (the search's ${options.budgetSeconds} s ran out)` }));
    }
  };
  const deadlineTimer = setTimeout(stopLateFits, options.budgetSeconds * 1000);
  // On a pool, every trial of a step starts at once and the pool queues the fits. On one thread they run
  // one after the other: interleaved, a forest awaiting its own workers would be charged the time of the
  // fits run meanwhile, and look too slow to try.
  const concurrent = runner.threads > 1;
  const run = async (space: ParamSpace, params: Params, rung: number, final: boolean): Promise<Trial> => {
    const rows = final ? nRows : rowsAtRung(rung, 2);
    const useFolds = final ? folds.map((_, f) => f) : [0];
    const t0 = performance.now();
    let trial: Omit<Trial, 'id'>;
    let outputs: Float64Array[] = [];
    try {
      const fits = await runner.fitFolds(
        { learner: space.learner, task: options.task, nClasses: options.nClasses, params, seed: options.seed, rows },
        useFolds,
      );
      outputs = fits.map((f) => f.outputs);
      const values = outputs.map((out, k) => {
        const fold = folds[useFolds[k] as number] as Fold;
        return metricsOf(options.task, fold.yval, out, options.nClasses)[options.metric] ?? Number.NaN;
      });
      const { mean: value } = meanAndStandardError(values);
      // corrected for the folds' overlap: the plain s/√k understates it
      const standardError = overlapCorrectedStandardError(values, validationShare(useFolds.map((f) => folds[f] as Fold)));
      // the fits' own time, as if one after the other (waits in the pool's queue do not count)
      const seconds = fits.reduce((total, f) => total + f.seconds, 0);
      trial = { learner: space.learner, params, rung, final, rows, folds: useFolds.length, status: 'ok', value, score: toScore(options.metric, value), seconds };
      if (values.length > 1) trial = { ...trial, standardError, foldScores: values.map((v) => toScore(options.metric, v)) };
    } catch (err) {
      options.signal?.throwIfAborted();
      const cancelled = isKilnError(err, 'CANCELLED');
      const seconds = (performance.now() - t0) / 1000;
      trial = {
        learner: space.learner, params, rung, final, rows, folds: useFolds.length,
        status: cancelled ? 'cancelled' : 'failed', value: Number.NaN, score: -Infinity, seconds,
        error: err instanceof Error ? err.message : String(err),
      };
    }
    // a fit that finished after an abort is not a trial of this search any more (nothing recorded after it)
    options.signal?.throwIfAborted();
    // numbered as they finish: with parallel trials that is not the order they started in
    const done: Trial = { id: trials.length + 1, ...trial };
    trials.push(done);
    if (final && done.status === 'ok') {
      oof.set(done.id, concatenate(outputs));
      if (leader === undefined && timeLeft() < 0) firstModelLate = -timeLeft();
      if (leader === undefined || done.score > leader.score) leader = done;
    }
    stopLateFits();
    await options.onTrial?.(done, leader);
    return done;
  };

  try {
    // 1. defaults of every learner, on everything
    await runAll(spaces, concurrent, async (space) => {
      const t = await run(space, space.defaults, 2, true);
      if (t.status === 'ok') secondsPerRow.set(space.learner, t.seconds / Math.max(1, nRows));
    });
    // 1b. the grids (linear models on small data), complete, for learners whose defaults trained
    const grid = spaces.filter((s) => secondsPerRow.has(s.learner)).flatMap((space) => (space.grid ?? []).map((params) => ({ space, params })));
    await runAll(grid, concurrent, async ({ space, params }) => (timeLeft() > 0 ? run(space, params, 2, true) : undefined));

    // 2. successive halving brackets while the budget lasts
    const tunable = spaces.filter((s) => secondsPerRow.has(s.learner));
    while (tunable.length > 0 && timeLeft() > 0) {
      let candidates = Array.from({ length: eta * eta }, () => {
        const space = tunable[rng.int(tunable.length)] as ParamSpace;
        return { space, params: space.sample(rng) };
      });
      for (let rung = 0; rung <= 2 && candidates.length > 0; rung++) {
        const final = rung === 2;
        // a candidate starts only if its fits' expected time fits in what is left on the runner's threads
        const affordable = (c: (typeof candidates)[number]) =>
          (secondsPerRow.get(c.space.learner) ?? 0) * (final ? nRows : rowsAtRung(rung, 2) * folds.length) <= timeLeft() * runner.threads;
        const outcomes = await runAll(candidates, concurrent, async (c) => (affordable(c) ? { ...c, score: (await run(c.space, c.params, rung, final)).score } : undefined));
        // kept in their sampled order before the stable sort: promotions do not depend on which fit finished first
        const scored = outcomes.filter((o) => o !== undefined).sort((a, b) => b.score - a.score);
        candidates = scored.filter((s) => Number.isFinite(s.score)).slice(0, Math.max(1, Math.ceil(scored.length / eta)));
        if (timeLeft() <= 0) break;
      }
    }
  } finally {
    clearTimeout(deadlineTimer);
    await runner.close();
  }

  const leaderboard = trials.filter((t) => t.final && t.status === 'ok').sort((a, b) => b.score - a.score);
  const best = simplestWithinNoise(leaderboard, validationShare(folds));
  if (best === undefined) {
    const reasons = [...new Set(trials.map((t) => t.error).filter(Boolean))].join('; ');
    throw new KilnError('TRAINING_FAILED', { reason: `no model could be trained within the budget${reasons ? ` (${reasons})` : ''}; give it more time` });
  }
  // An ensemble is kept when it beats the best single model fold by fold on average (ensemble-selection.ts).
  const ensemble = chooseEnsemble(leaderboard, oof, folds, { task: options.task, nClasses: options.nClasses, metric: options.metric, size: options.ensembleSize ?? 3 });
  return { best, leaderboard, trials, ...(ensemble ? { ensemble } : {}), ...(firstModelLate === undefined ? {} : { firstModelLate }), seconds: (performance.now() - started) / 1000 };
}


function concatenate(parts: readonly Float64Array[]): Float64Array {
  const all = new Float64Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    all.set(p, offset);
    offset += p.length;
  }
  return all;
}

/** `work` on every item: all at once (`concurrent`), or one after the other; results in item order. */
async function runAll<T, R>(items: readonly T[], concurrent: boolean, work: (item: T) => Promise<R>): Promise<R[]> {
  if (concurrent) return Promise.all(items.map(work));
  const results: R[] = [];
  for (const item of items) results.push(await work(item));
  return results;
}
