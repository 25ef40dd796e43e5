/**
 * Performance drift: once outcomes arrive (feedback), how well does the live model do, and is that worse
 * than what it scored on its test set at training time?
 *
 * Classification is scored from what was logged — the predicted `label` against the outcome (accuracy)
 * and the logged class `probabilities` (ROC AUC, one-vs-rest macro for more than two classes, as at
 * training) — and regression from the logged `prediction` (RMSE, MAE). The metrics use
 * src/evaluate/metrics, the same code that produced the training-time numbers they are compared with.
 *
 * "Degraded" means worse than training by a margin that matters AND by more than chance explains, so a
 * small window does not raise false alarms:
 *   accuracy  ≥ 0.05 lower, and a one-sided binomial z-test against the training accuracy at p < 0.05;
 *   roc_auc   ≥ 0.05 lower, and (two classes) a one-sided z-test with Hanley & McNeil's standard error;
 *             with more classes, at least 100 labelled predictions;
 *   rmse      ≥ 10% higher, and the squared errors' mean beyond chance (n·MSE/MSE₀ against χ²ₙ, normal approx.);
 *   mae       ≥ 10% higher, with at least 100 labelled predictions.
 * Fewer than MIN_SCORED scored predictions never count as degraded.
 */
import { createMatrix } from '../core/matrix.js';
import { accuracy, mae, rmse, rocAuc } from '../evaluate/metrics/index.js';
import type { LabelledPrediction } from '../store/store.js';

export type PerformanceTask = 'classification' | 'regression';
export type PerformanceMetricName = 'accuracy' | 'roc_auc' | 'rmse' | 'mae';

export interface PerformanceMetric {
  readonly name: PerformanceMetricName;
  /** On the labelled predictions of the window; null when it cannot be computed (e.g. one class only). */
  readonly current: number | null;
  /** The version's test-set value at training time (`test.NAME`), when recorded. */
  readonly training: number | null;
  /** current − training. */
  readonly change: number | null;
  readonly degraded: boolean;
}

/** The metrics of one stretch of consecutive labelled predictions, for the "performance over time" chart. */
export interface PerformancePoint {
  /** Epoch ms of the stretch's first and last prediction. */
  readonly start: number;
  readonly end: number;
  readonly count: number;
  readonly metrics: Readonly<Partial<Record<PerformanceMetricName, number | null>>>;
}

export interface PerformanceReport {
  /** null when no labelled prediction could be scored. */
  readonly task: PerformanceTask | null;
  /** Labelled predictions in the window. */
  readonly labelled: number;
  /** Of those, the ones that could be scored (a known class, a numeric outcome, no error). */
  readonly scored: number;
  readonly metrics: readonly PerformanceMetric[];
  readonly degraded: boolean;
  readonly over_time: readonly PerformancePoint[];
  readonly verdict: string;
}

/** Below this many scored predictions nothing is called degraded. */
export const MIN_SCORED = 30;
const MIN_UNTESTED = 100;
const CLASSIFICATION_MARGIN = 0.05;
const REGRESSION_MARGIN = 0.1;
/** One-sided 5% critical value of the standard normal. */
const Z_CRITICAL = 1.6448536269514722;
/** Points on the performance-over-time chart at most, and labelled predictions per point at least. */
const MAX_POINTS = 20;
const MIN_POINT_SIZE = 25;

/** A prediction reduced to what scoring needs. */
interface Scored {
  readonly timestamp: number;
  /** Classification: the outcome's class index (−1: a class the model does not know) and the logged ones. */
  readonly truth: number;
  readonly predicted: number;
  readonly proba: readonly number[];
}

/**
 * Scores labelled predictions (any order) against the version's training-time metrics (`test.accuracy`,
 * `test.roc_auc`, `test.rmse`, `test.mae` in `trainingMetrics`).
 */
export function measurePerformance(labelled: readonly LabelledPrediction[], trainingMetrics: Readonly<Record<string, number>>): PerformanceReport {
  const usable = [...labelled].filter((p) => p.error === undefined).sort((a, b) => a.timestamp - b.timestamp);
  const task = taskOf(usable);
  if (task === null) return emptyReport(labelled.length);
  const scored = task === 'classification' ? scoreClassification(usable) : scoreRegression(usable);
  if (scored.length === 0) return emptyReport(labelled.length, task);
  const names: PerformanceMetricName[] = task === 'classification' ? ['accuracy', 'roc_auc'] : ['rmse', 'mae'];
  const current = metricsOf(task, scored);
  const metrics = names.map((name): PerformanceMetric => {
    const value = current[name] ?? null;
    const trained = trainingMetrics[`test.${name}`];
    const training = trained === undefined || !Number.isFinite(trained) ? null : trained;
    const change = value === null || training === null ? null : value - training;
    return { name, current: value, training, change, degraded: value !== null && training !== null && isDegraded(name, value, training, scored) };
  });
  const degraded = metrics.some((m) => m.degraded);
  return {
    task,
    labelled: labelled.length,
    scored: scored.length,
    metrics,
    degraded,
    over_time: overTime(task, scored),
    verdict: performanceVerdict(metrics, scored.length, degraded),
  };
}

