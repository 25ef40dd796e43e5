/**
 * The life of an experiment, shared by the HTTP API and `kiln ab`: start one (with Kiln's defaults and
 * checks), stop or promote it, and report on it (traffic per arm and the outcome analysis, or the
 * shadow comparison). The store keeps the experiment and audits every change; the promote's alias move
 * happens in the store's transaction.
 */
import { MAX_VERSION_NUMBER } from '../store/model-ref.js';
import { KilnError } from '../core/errors.js';
import type { ChangeContext, Experiment, ExperimentInput, ExperimentMode, Store } from '../store/store.js';
import { analyseOutcomes, type AnalysisOptions, type OutcomeAnalysis } from './analysis.js';
import { armTraffic, type ArmTraffic } from './arm-traffic.js';
import { CHAMPION_ALIAS } from './router.js';
import { compareShadow, type ShadowComparison } from './shadow-comparison.js';

export const DEFAULT_CHALLENGER_SHARE = 0.1;

/** What a person asks for; everything but the model and the challenger has a default. */
export interface StartExperimentRequest {
  readonly model: string;
  readonly challenger: number;
  /** Default: the version the `champion` alias points to, else the newest other version. */
  readonly champion?: number;
  readonly mode?: ExperimentMode;
  /** Default 0.1 (split, canary); shadow mirrors every request. */
  readonly challengerShare?: number;
  readonly outcome?: 'binary' | 'continuous';
  readonly maxErrorRate?: number;
  readonly maxP99Ms?: number;
  readonly description?: string;
}

type Invalid = (reason: string) => KilnError;

export async function startExperiment(store: Store, request: StartExperimentRequest, change?: ChangeContext): Promise<Experiment> {
  const invalid: Invalid = (reason) => new KilnError('EXPERIMENT_INVALID', { model: request.model, reason });
  const mode = request.mode ?? 'split';
  checkVersion(request.challenger, 'the challenger', invalid);
  if (request.champion !== undefined) checkVersion(request.champion, 'the champion', invalid);
  const model = await store.getModel(request.model);
  await store.getVersion(request.model, request.challenger); // VERSION_NOT_FOUND names the versions there are
  const champion = request.champion ?? (await defaultChampion(store, request.model, model.aliases[CHAMPION_ALIAS], request.challenger, invalid));
  checkVersion(champion, 'the champion', invalid);
  if (champion === request.challenger) throw invalid(`the champion and the challenger are both version ${champion}; compare two different versions`);

  const share = request.challengerShare ?? (mode === 'shadow' ? 1 : DEFAULT_CHALLENGER_SHARE);
  if (!(share > 0 && share <= 1)) throw invalid(`the challenger's share of traffic must lie in (0, 1], got ${share}`);
  if (mode === 'canary') {
    if (request.maxErrorRate === undefined && request.maxP99Ms === undefined) {
      throw invalid('a canary needs a bound to roll back at: give a maximum error rate, a maximum p99 latency, or both');
    }
  } else if (request.maxErrorRate !== undefined || request.maxP99Ms !== undefined) {
    throw invalid(`automatic rollback bounds apply to canary experiments; this one is a ${mode} experiment (use mode canary)`);
  }
  if (request.maxErrorRate !== undefined && !(request.maxErrorRate >= 0 && request.maxErrorRate < 1)) {
    throw invalid(`the maximum error rate is a share of requests in [0, 1), got ${request.maxErrorRate}`);
  }
  if (request.maxP99Ms !== undefined && !(request.maxP99Ms > 0 && Number.isFinite(request.maxP99Ms))) {
    throw invalid(`the maximum p99 latency must be a positive number of milliseconds, got ${request.maxP99Ms}`);
  }

  const input: ExperimentInput = {
    model: request.model,
    champion,
    challenger: request.challenger,
    mode,
    challengerShare: share,
    outcome: request.outcome ?? 'binary',
    ...(request.maxErrorRate === undefined ? {} : { maxErrorRate: request.maxErrorRate }),
    ...(request.maxP99Ms === undefined ? {} : { maxP99Ms: request.maxP99Ms }),
    ...(request.description === undefined ? {} : { description: request.description }),
  };
  return store.createExperiment(input, change);
}

