/**
 * Following a job live: GET /api/jobs/:id/events is a Server-Sent Events stream that first replays
 * what already happened, then continues live (EventSource reconnects by itself and the server resumes
 * after the last event id it saw). `followJob` opens the stream for any job; `useJobEvents` folds a
 * training's events into a JobView (flow/job-view.ts), curve-events.ts a learning curve's.
 */
import { useEffect, useReducer } from 'react';
import { endEventOf, EMPTY_VIEW, reduceJob, type JobView } from '../flow/job-view.js';
import { api, ApiError } from './client.js';
import type { Job } from './types.js';

const TRAINING_EVENTS = ['stage', 'progress', 'note', 'trial'] as const;
const END_EVENTS = ['done', 'failed', 'cancelled'] as const;

export interface JobFollower {
  onOpen?(): void;
  /** The connection dropped before the job ended (the browser reconnects by itself). */
  onDropped?(): void;
  /**
   * The server refused the stream (an answer other than an event stream, e.g. 404 from a server
   * restarted since the job began), so the browser stopped reconnecting; no end event came.
   */
  onClosed?(): void;
  /** One event with its parsed data; an end event (done, failed, cancelled) comes last. */
  onEvent(name: string, data: unknown): void;
}

/** Opens the job's event stream for `names` and the end events; closes it at the end. Returns the close. */
export function followJob(jobId: string, names: readonly string[], follower: JobFollower): () => void {
  const source = new EventSource(`/api/jobs/${encodeURIComponent(jobId)}/events`);
  let finished = false;
  source.onopen = () => follower.onOpen?.();
  source.onerror = () => {
    // the server closes the stream once the job has ended; only an open job means a lost connection
    if (finished) return;
    if (source.readyState === EventSource.CLOSED) follower.onClosed?.();
    else follower.onDropped?.();
  };
  for (const name of [...names, ...END_EVENTS]) {
    source.addEventListener(name, (e) => {
      let data: unknown;
      try {
        data = JSON.parse((e as MessageEvent<string>).data);
      } catch {
        return;
      }
      if ((END_EVENTS as readonly string[]).includes(name)) {
        finished = true;
        source.close();
      }
      follower.onEvent(name, data);
    });
  }
  return () => source.close();
}

/** Subscribes to a training's events for as long as the component shows it. */
export function useJobEvents(jobId: string): JobView {
  const [view, dispatch] = useReducer(reduceJob, EMPTY_VIEW);
  useEffect(() => {
    dispatch({ type: 'reset' });
    let active = true;
    const close = followJob(jobId, TRAINING_EVENTS, {
      onOpen: () => dispatch({ type: 'open' }),
      onDropped: () => dispatch({ type: 'dropped' }),
      onEvent: (name, data) => dispatch({ type: 'event', name, data }),
      // without this the page said "reconnecting…" forever: ask the job document how the job ended
      onClosed: () => {
        api<Job>(`/api/jobs/${encodeURIComponent(jobId)}`).then(
          (job) => {
            const end = endEventOf(job);
            // still running by its document, but its stream is refused: this page cannot follow it
            if (active) dispatch(end === undefined ? { type: 'lost' } : { type: 'event', name: end.name, data: end.data });
          },
          (err: unknown) => {
            if (active && err instanceof ApiError && err.status === 404) dispatch({ type: 'lost' });
            else if (active) dispatch({ type: 'dropped' });
          },
        );
      },
    });
    return () => {
      active = false;
      close();
    };
  }, [jobId]);
  return view;
}
