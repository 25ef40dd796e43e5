/**
 * Step 3, Train: follows a training job live over Server-Sent Events — which stage it is in, the
 * leaderboard of models tried so far, the learning curve of the model being fitted, what reading the
 * data changed (apart, with each fix), and the training's notes and diagnoses as they come — with a
 * Cancel button. When it finishes, it points to the results.
 */
import { api, ApiError } from '../api/client.js';
import { useJobEvents } from '../api/job-events.js';
import type { JobView, LossCurve } from '../flow/job-view.js';
import type { Job, SelectionCandidate, Trial } from '../api/types.js';
import { useAction, useApi } from '../api/use-api.js';
import { LineChart } from '../components/charts/LineChart.js';
import { Card, Facts, ForEngineers, Page } from '../components/bits.js';
import { DataNotesCard } from '../components/DataNotesCard.js';
import { ErrorBox, Loading } from '../components/states.js';
import { explainMetric, formatValue, secondsInWords, settingsInWords } from '../flow/words.js';
import { Link } from '../router.js';

/** The training stages in order, in plain words. */
const STAGES: readonly (readonly [string, string])[] = [
  ['read', 'Reading the data'],
  ['schema', 'Working out the columns'],
  ['split', 'Keeping some rows aside for the test'],
  ['preprocess', 'Preparing the columns'],
  ['search', 'Trying models'],
  ['fit', 'Training the model'],
  ['evaluate', 'Testing it on the rows kept aside'],
  ['export', 'Packaging it'],
  ['register', 'Saving it as a new version'],
];

const STATUS_WORDS = {
  connecting: 'Connecting…',
  queued: 'Waiting for another training to finish…',
  running: 'Training…',
  succeeded: 'Done',
  failed: 'Training failed',
  cancelled: 'Cancelled',
} as const;

export function TrainPage({ jobId }: { jobId: string }) {
  const job = useApi<Job>(`/api/jobs/${encodeURIComponent(jobId)}`);
  if (job.state === 'loading') {
    return (
      <Page title="Training">
        <Loading what="the training job" />
      </Page>
    );
  }
  if (job.state === 'failed') {
    return (
      <Page title="Training">
        <ErrorBox error={job.error} onRetry={job.reload} />
        <p>
          <Link to="/data">Start from your data</Link> to train a new module, or open <Link to="/models">your models</Link>.
        </p>
      </Page>
    );
  }
  return <JobProgress job={job.data} />;
}

/** The job's live view: only opened for a job the server knows, so a wrong link never leaves a stream retrying. */
function JobProgress({ job }: { job: Job }) {
  const view = useJobEvents(job.id);
  const cancel = useAction(() => api<unknown>(`/api/jobs/${encodeURIComponent(job.id)}/cancel`, { method: 'POST', body: {} }));
  // before the stream's first event, the job document says whether it waits its turn
  const status = view.status === 'connecting' && job.status === 'queued' ? 'queued' : view.status;
  const running = !view.lost && (status === 'running' || status === 'connecting' || status === 'queued');
  return (
    <Page
      title={`Training ${job.model}`}
      lead={<span aria-live="polite">{view.lost ? 'Stopped: the server lost this training' : STATUS_WORDS[status]}{view.reconnecting ? ' (connection lost, reconnecting…)' : ''}</span>}
      actions={
        running ? (
          <button type="button" className="button danger" onClick={() => void cancel.run()} disabled={cancel.busy}>
            {cancel.busy ? 'Cancelling…' : 'Cancel training'}
          </button>
        ) : undefined
      }
    >
      {cancel.error !== undefined && <ErrorBox error={cancel.error} />}
      <Outcome view={view} model={job.model} />
      <div className="grid two">
        <Card title="Progress">
          <Stages view={view} />
        </Card>
        <Card title="Learning curve">
          <Curves curves={view.curves} status={view.lost ? 'failed' : status} />
        </Card>
      </div>
      <Card title="Models tried">
        {view.trials.length === 0 && (view.result?.selection?.candidates ?? []).length > 0 ? (
          <Candidates candidates={view.result?.selection?.candidates ?? []} folds={view.result?.selection?.folds} />
        ) : (
          <Leaderboard trials={view.trials} metric={view.metric} status={view.lost ? 'failed' : status} />
        )}
      </Card>
      <DataNotesCard notes={view.dataNotes} />
      {view.notes.length > 0 && (
        <Card title="Notes from training">
          <ul className="notes">
            {view.notes.map((n, i) => (
              <li key={i}>{n}</li>
            ))}
          </ul>
        </Card>
      )}
    </Page>
  );
}

