/**
 * Step 6, Watch: how the model does in service — requests over time, how fast it answers, errors, and
 * whether the data it sees has drifted from the data it learned from (per column, with the training
 * data's histogram beside the live one), plus alerts that fired and, once outcomes are reported back,
 * how accurate it still is.
 */
import { useEffect, useId, useState } from 'react';
import { refPath } from '../api/client.js';
import type { DriftHistogram, MonitoringDoc } from '../api/types.js';
import { useApi } from '../api/use-api.js';
import { Histogram } from '../components/charts/Histogram.js';
import { LineChart } from '../components/charts/LineChart.js';
import { Card, Facts, ForEngineers, Page } from '../components/bits.js';
import { AlertRules } from '../components/AlertRules.js';
import { ModelNav } from '../components/ModelNav.js';
import { modelName, refInWords } from '../flow/model-ref.js';
import { Empty, Show } from '../components/states.js';
import { formatValue, millisecondsInWords, PERCENT } from '../flow/words.js';
import { href, Link, rememberInUrl } from '../router.js';

/** The `since` of the page's URL, when it is one of the windows offered. */
function sinceInUrl(): string {
  const since = new URLSearchParams(window.location.search).get('since') ?? '';
  return WINDOWS.some(([value]) => value === since) ? since : '';
}

const AUTO_REFRESH_MS = 30_000;

const WINDOWS = [
  ['', 'the latest 10,000 predictions'],
  ['1h', 'the last hour'],
  ['24h', 'the last 24 hours'],
  ['7d', 'the last 7 days'],
  ['30d', 'the last 30 days'],
] as const;

export function WatchPage({ modelRef }: { modelRef: string }) {
  // the window chosen is kept in the URL, so a reload or Back shows the same window
  const [since, setSince] = useState(() => sinceInUrl());
  useEffect(() => rememberInUrl(href(`/models/${encodeURIComponent(modelRef)}/watch`, { since })), [modelRef, since]);
  const doc = useApi<MonitoringDoc>(`/api/models/${refPath(modelRef)}/monitoring${since === '' ? '' : `?since=${since}`}`);
  const windowId = useId();
  // a page left open keeps up with the traffic
  const { reload } = doc;
  useEffect(() => {
    const timer = setInterval(reload, AUTO_REFRESH_MS);
    return () => clearInterval(timer);
  }, [reload]);
  return (
    <Page
      title={`Watch ${refInWords(modelRef)}`}
      lead="How the model is doing with real requests (updated every 30 seconds)."
      actions={
        <button type="button" className="button" onClick={doc.reload}>
          Refresh
        </button>
      }
    >
      <ModelNav modelRef={modelRef} current="/watch" />
      <div className="inline-form">
        <div>
          <label htmlFor={windowId}>Show</label>
          <select id={windowId} value={since} onChange={(e) => setSince(e.target.value)}>
            {WINDOWS.map(([value, words]) => (
              <option key={value} value={value}>
                {words}
              </option>
            ))}
          </select>
        </div>
      </div>
      {doc.state === 'failed' && doc.error.code === 'MONITOR_NO_PREDICTIONS' ? (
        <Empty title="No requests in this window yet.">
          <p>
            Predictions appear here as soon as the model answers. <Link to={`/models/${encodeURIComponent(modelRef)}/deploy`}>Try it from the Deploy page</Link>, or call it
            from your code; then refresh.
          </p>
        </Empty>
      ) : (
        <Show value={doc} what="the monitoring report">
          {(m) => <Monitoring doc={m} />}
        </Show>
      )}
      {/* alerts need a model: the error above already says there is none */}
      {!(doc.state === 'failed' && doc.error.code === 'MODEL_NOT_FOUND') && <AlertRules model={modelName(modelRef)} />}
    </Page>
  );
}