function checkVersion(version: number, what: string, invalid: Invalid): void {
  if (!Number.isInteger(version) || version < 1 || version > MAX_VERSION_NUMBER) {
    throw invalid(`${what} must be a version number (1, 2, … up to ${MAX_VERSION_NUMBER}), got ${version}`);
  }
}

/** The champion alias's version when it is set (and is not the challenger), else the newest live version before the challenger. */
async function defaultChampion(store: Store, model: string, alias: number | undefined, challenger: number, invalid: Invalid): Promise<number> {
  if (alias !== undefined && alias !== challenger) return alias;
  const others = (await store.listVersions(model)).filter((v) => v.status !== 'archived' && v.version !== challenger).map((v) => v.version);
  if (others.length === 0) throw invalid(`it has no version besides the challenger (${challenger}) to compare with; register another version first`);
  // usually the challenger is the newest version and the champion the one before it ("latest − 1")
  const older = others.filter((v) => v < challenger);
  return Math.max(...(older.length > 0 ? older : others));
}

/** Ends a running experiment as stopped (traffic goes back to normal) or promoted (the champion alias moves to the challenger). */
export function endExperiment(store: Store, id: string, status: 'stopped' | 'promoted', reason: string | undefined, change?: ChangeContext): Promise<Experiment> {
  return store.getExperiment(id).then((experiment) =>
    store.endExperiment(
      id,
      status,
      reason ?? (status === 'promoted' ? `promoted: ${experiment.model}@${CHAMPION_ALIAS} → version ${experiment.challenger}` : `stopped by ${change?.actor ?? 'a user'}`),
      change,
    ),
  );
}

/** An experiment with what its arms served and what the outcomes (or the shadow answers) say. */
export interface ExperimentReport {
  readonly experiment: Experiment;
  readonly traffic: { readonly champion: ArmTraffic; readonly challenger: ArmTraffic };
  /** split and canary: the outcome analysis. */
  readonly analysis: OutcomeAnalysis | null;
  /** shadow: the row-by-row comparison of the two versions' answers. */
  readonly shadow: ShadowComparison | null;
}

/** Most records read for one report; experiments larger than this are summarised on their newest records. */
const MAX_RECORDS = 500_000;

export async function reportExperiment(store: Store, experiment: Experiment, options: AnalysisOptions = {}): Promise<ExperimentReport> {
  const records = await store.listPredictions({ experiment: experiment.id, limit: MAX_RECORDS });
  const shadowMode = experiment.mode === 'shadow';
  const traffic = {
    champion: armTraffic(records, 'champion', { shadow: false }),
    challenger: armTraffic(records, 'challenger', { shadow: shadowMode }),
  };
  if (shadowMode) return { experiment, traffic, analysis: null, shadow: compareShadow(records) };
  const labelled = await store.listLabelledPredictions({ experiment: experiment.id, shadow: false, limit: MAX_RECORDS });
  return { experiment, traffic, analysis: analyseOutcomes(experiment, labelled, options), shadow: null };
}

/** The experiment an id names, or the one running on (else the latest of) a model. */
export async function findExperiment(store: Store, idOrModel: string): Promise<Experiment> {
  try {
    return await store.getExperiment(idOrModel);
  } catch (err) {
    if (!(err instanceof KilnError && err.code === 'EXPERIMENT_NOT_FOUND')) throw err;
    const ofModel = await store.listExperiments({ model: idOrModel });
    const chosen = ofModel.find((e) => e.status === 'running') ?? ofModel[0];
    if (chosen === undefined) throw new KilnError('EXPERIMENT_NOT_FOUND', { id: `${idOrModel}, nor any experiment on a model of that name` });
    return chosen;
  }
}
