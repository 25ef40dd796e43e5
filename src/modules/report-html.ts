/**
 * The model report as one self-contained HTML page (inline CSS and SVG, no scripts, no network):
 * the verdict in plain words first, then the numbers and the charts for those who want them.
 */
import { barChart, escapeXml, heatmap, lineChart, type Series } from '../evaluate/report/svg.js';
import type { ModuleManifest } from './manifest.js';
import type { ModelReport } from './tabular/model-report.js';

export interface ReportPage {
  readonly model: string;
  readonly version: number;
  readonly manifest: ModuleManifest;
  readonly report: ModelReport;
}

export const REPORT_STYLE = `
  body { font: 15px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; color: #212529; margin: 0 auto; max-width: 960px; padding: 24px; }
  h1 { font-size: 1.6em; margin-bottom: 0; } h2 { font-size: 1.2em; margin-top: 2em; border-bottom: 1px solid #dee2e6; }
  .sub { color: #495057; margin-top: 4px; }
  .verdict { background: #f1f3f5; border-left: 4px solid #1f6feb; padding: 12px 16px; margin: 16px 0; }
  .warning { border-left-color: #f08c00; } .critical { border-left-color: #e03131; }
  table { border-collapse: collapse; margin: 8px 0; } td, th { padding: 4px 12px; border-bottom: 1px solid #e9ecef; text-align: left; }
  td.num { text-align: right; font-variant-numeric: tabular-nums; }
  .charts { display: flex; flex-wrap: wrap; gap: 16px; }
  figure { margin: 0; } figcaption { color: #495057; font-size: 0.9em; }
  svg text { font: 11px system-ui, sans-serif; fill: #343a40; } svg .axis { font-weight: 600; } svg .grid { stroke: #e9ecef; }
`;

export function renderReportHtml(page: ReportPage): string {
  const { manifest, report } = page;
  const title = `${page.model}:${page.version} — ${manifest.task} model of "${manifest.target}"`;
  const test = Object.entries(manifest.metrics).filter(([k]) => k.startsWith('test.'));
  const train = manifest.metrics;
  const sections = [
    `<h1>${escapeXml(title)}</h1>`,
    `<p class="sub">${escapeXml(manifest.learner)} · trained ${escapeXml(manifest.trainedAt)} on ${manifest.dataset.rows} rows of ${escapeXml(manifest.dataset.source)} · seed ${manifest.seed}</p>`,
    `<div class="verdict">${escapeXml(report.baseline.sentence)}</div>`,
    ...report.diagnoses.map(
      (d) => `<div class="verdict ${d.severity}"><strong>${escapeXml(d.code)}</strong>: ${escapeXml(d.message)}<ul>${d.nextSteps.map((s) => `<li>${escapeXml(s)}</li>`).join('')}</ul></div>`,
    ),
    report.diagnoses.length === 0 ? `<div class="verdict">No warning signs: no overfitting, divergence or leakage was detected.</div>` : '',
    '<h2>Scores on rows the model never saw</h2>',
    `<table><tr><th>metric</th><th>held-out test</th><th>training</th></tr>${test
      .map(([k, v]) => `<tr><td>${escapeXml(k.slice(5))}</td><td class="num">${v.toFixed(4)}</td><td class="num">${(train[`train.${k.slice(5)}`] ?? Number.NaN).toFixed(4)}</td></tr>`)
      .join('')}</table>`,
    '<h2>Charts</h2>',
    `<div class="charts">${charts(report).join('')}</div>`,
    '<h2>What the model relies on</h2>',
    `<p>How much the held-out ${escapeXml(report.scoreMetric)} drops when a column is shuffled (higher = more important).</p>`,
    `<div class="charts">${barChart('Column importance (permutation)', report.importances.map((c) => ({ label: c.column, value: c.importance })))}</div>`,
    '<h2>Robustness</h2>',
    `<table><tr><th>when</th><th>${escapeXml(report.scoreMetric)}</th><th>change</th></tr>${report.robustness
      .map((r) => `<tr><td>${escapeXml(r.description)}</td><td class="num">${r.score.toFixed(4)}</td><td class="num">${r.change >= 0 ? '+' : ''}${r.change.toFixed(4)}</td></tr>`)
      .join('')}</table>`,
    '<h2>Inputs</h2>',
    `<table><tr><th>column</th><th>kind</th><th>datatype</th></tr>${manifest.signature.inputs
      .map((i) => `<tr><td>${escapeXml(i.name)}</td><td>${i.kind}</td><td>${i.datatype}</td></tr>`)
      .join('')}</table>`,
  ];
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeXml(title)}</title><style>${REPORT_STYLE}</style></head><body><main>${sections.join('\n')}</main></body></html>\n`;
}

function charts(report: ModelReport): string[] {
  const out: string[] = [];
  const c = report.charts;
  if (c.roc) {
    out.push(lineChart('ROC curve', [{ name: 'model', x: c.roc.x, y: c.roc.y }, { name: 'chance', x: [0, 1], y: [0, 1], dashed: true }], {
      x: 'false positive rate', y: 'true positive rate', xRange: [0, 1], yRange: [0, 1],
    }));
  }
  if (c.pr) out.push(lineChart('Precision–recall curve', [{ name: 'model', x: c.pr.x, y: c.pr.y }], { x: 'recall', y: 'precision', xRange: [0, 1], yRange: [0, 1] }));
  if (c.calibration) {
    out.push(lineChart('Calibration', [
      { name: 'model', x: c.calibration.meanPredicted, y: c.calibration.fractionPositive },
      { name: 'perfect', x: [0, 1], y: [0, 1], dashed: true },
    ], { x: 'predicted probability', y: 'observed frequency', xRange: [0, 1], yRange: [0, 1] }));
  }
  if (c.confusion) out.push(heatmap('Confusion matrix (held-out rows)', c.confusion.labels, c.confusion.counts, { rows: 'actual', cols: 'predicted' }));
  if (c.predictedVsActual) {
    const { actual, predicted } = c.predictedVsActual;
    const lo = Math.min(...actual, ...predicted);
    const hi = Math.max(...actual, ...predicted);
    const order = actual.map((_, i) => i).sort((a, b) => (actual[a] as number) - (actual[b] as number));
    out.push(lineChart('Predicted against actual (sorted by actual)', [
      { name: 'prediction', x: order.map((i) => actual[i] as number), y: order.map((i) => predicted[i] as number) },
      { name: 'perfect', x: [lo, hi], y: [lo, hi], dashed: true },
    ], { x: 'actual', y: 'predicted' }));
  }
  const curve = report.learningCurve;
  if (curve.length > 1) {
    const series: Series[] = [{ name: 'training loss', x: curve.map((p) => p.iteration), y: curve.map((p) => p.trainLoss) }];
    const val = curve.filter((p) => p.validationLoss !== undefined);
    if (val.length > 1) series.push({ name: 'validation loss', x: val.map((p) => p.iteration), y: val.map((p) => p.validationLoss as number) });
    out.push(lineChart('Learning curve', series, { x: 'iteration', y: 'loss' }));
  }
  return out;
}
