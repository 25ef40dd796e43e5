/**
 * Where to draw the line for a yes/no decision. The report holds, for each threshold from 0 to 1, how
 * many held-out rows would be true/false positives/negatives; the person says what each outcome is
 * worth (a cost is negative), and the panel computes the value per 1,000 cases for every threshold,
 * proposes the best one and shows the counts at the one chosen with the slider.
 */
import { useId, useMemo, useState } from 'react';
import type { ThresholdCounts } from '../api/types.js';
import { bestThresholdIndex, valuePer1000, type Payoffs } from '../flow/threshold-value.js';
import { LineChart } from './charts/LineChart.js';
import { Card } from './bits.js';

type PayoffTexts = Record<keyof Payoffs, string>;

const DEFAULT_PAYOFFS: PayoffTexts = { truePositive: '10', falsePositive: '-5', falseNegative: '-10', trueNegative: '0' };

export function ThresholdPanel({ rows, positive }: { rows: readonly ThresholdCounts[]; positive: string | undefined }) {
  const [payoffs, setPayoffs] = useState<PayoffTexts>(DEFAULT_PAYOFFS);
  const numbers = useMemo((): Payoffs => {
    const n = (s: string) => (Number.isFinite(Number(s)) ? Number(s) : 0);
    return { truePositive: n(payoffs.truePositive), falsePositive: n(payoffs.falsePositive), falseNegative: n(payoffs.falseNegative), trueNegative: n(payoffs.trueNegative) };
  }, [payoffs]);
  const values = rows.map((r) => valuePer1000(r, numbers));
  const best = bestThresholdIndex(values);
  const [chosen, setChosen] = useState<number | undefined>(undefined);
  const index = chosen ?? best;
  const row = rows[index];
  // several thresholds can pay exactly as much as the best one: each of them is "the best", not a worse choice
  const paysBest = Math.round(values[index] ?? NaN) === Math.round(values[best] ?? NaN);
  const ids = { slider: useId(), tp: useId(), fp: useId(), fn: useId(), tn: useId() };
  const yes = positive === undefined ? '"yes"' : `"${positive}"`;
  const money = (v: number) => (v >= 0 ? '+' : '−') + Math.abs(Math.round(v)).toLocaleString('en-US');
  const payoffField = (key: keyof PayoffTexts, id: string, label: string) => (
    <div>
      <label htmlFor={id}>{label}</label>
      <input id={id} type="number" step="any" value={payoffs[key]} onChange={(e) => setPayoffs((p) => ({ ...p, [key]: e.target.value }))} />
    </div>
  );
  if (row === undefined) return null;
  return (
    <Card title="Where to draw the line">
      <p className="muted">
        The model gives each case a probability of {yes}. Above the threshold, you act on it. Say what each outcome is worth to you (use negative numbers for costs) and
        Kiln finds the threshold that pays best.
      </p>
      <div className="form-grid four">
        {payoffField('truePositive', ids.tp, `Said ${yes}, and it was right`)}
        {payoffField('falsePositive', ids.fp, `Said ${yes}, but it was wrong (false alarm)`)}
        {payoffField('falseNegative', ids.fn, `Missed a real ${yes}`)}
        {payoffField('trueNegative', ids.tn, 'Rightly left alone')}
      </div>
      <label htmlFor={ids.slider}>
        Threshold: <strong>{row.threshold.toFixed(2)}</strong>
      </label>
      <input
        id={ids.slider}
        type="range"
        min={0}
        max={rows.length - 1}
        step={1}
        value={index}
        aria-valuetext={`${row.threshold.toFixed(2)}: ${money(values[index] ?? 0)} per 1,000 cases`}
        onChange={(e) => setChosen(Number(e.target.value))}
      />
      <p role="status">
        At {row.threshold.toFixed(2)}: <strong>{money(values[index] ?? 0)}</strong> per 1,000 cases.{' '}
        {paysBest ? 'No threshold pays more for these values.' : `The best is ${rows[best]?.threshold.toFixed(2)} (${money(values[best] ?? 0)}).`}{' '}
        {!paysBest && (
          <button type="button" className="link-button" onClick={() => setChosen(best)}>
            Use the best
          </button>
        )}
      </p>
      <div className="table-scroll" tabIndex={0} role="region" aria-label="Outcomes at the chosen threshold">
        <table className="data-table cost-table">
          <caption className="visually-hidden">Outcomes on the held-out rows at the chosen threshold</caption>
          <thead>
            <tr>
              <th scope="col">outcome</th>
              <th scope="col">cases</th>
              <th scope="col">worth each</th>
              <th scope="col">total</th>
            </tr>
          </thead>
          <tbody>
            {(
              [
                [`said ${yes}, right`, row.truePositives, numbers.truePositive],
                [`said ${yes}, wrong`, row.falsePositives, numbers.falsePositive],
                [`missed a ${yes}`, row.falseNegatives, numbers.falseNegative],
                ['rightly left alone', row.trueNegatives, numbers.trueNegative],
              ] as const
            ).map(([label, count, worth]) => (
              <tr key={label}>
                <th scope="row">{label}</th>
                <td>{count.toLocaleString('en-US')}</td>
                <td>{worth}</td>
                <td>{(count * worth).toLocaleString('en-US')}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <LineChart
        title="Value per 1,000 cases at each threshold"
        xLabel="threshold"
        yLabel="value per 1,000"
        height={180}
        marker={{ x: row.threshold, label: `chosen: ${row.threshold.toFixed(2)}` }}
        series={[{ label: 'value per 1,000 cases', points: rows.map((r, i) => [r.threshold, values[i] ?? 0] as const) }]}
      />
    </Card>
  );
}