/** The task the logged outputs show: class probabilities, or a numeric `prediction`. */
function taskOf(records: readonly LabelledPrediction[]): PerformanceTask | null {
  let classification = 0;
  let regression = 0;
  for (const r of records) {
    const out = r.outputs as Record<string, unknown> | null;
    if (typeof out !== 'object' || out === null) continue;
    if (typeof out['probabilities'] === 'object' && out['probabilities'] !== null && 'label' in out) classification++;
    else if (typeof out['prediction'] === 'number') regression++;
  }
  if (classification === 0 && regression === 0) return null;
  return classification >= regression ? 'classification' : 'regression';
}

function scoreClassification(records: readonly LabelledPrediction[]): Scored[] {
  let classes: string[] | undefined;
  const scored: Scored[] = [];
  for (const r of records) {
    const out = r.outputs as { label?: unknown; probabilities?: Record<string, unknown> } | null;
    const probabilities = out?.probabilities;
    if (typeof probabilities !== 'object' || probabilities === null) continue;
    classes ??= Object.keys(probabilities);
    const proba = classes.map((c) => Number(probabilities[c]));
    if (proba.some((p) => !Number.isFinite(p))) continue;
    scored.push({ timestamp: r.timestamp, truth: classIndex(r.outcome, classes), predicted: classes.indexOf(String(out?.label)), proba });
  }
  return scored;
}

/**
 * The outcome's position among the model's classes: by its text (`1` matches class "1"); true/false
 * also match classes "1"/"0" and "yes"/"no"; −1 when it is none of them (then it counts as a miss).
 */
export function classIndex(outcome: number | string | boolean, classes: readonly string[]): number {
  const direct = classes.indexOf(String(outcome));
  if (direct >= 0 || typeof outcome !== 'boolean') return direct;
  const spellings = outcome ? ['1', 'True', 'TRUE', 'yes', 'Yes', 'y'] : ['0', 'False', 'FALSE', 'no', 'No', 'n'];
  for (const s of spellings) {
    const i = classes.indexOf(s);
    if (i >= 0) return i;
  }
  return -1;
}

function scoreRegression(records: readonly LabelledPrediction[]): Scored[] {
  const scored: Scored[] = [];
  for (const r of records) {
    const predicted = (r.outputs as { prediction?: unknown } | null)?.prediction;
    const truth = typeof r.outcome === 'number' ? r.outcome : typeof r.outcome === 'string' && r.outcome.trim() !== '' ? Number(r.outcome) : NaN;
    if (typeof predicted !== 'number' || !Number.isFinite(predicted) || !Number.isFinite(truth)) continue;
    scored.push({ timestamp: r.timestamp, truth, predicted, proba: [] });
  }
  return scored;
}

function metricsOf(task: PerformanceTask, scored: readonly Scored[]): Partial<Record<PerformanceMetricName, number | null>> {
  if (task === 'regression') {
    const truth = Float64Array.from(scored, (s) => s.truth);
    const predicted = Float64Array.from(scored, (s) => s.predicted);
    return { rmse: rmse(truth, predicted), mae: mae(truth, predicted) };
  }
  const truth = Int32Array.from(scored, (s) => s.truth);
  const predicted = Int32Array.from(scored, (s) => s.predicted);
  // ROC AUC only over outcomes of known classes: an unknown class has no probability column to rank by.
  const known = scored.filter((s) => s.truth >= 0);
  const k = known[0]?.proba.length ?? 0;
  let auc: number | null = null;
  if (known.length > 0 && k >= 2) {
    const proba = createMatrix(known.length, k, Float64Array.from(known.flatMap((s) => s.proba)));
    const value = rocAuc(Int32Array.from(known, (s) => s.truth), proba);
    auc = Number.isFinite(value) ? value : null;
  }
  // A miss when the label is unknown (−1) too: accuracy() compares the indices as they are.
  return { accuracy: accuracy(truth, predicted.map((p, i) => (p < 0 ? -2 - i : p))), roc_auc: auc };
}

