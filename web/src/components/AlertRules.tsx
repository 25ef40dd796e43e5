/**
 * Alert rules of one model: the ones set, and a form to add one ("tell me when the error rate goes above
 * 5 %"). Kiln checks them on a schedule and lists what fired on the Watch page (GET/POST /api/alerts).
 */
import { useId, useState } from 'react';
import { api } from '../api/client.js';
import { useAction, useApi } from '../api/use-api.js';
import { Card } from './bits.js';
import { ErrorBox, Show } from './states.js';
import { PERCENT } from '../flow/words.js';

interface AlertRule {
  readonly id: string;
  readonly metric: string;
  readonly op: '>' | '<';
  readonly threshold: number;
  readonly description?: string;
}

/** What can be watched, in plain words, and the direction that is bad. */
const METRICS: readonly (readonly [string, string, '>' | '<'])[] = [
  ['error_rate', 'Share of failed requests', '>'],
  ['p95_latency_ms', 'Answer time, slowest 5 % (ms)', '>'],
  ['p99_latency_ms', 'Answer time, slowest 1 % (ms)', '>'],
  ['drift_share', 'Share of columns that drifted', '>'],
  ['dataset_drift', 'The data as a whole drifted (1 = yes)', '>'],
  ['prediction_drift', 'The answers drifted (1 = yes)', '>'],
  ['accuracy', 'Accuracy on reported outcomes', '<'],
  ['roc_auc', 'ROC AUC on reported outcomes', '<'],
  ['rmse', 'Typical error on reported outcomes (RMSE)', '>'],
  ['mae', 'Average error on reported outcomes (MAE)', '>'],
];

/** Metrics measured as a share (0 to 1), which a reader easily mistakes for a percentage. */
const SHARES: ReadonlySet<string> = new Set(['error_rate', 'drift_share', 'accuracy', 'roc_auc']);

/** What the typed limit means: "0.05 = 5 %" for shares, "in milliseconds" for times, "0 or 1" for yes/no. */
function thresholdHelp(metric: string, threshold: string): string {
  const value = Number(threshold);
  if (SHARES.has(metric)) return threshold.trim() === '' || !Number.isFinite(value) ? 'A share from 0 to 1.' : `A share from 0 to 1: ${threshold.trim()} = ${Number((value * 100).toFixed(2))}${PERCENT}.`;
  if (metric.endsWith('_ms')) return 'In milliseconds.';
  if (metric === 'dataset_drift' || metric === 'prediction_drift') return '0 means no, 1 means yes: a limit of 0.5 alerts on yes.';
  return 'In the units of the predicted value.';
}

const wordsOf = (metric: string): string => METRICS.find(([m]) => m === metric)?.[1] ?? metric;

export function AlertRules({ model }: { model: string }) {
  const rules = useApi<{ rules: readonly AlertRule[] }>(`/api/alerts?model=${encodeURIComponent(model)}`);
  const [metric, setMetric] = useState('error_rate');
  const [threshold, setThreshold] = useState('0.05');
  const op = METRICS.find(([m]) => m === metric)?.[2] ?? '>';
  const add = useAction(async () => {
    await api('/api/alerts', { body: { model, metric, op, threshold: Number(threshold) } });
    rules.reload();
  });
  const remove = useAction(async (id: string) => {
    await api(`/api/alerts/${encodeURIComponent(id)}`, { method: 'DELETE' });
    rules.reload();
  });
  const ids = { metric: useId(), threshold: useId() };
  return (
    <Card title="Alert me when…">
      <Show value={rules} what="the alert rules">
        {(r) =>
          r.rules.length === 0 ? (
            <p className="muted">No alerts set for {model}. Add one below; Kiln checks them regularly and lists what fired above.</p>
          ) : (
            <ul className="plain-list">
              {r.rules.map((rule) => (
                <li key={rule.id}>
                  {wordsOf(rule.metric)} {rule.op === '>' ? 'goes above' : 'falls below'} <strong>{rule.threshold}</strong>{' '}
                  <button type="button" className="link-button" disabled={remove.busy} onClick={() => void remove.run(rule.id)} aria-label={`Remove the alert on ${wordsOf(rule.metric)}`}>
                    Remove
                  </button>
                </li>
              ))}
            </ul>
          )
        }
      </Show>
      <form
        className="inline-form"
        onSubmit={(e) => {
          e.preventDefault();
          void add.run();
        }}
      >
        <div>
          <label htmlFor={ids.metric}>What to watch</label>
          <select id={ids.metric} value={metric} onChange={(e) => setMetric(e.target.value)}>
            {METRICS.map(([m, words]) => (
              <option key={m} value={m}>
                {words}
              </option>
            ))}
          </select>
        </div>
        <div>
          <label htmlFor={ids.threshold}>{op === '>' ? 'Alert above' : 'Alert below'}</label>
          <input id={ids.threshold} type="number" step="any" value={threshold} aria-describedby={`${ids.threshold}-help`} onChange={(e) => setThreshold(e.target.value)} />
          <p id={`${ids.threshold}-help`} className="muted small">
            {thresholdHelp(metric, threshold)}
          </p>
        </div>
        <button type="submit" className="button" disabled={add.busy || threshold.trim() === '' || Number.isNaN(Number(threshold))}>
          Add the alert
        </button>
      </form>
      {add.error !== undefined && <ErrorBox error={add.error} />}
      {remove.error !== undefined && <ErrorBox error={remove.error} />}
    </Card>
  );
}
