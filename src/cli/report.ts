/** `kiln report REF [--html FILE]`: a model version's report — verdict, metrics, charts, importances. */
import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { KilnError } from '../core/errors.js';
import { loadModule } from '../modules/load-module.js';
import { MODULE_ARTIFACTS } from '../modules/manifest.js';
import { renderReportHtml } from '../modules/report-html.js';
import type { ModelReport } from '../modules/tabular/model-report.js';
import { parseModelRef } from '../store/model-ref.js';
import { commandContext, withHome } from './context.js';

export function registerReport(program: Command): void {
  program
    .command('report')
    .description("a model version's report: verdict in plain words, held-out metrics, charts, what it relies on")
    .argument('<ref>', 'NAME, NAME:VERSION or NAME@ALIAS')
    .option('--html <file>', 'write a self-contained HTML page (opens offline)')
    .action(async (ref: string, opts: { html?: string }, cmd: Command) => {
      const ctx = commandContext(cmd);
      const page = await withHome(ctx, async ({ store, artifacts }) => {
        const version = await store.resolve(parseModelRef(ref));
        const digest = version.artifacts[MODULE_ARTIFACTS.report];
        if (digest === undefined) {
          throw new KilnError('MODEL_NOT_READY', { model: `${version.model}:${version.version}`, reason: 'it was registered without a report; retrain it' });
        }
        const { manifest } = await loadModule(version, artifacts);
        const report = JSON.parse((await artifacts.get(digest)).toString('utf8')) as ModelReport;
        return { model: version.model, version: version.version, manifest, report };
      });
      if (opts.html !== undefined) writeFileSync(opts.html, renderReportHtml(page));
      ctx.out.result({ model: page.model, version: page.version, metrics: page.manifest.metrics, ...page.report, ...(opts.html ? { html: opts.html } : {}) }, () =>
        [
          `${page.model}:${page.version} — ${page.report.baseline.sentence}`,
          ...page.report.diagnoses.map((d) => `${d.severity.toUpperCase()}: ${d.message}`),
          ...(opts.html ? [`report written to ${opts.html}`] : []),
        ].join('\n'),
      );
    });
}
