/**
 * The `kiln inspect --html` report: one self-contained page (inline CSS, inline SVG, no script, no
 * network) that a person who does not program can read — what the table holds, what is wrong with
 * it and what to do, then one card per column with its chart and numbers.
 */
import type { Finding } from '../profile/findings.js';
import type { InspectReport } from '../profile/inspect.js';
import type { ColumnProfile } from '../profile/profile-types.js';
import { barsSvg, escapeHtml, formatNumber, histogramSvg } from './svg-charts.js';

const TYPE_WORDS: Record<string, string> = {
  numeric: 'numbers',
  integer: 'whole numbers',
  boolean: 'yes / no',
  categorical: 'categories',
  datetime: 'dates and times',
  text: 'free text',
  identifier: 'identifier',
  constant: 'constant',
};

const STYLE = `
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;background:#f6f7f9;color:#1d232b}
main{max-width:1100px;margin:0 auto;padding:24px}
h1{font-size:24px;margin:0 0 4px}h2{font-size:19px;margin:32px 0 12px}h3{font-size:16px;margin:0 0 2px;word-break:break-all}
.sub{color:#5b6573}.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(340px,1fr));gap:14px}
.card{background:#fff;border:1px solid #dfe3e8;border-radius:8px;padding:14px}
.kpis{display:flex;flex-wrap:wrap;gap:12px;margin:16px 0}.kpi{background:#fff;border:1px solid #dfe3e8;border-radius:8px;padding:10px 16px;min-width:120px}
.kpi b{display:block;font-size:22px}.finding{background:#fff;border-left:5px solid #8a94a3;border-radius:6px;padding:10px 14px;margin:8px 0}
.finding.error{border-color:#c62828}.finding.warning{border-color:#e08a00}.finding.info{border-color:#1f6feb}
.sev{font-size:12px;font-weight:600;text-transform:uppercase;letter-spacing:.04em;margin-right:8px}
.error .sev{color:#c62828}.warning .sev{color:#a86400}.info .sev{color:#1f6feb}.fix{color:#37414d;margin-top:4px}
table.stats{border-collapse:collapse;width:100%;font-size:13px;margin-top:8px}table.stats td{padding:2px 4px;border-bottom:1px solid #eef0f3}
table.stats td:last-child{text-align:right;font-variant-numeric:tabular-nums}.tag{display:inline-block;background:#eef2f7;border-radius:10px;padding:0 8px;font-size:12px;color:#37414d}
.tag.target{background:#fff3cd}svg{display:block;margin-top:8px;max-width:100%;height:auto}.bar{fill:#4a7fd4}.bar.bad{fill:#e08a00}.axis{stroke:#8a94a3}
.tick,.label,.note{font-size:11px;fill:#37414d}.ok{color:#2e7d32}
`;

export function renderHtmlReport(r: InspectReport): string {
  const targetName = r.target?.name;
  const body = [
    `<h1>Data report: ${escapeHtml(r.source)}</h1>`,
    `<div class="sub">Made by <code>kiln inspect</code>. Fingerprint (sha256) ${escapeHtml(r.digest.slice(0, 16))}…</div>`,
    kpis(r),
    '<h2>What to look at</h2>',
    r.findings.length === 0 ? '<p class="ok">No problems found.</p>' : r.findings.map(findingHtml).join(''),
    targetSection(r),
    missingSection(r),
    '<h2>Columns</h2>',
    `<div class="cards">${r.columns.map((c) => columnCard(c, c.name === targetName)).join('')}</div>`,
  ].join('\n');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">` +
    `<title>Data report: ${escapeHtml(r.source)}</title><style>${STYLE}</style></head><body><main>${body}</main></body></html>\n`;
}

function kpis(r: InspectReport): string {
  const errors = r.findings.filter((f) => f.severity === 'error').length;
  const warnings = r.findings.filter((f) => f.severity === 'warning').length;
  const items: [string, string][] = [
    ['rows', r.rows.toLocaleString('en-US')],
    ['columns', String(r.columns.length)],
    ['duplicate rows', r.duplicateRows.toLocaleString('en-US')],
    ['problems', `${errors} serious, ${warnings} to check`],
  ];
  if (r.skippedRows > 0) items.push(['malformed rows skipped', r.skippedRows.toLocaleString('en-US')]);
  return `<div class="kpis">${items.map(([k, v]) => `<div class="kpi"><b>${escapeHtml(v)}</b>${escapeHtml(k)}</div>`).join('')}</div>`;
}

