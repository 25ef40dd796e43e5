/**
 * The server's jobs, newest first: trainings and learning curves, waiting, running or ended — so that a
 * training left running on another page can be found again. While one is waiting or running, the list
 * refreshes itself every few seconds.
 */
import { useEffect } from 'react';
import type { Job, JobStatus } from '../api/types.js';
import { useApi } from '../api/use-api.js';
import { timeAgo } from '../flow/words.js';
import { Link } from '../router.js';
import { Card } from './bits.js';
import { Empty, Show } from './states.js';

const REFRESH_MS = 3000;

const STATUS_WORDS: Record<JobStatus, string> = {
  queued: 'waiting',
  running: 'running',
  succeeded: 'done',
  failed: 'failed',
  cancelled: 'cancelled',
};

export function JobsCard() {
  const jobs = useApi<{ jobs: readonly Job[] }>('/api/jobs');
  const active = jobs.state === 'loaded' && jobs.data.jobs.some((j) => j.status === 'queued' || j.status === 'running');
  const { reload } = jobs;
  useEffect(() => {
    if (!active) return;
    const timer = setInterval(reload, REFRESH_MS);
    return () => clearInterval(timer);
  }, [active, reload]);
  return (
    <Card title="Jobs">
      <Show value={jobs} what="the jobs">
        {(d) =>
          d.jobs.length === 0 ? (
            <Empty title="No jobs since the server started.">
              <p>
                Trainings started from <Link to="/data">Data</Link> appear here, with the learning curves asked for on a model's results.
              </p>
            </Empty>
          ) : (
            <div className="table-scroll" tabIndex={0} role="region" aria-label="Jobs, newest first">
              <table className="data-table">
                <caption className="visually-hidden">Jobs, newest first</caption>
                <thead>
                  <tr>
                    <th scope="col">job</th>
                    <th scope="col">model</th>
                    <th scope="col">status</th>
                    <th scope="col">started</th>
                  </tr>
                </thead>
                <tbody>
                  {d.jobs.map((j) => (
                    <tr key={j.id}>
                      <td>
                        {j.kind === 'curves' ? (
                          <Link to={`/models/${encodeURIComponent(`${j.model}:${j.version ?? ''}`)}`}>learning curve</Link>
                        ) : (
                          <Link to={`/jobs/${encodeURIComponent(j.id)}`}>training</Link>
                        )}
                      </td>
                      <td>{j.kind === 'curves' ? `${j.model}:${j.version ?? ''}` : j.model}</td>
                      <td>
                        {STATUS_WORDS[j.status]}
                        {j.status === 'queued' && j.queue_position !== undefined && ` (${j.queue_position} ahead)`}
                        {j.status === 'failed' && j.error !== undefined && <span className="muted small"> — {j.error.error}</span>}
                      </td>
                      <td>{timeAgo(j.started_at ?? j.submitted_at)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )
        }
      </Show>
    </Card>
  );
}
