/**
 * History: the server's jobs (trainings and learning curves, to find a running one again), every model
 * with its versions and aliases (which version is live), every training run, and two runs side by side
 * — settings and scores — to see what changed.
 */
import { useId, useState } from 'react';
import { api, refPath } from '../api/client.js';
import type { ModelWithVersions, RegisteredModel, Run, RunDataset } from '../api/types.js';
import { useAction, useApi } from '../api/use-api.js';
import { Card, Page } from '../components/bits.js';
import { JobsCard } from '../components/JobsCard.js';
import { Empty, ErrorBox, Show } from '../components/states.js';
import { formatValue, timeAgo } from '../flow/words.js';
import { href, Link, navigate } from '../router.js';

export function HistoryPage() {
  return (
    <Page title="History" lead="Every model you have built, its versions, the training runs behind them, and the jobs of this server.">
      <JobsCard />
      <ModelsCard />
      <RunsCard />
    </Page>
  );
}

/** `title`: the Models page names its only card differently from its own heading. */
export function ModelsCard({ title = 'Models' }: { title?: string }) {
  const models = useApi<{ models: readonly RegisteredModel[] }>('/api/models');
  return (
    <Card title={title}>
      <Show value={models} what="the models">
        {(m) =>
          m.models.length === 0 ? (
            <Empty title="No models yet.">
              <p>
                <Link to="/data">Start with your data</Link> to build the first one.
              </p>
            </Empty>
          ) : (
            <ul className="plain-list">
              {m.models.map((x) => (
                <ModelEntry key={x.name} model={x} />
              ))}
            </ul>
          )
        }
      </Show>
    </Card>
  );
}

function ModelEntry({ model }: { model: RegisteredModel }) {
  const [open, setOpen] = useState(false);
  const live = model.aliases?.['champion'];
  return (
    <li>
      <Link to={`/models/${encodeURIComponent(`${model.name}:${model.latest_version}`)}`}>{model.name}</Link>{' '}
      <span className="muted small">
        {model.version_count ?? model.latest_version} version{(model.version_count ?? model.latest_version) === 1 ? '' : 's'}
        {live === undefined ? ', not deployed' : `, version ${live} live`}, updated {timeAgo(model.updated_at)}
      </span>{' '}
      <button type="button" className="link-button" aria-expanded={open} onClick={() => setOpen(!open)}>
        {open ? 'Hide versions' : 'Versions'}
      </button>
      {open && <Versions name={model.name} />}
    </li>
  );
}

