/**
 * The results of modules that do not predict a column — segments, unusual rows, recommendations — in
 * their own words. Their reports carry what a reader needs (each segment's share and what sets it
 * apart, the most unusual rows and why, how recommendations compare with the most popular items); the
 * results page showed only "This module gives segments of similar rows" above an empty metric list.
 */
import type { ModelReportDoc } from '../api/types.js';
import { formatValue, PERCENT } from '../flow/words.js';
import { Card } from './bits.js';

interface Segment {
  readonly segment: number;
  readonly rows: number;
  readonly share: number;
  readonly traits?: readonly { readonly words?: string }[];
}

interface UnusualRow {
  readonly row: number;
  readonly score: number;
  readonly reasons?: readonly { readonly words?: string }[];
}

const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((s): s is string => typeof s === 'string' && s.trim() !== '') : []);
const share = (v: number): string => (v < 0.01 ? `under 1${PERCENT}` : `${Math.round(v * 100)}${PERCENT}`);

export function ModuleSummary({ report: r }: { report: ModelReportDoc }) {
  if (r.task === 'cluster') return <Segments report={r} />;
  if (r.task === 'detect-anomalies') return <UnusualRows report={r} />;
  const sentences = [...strings(r['sentences']), ...strings(r['summary']), ...(typeof r['verdict'] === 'string' ? [r['verdict']] : [])];
  if (sentences.length === 0) return null;
  return (
    <Card title="In a few words">
      <ul className="notes">
        {sentences.map((s) => (
          <li key={s}>{s}</li>
        ))}
      </ul>
    </Card>
  );
}

function Segments({ report: r }: { report: ModelReportDoc }) {
  const segments = (Array.isArray(r['segments']) ? r['segments'] : []) as readonly Segment[];
  const choice = (r['k_choice'] as { sentence?: string } | undefined)?.sentence;
  if (segments.length === 0) return null;
  return (
    <Card title={`The ${segments.length} segments`}>
      {choice !== undefined && <p className="explanation">Why {segments.length}: {choice.replace(/^k=\d+: /, '')}.</p>}
      <ul className="segments">
        {segments.map((s) => (
          <li key={s.segment}>
            <h3>
              Segment {s.segment} <span className="muted small">· {s.rows.toLocaleString('en-US')} rows ({share(s.share)})</span>
            </h3>
            {(s.traits ?? []).length === 0 ? (
              <p className="muted small">Close to the average on every column.</p>
            ) : (
              <ul className="small">
                {(s.traits ?? []).slice(0, 5).map((t, i) => (
                  <li key={i}>{t.words}</li>
                ))}
              </ul>
            )}
          </li>
        ))}
      </ul>
      <p className="muted small">
        Each segment is described by what sets it apart from all the rows. If a column that only names or already answers the grouping (an id, a known group) shows up here,
        build the module again and leave that column out.
      </p>
    </Card>
  );
}

function UnusualRows({ report: r }: { report: ModelReportDoc }) {
  const rows = (Array.isArray(r['top_rows']) ? r['top_rows'] : []) as readonly UnusualRow[];
  const contamination = typeof r['contamination'] === 'number' ? r['contamination'] : undefined;
  const flagged = (r.metrics as { test?: Record<string, number> } | undefined)?.test?.['flagged_share'];
  return (
    <Card title="The most unusual rows">
      <p className="explanation">
        {contamination === undefined ? 'Rows scoring above a threshold are flagged as unusual.' : `The threshold flags the most unusual ${share(contamination)} of the training rows`}
        {flagged === undefined ? '.' : `; on the rows kept aside for the test it flags ${share(flagged)}.`}
      </p>
      {rows.length > 0 && (
        <ol className="unusual-rows small">
          {rows.slice(0, 10).map((row) => (
            <li key={row.row}>
              <strong>Row {row.row.toLocaleString('en-US')}</strong> (score {formatValue(row.score)}): {(row.reasons ?? []).map((x) => x.words).filter(Boolean).join('; ')}
            </li>
          ))}
        </ol>
      )}
    </Card>
  );
}
