/**
 * "Would more rows help?" (for a text module: texts) — the question a person with a spreadsheet asks before collecting more data.
 * On request, the server refits the model on growing shares of its training rows (a job of the training
 * queue: POST /api/models/:ref/curves); the two lines grow on the chart as each size is fitted, then the
 * reading says in words whether more rows, other columns or a simpler model is the way forward. A
 * text module's card speaks of texts: it is refitted on growing shares of its training texts.
 */
import { useState } from 'react';
import { api, ApiError, refPath } from '../api/client.js';
import { useCurveJob } from '../api/curve-events.js';
import type { Job } from '../api/types.js';
import { useAction } from '../api/use-api.js';
import { LineChart } from './charts/LineChart.js';
import { Card } from './bits.js';
import { ErrorBox } from './states.js';

/** `unit`: what the model learned from, in the card's words — a table's rows, or a text module's texts. */
export function SizeCurveCard({ modelRef, metric, unit = 'rows' }: { modelRef: string; metric: string | undefined; unit?: 'rows' | 'texts' }) {
  const [jobId, setJobId] = useState<string | undefined>(undefined);
  const start = useAction(async () => {
    const job = await api<Job>(`/api/models/${refPath(modelRef)}/curves`, { method: 'POST', body: {} });
    setJobId(job.id);
    return job;
  });
  const view = useCurveJob(jobId);
  const shownMetric = view.result?.metric ?? metric ?? 'score';
  const working = jobId !== undefined && (view.status === 'connecting' || view.status === 'running');
  return (
    <Card title={`Would more ${unit} help?`}>
      {jobId === undefined ? (
        <>
          <p className="muted">
            Kiln can train this model again on a tenth, a third, half, three quarters and all of its training {unit}, and compare how well each does on {unit}{' '}
            it did not learn from. If the score is still climbing at the end, more {unit} of the same kind would likely make it better; if it has levelled off,{' '}
            {unit === 'texts' ? 'texts that say more, or another way of reading them, would help more than more texts.' : 'new columns would help more than new rows.'}
          </p>
          <button type="button" className="button" onClick={() => void start.run()} disabled={start.busy}>
            {start.busy ? 'Starting…' : 'Find out'}
          </button>
          {start.error !== undefined && <ErrorBox error={start.error} />}
        </>
      ) : (
        <>
          {working && (
            <p className="loading" role="status">
              <span className="spinner" aria-hidden="true" /> Training on growing shares of the {unit}: {view.points.length} of {view.total ?? 5} sizes done…
            </p>
          )}
          {view.result !== undefined && (
            <div className="explanation" role="status">
              <p>{view.result.size.reading.sentence}</p>
              <ul className="small">
                {view.result.size.reading.nextSteps.map((s) => (
                  <li key={s}>{s}</li>
                ))}
              </ul>
            </div>
          )}
          {view.points.length >= 1 && (
            <LineChart
              title={`${shownMetric} against the number of training ${unit}`}
              xLabel={`${unit} trained on`}
              yLabel={view.result === undefined ? shownMetric : `${shownMetric} (${view.result.higherIsBetter ? 'higher' : 'lower'} is better)`}
              series={[
                { label: `on the ${unit} it learned from`, points: view.points.map((p) => [p.x, p.train] as const) },
                { label: `on ${unit} it did not see`, points: view.points.map((p) => [p.x, p.validation] as const) },
              ]}
            />
          )}
          {view.status === 'failed' && (
            <ErrorBox
              error={new ApiError(view.error?.error ?? 'The learning curve could not be drawn.', view.error?.code ?? 'CURVES_FAILED', 0, view.error?.hint, [])}
            />
          )}
          {view.status === 'cancelled' && <p className="muted">The learning curve was stopped before it finished.</p>}
          {view.result !== undefined && (
            <p className="muted small">
              Each point is the average over {view.result.folds} rounds in which a different part of the {view.result.trainingRows} training {unit} was kept
              aside to score on. The {unit} kept aside for the final test are not used.
            </p>
          )}
        </>
      )}
    </Card>
  );
}
