/**
 * Small, dependency-free SVG charts for reports that must open offline: lines (ROC, PR, calibration,
 * learning curves), horizontal bars (importances) and a heat map (confusion matrix). Every chart has
 * a title and text labels, so it is readable without colour and by a screen reader.
 */
export interface Series {
  readonly name: string;
  readonly x: readonly number[];
  readonly y: readonly number[];
  /** A dashed reference line (e.g. the diagonal of a ROC chart). */
  readonly dashed?: boolean;
}

const W = 420;
const H = 300;
const PAD = { left: 52, right: 16, top: 30, bottom: 44 };
const COLOURS = ['#1f6feb', '#d9480f', '#2b8a3e', '#862e9c', '#495057'];

export const escapeXml = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/**
 * A number as a chart label: two decimals from 1 up, two significant digits below 1 (0.0048, not
 * 4.8e-3 — the people reading a report are not all engineers), scientific only where plain digits
 * would run long.
 */
export const formatLabel = (v: number): string => {
  const size = Math.abs(v);
  if (size >= 1e6 || (size < 1e-4 && v !== 0)) return v.toExponential(1);
  return String(Number(size >= 1 ? v.toFixed(2) : v.toPrecision(2)));
};
const fmt = formatLabel;

/**
 * Grid positions at round values (steps of 1, 2, 2.5 or 5 times a power of ten, about five of them)
 * within [a, b]: an axis of iterations 1–26 reads 5, 10, 15, 20, 25 rather than 7.25, 13.5, 19.75.
 */
export function niceTicks(a: number, b: number): number[] {
  if (!(b > a) || !Number.isFinite(a) || !Number.isFinite(b)) return [a];
  const power = 10 ** Math.floor(Math.log10((b - a) / 4));
  const count = (step: number) => Math.floor(b / step + 1e-9) - Math.ceil(a / step - 1e-9) + 1;
  // the round step whose grid has closest to five lines; on a tie, the finer grid
  let step = power;
  for (const m of [2, 2.5, 5, 10]) if (Math.abs(count(m * power) - 5) < Math.abs(count(step) - 5)) step = m * power;
  const ticks: number[] = [];
  for (let i = Math.ceil(a / step - 1e-9); i * step <= b + step * 1e-9; i++) ticks.push(Number((i * step).toPrecision(12)));
  return ticks;
}

export function lineChart(title: string, series: readonly Series[], axes: { x: string; y: string; xRange?: [number, number]; yRange?: [number, number] }): string {
  const xs = series.flatMap((s) => s.x).filter(Number.isFinite);
  const ys = series.flatMap((s) => s.y).filter(Number.isFinite);
  const [x0, x1] = axes.xRange ?? [Math.min(...xs), Math.max(...xs)];
  const [y0, y1] = axes.yRange ?? [Math.min(...ys), Math.max(...ys)];
  const sx = (v: number) => PAD.left + ((v - x0) / (x1 - x0 || 1)) * (W - PAD.left - PAD.right);
  const sy = (v: number) => H - PAD.bottom - ((v - y0) / (y1 - y0 || 1)) * (H - PAD.top - PAD.bottom);
  const grid = [
    ...niceTicks(x0, x1).map((t) => `<line x1="${sx(t)}" x2="${sx(t)}" y1="${PAD.top}" y2="${H - PAD.bottom}" class="grid"/><text x="${sx(t)}" y="${H - PAD.bottom + 16}" text-anchor="middle">${fmt(t)}</text>`),
    ...niceTicks(y0, y1).map((t) => `<line x1="${PAD.left}" x2="${W - PAD.right}" y1="${sy(t)}" y2="${sy(t)}" class="grid"/><text x="${PAD.left - 6}" y="${sy(t) + 4}" text-anchor="end">${fmt(t)}</text>`),
  ].join('');
  const paths = series
    .map((s, k) => {
      const d = s.x.map((x, i) => `${i === 0 ? 'M' : 'L'}${sx(x).toFixed(1)},${sy(s.y[i] as number).toFixed(1)}`).join('');
      return `<path d="${d}" fill="none" stroke="${s.dashed ? '#868e96' : COLOURS[k % COLOURS.length]}" stroke-width="2"${s.dashed ? ' stroke-dasharray="5 4"' : ''}/>`;
    })
    .join('');
  const legend = series
    .filter((s) => !s.dashed)
    .map((s, k) => `<text x="${PAD.left + 8 + k * 130}" y="${PAD.top - 10}" fill="${COLOURS[k % COLOURS.length]}">■ ${escapeXml(s.name)}</text>`)
    .join('');
  return svg(title, `${grid}${paths}${legend}
    <text x="${(PAD.left + W - PAD.right) / 2}" y="${H - 8}" text-anchor="middle" class="axis">${escapeXml(axes.x)}</text>
    <text x="14" y="${(PAD.top + H - PAD.bottom) / 2}" text-anchor="middle" class="axis" transform="rotate(-90 14 ${(PAD.top + H - PAD.bottom) / 2})">${escapeXml(axes.y)}</text>`);
}

