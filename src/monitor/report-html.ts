/**
 * The monitoring report as one self-contained HTML page (inline CSS and SVG, no scripts, no network):
 * the verdict first, then the drift table, reference-against-current histograms per feature, prediction
 * drift and latency over time.
 */
import { escapeXml, lineChart, pairedHistogram } from '../evaluate/report/svg.js';
import type { MonitorReport } from './check-model.js';
import type { DatasetDrift } from './drift/detect-drift.js';

const STYLE = `
  body { font: 15px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; color: #212529; margin: 0 auto; max-width: 960px; padding: 24px; }
  h1 { font-size: 1.6em; margin-bottom: 0; } h2 { font-size: 1.2em; margin-top: 2em; border-bottom: 1px solid #dee2e6; }
  .sub { color: #495057; margin-top: 4px; }
  .verdict { background: #f1f3f5; border-left: 4px solid #1f6feb; padding: 12px 16px; margin: 16px 0; } .critical { border-left-color: #e03131; }
  table { border-collapse: collapse; margin: 8px 0; } td, th { padding: 4px 12px; border-bottom: 1px solid #e9ecef; text-align: left; }
  td.num { text-align: right; font-variant-numeric: tabular-nums; } tr.drift td { background: #fff5f5; }
  .charts { display: flex; flex-wrap: wrap; gap: 16px; } figure { margin: 0; } figcaption { color: #495057; font-size: 0.9em; }
  svg text { font: 11px system-ui, sans-serif; fill: #343a40; } svg .axis { font-weight: 600; } svg .grid { stroke: #e9ecef; }
`;

const num = (v: number | undefined): string => (v === undefined ? '' : !Number.isFinite(v) ? String(v) : Math.abs(v) < 1e-3 && v !== 0 ? v.toExponential(2) : v.toFixed(4));

function driftTable(drift: DatasetDrift): string {
  const rows = drift.columns
    .map(
      (c) =>
        `<tr class="${c.drift ? 'drift' : ''}"><td>${escapeXml(c.column)}</td><td>${c.drift ? '<strong>yes</strong>' : 'no'}</td><td>${escapeXml(c.test)}</td><td class="num">${num(c.statistic)}</td><td class="num">${num(c.p_value)}</td><td class="num">${c.threshold}</td><td class="num">${num(c.psi)}</td></tr>`,
    )
    .join('');
  return `<table><tr><th>column</th><th>drift</th><th>test</th><th>statistic</th><th>p-value</th><th>threshold</th><th>PSI</th></tr>${rows}</table>`;
}

export function renderMonitorHtml(report: MonitorReport): string {
  const title = `${report.model}:${report.version} — monitoring`;
  const latency = report.latency_over_time;
  const sections = [
    `<h1>${escapeXml(title)}</h1>`,
    `<p class="sub">${escapeXml(report.window)}: ${report.rows} predictions against ${report.reference_rows} training rows</p>`,
    `<div class="verdict${report.drift.dataset_drift ? ' critical' : ''}">${escapeXml(report.verdict)}</div>`,
    '<h2>Feature drift</h2>',
    driftTable(report.drift),
    '<h2>Reference against current</h2>',
    `<div class="charts">${report.histograms
      .map((h) => pairedHistogram(`${h.column}: share of rows`, h.labels, { name: 'reference (training)', values: h.reference }, { name: 'current', values: h.current }))
      .join('')}</div>`,
    ...(report.prediction_drift === null ? [] : ['<h2>Prediction drift</h2>', driftTable(report.prediction_drift)]),
    '<h2>Latency</h2>',
    `<table><tr><th>p50</th><th>p95</th><th>p99</th><th>error rate</th></tr><tr><td class="num">${num(report.latency_ms.p50)} ms</td><td class="num">${num(report.latency_ms.p95)} ms</td><td class="num">${num(report.latency_ms.p99)} ms</td><td>${report.error_rate === null ? 'not recorded' : `${(report.error_rate * 100).toFixed(2)}%`}</td></tr></table>`,
    latency.length < 2
      ? '<p>Too few distinct times in the window to draw latency over time.</p>'
      : `<div class="charts">${lineChart(
          'Latency over time',
          (['p50', 'p95', 'p99'] as const).map((q) => ({ name: q, x: latency.map((b) => (b.start - (latency[0]?.start ?? 0)) / 60_000), y: latency.map((b) => b[q]) })),
          { x: 'minutes since the window started', y: 'latency (ms)' },
        )}</div>`,
  ];
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeXml(title)}</title><style>${STYLE}</style></head><body><main>${sections.join('\n')}</main></body></html>\n`;
}