/**
 * `model`: the job's model name, the one thing a job knows before its result (versions before
 * session 11 of a text module also named their configuration `model` in the result).
 */
function Outcome({ view, model }: { view: JobView; model: string }) {
  if (view.status === 'succeeded' && view.result !== undefined) {
    const r = view.result;
    const ref = `${model}:${r.version}`;
    const test = r.metrics?.test ?? {};
    const headline = ['accuracy', 'r2', 'roc_auc'].find((m) => test[m] !== undefined);
    return (
      <div className="success-box" role="status">
        <p>
          <strong>
            {model} version {r.version} is ready.
          </strong>{' '}
          {headline !== undefined && explainMetric(headline, test[headline] ?? NaN)}
        </p>
        <Link className="button primary" to={`/models/${encodeURIComponent(ref)}`}>
          See the results
        </Link>
        <ForEngineers>
          <Facts
            items={[
              ['run', <code key="run">{r.run_id ?? '—'}</code>],
              ['learner', r.learner ?? '—'],
              ['fit time', r.fit_s === undefined ? '—' : secondsInWords(r.fit_s)],
              ...Object.entries(test).map(([k, v]) => [`test ${k}`, formatValue(v)] as const),
            ]}
          />
        </ForEngineers>
      </div>
    );
  }
  if (view.status === 'failed') {
    return (
      <ErrorBox
        error={new ApiError(view.error?.error ?? 'Training failed.', view.error?.code ?? 'TRAINING_FAILED', 0, view.error?.hint ?? 'Read the notes below, change the module, and train again.', [])}
      />
    );
  }
  if (view.lost) {
    return (
      <div className="error-box" role="alert">
        <p className="error-message">
          <strong>Kiln no longer knows this training.</strong>
        </p>
        <p>The server remembers its last 100 finished trainings; this one is older than those, belongs to another server, or the server&apos;s home folder was moved or cleared.</p>
        <p className="hint">
          What to do: open <Link to="/models">your models</Link> to check whether a version of {model} was saved, or <Link to="/data">train it again</Link>.
        </p>
      </div>
    );
  }
  if (view.status === 'cancelled') {
    return (
      <div className="empty" role="status">
        <p>
          <strong>Training was cancelled.</strong> Nothing was saved. <Link to="/data">Start again</Link> when you are ready.
        </p>
      </div>
    );
  }
  return null;
}

function Stages({ view }: { view: JobView }) {
  const stopped = view.status === 'cancelled' || view.status === 'failed' || view.lost;
  if (view.stages.length === 0) return stopped ? <p className="muted">Training stopped before it started.</p> : <Loading what="the first step" />;
  const reached = new Set(view.stages.map((s) => s.stage));
  const current = view.stages[view.stages.length - 1]?.stage;
  const done = view.status === 'succeeded';
  // only the stages this job goes through (a job without a search has no "Trying models")
  const shown = STAGES.filter(([stage]) => reached.has(stage) || !done);
  return (
    <ol className="stages">
      {shown.map(([stage, words]) => {
        const state = !reached.has(stage) ? 'todo' : stage !== current || done ? 'done' : stopped ? 'stopped' : 'now';
        const message = [...view.stages].reverse().find((s) => s.stage === stage)?.message;
        return (
          <li key={stage} className={`stage ${state}`}>
            <span className="stage-mark" aria-hidden="true">
              {state === 'done' ? '✓' : state === 'now' ? '●' : state === 'stopped' ? '✕' : '○'}
            </span>
            <span>
              {words}
              <span className="visually-hidden">{state === 'done' ? ' (done)' : state === 'now' ? ' (in progress)' : state === 'stopped' ? ' (stopped here)' : ' (not started)'}</span>
              {state === 'now' && message !== undefined && message !== stage && <span className="muted small"> — {message}</span>}
            </span>
          </li>
        );
      })}
    </ol>
  );
}

