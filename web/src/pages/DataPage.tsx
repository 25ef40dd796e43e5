/**
 * Step 1, Data: bring a table in (drop a file, pick one, or connect to a database), then read its
 * profile — a chart per column and the quality findings in plain words, with one-click fixes where a
 * safe one exists. The page's state is the `source` in its URL. Below the ways in, the files uploaded
 * before and the other data trained on before are offered again (UploadsCard.tsx).
 */
import { useState, type DragEvent } from 'react';
import { api } from '../api/client.js';
import type { ColumnProfile, Finding, InspectReport, OneClickFix, SourcePreview } from '../api/types.js';
import { useAction, useApi } from '../api/use-api.js';
import { binLabels } from '../components/charts/bin-labels.js';
import { Histogram } from '../components/charts/Histogram.js';
import { Card, ForEngineers, Page } from '../components/bits.js';
import { ErrorBox, Loading, Show } from '../components/states.js';
import { PreviewTable } from '../components/PreviewTable.js';
import { SavedData } from '../components/UploadsCard.js';
import { href, Link, navigate, useLocation } from '../router.js';
import { bytesInWords, PERCENT } from '../flow/words.js';

const ACCEPT = '.csv,.tsv,.txt,.xlsx,.parquet,.json,.ndjson,.jsonl';

export function DataPage() {
  const source = useLocation().query.get('source') ?? undefined;
  return source === undefined ? <ChooseData /> : <Profile source={source} />;
}

function ChooseData() {
  const [fileName, setFileName] = useState<string | undefined>(undefined);
  const upload = useAction(async (file: File) => {
    setFileName(file.name);
    const uploaded = await api<SourcePreview>(`/api/uploads?filename=${encodeURIComponent(file.name)}`, { method: 'PUT', body: file });
    navigate(href('/data', { source: uploaded.source }));
    return uploaded;
  });
  return (
    <Page title="Your data" lead="Start with a table: a spreadsheet or a file exported from another system. Each row is one case (a customer, a sale, a passenger); each column is something you know about it.">
      <div className="grid two">
        <Card title="Upload a file">
          <DropZone onFile={(f) => void upload.run(f)} busy={upload.busy} />
          {upload.error !== undefined && <ErrorBox error={upload.error} {...(fileName === undefined ? {} : { context: { fileName } })} />}
        </Card>
        <ConnectionForm />
      </div>
      <SavedData />
    </Page>
  );
}

function DropZone({ onFile, busy }: { onFile: (file: File) => void; busy: boolean }) {
  const [over, setOver] = useState(false);
  const onDrop = (e: DragEvent<HTMLDivElement>) => {
    e.preventDefault();
    setOver(false);
    const file = e.dataTransfer.files[0];
    if (file !== undefined) onFile(file);
  };
  return (
    <div
      className={`drop-zone${over ? ' over' : ''}`}
      onDragOver={(e) => {
        e.preventDefault();
        setOver(true);
      }}
      onDragLeave={() => setOver(false)}
      onDrop={onDrop}
    >
      {busy ? (
        <Loading what="and reading your file" />
      ) : (
        <>
          <p>Drag a file here, or</p>
          <label className="button primary file-label">
            Choose a file
            <input
              type="file"
              accept={ACCEPT}
              className="visually-hidden"
              onChange={(e) => {
                const file = e.target.files?.[0];
                if (file !== undefined) onFile(file);
                e.target.value = '';
              }}
            />
          </label>
          <p className="muted small">CSV, TSV, Excel (.xlsx), Parquet, JSON or NDJSON, up to 200 MB.</p>
        </>
      )}
    </div>
  );
}

function ConnectionForm() {
  const [text, setText] = useState('');
  const preview = useAction((source: string) => api<SourcePreview>('/api/sources/preview', { body: { source } }));
  const [shown, setShown] = useState<SourcePreview | undefined>(undefined);
  return (
    <Card title="Or connect to a database">
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void preview.run(text.trim()).then((p) => setShown(p));
        }}
      >
        <label htmlFor="connection">Connection</label>
        <input
          id="connection"
          type="text"
          value={text}
          placeholder="sqlite:shop.db?table=orders"
          onChange={(e) => setText(e.target.value)}
          aria-describedby="connection-help"
          autoComplete="off"
          spellCheck={false}
        />
        <p id="connection-help" className="muted small">
          SQLite: <code>sqlite:FILE?table=NAME</code>. PostgreSQL: <code>postgres://user@host/db?table=NAME</code> or <code>?query=SELECT …</code>.
        </p>
        <button type="submit" className="button" disabled={preview.busy || text.trim() === ''}>
          {preview.busy ? 'Connecting…' : 'Preview'}
        </button>
      </form>
      {preview.error !== undefined && <ErrorBox error={preview.error} />}
      {shown !== undefined && preview.error === undefined && (
        <>
          <p>
            {shown.rows.toLocaleString('en-US')} rows, {shown.columns.length} columns.
          </p>
          <PreviewTable rows={shown.preview} columns={shown.columns.map((c) => c.name)} caption="The first rows" />
          <button type="button" className="button primary" onClick={() => navigate(href('/data', { source: shown.source }))}>
            Use this table
          </button>
        </>
      )}
    </Card>
  );
}

