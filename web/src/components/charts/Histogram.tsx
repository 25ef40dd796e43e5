/**
 * Bars for a histogram (numeric bins) or a few category counts. With `compare`, each bin shows two bars
 * side by side — the reference (training) data and the current (live) data, as shares so that different
 * row counts compare fairly.
 */
import { formatNumber } from './scale.js';

export interface HistogramSeries {
  readonly label: string;
  readonly counts: readonly number[];
}

interface Props {
  /** Bin labels (category names or `lo–hi` ranges), one per count. */
  readonly bins: readonly string[];
  readonly series: readonly HistogramSeries[];
  /** What the chart shows, for screen readers and as a tooltip. */
  readonly title: string;
  readonly height?: number;
  /** Write the bin labels under the bars (for a few named categories). */
  readonly labelled?: boolean;
}

const WIDTH = 240;
const COLORS = ['var(--chart-1)', 'var(--chart-2)'];

export function Histogram({ bins, series, title, height = 70, labelled = false }: Props) {
  const shares = series.map((s) => {
    const total = s.counts.reduce((a, b) => a + b, 0) || 1;
    return s.counts.map((c) => c / total);
  });
  const top = Math.max(1e-9, ...shares.flat());
  const slot = WIDTH / Math.max(1, bins.length);
  const barWidth = Math.max(1, (slot - 1) / Math.max(1, series.length));
  return (
    <figure className="chart histogram">
      <svg viewBox={`0 0 ${WIDTH} ${height}`} role="img" aria-label={title} preserveAspectRatio="none">
        <title>{title}</title>
        {shares.map((values, s) =>
          values.map((v, i) => {
            const h = (v / top) * (height - 2);
            return (
              <rect key={`${s}-${i}`} x={i * slot + s * barWidth} y={height - h} width={barWidth} height={h} fill={COLORS[s % COLORS.length]}>
                <title>{`${bins[i] ?? ''}: ${formatNumber(series[s]?.counts[i] ?? 0)} (${(v * 100).toFixed(1)} %)`}</title>
              </rect>
            );
          }),
        )}
      </svg>
      {labelled && (
        <div className="bin-labels" aria-hidden="true">
          {bins.map((b, i) => (
            <span key={i} title={b}>
              {b === '' ? '(empty)' : b}
            </span>
          ))}
        </div>
      )}
      {series.length > 1 && (
        <figcaption className="legend">
          {series.map((s, i) => (
            <span key={s.label}>
              <span className="swatch" style={{ background: COLORS[i % COLORS.length] }} aria-hidden="true" /> {s.label}
            </span>
          ))}
        </figcaption>
      )}
    </figure>
  );
}
