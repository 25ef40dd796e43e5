/**
 * Following a training job live: GET /api/jobs/:id/events is a Server-Sent Events stream that first
 * replays what already happened, then continues live (EventSource reconnects by itself and the server
 * resumes after the last event id it saw). Events are folded into a JobView (flow/job-view.ts).
 */
import { useEffect, useReducer } from 'react';
import { EMPTY_VIEW, reduceJob, type JobView } from '../flow/job-view.js';

const EVENT_NAMES = ['stage', 'progress', 'note', 'trial', 'done', 'failed', 'cancelled'] as const;

/** Subscribes to a job's events for as long as the component shows it. */
export function useJobEvents(jobId: string): JobView {
  const [view, dispatch] = useReducer(reduceJob, EMPTY_VIEW);
  useEffect(() => {
    dispatch({ type: 'reset' });
    const source = new EventSource(`/api/jobs/${encodeURIComponent(jobId)}/events`);
    let finished = false;
    source.onopen = () => dispatch({ type: 'open' });
    source.onerror = () => {
      // the server closes the stream once the job has ended; only an open job means a lost connection
      if (!finished) dispatch({ type: 'dropped' });
    };
    for (const name of EVENT_NAMES) {
      source.addEventListener(name, (e) => {
        let data: unknown;
        try {
          data = JSON.parse((e as MessageEvent<string>).data);
        } catch {
          return;
        }
        dispatch({ type: 'event', name, data });
        if (name === 'done' || name === 'failed' || name === 'cancelled') {
          finished = true;
          source.close();
        }
      });
    }
    return () => source.close();
  }, [jobId]);
  return view;
}