function Profile({ source }: { source: string }) {
  const report = useApi<InspectReport>('/api/inspect', { source });
  const fix = useAction(async (f: OneClickFix) => {
    const body = f.kind === 'drop_columns' ? { source, drop_columns: f.columns } : { source, drop_duplicates: true };
    const fixed = await api<SourcePreview>('/api/sources/fix', { body });
    navigate(href('/data', { source: fixed.source }));
    return fixed;
  });
  const name = source.split('/').pop() ?? source;
  return (
    <Page
      title="Your data"
      lead={<>Here is what Kiln sees in <strong>{name}</strong>. Read the notes, fix what needs fixing, then choose what to predict.</>}
      actions={
        <>
          <Link className="button" to="/data">
            Use other data
          </Link>
          <Link className="button primary" to={href('/build', { source })}>
            Next: what to predict
          </Link>
        </>
      }
    >
      <Show value={report} what="the profile of your data" context={{ fileName: name }}>
        {(r) => (
          <>
            <p className="summary-line">
              <strong>{r.rows.toLocaleString('en-US')}</strong> rows × <strong>{r.columns.length}</strong> columns
              {r.duplicateRows > 0 && <>, {r.duplicateRows.toLocaleString('en-US')} repeated rows</>}.
            </p>
            <Findings findings={r.findings} onFix={(f) => void fix.run(f)} busy={fix.busy} />
            {fix.error !== undefined && <ErrorBox error={fix.error} />}
            <Card title="Columns">
              <ul className="column-grid">
                {r.columns.map((c) => (
                  <ColumnCard key={c.name} column={c} rows={r.rows} />
                ))}
              </ul>
            </Card>
            <SourceRows source={source} />
          </>
        )}
      </Show>
    </Page>
  );
}

const SEVERITY_WORDS = { error: 'Must fix', warning: 'Worth a look', info: 'Good to know' } as const;

function Findings({ findings, onFix, busy }: { findings: readonly Finding[]; onFix: (fix: OneClickFix) => void; busy: boolean }) {
  if (findings.length === 0) {
    return (
      <Card title="Data quality">
        <p className="ok">No problems found: the table looks ready to learn from.</p>
      </Card>
    );
  }
  return (
    <Card title="Data quality">
      <ul className="findings">
        {findings.map((f, i) => {
          const oneClick = typeof f.fix === 'object' ? f.fix : undefined;
          const words = typeof f.fix === 'string' ? f.fix : f.suggestion;
          return (
            <li key={`${f.code}-${i}`} className={`finding ${f.severity}`}>
              <span className={`badge ${f.severity}`}>{SEVERITY_WORDS[f.severity] ?? f.severity}</span>
              <div>
                <p>{f.message}</p>
                {words !== undefined && <p className="muted">{words}</p>}
                {oneClick !== undefined && (
                  <button type="button" className="button small-button" disabled={busy} onClick={() => onFix(oneClick)}>
                    {oneClick.kind === 'drop_duplicates' ? 'Remove the repeated rows' : `Leave out ${oneClick.columns.join(', ')}`}
                  </button>
                )}
              </div>
            </li>
          );
        })}
      </ul>
    </Card>
  );
}

function ColumnCard({ column: c, rows }: { column: ColumnProfile; rows: number }) {
  const top = c.topValues ?? [];
  const chart =
    c.histogram !== undefined && c.histogram.counts.length > 0 ? (
      <Histogram title={`How the values of ${c.name} are spread`} bins={binLabels(c.histogram.edges)} series={[{ label: c.name, counts: c.histogram.counts }]} />
    ) : top.length > 0 && (top[0]?.count ?? 0) > 1 ? (
      // (when even the most frequent value occurs once, as with names, the bars would all be equal: no chart)
      <Histogram
        title={`The most frequent values of ${c.name}`}
        bins={top.slice(0, 12).map((v) => v.value)}
        series={[{ label: c.name, counts: top.slice(0, 12).map((v) => v.count) }]}
        labelled={top.length <= 6}
      />
    ) : null;
  return (
    <li className="column-card">
      <h3>{c.name}</h3>
      <p className="muted small">
        {c.type}
        {c.missing > 0 ? ` · ${Math.round(c.missingShare * 100) || '<1'}${PERCENT} missing` : ''} · {c.distinct.toLocaleString('en-US')} different values
      </p>
      {chart}
      {c.numeric === undefined && top[0] !== undefined && <MostCommon value={top[0].value} count={top[0].count} rows={rows} />}
      {c.numeric !== undefined && (
        <p className="small">
          From {fmt(c.numeric.min)} to {fmt(c.numeric.max)}, average {fmt(c.numeric.mean)}
        </p>
      )}
    </li>
  );
}

/**
 * The most frequent value and its share. When even the most frequent value occurs once, every value is
 * different (names, free text), and "Abbing, Mr. Anthony (0 %)" would only puzzle the reader.
 */
function MostCommon({ value, count, rows }: { value: string; count: number; rows: number }) {
  if (count <= 1) return <p className="small">Every value is different.</p>;
  const share = count / Math.max(1, rows);
  return (
    <p className="small">
      Most common: <strong>{value === '' ? '(empty)' : value}</strong> ({count.toLocaleString('en-US')} rows, {share < 0.01 ? `under 1${PERCENT}` : `${Math.round(share * 100)}${PERCENT}`})
    </p>
  );
}

const fmt = (v: number) => Number(v.toPrecision(4)).toLocaleString('en-US');

function SourceRows({ source }: { source: string }) {
  const preview = useApi<SourcePreview>('/api/sources/preview', { source });
  return (
    <ForEngineers summary="The first rows, and where the data is stored">
      <Show value={preview} what="the first rows">
        {(p) => (
          <>
            <p className="small">
              Source: <code>{p.source}</code>
              {p.bytes !== undefined && <> · {bytesInWords(p.bytes)}</>}
            </p>
            <PreviewTable rows={p.preview} columns={p.columns.map((col) => col.name)} caption="The first rows of the table" />
          </>
        )}
      </Show>
    </ForEngineers>
  );
}