function Versions({ name }: { name: string }) {
  const doc = useApi<ModelWithVersions>(`/api/models/${refPath(name)}`);
  const [alias, setAlias] = useState('');
  const [version, setVersion] = useState('');
  const point = useAction(async () => {
    await api(`/api/models/${refPath(name)}/aliases/${encodeURIComponent(alias.trim())}`, { method: 'PUT', body: { version: Number(version) } });
    doc.reload();
  });
  const ids = { alias: useId(), version: useId() };
  return (
    <Show value={doc} what="the versions">
      {(d) => (
        <div className="versions">
          <div className="table-scroll" tabIndex={0} role="region" aria-label={`Versions of ${name}`}>
            <table className="data-table">
              <caption className="visually-hidden">Versions of {name}</caption>
              <thead>
                <tr>
                  <th scope="col">version</th>
                  <th scope="col">aliases</th>
                  <th scope="col">created</th>
                  <th scope="col">held-out scores</th>
                </tr>
              </thead>
              <tbody>
                {d.versions.map((v) => (
                  <tr key={v.version}>
                    <td>
                      <Link to={`/models/${encodeURIComponent(`${name}:${v.version}`)}`}>{v.version}</Link>
                    </td>
                    <td>{(v.aliases ?? []).join(', ') || '—'}</td>
                    <td>{timeAgo(v.created_at)}</td>
                    <td className="small">
                      {Object.entries(v.metrics ?? {})
                        .filter(([k]) => k.startsWith('test.'))
                        .slice(0, 3)
                        .map(([k, val]) => `${k.slice(5)} ${formatValue(val)}`)
                        .join(' · ')}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <form
            className="inline-form"
            onSubmit={(e) => {
              e.preventDefault();
              void point.run();
            }}
          >
            <div>
              <label htmlFor={ids.alias}>Alias</label>
              <input id={ids.alias} type="text" value={alias} placeholder="e.g. champion" onChange={(e) => setAlias(e.target.value)} />
            </div>
            <div>
              <label htmlFor={ids.version}>points to version</label>
              <select id={ids.version} value={version} onChange={(e) => setVersion(e.target.value)}>
                <option value="">Choose…</option>
                {d.versions.map((v) => (
                  <option key={v.version} value={v.version}>
                    {v.version}
                  </option>
                ))}
              </select>
            </div>
            <button type="submit" className="button" disabled={point.busy || alias.trim() === '' || version === ''}>
              Set alias
            </button>
          </form>
          {point.error !== undefined && <ErrorBox error={point.error} />}
        </div>
      )}
    </Show>
  );
}

function RunsCard() {
  const runs = useApi<{ runs: readonly Run[] }>('/api/runs?limit=100');
  const [chosen, setChosen] = useState<readonly string[]>([]);
  const toggle = (id: string) => setChosen((c) => (c.includes(id) ? c.filter((x) => x !== id) : [...c.slice(-1), id]));
  return (
    <Card title="Training runs">
      <Show value={runs} what="the runs">
        {(r) =>
          r.runs.length === 0 ? (
            <Empty title="No runs yet.">
              <p>Every training leaves a run here with its settings and scores.</p>
            </Empty>
          ) : (
            <>
              <p className="muted">Tick two runs to compare them side by side.</p>
              <div className="table-scroll" tabIndex={0} role="region" aria-label="Training runs">
                <table className="data-table">
                  <caption className="visually-hidden">Training runs, newest first</caption>
                  <thead>
                    <tr>
                      <th scope="col">compare</th>
                      <th scope="col">run</th>
                      <th scope="col">algorithm</th>
                      <th scope="col">status</th>
                      <th scope="col">started</th>
                    </tr>
                  </thead>
                  <tbody>
                    {r.runs.map((run) => (
                      <tr key={run.id}>
                        <td>
                          <input type="checkbox" checked={chosen.includes(run.id)} onChange={() => toggle(run.id)} aria-label={`Compare run ${run.name ?? run.id}`} />
                        </td>
                        <td>{run.name ?? run.id.slice(0, 8)}</td>
                        <td>{run.learner ?? '—'}</td>
                        <td>{statusInWords(run)}</td>
                        <td>{timeAgo(run.started_at)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
              <button type="button" className="button primary" disabled={chosen.length !== 2} onClick={() => navigate(href('/history/compare', { a: chosen[0], b: chosen[1] }))}>
                Compare the two runs
              </button>
            </>
          )
        }
      </Show>
    </Card>
  );
}

/** A search's trial stopped by the time budget is marked failed in the store; the reader is told why. */
const statusInWords = (run: Run): string => (run.tags?.['stopped'] === 'budget' ? 'stopped: time ran out' : run.status);

/**
 * Names like `test.balanced_accuracy` may wrap after their dots and underscores (a zero-width space),
 * so that a phone's narrow column breaks them there rather than inside a word ("algorith/m").
 */
const breakable = (key: string): string => key.replace(/([._])/g, '$1\u200b');

/** Every key of either object, in a stable order. */
const keysOf = (a: Readonly<Record<string, unknown>> | undefined, b: Readonly<Record<string, unknown>> | undefined) =>
  [...new Set([...Object.keys(a ?? {}), ...Object.keys(b ?? {})])].sort();

const when = (iso: string | undefined): string => (iso === undefined ? '—' : new Date(iso).toLocaleString('en-US'));

/** A run's data in a few words: where it came from and its size (the digest tells two versions apart). */
const datasetText = (d: RunDataset | null | undefined): string | undefined =>
  d == null ? undefined : `${fileName(d.source)} (${d.rows.toLocaleString()} rows × ${d.columns} columns, ${d.digest.slice(0, 8)})`;
/** The last part of a path or URL: uploads live under long server folders that say nothing to a reader. */
const fileName = (source: string): string => source.split(/[\\/]/).filter((part) => part !== '').pop() ?? source;
const show = (v: unknown): string => (v === undefined ? '—' : typeof v === 'object' && v !== null ? JSON.stringify(v) : formatValue(v));

export function ComparePage({ a, b }: { a: string; b: string }) {
  const left = useApi<Run>(`/api/runs/${encodeURIComponent(a)}`);
  const right = useApi<Run>(`/api/runs/${encodeURIComponent(b)}`);
  return (
    <Page title="Compare two runs" lead={<Link to="/history">Back to the history</Link>}>
      <Show value={left} what="the first run">
        {(l) => (
          <Show value={right} what="the second run">
            {(r) => (
              <Card>
                <div className="table-scroll" tabIndex={0} role="region" aria-label="The two runs side by side">
                  <table className="data-table compare">
                    <caption className="visually-hidden">The two runs side by side; differing rows are marked</caption>
                    <thead>
                      <tr>
                        <th scope="col">
                          <span className="visually-hidden">what</span>
                        </th>
                        <th scope="col">{l.name ?? l.id.slice(0, 8)}</th>
                        <th scope="col">{r.name ?? r.id.slice(0, 8)}</th>
                      </tr>
                    </thead>
                    <tbody>
                      {(
                        [
                          ['algorithm', l.learner, r.learner],
                          ['task', l.task, r.task],
                          ['status', statusInWords(l), statusInWords(r)],
                          ['data', datasetText(l.dataset), datasetText(r.dataset)],
                          ['started', when(l.started_at), when(r.started_at)],
                        ] as const
                      ).map(([k, x, y]) => (
                        // start times always differ: only the rows that say something are marked
                        <tr key={k} className={show(x) === show(y) || k === 'started' ? undefined : 'differs'}>
                          <th scope="row">{breakable(k)}</th>
                          <td>{show(x)}</td>
                          <td>{show(y)}</td>
                        </tr>
                      ))}
                      {keysOf(l.metrics, r.metrics).map((k) => (
                        <tr key={`m-${k}`} className={show(l.metrics?.[k]) === show(r.metrics?.[k]) ? undefined : 'differs'}>
                          <th scope="row">score: {breakable(k)}</th>
                          <td>{show(l.metrics?.[k])}</td>
                          <td>{show(r.metrics?.[k])}</td>
                        </tr>
                      ))}
                      {keysOf(l.params, r.params).map((k) => (
                        <tr key={`p-${k}`} className={show(l.params?.[k]) === show(r.params?.[k]) ? undefined : 'differs'}>
                          <th scope="row">setting: {breakable(k)}</th>
                          <td>{show(l.params?.[k])}</td>
                          <td>{show(r.params?.[k])}</td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </div>
              </Card>
            )}
          </Show>
        )}
      </Show>
    </Page>
  );
}