export function barChart(title: string, bars: readonly { label: string; value: number }[]): string {
  const height = Math.max(120, 28 + bars.length * 24);
  const max = Math.max(1e-12, ...bars.map((b) => Math.abs(b.value)));
  const labelW = 140;
  const body = bars
    .map((b, i) => {
      const w = (Math.max(0, b.value) / max) * (W - labelW - 70);
      const y = 24 + i * 24;
      return `<text x="${labelW - 6}" y="${y + 14}" text-anchor="end">${escapeXml(b.label)}</text><rect x="${labelW}" y="${y}" width="${w.toFixed(1)}" height="18" fill="${COLOURS[0]}"/><text x="${labelW + w + 6}" y="${y + 14}">${fmt(b.value)}</text>`;
    })
    .join('');
  return svg(title, body, height);
}

export function heatmap(title: string, labels: readonly string[], counts: readonly (readonly number[])[], axes: { rows: string; cols: string }): string {
  const k = labels.length;
  const cell = Math.min(60, Math.floor(220 / Math.max(1, k)));
  const left = 120;
  const top = 46;
  const max = Math.max(1, ...counts.flat());
  let body = '';
  for (let r = 0; r < k; r++) {
    body += `<text x="${left - 6}" y="${top + r * cell + cell / 2 + 4}" text-anchor="end">${escapeXml(labels[r] as string)}</text>`;
    for (let c = 0; c < k; c++) {
      const v = counts[r]?.[c] ?? 0;
      const shade = Math.round(245 - (v / max) * 180);
      body += `<rect x="${left + c * cell}" y="${top + r * cell}" width="${cell}" height="${cell}" fill="rgb(${shade},${shade + 5 > 255 ? 255 : shade + 5},255)" stroke="#fff"/>`;
      // light text on dark cells, so every count stays readable
      body += `<text x="${left + c * cell + cell / 2}" y="${top + r * cell + cell / 2 + 4}" text-anchor="middle"${shade < 150 ? ' style="fill:#fff"' : ''}>${v}</text>`;
    }
  }
  for (let c = 0; c < k; c++) body += `<text x="${left + c * cell + cell / 2}" y="${top - 6}" text-anchor="middle">${escapeXml(labels[c] as string)}</text>`;
  body += `<text x="${left + (k * cell) / 2}" y="${top - 24}" text-anchor="middle" class="axis">${escapeXml(axes.cols)}</text>`;
  body += `<text x="12" y="${top + (k * cell) / 2}" class="axis" transform="rotate(-90 12 ${top + (k * cell) / 2})" text-anchor="middle">${escapeXml(axes.rows)}</text>`;
  return svg(title, body, top + k * cell + 16);
}

function svg(title: string, body: string, height = H): string {
  return `<figure><svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${height}" width="${W}" height="${height}" role="img" aria-label="${escapeXml(title)}"><title>${escapeXml(title)}</title>${body}</svg><figcaption>${escapeXml(title)}</figcaption></figure>`;
}

/**
 * Two distributions over the same buckets as paired bars (e.g. reference against current shares of a
 * feature, for drift reports): one bar per side per bucket, the bucket labels below, values as shares.
 */
export function pairedHistogram(title: string, labels: readonly string[], first: { name: string; values: readonly number[] }, second: { name: string; values: readonly number[] }): string {
  const k = Math.max(1, labels.length);
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom - 20;
  const max = Math.max(1e-12, ...first.values, ...second.values);
  const slot = plotW / k;
  const barW = Math.max(1, slot / 2 - 1);
  const y = (v: number) => PAD.top + plotH - (v / max) * plotH;
  let body = '';
  for (const t of [0, max / 2, max]) {
    body += `<line x1="${PAD.left}" x2="${W - PAD.right}" y1="${y(t)}" y2="${y(t)}" class="grid"/><text x="${PAD.left - 6}" y="${y(t) + 4}" text-anchor="end">${fmt(t)}</text>`;
  }
  labels.forEach((label, i) => {
    const x = PAD.left + i * slot;
    for (const [s, side] of [[first, 0], [second, 1]] as const) {
      const v = s.values[i] ?? 0;
      body += `<rect x="${(x + side * barW + 1).toFixed(1)}" y="${y(v).toFixed(1)}" width="${barW.toFixed(1)}" height="${(PAD.top + plotH - y(v)).toFixed(1)}" fill="${COLOURS[side]}"><title>${escapeXml(`${s.name} ${label}: ${fmt(v)}`)}</title></rect>`;
    }
    const cx = x + slot / 2;
    const ly = PAD.top + plotH + 12;
    body += `<text x="${cx.toFixed(1)}" y="${ly}" text-anchor="end" font-size="9" transform="rotate(-35 ${cx.toFixed(1)} ${ly})">${escapeXml(label.length > 14 ? `${label.slice(0, 13)}…` : label)}</text>`;
  });
  body += `<text x="${PAD.left + 8}" y="${PAD.top - 10}" fill="${COLOURS[0]}">■ ${escapeXml(first.name)}</text><text x="${PAD.left + 138}" y="${PAD.top - 10}" fill="${COLOURS[1]}">■ ${escapeXml(second.name)}</text>`;
  return svg(title, body, H + 10);
}