function Monitoring({ doc: m }: { doc: MonitoringDoc }) {
  const buckets = m.traffic_per_hour ?? [];
  const requests = m.rows;
  const alerts = m.alerts ?? [];
  const drifted = (m.drift?.columns ?? []).filter((c) => c.drift);
  return (
    <>
      <Card title="At a glance">
        {m.verdict !== undefined && (
          <p className="explanation" role="status">
            {m.verdict}
          </p>
        )}
        <ul className="metric-list">
          <li>
            <span className="metric-value" data-testid="prediction-count">
              {requests.toLocaleString('en-US')}
            </span>
            <span className="metric-name">predictions</span>
            <span className="metric-words">{m.window}{m.failed !== undefined && m.failed > 0 ? `, ${m.failed.toLocaleString('en-US')} failed` : ''}</span>
          </li>
          {m.latency_ms !== undefined && m.latency_ms !== null && m.latency_ms.count > 0 && (
            <li>
              <span className="metric-value">{millisecondsInWords(m.latency_ms.p50)}</span>
              <span className="metric-name">typical answer time</span>
              <span className="metric-words">1 in 100 answers took longer than {millisecondsInWords(m.latency_ms.p99)}</span>
            </li>
          )}
          {m.error_rate !== undefined && m.error_rate !== null && (
            <li>
              <span className="metric-value">{formatValue(Math.round(m.error_rate * 1000) / 10)}{PERCENT}</span>
              <span className="metric-name">errors</span>
              <span className="metric-words">{m.error_rate === 0 ? 'every request was answered' : 'requests that failed'}</span>
            </li>
          )}
          <li>
            <span className="metric-value">{drifted.length}</span>
            <span className="metric-name">columns drifted</span>
            <span className="metric-words">{drifted.length === 0 ? 'the live data looks like the training data' : drifted.map((c) => c.column).join(', ')}</span>
          </li>
        </ul>
      </Card>
      {alerts.length > 0 && (
        <Card title="Alerts that fired">
          <ul className="findings">
            {alerts.map((a) => (
              <li key={a.id} className="finding warning">
                <span className="badge warning">Alert</span>
                <div>
                  <p>{a.message}</p>
                  <p className="muted small">
                    {a.metric} = {formatValue(a.value)} (limit {formatValue(a.threshold)}), {new Date(a.at).toLocaleString('en-US')}
                  </p>
                </div>
              </li>
            ))}
          </ul>
        </Card>
      )}
      <div className="grid two">
        {buckets.length > 0 && (
          <Card title="Requests over time">
            <LineChart
              title="Predictions per hour"
              xLabel="time"
              yLabel="predictions"
              timeAxis
              wholeY
              yDomain={[0, Math.max(1, ...buckets.map((b) => b.predictions)) * 1.1]}
              series={[{ label: 'predictions per hour', points: buckets.map((b) => [b.start, b.predictions] as const) }]}
              {...(buckets.length === 1 ? { xDomain: [(buckets[0]?.start ?? 0) - 3_600_000, (buckets[0]?.start ?? 0) + 3_600_000] as const } : {})}
            />
          </Card>
        )}
        {(m.latency_over_time ?? []).length > 1 && (
          <Card title="Answer time">
            <LineChart
              title="Answer time over time"
              xLabel="time"
              yLabel="milliseconds"
              timeAxis
              series={[
                { label: 'typical (p50)', points: (m.latency_over_time ?? []).map((b) => [b.start, b.p50] as const) },
                { label: 'slowest 1 % (p99)', points: (m.latency_over_time ?? []).map((b) => [b.start, b.p99] as const) },
              ]}
            />
          </Card>
        )}
      </div>
      {m.performance !== undefined && m.performance !== null && (m.performance.metrics ?? []).length > 0 && (
        <Card title="Accuracy on reported outcomes">
          {m.performance.verdict !== undefined && <p>{m.performance.verdict}</p>}
          <Facts items={(m.performance.metrics ?? []).map((p) => [p.name, `${formatValue(p.current)} now, ${formatValue(p.training)} when trained${p.degraded ? ' — worse' : ''}`] as const)} />
        </Card>
      )}
      <DriftCard doc={m} />
    </>
  );
}

function DriftCard({ doc: m }: { doc: MonitoringDoc }) {
  const columns = m.drift?.columns ?? [];
  if (columns.length === 0) return null;
  const histograms = new Map<string, DriftHistogram>((m.histograms ?? []).map((h) => [h.column, h]));
  return (
    <Card title="Has the data changed?">
      <p className="muted">
        Each column of the live requests against the data the model learned from. A column that has drifted means the model now sees cases unlike the ones it learned
        on: its answers may be less reliable.
      </p>
      <ul className="column-grid">
        {columns.map((c) => {
          const h = histograms.get(c.column);
          return (
            <li key={c.column} className={`column-card${c.drift ? ' drifted' : ''}`}>
              <h3>{c.column}</h3>
              <p className="small">
                <span className={`badge ${c.drift ? 'warning' : 'ok'}`}>{c.drift ? 'Drifted' : 'Stable'}</span>
              </p>
              {h !== undefined && (
                <Histogram
                  title={`${c.column}: training data against live requests`}
                  bins={h.labels}
                  labelled={h.labels.length <= 6}
                  series={[
                    { label: 'training data', counts: h.reference },
                    { label: 'live requests', counts: h.current },
                  ]}
                />
              )}
              <ForEngineers summary="The test">
                <p className="small">
                  {c.test}: statistic {formatValue(c.statistic)}
                  {c.p_value === undefined ? '' : `, p = ${formatValue(c.p_value)}`}, threshold {formatValue(c.threshold)}
                  {c.psi === undefined ? '' : `, PSI ${formatValue(c.psi)}`}
                </p>
              </ForEngineers>
            </li>
          );
        })}
      </ul>
    </Card>
  );
}