function findingHtml(f: Finding): string {
  return `<div class="finding ${f.severity}"><span class="sev">${f.severity === 'error' ? 'serious' : f.severity === 'warning' ? 'check' : 'note'}</span>` +
    `${escapeHtml(f.message)}<div class="fix"><b>What to do:</b> ${escapeHtml(f.fix)}</div></div>`;
}

function targetSection(r: InspectReport): string {
  const t = r.target;
  if (t === undefined) return '';
  if (t.task === 'regression') {
    return `<h2>Target: ${escapeHtml(t.name)}</h2><p>A number to predict (regression). Its distribution is in its column card below.</p>`;
  }
  const total = t.classes.reduce((s, c) => s + c.count, 0);
  const bars = t.classes.slice(0, 30).map((c) => ({ label: c.value, value: c.count, note: `${c.count.toLocaleString('en-US')} (${((c.count / Math.max(1, total)) * 100).toFixed(1)} %)` }));
  return `<h2>Target: ${escapeHtml(t.name)}</h2><p>${t.classes.length} classes to predict. Rows per class:</p>${barsSvg(bars, { width: 640 })}`;
}

function missingSection(r: InspectReport): string {
  const withGaps = r.columns.filter((c) => c.missing > 0).sort((a, b) => b.missingShare - a.missingShare);
  if (withGaps.length === 0) return '<h2>Missing values</h2><p class="ok">Every column is filled in every row.</p>';
  const bars = withGaps.slice(0, 60).map((c) => ({
    label: c.name,
    value: c.missingShare,
    note: `${(c.missingShare * 100).toFixed(1)} %`,
    ...(c.missingShare >= 0.05 ? { tone: 'bad' } : {}),
  }));
  return `<h2>Missing values</h2><p>Share of empty cells per column (columns with none are not shown).</p>${barsSvg(bars, { width: 640, max: 1 })}`;
}

function columnCard(c: ColumnProfile, isTarget: boolean): string {
  const rows: [string, string][] = [
    ['values present', `${c.count.toLocaleString('en-US')}`],
    ['missing', `${c.missing.toLocaleString('en-US')} (${(c.missingShare * 100).toFixed(1)} %)`],
    ['distinct values', `${c.distinctExact ? '' : 'about '}${c.distinct.toLocaleString('en-US')}`],
  ];
  const n = c.numeric;
  if (n !== undefined) {
    rows.push(
      ['smallest', formatNumber(n.min)],
      ['median (middle value)', formatNumber(n.quantiles.p50)],
      ['average', formatNumber(n.mean)],
      ['largest', formatNumber(n.max)],
      ['spread (standard deviation)', n.std === null ? '-' : formatNumber(n.std)],
      ['middle half lies between', `${formatNumber(n.quantiles.p25)} and ${formatNumber(n.quantiles.p75)}`],
      ['far-off values', n.outliers.toLocaleString('en-US')],
    );
  }
  if (c.datetime !== undefined) rows.push(['earliest', c.datetime.min], ['latest', c.datetime.max]);
  if (c.text !== undefined) rows.push(['length', `${c.text.minLength} to ${c.text.maxLength} characters`]);
  if (c.targetAssociation !== undefined) {
    const a = c.targetAssociation;
    rows.push(a.measure === 'accuracy'
      ? ['predicts the target alone', `${(a.value * 100).toFixed(1)} % right (guessing: ${((a.baseline ?? 0) * 100).toFixed(1)} %)`]
      : ['correlation with the target', a.value.toFixed(3)]);
  }
  const chart = c.histogram !== undefined && c.type !== 'identifier'
    ? histogramSvg(c.histogram)
    : c.topValues.length > 0 && c.type !== 'identifier' && c.type !== 'text'
      ? barsSvg(c.topValues.map((v) => ({ label: v.value, value: v.count, note: v.count.toLocaleString('en-US') })), { width: 320 })
      : '';
  return `<div class="card"><h3>${escapeHtml(c.name)}</h3><span class="tag">${escapeHtml(TYPE_WORDS[c.type] ?? c.type)}</span>` +
    `${isTarget ? ' <span class="tag target">target</span>' : ''}` +
    `<div class="sub">${escapeHtml(c.typeReason)}</div>${chart}` +
    `<table class="stats">${rows.map(([k, v]) => `<tr><td>${escapeHtml(k)}</td><td>${escapeHtml(v)}</td></tr>`).join('')}</table></div>`;
}
