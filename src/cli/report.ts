/** `kiln report REF [--html FILE]`: a model version's report — verdict, metrics, charts, importances. */
import type { Command } from 'commander';
import { KilnError } from '../core/errors.js';
import { loadModule } from '../modules/load-module.js';
import { describeAugmentation } from '../features/augment-rows.js';
import { MODULE_ARTIFACTS, type ModuleManifest } from '../modules/manifest.js';
import { isTabularReport, renderModuleReportHtml, reportSentences } from '../modules/report-html.js';
import { parseStoredReport } from '../modules/stored-report.js';
import { parseModelRef } from '../store/model-ref.js';
import { commandContext, withHome } from './context.js';
import { metricsTable } from './output.js';
import { parsePayoffs, priceThresholds, type ThresholdAdvice } from '../evaluate/business/price-thresholds.js';
import type { Payoffs } from '../evaluate/business/threshold.js';
import type { ModelReport, ThresholdCounts } from '../modules/tabular/model-report.js';
import { checkOutputFile, writeOutputFile } from './output-file.js';

export function registerReport(program: Command): void {
  program
    .command('report')
    .description("a model version's report: verdict in plain words, held-out metrics, charts, what it relies on")
    .argument('<ref>', 'NAME, NAME:VERSION or NAME@ALIAS')
    .option('--html <file>', 'write a self-contained HTML page (opens offline)')
    .option('--payoffs <values>', 'yes/no models: what each outcome is worth, e.g. tp=100,fp=-20,fn=-100,tn=0 — proposes the best cut-off')
    .action(async (ref: string, opts: { html?: string; payoffs?: string }, cmd: Command) => {
      const ctx = commandContext(cmd);
      if (opts.html !== undefined) checkOutputFile(opts.html);
      const page = await withHome(ctx, async ({ store, artifacts }) => {
        const version = await store.resolve(parseModelRef(ref));
        const digest = version.artifacts[MODULE_ARTIFACTS.report];
        if (digest === undefined) {
          throw new KilnError('MODEL_NOT_READY', { model: `${version.model}:${version.version}`, reason: 'it was registered without a report; retrain it' });
        }
        const { manifest } = await loadModule(version, artifacts);
        const report = parseStoredReport(manifest.task, (await artifacts.get(digest)).toString('utf8'));
        return { model: version.model, version: version.version, manifest, report };
      });
      const advice = opts.payoffs === undefined ? undefined : thresholdAdvice(page.report, parsePayoffs(opts.payoffs));
      if (opts.html !== undefined) writeOutputFile(opts.html, renderModuleReportHtml(page, advice));
      const adviceJson = advice === undefined ? {} : { threshold_advice: { best: advice.best, at_half: advice.atHalf, sentence: advice.sentence } };
      ctx.out.result({ model: page.model, version: page.version, metrics: page.manifest.metrics, ...page.report, ...adviceJson, ...(opts.html ? { html: opts.html } : {}) }, () =>
        [
          `${page.model}:${page.version} (${page.manifest.task})`,
          ...reportSentences(page.report),
          ...(isTabularReport(page.report) ? tabularDetails(page.report, page.manifest) : []),
          ...(advice === undefined ? [] : ['', advice.sentence]),
          '',
          opts.html ? `report written to ${opts.html}` : `${htmlContents(page.report)}: kiln report ${ref} --html report.html`,
        ].join('\n'),
      );
    });
}

/** What the HTML page adds to the terminal's text: charts for a table's model, the details for the others. */
function htmlContents(report: Record<string, unknown>): string {
  return isTabularReport(report) ? 'charts (ROC, PR, calibration, confusion, importances)' : 'the full report as a page';
}

/** The best cut-off for these payoffs, from the held-out counts a yes/no model's report keeps. */
function thresholdAdvice(report: Record<string, unknown>, payoffs: Payoffs): ThresholdAdvice {
  const stored = (report['charts'] as { thresholds?: { positiveClass: string; rows: readonly ThresholdCounts[] } } | undefined)?.thresholds;
  if (stored === undefined) {
    throw new KilnError('UNSUPPORTED_TASK', {
      task: 'choosing a cut-off for this model',
      available: 'yes/no (binary) models trained by this Kiln version, whose report keeps the held-out decision counts',
    });
  }
  return priceThresholds(stored.rows, payoffs, stored.positiveClass);
}

/** A table module's report in a terminal: scores, what it relies on, and how it holds up on messier rows. */
function tabularDetails(report: ModelReport, manifest: ModuleManifest): string[] {
  // the manifest keeps them flat ("test.roc_auc"), as the registry shows them
  const part = (prefix: string) =>
    Object.fromEntries(Object.entries(manifest.metrics).filter(([k]) => k.startsWith(prefix)).map(([k, v]) => [k.slice(prefix.length), v]));
  const top = report.importances.filter((c) => c.importance > 0).slice(0, 5);
  return [
    '',
    metricsTable({ train: part('train.'), test: part('test.') }, 'held-out test'),
    ...(top.length === 0 ? [] : ['', `relies most on: ${top.map((c) => `${c.column} (${c.importance.toFixed(3)})`).join(', ')}`]),
    '',
    `when the data gets messier (held-out ${report.scoreMetric}):`,
    ...report.robustness.map((r) => `  ${r.description}: ${r.score.toFixed(4)} (${r.change >= 0 ? '+' : ''}${r.change.toFixed(4)})`),
    ...(manifest.augment === undefined ? [] : [`  (also fitted on ${describeAugmentation(manifest.augment)})`]),
  ];
}
