/**
 * `kiln monitor REF [--json] [--html FILE] [--window N | --since DURATION]`: drift of a served model's
 * live inputs (and outputs) against its training data, from the prediction log and the version's
 * reference profile; performance once outcomes arrived (`kiln feedback`) against the training-time test
 * metrics; latency, error rate and traffic of the same window; the alerts recently fired. The JSON is the
 * same document as GET /api/models/REF/monitoring (its shape: src/api/monitoring-api.ts).
 */
import type { Command } from 'commander';
import type { MonitorReport } from '../monitor/check-model.js';
import { parseWindow, type MonitorWindow } from '../monitor/prediction-window.js';
import { parseModelRef } from '../store/model-ref.js';
import { commandContext, withHome } from './context.js';
import { table } from './output.js';
import { checkOutputFile, writeOutputFile } from './output-file.js';

interface MonitorOptions {
  readonly html?: string;
  readonly window?: string;
  readonly since?: string;
}

/** The window of `--window N` or `--since DURATION` (see parseWindow). */
export function windowFromOptions(opts: MonitorOptions): MonitorWindow {
  return parseWindow(opts);
}

const fixed = (v: number | null | undefined): string =>
  v === undefined || v === null ? '' : Number.isFinite(v) ? (Math.abs(v) < 1e-3 && v !== 0 ? v.toExponential(2) : v.toFixed(4)) : String(v);

export function registerMonitor(program: Command): void {
  program
    .command('monitor')
    .description("drift of a model's live inputs and outputs against its training data; accuracy once outcomes arrive; latency and error rate")
    .argument('<ref>', 'NAME, NAME:VERSION or NAME@ALIAS')
    .option('--html <file>', 'write a self-contained HTML report (histograms, performance and latency over time)')
    .option('--window <n>', 'the last N logged predictions (default 10000)')
    .option('--since <duration>', 'the predictions of the last DURATION, e.g. 30m, 24h, 7d')
    .action(async (ref: string, opts: MonitorOptions, cmd: Command) => {
      const ctx = commandContext(cmd);
      const window = windowFromOptions(opts);
      if (opts.html !== undefined) checkOutputFile(opts.html);
      // monitoring's code loads when the verb runs, not for `kiln --help`
      const [{ checkModel }, { renderMonitorHtml }] = await Promise.all([import('../monitor/check-model.js'), import('../monitor/report-html.js')]);
      const report = await withHome(ctx, (home) => checkModel(home, parseModelRef(ref), { window }));
      if (opts.html !== undefined) writeOutputFile(opts.html, renderMonitorHtml(report));
      ctx.out.result({ ...report, ...(opts.html === undefined ? {} : { html: opts.html }) }, () => humanReport(report, opts.html));
    });
}

function humanReport(report: MonitorReport, html: string | undefined): string {
  const p = report.performance;
  const hours = report.traffic_per_hour;
  return [
    `${report.model}:${report.version} — ${report.window}: ${report.rows} predictions${report.failed > 0 ? ` (${report.failed} failed)` : ''}`,
    report.verdict,
    table(
      ['column', 'drift', 'test', 'statistic', 'threshold', 'p-value', 'PSI'],
      report.drift.columns.map((c) => [c.column, c.drift ? 'YES' : 'no', c.test, fixed(c.statistic), String(c.threshold), fixed(c.p_value), fixed(c.psi)]),
    ),
    ...(report.prediction_drift === null
      ? []
      : ['prediction drift:', table(['output', 'drift', 'test', 'statistic', 'threshold'], report.prediction_drift.columns.map((c) => [c.column, c.drift ? 'YES' : 'no', c.test, fixed(c.statistic), String(c.threshold)]))]),
    p.verdict,
    ...(p.metrics.length === 0
      ? []
      : [table(['metric', 'live', 'training', 'change', 'degraded'], p.metrics.map((m) => [m.name, fixed(m.current), fixed(m.training), fixed(m.change), m.degraded ? 'YES' : 'no']))]),
    `latency p50 ${fixed(report.latency_ms.p50)} ms · p95 ${fixed(report.latency_ms.p95)} ms · p99 ${fixed(report.latency_ms.p99)} ms · error rate ${report.error_rate === null ? 'n/a' : `${(report.error_rate * 100).toFixed(2)}%`}`,
    `traffic: ${hours.length} hour${hours.length === 1 ? '' : 's'}, busiest ${Math.max(0, ...hours.map((h) => h.predictions))} predictions/hour`,
    ...(report.alerts.length === 0 ? [] : [`recent alerts:`, ...report.alerts.slice(0, 5).map((a) => `  ${a.at}  ${a.message}`)]),
    ...(html === undefined ? [] : [`report written to ${html}`]),
  ].join('\n');
}
