/**
 * Lines over a shared x axis with tick labels: learning curves (loss per iteration), the ROC curve,
 * latency or traffic over time. Each series is drawn as one polyline; `dashed` marks a reference line
 * (the ROC diagonal).
 */
import { extent, formatNumber, formatTime, linearScale, ticks, timeTicks } from './scale.js';

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
}

const WIDTH = 420;
const MARGIN = { left: 44, right: 10, top: 8, bottom: 30 };
const COLORS = ['var(--chart-1)', 'var(--chart-2)', 'var(--chart-3)', 'var(--chart-4)'];
/** Series with at most this many points get a dot per point. */
const MARKED_POINTS = 40;

export function LineChart({ series, title, xLabel, yLabel, xDomain, yDomain, height = 220, formatX = formatNumber, timeAxis = false }: Props) {
  const all = series.flatMap((s) => s.points);
  const xd = xDomain ?? extent(all.map((p) => p[0]));
  const yd = yDomain ?? extent(all.map((p) => p[1]));
  const x = linearScale(xd, [MARGIN.left, WIDTH - MARGIN.right]);
  const y = linearScale(yd, [height - MARGIN.bottom, MARGIN.top]);
  const xTicks = timeAxis ? timeTicks(xd[0], xd[1]) : ticks(xd[0], xd[1], 5);
  const xText = timeAxis ? (t: number) => formatTime(t, xd[1] - xd[0]) : formatX;
  return (
    <figure className="chart line-chart">
      <svg viewBox={`0 0 ${WIDTH} ${height}`} role="img" aria-label={title}>
        <title>{title}</title>
        <g className="axis" aria-hidden="true">
          {ticks(yd[0], yd[1]).map((t) => (
            <g key={`y${t}`}>
              <line x1={MARGIN.left} x2={WIDTH - MARGIN.right} y1={y(t)} y2={y(t)} className="grid" />
              <text x={MARGIN.left - 4} y={y(t) + 3} textAnchor="end">
                {formatNumber(t)}
              </text>
            </g>
          ))}
          {xTicks.map((t) => (
            <text key={`x${t}`} x={x(t)} y={height - MARGIN.bottom + 13} textAnchor="middle">
              {xText(t)}
            </text>
          ))}
          <text x={(MARGIN.left + WIDTH - MARGIN.right) / 2} y={height - 3} textAnchor="middle" className="axis-label">
            {xLabel}
          </text>
          <text x={10} y={(height - MARGIN.bottom) / 2} textAnchor="middle" className="axis-label" transform={`rotate(-90 10 ${(height - MARGIN.bottom) / 2})`}>
            {yLabel}
          </text>
        </g>
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
