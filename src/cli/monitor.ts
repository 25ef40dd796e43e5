/**
 * `kiln monitor REF [--json] [--html FILE] [--window N | --since DURATION]`: drift of a served model's
 * live inputs (and outputs) against its training data, from the prediction log and the version's
 * reference profile; latency and error rate of the same window.
 */
import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { KilnError } from '../core/errors.js';
import { checkModel } from '../monitor/check-model.js';
import { DEFAULT_WINDOW, parseDuration, type MonitorWindow } from '../monitor/prediction-window.js';
import { renderMonitorHtml } from '../monitor/report-html.js';
import { parseModelRef } from '../store/model-ref.js';
import { commandContext, withHome } from './context.js';
import { table } from './output.js';

interface MonitorOptions {
  readonly html?: string;
  readonly window?: string;
  readonly since?: string;
}

export function windowFromOptions(opts: MonitorOptions): MonitorWindow {
  if (opts.window !== undefined && opts.since !== undefined) throw new KilnError('INVALID_WINDOW', { reason: 'give either --window or --since, not both' });
  if (opts.since !== undefined) return { kind: 'time', sinceMs: parseDuration(opts.since) };
  if (opts.window !== undefined) {
    const last = Number(opts.window);
    if (!Number.isInteger(last) || last < 1) throw new KilnError('INVALID_WINDOW', { reason: `--window must be a positive whole number, got "${opts.window}"` });
    return { kind: 'count', last };
  }
  return DEFAULT_WINDOW;
}

const fixed = (v: number | undefined): string => (v === undefined ? '' : Number.isFinite(v) ? (Math.abs(v) < 1e-3 && v !== 0 ? v.toExponential(2) : v.toFixed(4)) : String(v));

export function registerMonitor(program: Command): void {
  program
    .command('monitor')
    .description("drift of a model's live inputs and outputs against its training data; latency and error rate")
    .argument('<ref>', 'NAME, NAME:VERSION or NAME@ALIAS')
    .option('--html <file>', 'write a self-contained HTML report (histograms, latency over time)')
    .option('--window <n>', 'the last N logged predictions (default 10000)')
    .option('--since <duration>', 'the predictions of the last DURATION, e.g. 30m, 24h, 7d')
    .action(async (ref: string, opts: MonitorOptions, cmd: Command) => {
      const ctx = commandContext(cmd);
      const window = windowFromOptions(opts);
      const report = await withHome(ctx, (home) => checkModel(home, parseModelRef(ref), { window }));
      if (opts.html !== undefined) writeFileSync(opts.html, renderMonitorHtml(report));
      ctx.out.result({ ...report, ...(opts.html === undefined ? {} : { html: opts.html }) }, () =>
        [
          `${report.model}:${report.version} — ${report.window}: ${report.rows} predictions`,
          report.verdict,
          table(
            ['column', 'drift', 'test', 'statistic', 'threshold', 'p-value', 'PSI'],
            report.drift.columns.map((c) => [c.column, c.drift ? 'YES' : 'no', c.test, fixed(c.statistic), String(c.threshold), fixed(c.p_value), fixed(c.psi)]),
          ),
          ...(report.prediction_drift === null
            ? []
            : ['prediction drift:', table(['output', 'drift', 'test', 'statistic', 'threshold'], report.prediction_drift.columns.map((c) => [c.column, c.drift ? 'YES' : 'no', c.test, fixed(c.statistic), String(c.threshold)]))]),
          `latency p50 ${fixed(report.latency_ms.p50)} ms · p95 ${fixed(report.latency_ms.p95)} ms · p99 ${fixed(report.latency_ms.p99)} ms · error rate ${report.error_rate === null ? 'not recorded' : `${(report.error_rate * 100).toFixed(2)}%`}`,
          ...(opts.html === undefined ? [] : [`report written to ${opts.html}`]),
        ].join('\n'),
      );
    });
}