function Curves({ curves, status }: { curves: readonly LossCurve[]; status: JobView['status'] }) {
  const curve = curves[curves.length - 1];
  const last = curve?.points;
  if (last === undefined || last.length < 2) {
    const words =
      status === 'succeeded'
        ? 'This model learned in one step, so there is no curve to show.'
        : status === 'cancelled' || status === 'failed'
          ? 'Training stopped before a model learned step by step.'
          : 'The curve appears as soon as a model that learns step by step starts training.';
    return <p className="muted">{words}</p>;
  }
  const series = [
    { label: 'error on the training rows', points: last.map((p) => [p.iteration, p.train] as const) },
    ...(last.some((p) => p.validation !== undefined)
      ? [{ label: 'error on rows it does not train on', points: last.flatMap((p) => (p.validation === undefined ? [] : [[p.iteration, p.validation] as const])) }]
      : []),
  ];
  return (
    <>
      <LineChart
        series={series}
        title={curve?.part === undefined ? 'Error per training step: lower is better' : `Error per training step of one model in the mix (${curve.part}): lower is better`}
        xLabel="training step"
        yLabel="error (loss)"
      />
      <p className="muted small">
        {series.length > 1
          ? 'Both lines going down: it is learning. The second line going up while the first keeps falling: it starts to memorise the training rows.'
          : 'The line going down: it is learning. Once it flattens, more training steps add little.'}
      </p>
    </>
  );
}

function Leaderboard({ trials, metric, status }: { trials: readonly Trial[]; metric: string | undefined; status: JobView['status'] }) {
  if (trials.length === 0) {
    const words =
      status === 'succeeded'
        ? 'Only one model was trained (give it a time to search in the advanced options to compare several).'
        : status === 'cancelled' || status === 'failed'
          ? 'No model was tried before training stopped.'
          : 'Models appear here as they are tried.';
    return <p className="muted">{words}</p>;
  }
  const ranked = [...trials].sort((a, b) => (b.status === 'ok' ? 1 : 0) - (a.status === 'ok' ? 1 : 0) || (b.score ?? -Infinity) - (a.score ?? -Infinity));
  return (
    <div className="table-scroll" tabIndex={0} role="region" aria-label="Models tried, best first">
      <table className="data-table leaderboard">
        <caption className="visually-hidden">Models tried, best first</caption>
        <thead>
          <tr>
            <th scope="col">#</th>
            <th scope="col">algorithm</th>
            <th scope="col">{metric === undefined ? 'score' : `score (${metric})`}</th>
            <th scope="col">rows</th>
            <th scope="col">time</th>
            <th scope="col">settings</th>
          </tr>
        </thead>
        <tbody>
          {ranked.map((t, i) => (
            <tr key={t.id} className={i === 0 && t.status === 'ok' ? 'leader' : undefined}>
              <td>{i + 1}</td>
              <td>{t.learner}</td>
              <td>{t.status === 'ok' ? formatValue(t.value) : t.status === 'failed' ? `failed${t.error === undefined ? '' : `: ${t.error}`}` : 'stopped: out of time'}</td>
              <td>{t.rows === undefined ? '—' : t.rows.toLocaleString('en-US')}</td>
              <td>{t.seconds === undefined ? '—' : secondsInWords(t.seconds)}</td>
              <td className="small">{settingsInWords(t.params)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/**
 * A text module tries its configurations by cross-validation inside one training step, so no trials
 * stream in: the list comes with the result. Without it the card said "only one model was trained"
 * right above the notes listing eight.
 */
function Candidates({ candidates, folds }: { candidates: readonly SelectionCandidate[]; folds: number | undefined }) {
  const ranked = [...candidates].sort((a, b) => (b.cv_accuracy ?? -Infinity) - (a.cv_accuracy ?? -Infinity));
  return (
    <>
      <p className="muted">
        Each way of reading the texts was scored on texts it did not learn from{folds === undefined ? '' : ` (${folds} rounds)`}; the best one was trained on all the
        training texts.
      </p>
      <div className="table-scroll" tabIndex={0} role="region" aria-label="Configurations tried, best first">
        <table className="data-table leaderboard">
          <caption className="visually-hidden">Configurations tried, best first</caption>
          <thead>
            <tr>
              <th scope="col">#</th>
              <th scope="col">configuration</th>
              <th scope="col">accuracy</th>
            </tr>
          </thead>
          <tbody>
            {ranked.map((c, i) => (
              <tr key={c.model} className={i === 0 ? 'leader' : undefined}>
                <td>{i + 1}</td>
                <td className="wraps">{c.model}</td>
                <td>{c.cv_accuracy === undefined ? '—' : formatValue(Number(c.cv_accuracy.toFixed(4)))}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}
