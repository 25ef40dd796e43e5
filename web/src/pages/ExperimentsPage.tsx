/**
 * A/B experiments: try a new version against the live one on part of the traffic (split), on all of
 * it without anyone seeing its answers (shadow), or on a small share that is rolled back automatically
 * if it misbehaves (canary). Watch the verdict, then promote the new version or stop.
 */
import { useId, useState } from 'react';
import { api, refPath } from '../api/client.js';
import type { Experiment, ExperimentReport, ModelWithVersions, RegisteredModel } from '../api/types.js';
import { useAction, useApi } from '../api/use-api.js';
import { Card, Facts, ForEngineers, Page } from '../components/bits.js';
import { Empty, ErrorBox, Show } from '../components/states.js';
import { formatValue, PERCENT, timeAgo } from '../flow/words.js';
import { href, Link, navigate } from '../router.js';

/** Each mode's name in the picker: the sentences of MODES below it would be cut off in a narrow select. */
const MODE_NAMES = { split: 'Split', shadow: 'Shadow', canary: 'Canary' } as const;

const MODES = {
  split: 'Split: a share of the requests get the new version',
  shadow: 'Shadow: the new version answers in the background only, nobody sees its answers',
  canary: 'Canary: a small share, rolled back by itself if errors or latency get worse',
} as const;

export function ExperimentsPage() {
  const list = useApi<{ experiments: readonly Experiment[] }>('/api/experiments');
  return (
    <Page title="A/B experiments" lead="Check that a new version does better with real traffic before it replaces the live one.">
      <CreateExperiment onCreated={(id) => navigate(`/experiments/${encodeURIComponent(id)}`)} />
      <Card title="Experiments">
        <Show value={list} what="the experiments">
          {(l) =>
            l.experiments.length === 0 ? (
              <Empty title="No experiments yet.">
                <p>Train a second version of a deployed model, then start an experiment above.</p>
              </Empty>
            ) : (
              <ul className="plain-list">
                {l.experiments.map((e) => (
                  <li key={e.id}>
                    <Link to={`/experiments/${encodeURIComponent(e.id)}`}>
                      {e.model}: version {e.challenger} against {e.champion}
                    </Link>{' '}
                    <span className={`badge ${e.status === 'running' ? 'info' : 'done'}`}>{e.status}</span> <span className="muted small">{e.mode}, started {timeAgo(e.started_at)}</span>
                  </li>
                ))}
              </ul>
            )
          }
        </Show>
      </Card>
    </Page>
  );
}

function CreateExperiment({ onCreated }: { onCreated: (id: string) => void }) {
  const models = useApi<{ models: readonly RegisteredModel[] }>('/api/models');
  const [model, setModel] = useState('');
  const versions = useApi<ModelWithVersions>(model === '' ? undefined : `/api/models/${refPath(model)}`);
  const [challenger, setChallenger] = useState('');
  const [mode, setMode] = useState<keyof typeof MODES>('split');
  const [share, setShare] = useState('0.1');
  const [outcome, setOutcome] = useState<'binary' | 'continuous'>('binary');
  const create = useAction(async () => {
    const e = await api<Experiment>('/api/experiments', {
      body: { model, challenger: Number(challenger), mode, outcome, ...(mode === 'shadow' ? {} : { challenger_share: Number(share) }) },
    });
    onCreated(e.id);
    return e;
  });
  const ids = { model: useId(), challenger: useId(), mode: useId(), share: useId(), outcome: useId() };
  const champion = versions.state === 'loaded' ? versions.data.aliases?.['champion'] : undefined;
  // every version but the live one can be tried against it
  const challengers = versions.state === 'loaded' ? versions.data.versions.filter((v) => v.version !== champion) : undefined;
  return (
    <Card title="Start an experiment">
      <Show value={models} what="the models">
        {(m) =>
          m.models.length === 0 ? (
            <p className="muted">
              There is no model yet. <Link to="/data">Build one</Link> first.
            </p>
          ) : (
            <form
              onSubmit={(e) => {
                e.preventDefault();
                void create.run();
              }}
            >
              <div className="form-grid">
                <div>
                  <label htmlFor={ids.model}>Model</label>
                  <select
                    id={ids.model}
                    value={model}
                    onChange={(e) => {
                      // a version chosen for another model would be started against this one
                      setModel(e.target.value);
                      setChallenger('');
                    }}
                  >
                    <option value="">Choose a model…</option>
                    {m.models.map((x) => (
                      <option key={x.name} value={x.name}>
                        {x.name}
                      </option>
                    ))}
                  </select>
                  {model !== '' && <p className="muted small">{champion === undefined ? 'Not deployed yet: deploy a version first.' : `Version ${champion} is live.`}</p>}
                </div>
                <div>
                  <label htmlFor={ids.challenger}>New version to try</label>
                  <select id={ids.challenger} value={challenger} onChange={(e) => setChallenger(e.target.value)} disabled={versions.state !== 'loaded'}>
                    <option value="">Choose a version…</option>
                    {challengers?.map((v) => (
                      <option key={v.version} value={v.version}>
                        version {v.version}
                      </option>
                    ))}
                  </select>
                  {challengers !== undefined && challengers.length === 0 && (
                    <p className="muted small">{model} has no other version yet: train it again (same name) to get one to try.</p>
                  )}
                </div>
                <div>
                  <label htmlFor={ids.mode}>How</label>
                  <select id={ids.mode} value={mode} aria-describedby={`${ids.mode}-help`} onChange={(e) => setMode(e.target.value as keyof typeof MODES)}>
                    {Object.entries(MODE_NAMES).map(([k, name]) => (
                      <option key={k} value={k}>
                        {name}
                      </option>
                    ))}
                  </select>
                  <p id={`${ids.mode}-help`} className="muted small">
                    {MODES[mode]}.
                  </p>
                </div>
                {mode !== 'shadow' && (
                  <div>
                    <label htmlFor={ids.share}>Share of requests for the new version</label>
                    <input
                      id={ids.share}
                      type="number"
                      min={0.01}
                      max={0.99}
                      step={0.01}
                      value={share}
                      aria-describedby={`${ids.share}-help`}
                      onChange={(e) => setShare(e.target.value)}
                    />
                    <p id={`${ids.share}-help`} className="muted small">
                      {shareInWords(share)}
                    </p>
                  </div>
                )}
                <div>
                  <label htmlFor={ids.outcome}>What counts as success</label>
                  <select id={ids.outcome} value={outcome} onChange={(e) => setOutcome(e.target.value as 'binary' | 'continuous')}>
                    <option value="binary">A yes/no outcome reported back (e.g. converted)</option>
                    <option value="continuous">A number reported back (e.g. revenue)</option>
                  </select>
                </div>
              </div>
              <button type="submit" className="button primary" disabled={create.busy || model === '' || challenger === ''}>
                Start the experiment
              </button>
            </form>
          )
        }
      </Show>
      {create.error !== undefined && <ErrorBox error={create.error} />}
    </Card>
  );
}

