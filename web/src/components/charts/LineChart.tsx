/**
 * Lines over a shared x axis with tick labels: learning curves (loss per iteration), the ROC curve,
 * latency or traffic over time. Each series is drawn as one polyline; `dashed` marks a reference line
 * (the ROC diagonal).
 */
import { extent, formatNumber, formatTime, linearScale, ticks, timeTicks } from './scale.js';
import { useWidth } from './use-width.js';

export interface LineSeries {
  readonly label: string;
  readonly points: readonly (readonly [number, number])[];
  readonly dashed?: boolean;
}

interface Props {
  readonly series: readonly LineSeries[];
  readonly title: string;
  readonly xLabel: string;
  readonly yLabel: string;
  /** Fixed axes (e.g. 0..1 for ROC); otherwise the data's extent. */
  readonly xDomain?: readonly [number, number];
  readonly yDomain?: readonly [number, number];
  readonly height?: number;
  readonly formatX?: (v: number) => string;
  /** The x values are times (epoch ms): ticks at round minutes, hours or days, labelled as times. */
  readonly timeAxis?: boolean;
  /** The y values are counts: only whole numbers get a tick ("0.2 predictions" means nothing). */
  readonly wholeY?: boolean;
  /** An x value to mark with a vertical line and its label (the threshold chosen with a slider). */
  readonly marker?: { readonly x: number; readonly label: string };
}

/** Drawn at the card's width (within these bounds), so the text keeps its size on a phone. */
const WIDTH_BOUNDS = { initial: 420, min: 260, max: 640 };
/** Right, top and bottom margins; the left one makes room for the widest y tick label. */
const MARGIN = { right: 12, top: 10, bottom: 34 };
/** The y axis title's band, and the width of a tick label's character at the stylesheet's 11 px. */
const Y_TITLE = 18;
const CHAR_PX = 6.6;
const COLORS = ['var(--chart-1)', 'var(--chart-2)', 'var(--chart-3)', 'var(--chart-4)'];
/** Series with at most this many points get a dot per point. */
const MARKED_POINTS = 40;

export function LineChart({ series, title, xLabel, yLabel, xDomain, yDomain, height = 220, formatX = formatNumber, timeAxis = false, wholeY = false, marker }: Props) {
  const [figure, width] = useWidth<HTMLElement>(WIDTH_BOUNDS.initial, WIDTH_BOUNDS.min, WIDTH_BOUNDS.max);
  const all = series.flatMap((s) => s.points);
  const xd = xDomain ?? extent(all.map((p) => p[0]));
  const yd = yDomain ?? extent(all.map((p) => p[1]));
  const yTicks = ticks(yd[0], yd[1]).filter((t) => !wholeY || Number.isInteger(t));
  const left = Y_TITLE + 6 + Math.max(2, ...yTicks.map((t) => formatNumber(t).length)) * CHAR_PX;
  const x = linearScale(xd, [left, width - MARGIN.right]);
  const y = linearScale(yd, [height - MARGIN.bottom, MARGIN.top]);
  // fewer x ticks on a narrow chart, so that time labels do not run into each other
  const xCount = width < 400 ? 4 : 5;
  const xTicks = timeAxis ? timeTicks(xd[0], xd[1], xCount - 1) : ticks(xd[0], xd[1], xCount);
  const xText = timeAxis ? (t: number) => formatTime(t, xd[1] - xd[0]) : formatX;
  return (
    <figure className="chart line-chart" ref={figure}>
      <svg viewBox={`0 0 ${width} ${height}`} role="img" aria-label={title}>
        <title>{title}</title>
        <g className="axis" aria-hidden="true">
          {yTicks.map((t) => (
            <g key={`y${t}`}>
              <line x1={left} x2={width - MARGIN.right} y1={y(t)} y2={y(t)} className="grid" />
              <text x={left - 5} y={y(t) + 4} textAnchor="end">
                {formatNumber(t)}
              </text>
            </g>
          ))}
          {xTicks.map((t) => (
            <text key={`x${t}`} x={x(t)} y={height - MARGIN.bottom + 15} textAnchor="middle">
              {xText(t)}
            </text>
          ))}
          <text x={(left + width - MARGIN.right) / 2} y={height - 4} textAnchor="middle" className="axis-label">
            {xLabel}
          </text>
          <text x={12} y={(height - MARGIN.bottom) / 2} textAnchor="middle" className="axis-label" transform={`rotate(-90 12 ${(height - MARGIN.bottom) / 2})`}>
            {yLabel}
          </text>
        </g>
        {marker !== undefined && Number.isFinite(marker.x) && (
          <g className="marker" aria-hidden="true">
            <line x1={x(marker.x)} x2={x(marker.x)} y1={MARGIN.top} y2={height - MARGIN.bottom} />
            <text x={x(marker.x)} y={MARGIN.top + 9} textAnchor={x(marker.x) > width * 0.7 ? 'end' : 'start'} dx={x(marker.x) > width * 0.7 ? -4 : 4}>
              {marker.label}
            </text>
          </g>
        )}
        {series.map((s, i) => (
          <g key={s.label}>
            <polyline
              fill="none"
              stroke={COLORS[i % COLORS.length]}
              strokeWidth={2}
              strokeDasharray={s.dashed === true ? '4 4' : undefined}
              points={s.points.map(([px, py]) => `${x(px).toFixed(1)},${y(py).toFixed(1)}`).join(' ')}
            />
            {/* few points: mark each one, so that a single point is visible at all */}
            {s.points.length <= MARKED_POINTS &&
              s.dashed !== true &&
              s.points.map(([px, py], k) => <circle key={k} cx={x(px)} cy={y(py)} r={3} fill={COLORS[i % COLORS.length]} />)}
          </g>
        ))}
      </svg>
      <figcaption className="legend">
        {series.map((s, i) => (
          <span key={s.label}>
            <span className={`swatch${s.dashed === true ? ' dashed' : ''}`} style={{ background: COLORS[i % COLORS.length] }} aria-hidden="true" /> {s.label}
          </span>
        ))}
      </figcaption>
    </figure>
  );
}
