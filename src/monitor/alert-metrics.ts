/**
 * The value of an alert rule's metric for its model now: over the rule's window (its last N
 * predictions) of the version that is live — the version of the model's newest returned (non-shadow)
 * prediction, which is what callers are being answered by, whatever alias or experiment routed them.
 *
 *   drift_share, dataset_drift, prediction_drift   a drift check against the version's reference profile
 *   accuracy, roc_auc, rmse, mae                   the window's labelled predictions (feedback)
 *   p50/p95/p99_latency_ms, error_rate             the window's serving records
 *
 * `null` means "nothing to judge yet" (no predictions, no outcomes, a metric the task does not have):
 * a rule is never breached by missing data.
 */
import { KilnError } from '../core/errors.js';
import type { AlertMetric, AlertRule, ArtifactStore, ModelVersion, Store } from '../store/store.js';
import { checkModel, checkPerformance, servingHealth } from './check-model.js';
import { readWindow, type MonitorWindow } from './prediction-window.js';

export interface AlertMeasurement {
  readonly value: number | null;
  /** The version measured, when the model has logged predictions. */
  readonly version: number | null;
  /** Why there is no value, in words. */
  readonly reason?: string;
}

const DRIFT_METRICS: readonly string[] = ['drift_share', 'dataset_drift', 'prediction_drift'];
const PERFORMANCE_METRICS: readonly string[] = ['accuracy', 'roc_auc', 'rmse', 'mae'];

export async function measureAlertMetric(
  home: { readonly store: Store; readonly artifacts: ArtifactStore },
  rule: Pick<AlertRule, 'model' | 'metric' | 'window'>,
  now = Date.now(),
): Promise<AlertMeasurement> {
  const version = await liveVersion(home.store, rule.model);
  if (version === null) return { value: null, version: null, reason: 'no logged predictions yet' };
  const window: MonitorWindow = { kind: 'count', last: rule.window };
  const metric = rule.metric as AlertMetric;

  if (DRIFT_METRICS.includes(metric)) {
    let report;
    try {
      report = await checkModel(home, { kind: 'version', name: version.model, version: version.version }, { window, now });
    } catch (err) {
      if (err instanceof KilnError && err.code === 'MONITOR_NO_PREDICTIONS') return { value: null, version: version.version, reason: err.message };
      throw err;
    }
    if (metric === 'drift_share') return { value: report.drift.share_drifted, version: version.version };
    if (metric === 'dataset_drift') return { value: report.drift.dataset_drift ? 1 : 0, version: version.version };
    if (report.prediction_drift === null) return { value: null, version: version.version, reason: 'the reference profile has no training-time outputs' };
    return { value: report.prediction_drift.columns.some((c) => c.drift) ? 1 : 0, version: version.version };
  }

  if (PERFORMANCE_METRICS.includes(metric)) {
    const performance = await checkPerformance(home.store, version, window, now);
    const found = performance.metrics.find((m) => m.name === metric);
    if (found === undefined || found.current === null) {
      return { value: null, version: version.version, reason: performance.scored === 0 ? 'no outcomes yet' : `${metric} does not apply to this model` };
    }
    return { value: found.current, version: version.version };
  }

  const serving = servingHealth(await readWindow(home.store, version.model, version.version, window, now));
  switch (metric) {
    case 'error_rate':
      return { value: serving.error_rate, version: version.version };
    case 'p50_latency_ms':
    case 'p95_latency_ms':
    case 'p99_latency_ms': {
      const q = serving.latency_ms[metric.slice(0, 3) as 'p50' | 'p95' | 'p99'];
      return Number.isFinite(q) ? { value: q, version: version.version } : { value: null, version: version.version, reason: 'no successful predictions' };
    }
    default:
      throw new KilnError('INVALID_PARAMS', { what: 'alert metric', summary: `"${rule.metric}" is not a metric Kiln can watch` });
  }
}

/** The version of the model's newest returned prediction, or null when nothing was logged. */
async function liveVersion(store: Store, model: string): Promise<ModelVersion | null> {
  const [newest] = await store.listPredictions({ model, shadow: false, limit: 1 });
  if (newest === undefined) return null;
  return store.getVersion(model, newest.version);
}