export function ExperimentPage({ id }: { id: string }) {
  const report = useApi<ExperimentReport>(`/api/experiments/${encodeURIComponent(id)}`);
  const end = useAction(async (verb: 'stop' | 'promote') => {
    const ended = await api<Experiment>(`/api/experiments/${encodeURIComponent(id)}/${verb}`, { body: {} });
    report.reload();
    return ended;
  });
  return (
    <Page title="Experiment" lead={<Link to="/experiments">All experiments</Link>}>
      <Show value={report} what="the experiment">
        {(e) => (
          <>
            <Card title={`${e.model}: version ${e.challenger} against version ${e.champion}`}>
              <p className="explanation" role="status">
                {e.verdict ?? 'No verdict yet: wait for traffic and reported outcomes.'}
              </p>
              <Facts
                items={[
                  ['status', e.status],
                  ['how', MODES[e.mode] ?? e.mode],
                  ['started', timeAgo(e.started_at)],
                  ...(e.traffic === undefined
                    ? []
                    : ([
                        [`requests to version ${e.champion}`, formatValue(e.traffic.champion.requests)],
                        [`requests to version ${e.challenger}`, formatValue(e.traffic.challenger.requests)],
                      ] as const)),
                ]}
              />
              {e.status === 'running' && (
                <div className="actions">
                  <button type="button" className="button primary" disabled={end.busy} onClick={() => void end.run('promote')}>
                    Promote version {e.challenger}
                  </button>
                  <button type="button" className="button" disabled={end.busy} onClick={() => void end.run('stop')}>
                    Stop, keep version {e.champion}
                  </button>
                  <button type="button" className="button" onClick={report.reload}>
                    Refresh
                  </button>
                </div>
              )}
              {end.error !== undefined && <ErrorBox error={end.error} />}
              {e.status !== 'running' && (
                <p>
                  {e.status === 'promoted' ? `Version ${e.challenger} was promoted: it is the live version now. ` : `Ended: version ${e.champion} stays live. `}
                  <Link to={href(`/models/${encodeURIComponent(`${e.model}@champion`)}/watch`)}>Watch the live version</Link>
                </p>
              )}
            </Card>
            <ForEngineers summary="How outcomes reach the analysis, and the numbers">
              <p className="small">
                Your system reports what happened after each prediction (a conversion, a sale, a value) with <code>POST /api/feedback</code>{' '}
                <code>{'{"items": [{"request_id": "…", "outcome": 1}]}'}</code>, using the <code>x-request-id</code> of the prediction&apos;s response. The verdict
                appears once each version has enough outcomes.
              </p>
              <pre>
                <code>{JSON.stringify({ traffic: e.traffic, analysis: e.analysis, shadow: e.shadow }, null, 2)}</code>
              </pre>
            </ForEngineers>
          </>
        )}
      </Show>
    </Page>
  );
}

/** "0.1" → "10 % of the requests go to the new version", so that nobody reads 0.1 as 0.1 %. */
function shareInWords(text: string): string {
  const share = Number(text);
  if (text.trim() === '' || !Number.isFinite(share) || share <= 0 || share >= 1) return `A share between 0 and 1: 0.1 sends 10${PERCENT} of the requests to the new version.`;
  return `${Number((share * 100).toFixed(1))}${PERCENT} of the requests go to the new version.`;
}
