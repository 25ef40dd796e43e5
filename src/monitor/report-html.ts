/**
 * The monitoring report as one self-contained HTML page (inline CSS and SVG, no scripts, no network):
 * the verdicts first, then the drift table, reference-against-current histograms per feature, prediction
 * drift, performance over time against training, latency and traffic over time, and recent alerts.
 */
import { escapeXml, lineChart, pairedHistogram, type Series } from '../evaluate/report/svg.js';
import type { MonitorReport } from './check-model.js';
import type { DatasetDrift } from './drift/detect-drift.js';
import type { PerformanceReport } from './performance.js';

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

/** Metric tables and the metrics-over-time chart, each metric beside its training value (dashed). */
function performanceSection(p: PerformanceReport): string[] {
  const head = [`<div class="verdict${p.degraded ? ' critical' : ''}">${escapeXml(p.verdict)}</div>`];
  if (p.metrics.length === 0) return head;
  const rows = p.metrics
    .map((m) => `<tr class="${m.degraded ? 'drift' : ''}"><td>${m.name}</td><td class="num">${num(m.current ?? undefined)}</td><td class="num">${num(m.training ?? undefined)}</td><td class="num">${num(m.change ?? undefined)}</td><td>${m.degraded ? '<strong>yes</strong>' : 'no'}</td></tr>`)
    .join('');
  const table = `<table><tr><th>metric</th><th>live</th><th>training (test set)</th><th>change</th><th>degraded</th></tr>${rows}</table>`;
  const points = p.over_time;
  const t0 = points[0]?.start ?? 0;
  const charts = p.metrics.flatMap((m) => {
    const kept = points.filter((pt) => typeof pt.metrics[m.name] === 'number');
    if (kept.length < 2) return [];
    const x = kept.map((pt) => (pt.end - t0) / 60_000);
    const series: Series[] = [{ name: `live ${m.name}`, x, y: kept.map((pt) => pt.metrics[m.name] as number) }];
    if (m.training !== null) series.push({ name: 'training', x: [x[0] as number, x.at(-1) as number], y: [m.training, m.training], dashed: true });
    return [lineChart(`${m.name} over time (dashed: at training)`, series, { x: 'minutes since the first labelled prediction', y: m.name })];
  });
  return [
    ...head,
    table,
    charts.length === 0 ? '<p>Too few labelled predictions to draw performance over time.</p>' : `<div class="charts">${charts.join('')}</div>`,
  ];
}

function trafficSection(report: MonitorReport): string {
  const hours = report.traffic_per_hour;
  if (hours.length < 2) return `<p>${hours[0]?.predictions ?? 0} predictions, all within one hour.</p>`;
  const x = hours.map((h) => (h.start - (hours[0]?.start ?? 0)) / 3_600_000);
  return `<div class="charts">${lineChart(
    'Traffic per hour',
    [
      { name: 'predictions', x, y: hours.map((h) => h.predictions) },
      { name: 'failed', x, y: hours.map((h) => h.errors) },
    ],
    { x: 'hours since the window started', y: 'predictions per hour' },
  )}</div>`;
}

function alertsSection(report: MonitorReport): string {
  if (report.alerts.length === 0) return '<p>No alerts fired.</p>';
  const rows = report.alerts.map((a) => `<tr><td>${escapeXml(a.at)}</td><td>${escapeXml(a.metric)}</td><td class="num">${num(a.value ?? undefined)}</td><td>${escapeXml(a.message)}</td></tr>`).join('');
  return `<table><tr><th>at</th><th>metric</th><th>value</th><th>message</th></tr>${rows}</table>`;
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
    '<h2>Performance</h2>',
    ...performanceSection(report.performance),
    '<h2>Latency</h2>',
    `<table><tr><th>p50</th><th>p95</th><th>p99</th><th>error rate</th></tr><tr><td class="num">${num(report.latency_ms.p50)} ms</td><td class="num">${num(report.latency_ms.p95)} ms</td><td class="num">${num(report.latency_ms.p99)} ms</td><td>${report.error_rate === null ? 'n/a' : `${(report.error_rate * 100).toFixed(2)}% (${report.failed} of ${report.rows} failed)`}</td></tr></table>`,
    latency.length < 2
      ? '<p>Too few distinct times in the window to draw latency over time.</p>'
      : `<div class="charts">${lineChart(
          'Latency over time',
          (['p50', 'p95', 'p99'] as const).map((q) => ({ name: q, x: latency.map((b) => (b.start - (latency[0]?.start ?? 0)) / 60_000), y: latency.map((b) => b[q]) })),
          { x: 'minutes since the window started', y: 'latency (ms)' },
        )}</div>`,
    '<h2>Traffic</h2>',
    trafficSection(report),
    '<h2>Alerts</h2>',
    alertsSection(report),
  ];
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeXml(title)}</title><style>${STYLE}</style></head><body><main>${sections.join('\n')}</main></body></html>\n`;
}
