/**
 * The model report as one self-contained HTML page (inline CSS and SVG, no scripts, no network):
 * the verdict in plain words first, then the numbers and the charts for those who want them.
 */
import { barChart, escapeXml, heatmap, lineChart, type Series } from '../evaluate/report/svg.js';
import type { ModuleManifest } from './manifest.js';
import type { ThresholdAdvice } from '../evaluate/business/price-thresholds.js';
import type { ModelReport } from './tabular/model-report.js';
import { describeAugmentation } from '../features/augment-rows.js';

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

/** A module's report: the tabular shape, or any other module's plain-language report. */
export interface ModulePage {
  readonly model: string;
  readonly version: number;
  readonly manifest: ModuleManifest;
  readonly report: Record<string, unknown>;
}

/** Whether a report has the tabular shape (charts, importances, robustness). */
export function isTabularReport(report: unknown): report is ModelReport {
  const r = report as Partial<ModelReport> | null;
  return r !== null && typeof r === 'object' && r.charts !== undefined && Array.isArray(r.importances) && r.baseline !== undefined;
}

/** The plain sentences a report leads with, whatever module wrote it. */
export function reportSentences(report: Record<string, unknown>): string[] {
  const lines: string[] = [];
  const baseline = report['baseline'] as { sentence?: unknown } | undefined;
  if (typeof baseline?.sentence === 'string') lines.push(baseline.sentence);
  for (const key of ['sentences', 'summary']) {
    const v = report[key];
    // a summary may repeat the baseline's sentence behind a lead-in ("On the held-out texts: …"): say it once
    if (Array.isArray(v)) for (const line of v) if (typeof line === 'string' && line.trim() !== '' && !lines.some((l) => line.endsWith(l))) lines.push(line);
  }
  const diagnoses = report['diagnoses'];
  if (Array.isArray(diagnoses)) {
    for (const d of diagnoses as { severity?: string; message?: string }[]) if (typeof d.message === 'string') lines.push(`${(d.severity ?? 'info').toUpperCase()}: ${d.message}`);
  }
  return lines;
}

/** Renders any module's report: the full tabular page, or the sentences, metrics and details of others. */
export function renderModuleReportHtml(page: ModulePage, advice?: ThresholdAdvice): string {
  if (isTabularReport(page.report)) return renderReportHtml({ ...page, report: page.report }, advice);
  const { manifest, report } = page;
  const title = `${page.model}:${page.version} — ${manifest.task} module${manifest.target ? ` of "${manifest.target}"` : ''}`;
  const test = Object.entries(manifest.metrics).filter(([k]) => k.startsWith('test.'));
  const details = Object.entries(report).filter(([k, v]) => !['baseline', 'diagnoses', 'sentences', 'summary', 'task'].includes(k) && v !== null && v !== undefined);
  const sections = [
    `<h1>${escapeXml(title)}</h1>`,
    `<p class="sub">${escapeXml(manifest.learner)} · trained ${escapeXml(manifest.trainedAt)} on ${manifest.dataset.rows} rows of ${escapeXml(manifest.dataset.source)} · seed ${manifest.seed}</p>`,
    ...reportSentences(report).map((line) => `<div class="verdict">${escapeXml(line)}</div>`),
    test.length === 0 ? '' : '<h2>Scores on rows the model never saw</h2>',
    test.length === 0
      ? ''
      : `<table><tr><th>metric</th><th>held-out test</th><th>training</th></tr>${test
          .map(([k, v]) => `<tr><td>${escapeXml(k.slice(5))}</td><td class="num">${v.toFixed(4)}</td><td class="num">${(manifest.metrics[`train.${k.slice(5)}`] ?? Number.NaN).toFixed(4)}</td></tr>`)
          .join('')}</table>`,
    ...details.map(([k, v]) => `<h2>${escapeXml(k)}</h2>${detailHtml(v)}`),
    '<h2>Inputs and outputs</h2>',
    `<table><tr><th>tensor</th><th>datatype</th><th>shape</th></tr>${[...manifest.signature.inputs, ...manifest.signature.outputs]
      .map((t) => `<tr><td>${escapeXml(t.name)}</td><td>${t.datatype}</td><td>[${t.shape.join(', ')}]</td></tr>`)
      .join('')}</table>`,
  ];
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeXml(title)}</title><style>${REPORT_STYLE}</style></head><body><main>${sections.join('\n')}</main></body></html>\n`;
}

/** A report value as HTML: a table for a list of flat records, a list for strings, else formatted JSON. */
function detailHtml(value: unknown): string {
  const cell = (v: unknown) => (typeof v === 'number' ? `<td class="num">${Number.isInteger(v) ? v : v.toFixed(4)}</td>` : `<td>${escapeXml(typeof v === 'string' ? v : JSON.stringify(v))}</td>`);
  if (Array.isArray(value) && value.length > 0 && value.every((v) => typeof v === 'string')) return `<ul>${value.map((v) => `<li>${escapeXml(v as string)}</li>`).join('')}</ul>`;
  if (Array.isArray(value) && value.length > 0 && value.every((v) => v !== null && typeof v === 'object' && !Array.isArray(v))) {
    const keys = [...new Set(value.flatMap((v) => Object.keys(v as object)))];
    return `<table><tr>${keys.map((k) => `<th>${escapeXml(k)}</th>`).join('')}</tr>${value
      .slice(0, 100)
      .map((row) => `<tr>${keys.map((k) => cell((row as Record<string, unknown>)[k])).join('')}</tr>`)
      .join('')}</table>`;
  }
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return `<p>${escapeXml(String(value))}</p>`;
  return `<pre>${escapeXml(JSON.stringify(value, null, 2))}</pre>`;
}

export function renderReportHtml(page: ReportPage, advice?: ThresholdAdvice): string {
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
    ...(advice === undefined ? [] : thresholdSection(advice)),
    '<h2>Robustness</h2>',
    manifest.augment === undefined
      ? ''
      : `<p>Also fitted on ${escapeXml(describeAugmentation(manifest.augment))}.</p>`,
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

/** Where to draw the line for the payoffs given: the value per 1,000 cases at each cut-off, and a few rows of counts. */
function thresholdSection(advice: ThresholdAdvice): string[] {
  const shown = advice.rows.filter((r) => Math.round(r.threshold * 100) % 10 === 0 || r === advice.best);
  return [
    '<h2>Where to draw the line</h2>',
    `<div class="verdict">${escapeXml(advice.sentence)}</div>`,
    `<div class="charts">${lineChart('Value per 1,000 cases by cut-off', [{ name: 'value', x: advice.rows.map((r) => r.threshold), y: advice.rows.map((r) => r.valuePer1000) }], {
      x: 'cut-off on the probability',
      y: 'value per 1,000 cases',
      xRange: [0, 1],
    })}</div>`,
    `<table><tr><th>cut-off</th><th>true positives</th><th>false positives</th><th>false negatives</th><th>true negatives</th><th>value per 1,000</th></tr>${shown
      .map(
        (r) =>
          `<tr${r === advice.best ? ' style="font-weight:600"' : ''}><td class="num">${r.threshold.toFixed(2)}</td><td class="num">${r.truePositives}</td><td class="num">${r.falsePositives}</td><td class="num">${r.falseNegatives}</td><td class="num">${r.trueNegatives}</td><td class="num">${r.valuePer1000.toFixed(1)}</td></tr>`,
      )
      .join('')}</table>`,
  ];
}
