/**
 * Predicted against actual values of a regression model on held-out rows: each dot is one row; dots on
 * the dashed diagonal are exact predictions, dots far from it are big misses.
 */
import { extent, formatNumber, linearScale, ticks } from './scale.js';

const SIZE = 300;
const MARGIN = 40;

export function PredictedVsActual({ actual, predicted }: { actual: readonly number[]; predicted: readonly number[] }) {
  const [lo, hi] = extent([...actual, ...predicted]);
  const x = linearScale([lo, hi], [MARGIN, SIZE - 8]);
  const y = linearScale([lo, hi], [SIZE - MARGIN, 8]);
  return (
    <figure className="chart scatter">
      <svg viewBox={`0 0 ${SIZE} ${SIZE}`} role="img" aria-label={`Predicted against actual values for ${actual.length} held-out rows`}>
        <title>Predicted against actual values</title>
        <g className="axis" aria-hidden="true">
          {ticks(lo, hi).map((t) => (
            <g key={t}>
              <line x1={MARGIN} x2={SIZE - 8} y1={y(t)} y2={y(t)} className="grid" />
              <text x={MARGIN - 4} y={y(t) + 3} textAnchor="end">
                {formatNumber(t)}
              </text>
              <text x={x(t)} y={SIZE - MARGIN + 13} textAnchor="middle">
                {formatNumber(t)}
              </text>
            </g>
          ))}
          <text x={(MARGIN + SIZE) / 2} y={SIZE - 6} textAnchor="middle" className="axis-label">
            actual value
          </text>
          <text x={10} y={SIZE / 2} textAnchor="middle" className="axis-label" transform={`rotate(-90 10 ${SIZE / 2})`}>
            predicted
          </text>
        </g>
        <line x1={x(lo)} y1={y(lo)} x2={x(hi)} y2={y(hi)} stroke="var(--chart-2)" strokeDasharray="4 4" />
        {actual.map((a, i) => (
          <circle key={i} cx={x(a)} cy={y(predicted[i] ?? a)} r={2.5} fill="var(--chart-1)" fillOpacity={0.6} />
        ))}
      </svg>
    </figure>
  );
}
