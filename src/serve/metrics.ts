/**
 * Prometheus text exposition (format 0.0.4) of the serving statistics, written by hand: a handful of
 * metric families, labelled by model and version, read from each loaded model's ModelStatistics.
 *
 *   kiln_inference_requests_total{model,version,outcome}     counter   success | client_error | rejected | server_error
 *   kiln_inference_request_duration_seconds{model,version}   histogram end to end, in the server
 *   kiln_inference_queue_duration_seconds{model,version}     histogram waiting for an instance
 *   kiln_inference_compute_duration_seconds{model,version}   histogram one batch in onnxruntime
 *   kiln_inference_batch_size{model,version}                 histogram rows per executed batch
 *   kiln_inference_rows_total / kiln_inference_executions_total counters
 *   kiln_model_queue_length / kiln_model_ready                gauges
 *   kiln_prediction_log_records_total{fate} / _sampled_out_total / _buffered / _pruned_total   the prediction log
 *
 * A version that is unloaded or replaced takes its series with it (Prometheus treats the reappearing
 * counters of a reload as a counter reset).
 */
import type { LoadedModel } from './loaded-model.js';
import type { IndexEntry } from './model-repository.js';
import type { PredictionLogStats } from './prediction-log.js';
import type { Histogram, Outcome } from './statistics.js';

export const METRICS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

const OUTCOMES: readonly Outcome[] = ['success', 'client_error', 'rejected', 'server_error'];

/** The prediction log's counters, when the server keeps one. */
export interface PredictionLogMetrics {
  readonly stats: PredictionLogStats;
  /** Predictions deleted by retention since start. */
  readonly pruned: number;
}

export function renderMetrics(models: readonly LoadedModel[], index: readonly IndexEntry[], predictionLog?: PredictionLogMetrics): string {
  const out: string[] = [];
  const family = (name: string, type: 'counter' | 'gauge' | 'histogram', help: string): void => {
    out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
  };
  const sorted = [...models].sort((a, b) => (a.name === b.name ? a.version - b.version : a.name < b.name ? -1 : 1));
  const labels = (m: LoadedModel, extra: Record<string, string> = {}): string => formatLabels({ model: m.name, version: String(m.version), ...extra });

  family('kiln_inference_requests_total', 'counter', 'Inference requests answered, by outcome.');
  for (const m of sorted) for (const o of OUTCOMES) out.push(`kiln_inference_requests_total${labels(m, { outcome: o })} ${m.statistics.outcomes.get(o) ?? 0}`);

  const histogram = (name: string, help: string, pick: (m: LoadedModel) => Histogram): void => {
    family(name, 'histogram', help);
    for (const m of sorted) {
      const h = pick(m);
      let cumulative = 0;
      h.bounds.forEach((bound, i) => {
        cumulative += h.counts[i] as number;
        out.push(`${name}_bucket${labels(m, { le: formatNumber(bound) })} ${cumulative}`);
      });
      out.push(`${name}_bucket${labels(m, { le: '+Inf' })} ${h.count}`);
      out.push(`${name}_sum${labels(m)} ${formatNumber(h.sum)}`);
      out.push(`${name}_count${labels(m)} ${h.count}`);
    }
  };
  histogram('kiln_inference_request_duration_seconds', 'Time from decoding a request to its encoded answer.', (m) => m.statistics.requestSeconds);
  histogram('kiln_inference_queue_duration_seconds', 'Time a request waited in the scheduler queue for an instance.', (m) => m.statistics.queueSeconds);
  histogram('kiln_inference_compute_duration_seconds', 'Time one batch spent in onnxruntime.', (m) => m.statistics.computeSeconds);
  histogram('kiln_inference_batch_size', 'Rows per batch executed by an instance.', (m) => m.statistics.batchSize);

  family('kiln_inference_rows_total', 'counter', 'Rows inferred (batch entries).');
  for (const m of sorted) out.push(`kiln_inference_rows_total${labels(m)} ${m.statistics.inferenceCount}`);
  family('kiln_inference_executions_total', 'counter', 'Batches executed by the instances.');
  for (const m of sorted) out.push(`kiln_inference_executions_total${labels(m)} ${m.statistics.executionCount}`);
  family('kiln_model_queue_length', 'gauge', 'Requests waiting in the scheduler queue.');
  for (const m of sorted) out.push(`kiln_model_queue_length${labels(m)} ${m.scheduler.queueLength}`);
  family('kiln_model_ready', 'gauge', 'Whether a model version serves (1) or not (0), as in the repository index.');
  for (const entry of index) {
    out.push(`kiln_model_ready${formatLabels({ model: entry.name, version: entry.version ?? '' })} ${entry.state === 'READY' ? 1 : 0}`);
  }
  if (predictionLog !== undefined) {
    const { written, dropped, failed, sampledOut, buffered } = predictionLog.stats;
    family('kiln_prediction_log_records_total', 'counter', 'Prediction log records by fate: written to the store, dropped (buffer full), failed (the store refused them).');
    out.push(`kiln_prediction_log_records_total{fate="written"} ${written}`);
    out.push(`kiln_prediction_log_records_total{fate="dropped"} ${dropped}`);
    out.push(`kiln_prediction_log_records_total{fate="failed"} ${failed}`);
    family('kiln_prediction_log_sampled_out_total', 'counter', 'Requests whose rows sampling left out of the prediction log.');
    out.push(`kiln_prediction_log_sampled_out_total ${sampledOut}`);
    family('kiln_prediction_log_buffered', 'gauge', 'Prediction log records waiting to be written.');
    out.push(`kiln_prediction_log_buffered ${buffered}`);
    family('kiln_prediction_log_pruned_total', 'counter', 'Predictions deleted by retention (age or size limits).');
    out.push(`kiln_prediction_log_pruned_total ${predictionLog.pruned}`);
  }
  return `${out.join('\n')}\n`;
}

function formatLabels(labels: Readonly<Record<string, string>>): string {
  const parts = Object.entries(labels).map(([k, v]) => `${k}="${v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"')}"`);
  return `{${parts.join(',')}}`;
}

function formatNumber(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return String(value);
}