function isDegraded(name: PerformanceMetricName, current: number, training: number, scored: readonly Scored[]): boolean {
  const n = scored.length;
  if (n < MIN_SCORED) return false;
  switch (name) {
    case 'accuracy': {
      if (training - current < CLASSIFICATION_MARGIN) return false;
      const se = Math.sqrt(Math.max(training * (1 - training), 1e-12) / n);
      return (training - current) / se > Z_CRITICAL;
    }
    case 'roc_auc': {
      if (training - current < CLASSIFICATION_MARGIN) return false;
      const k = scored[0]?.proba.length ?? 0;
      if (k !== 2) return n >= MIN_UNTESTED;
      const positives = scored.filter((s) => s.truth === 1).length;
      const negatives = scored.filter((s) => s.truth === 0).length;
      return (training - current) / hanleyMcNeilSe(training, positives, negatives) > Z_CRITICAL;
    }
    case 'rmse': {
      if (current < training * (1 + REGRESSION_MARGIN) || training <= 0) return false;
      // n·MSE/MSE₀ is χ²ₙ when the errors are as at training (normal, centred): mean n, variance 2n.
      const ratio = (current * current) / (training * training);
      return (n * ratio - n) / Math.sqrt(2 * n) > Z_CRITICAL;
    }
    case 'mae':
      return current >= training * (1 + REGRESSION_MARGIN) && training > 0 && n >= MIN_UNTESTED;
  }
}

/** Standard error of a binary ROC AUC of `auc` with these class counts (Hanley & McNeil, 1982). */
export function hanleyMcNeilSe(auc: number, positives: number, negatives: number): number {
  if (positives === 0 || negatives === 0) return Infinity;
  const q1 = auc / (2 - auc);
  const q2 = (2 * auc * auc) / (1 + auc);
  const variance = (auc * (1 - auc) + (positives - 1) * (q1 - auc * auc) + (negatives - 1) * (q2 - auc * auc)) / (positives * negatives);
  return Math.sqrt(Math.max(variance, 1e-12));
}

/** Consecutive stretches of equal size (at least MIN_POINT_SIZE; a short tail joins the last one). */
function overTime(task: PerformanceTask, scored: readonly Scored[]): PerformancePoint[] {
  const size = Math.max(MIN_POINT_SIZE, Math.ceil(scored.length / MAX_POINTS));
  const points: PerformancePoint[] = [];
  for (let start = 0; start < scored.length; start += size) {
    const end = scored.length - (start + size) < size / 2 ? scored.length : start + size;
    const stretch = scored.slice(start, end);
    points.push({
      start: stretch[0]?.timestamp ?? 0,
      end: stretch.at(-1)?.timestamp ?? 0,
      count: stretch.length,
      metrics: metricsOf(task, stretch),
    });
    if (end === scored.length) break;
  }
  return points;
}

function performanceVerdict(metrics: readonly PerformanceMetric[], n: number, degraded: boolean): string {
  const head = metrics[0];
  if (head === undefined) return noOutcomes();
  const parts = metrics
    .filter((m) => m.current !== null)
    .map((m) => `${m.name} ${fmt(m.current)}${m.training === null ? '' : ` (training ${fmt(m.training)})`}`);
  const on = `on ${n} labelled prediction${n === 1 ? '' : 's'}`;
  if (degraded) {
    const worse = metrics.filter((m) => m.degraded).map((m) => m.name);
    return `Performance degraded: ${parts.join(', ')} ${on} — ${worse.join(' and ')} worse than at training by more than chance explains; check for drift and consider retraining.`;
  }
  if (metrics.every((m) => m.training === null)) return `Performance ${on}: ${parts.join(', ')} (no training-time test metrics to compare with).`;
  if (n < MIN_SCORED) return `Performance ${on}: ${parts.join(', ')} — too few outcomes to judge (at least ${MIN_SCORED} needed).`;
  return `Performance in line with training: ${parts.join(', ')} ${on}.`;
}

function emptyReport(labelled: number, task: PerformanceTask | null = null): PerformanceReport {
  return { task, labelled, scored: 0, metrics: [], degraded: false, over_time: [], verdict: labelled === 0 ? noOutcomes() : `None of the ${labelled} outcomes could be scored against the logged outputs.` };
}

function noOutcomes(): string {
  return 'No outcomes yet: send them with `kiln feedback` or POST /api/feedback to track accuracy.';
}

const fmt = (v: number | null): string => (v === null ? 'n/a' : Number(v.toPrecision(3)).toString());
