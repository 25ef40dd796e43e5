/**
 * Small inline SVG charts for the HTML report: a histogram and horizontal bars. Hand-drawn so the
 * report needs no script, no library and no network to open.
 */
import type { Histogram } from '../profile/profile-types.js';

export function escapeHtml(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;').replaceAll("'", '&#39;');
}

export function formatNumber(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  const abs = Math.abs(x);
  if (abs !== 0 && (abs >= 1e6 || abs < 1e-3)) return x.toExponential(2);
  return Number(x.toPrecision(4)).toLocaleString('en-US');
}

/**
 * One bin per whole number (histogram-bins.ts's unit layout: edges min, min + 1, …, max + 1): each bar
 * is a value, not a range, so it is labelled by its value — Pclass reads 1, 2, 3, not "1 … 4".
 */
function isUnitLayout(edges: readonly number[]): boolean {
  return edges.length >= 2 && edges.every((e, k) => Number.isInteger(e) && (k === 0 || e - (edges[k - 1] as number) === 1));
}

/** Most value labels a unit histogram writes under its bars; beyond, the first and last value only. */
const MAX_VALUE_LABELS = 12;

/** Vertical bars over equal-width bins, with the range (or, for whole numbers, the values) under the axis. */
export function histogramSvg(h: Histogram, width = 320, height = 120): string {
  const max = Math.max(1, ...h.counts);
  const plotHeight = height - 22;
  const barWidth = width / Math.max(1, h.counts.length);
  const unit = isUnitLayout(h.edges);
  const bars = h.counts
    .map((n, k) => {
      const barHeight = (n / max) * plotHeight;
      const from = h.edges[k] ?? 0;
      const to = h.edges[k + 1] ?? from;
      const what = unit ? formatNumber(from) : `${formatNumber(from)} to ${formatNumber(to)}`;
      return `<rect x="${(k * barWidth + 0.5).toFixed(1)}" y="${(plotHeight - barHeight).toFixed(1)}" width="${Math.max(1, barWidth - 1).toFixed(1)}" height="${barHeight.toFixed(1)}" class="bar"><title>${escapeHtml(`${what}: ${n.toLocaleString('en-US')} rows`)}</title></rect>`;
    })
    .join('');
  const tick = (x: number, text: string, anchor: 'start' | 'middle' | 'end') =>
    `<text x="${x.toFixed(1)}" y="${height - 4}" class="tick"${anchor === 'start' ? '' : ` text-anchor="${anchor}"`}>${escapeHtml(text)}</text>`;
  let ticks: string;
  if (!unit) {
    ticks = tick(0, formatNumber(h.edges[0] ?? 0), 'start') + tick(width, formatNumber(h.edges[h.edges.length - 1] ?? 0), 'end');
  } else if (h.counts.length <= MAX_VALUE_LABELS) {
    ticks = h.counts.map((_, k) => tick((k + 0.5) * barWidth, formatNumber(h.edges[k] ?? 0), 'middle')).join('');
  } else {
    ticks = tick(0, formatNumber(h.edges[0] ?? 0), 'start') + tick(width, formatNumber(h.edges[h.counts.length - 1] ?? 0), 'end');
  }
  return `<svg viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="histogram">` +
    `${bars}<line x1="0" y1="${plotHeight + 0.5}" x2="${width}" y2="${plotHeight + 0.5}" class="axis"/>${ticks}</svg>`;
}

export interface Bar {
  readonly label: string;
  readonly value: number;
  /** Text shown at the bar's end (default: the value). */
  readonly note?: string;
  /** A CSS class for the bar (e.g. to colour bad values). */
  readonly tone?: string;
}

/** Horizontal bars, one per labelled value, scaled to `max` (default: the largest value). */
export function barsSvg(bars: readonly Bar[], options: { width?: number; max?: number } = {}): string {
  const width = options.width ?? 420;
  const rowHeight = 18;
  const labelWidth = Math.min(160, width * 0.4);
  const noteWidth = 90;
  const plotWidth = width - labelWidth - noteWidth;
  const max = options.max ?? Math.max(1e-12, ...bars.map((b) => b.value));
  const height = bars.length * rowHeight + 4;
  const rows = bars
    .map((b, k) => {
      const y = k * rowHeight + 2;
      const w = Math.max(b.value > 0 ? 1 : 0, (b.value / max) * plotWidth);
      const label = b.label.length > 24 ? b.label.slice(0, 23) + '…' : b.label;
      return `<text x="${labelWidth - 6}" y="${y + 13}" text-anchor="end" class="label"><title>${escapeHtml(b.label)}</title>${escapeHtml(label)}</text>` +
        `<rect x="${labelWidth}" y="${y + 2}" width="${w.toFixed(1)}" height="${rowHeight - 5}" class="bar ${b.tone ?? ''}"/>` +
        `<text x="${labelWidth + w + 4}" y="${y + 13}" class="note">${escapeHtml(b.note ?? formatNumber(b.value))}</text>`;
    })
    .join('');
  return `<svg viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img">${rows}</svg>`;
}
