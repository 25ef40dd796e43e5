/**
 * A training job as the Train page draws it: every Server-Sent Event of GET /api/jobs/:id/events
 * (stage, progress, note, trial, done, failed, cancelled) is folded into one JobView by `reduceJob`.
 */
import type { DataNote, Job, JobStatus, TrainResult, Trial } from '../api/types.js';
import { dataNoteFrom, dataNotesOfResult } from './data-notes.js';

export interface LossPoint {
  readonly iteration: number;
  readonly train: number;
  readonly validation?: number;
}

export interface LossCurve {
  /** The part of the model the curve belongs to, e.g. "mlp, 2 of 3" for an ensemble's member. */
  readonly part?: string;
  readonly points: readonly LossPoint[];
}

export interface JobView {
  readonly status: JobStatus | 'connecting';
  readonly stages: readonly { readonly stage: string; readonly message: string }[];
  /** The training's own notes (diagnoses, waiting its turn, where it runs). */
  readonly notes: readonly string[];
  /** What reading the data changed (a note event's `ingest`), kept whole for its fix. */
  readonly dataNotes: readonly DataNote[];
  readonly trials: readonly Trial[];
  readonly metric: string | undefined;
  /**
   * One learning curve per model being fitted: a new curve starts when the iteration count restarts or
   * another part of the model (an ensemble's member, named by `part`) reports.
   */
  readonly curves: readonly LossCurve[];
  readonly result: TrainResult | undefined;
  readonly error: { readonly error: string; readonly code?: string; readonly hint?: string } | undefined;
  /** The stream dropped and the browser is reconnecting. */
  readonly reconnecting: boolean;
  /**
   * The server no longer knows the job (older than the last 100 it keeps, another server's, or its home
   * was cleared): nothing more will come. A job a restart interrupted is known: it ends JOB_INTERRUPTED.
   */
  readonly lost: boolean;
}

export const EMPTY_VIEW: JobView = {
  status: 'connecting',
  stages: [],
  notes: [],
  dataNotes: [],
  trials: [],
  metric: undefined,
  curves: [],
  result: undefined,
  error: undefined,
  reconnecting: false,
  lost: false,
};

export type JobAction =
  | { readonly type: 'reset' }
  | { readonly type: 'open' }
  | { readonly type: 'dropped' }
  | { readonly type: 'lost' }
  | { readonly type: 'event'; readonly name: string; readonly data: unknown };

/** Curves keep at most this many points each, so a long fit does not slow the page down. */
const MAX_CURVE_POINTS = 400;

export function reduceJob(view: JobView, action: JobAction): JobView {
  switch (action.type) {
    case 'reset':
      return EMPTY_VIEW;
    case 'open':
      // `queued` until the first stage event says training started
      return { ...view, reconnecting: false };
    case 'dropped':
      return ended(view) ? view : { ...view, reconnecting: true };
    case 'lost':
      return ended(view) ? view : { ...view, reconnecting: false, lost: true };
    case 'event':
      return applyEvent(view, action.name, (typeof action.data === 'object' && action.data !== null ? action.data : {}) as Record<string, unknown>);
  }
}

const ended = (view: JobView): boolean => view.status === 'succeeded' || view.status === 'failed' || view.status === 'cancelled';

/**
 * The end event a job document stands for, when the stream closed without sending it (the browser
 * gives up on a stream the server refuses): a job that ended says how, one still going says nothing.
 */
export function endEventOf(job: Job): { readonly name: 'done' | 'failed' | 'cancelled'; readonly data: unknown } | undefined {
  if (job.status === 'succeeded' && job.result !== undefined) return { name: 'done', data: { result: job.result } };
  if (job.status === 'failed') return { name: 'failed', data: { error: job.error ?? {} } };
  if (job.status === 'cancelled') return { name: 'cancelled', data: {} };
  return undefined;
}

function applyEvent(view: JobView, name: string, d: Record<string, unknown>): JobView {
  switch (name) {
    case 'stage': {
      const stage = String(d['stage'] ?? '');
      const message = String(d['message'] ?? stage);
      return { ...view, status: 'running', stages: [...view.stages, { stage, message }] };
    }
    case 'note': {
      const data = dataNoteFrom(d['ingest']);
      return data === undefined ? { ...view, notes: [...view.notes, String(d['message'] ?? '')] } : { ...view, dataNotes: [...view.dataNotes, data] };
    }
    case 'trial': {
      const trial = d['trial'] as Trial | undefined;
      if (trial === undefined) return view;
      return { ...view, trials: [...view.trials, trial], metric: typeof d['metric'] === 'string' ? d['metric'] : view.metric };
    }
    case 'progress': {
      const iteration = Number(d['iteration']);
      const train = Number(d['trainLoss']);
      if (!Number.isFinite(iteration) || !Number.isFinite(train)) return view;
      const validation = Number(d['validationLoss']);
      const point: LossPoint = { iteration, train, ...(Number.isFinite(validation) ? { validation } : {}) };
      const part = typeof d['part'] === 'string' ? d['part'] : undefined;
      const last = view.curves[view.curves.length - 1];
      const previous = last?.points[last.points.length - 1];
      // iterations restart at the beginning of each model's fit, and an ensemble's members take turns: a new curve
      if (last === undefined || previous === undefined || iteration <= previous.iteration || last.part !== part) {
        return { ...view, curves: [...view.curves, { ...(part === undefined ? {} : { part }), points: [point] }].slice(-12) };
      }
      const points = last.points.length >= MAX_CURVE_POINTS ? [...last.points.filter((_, i) => i % 2 === 0), point] : [...last.points, point];
      return { ...view, curves: [...view.curves.slice(0, -1), { ...last, points }] };
    }
    case 'done': {
      const result = (d['result'] ?? d) as TrainResult;
      // a page that saw no events (its stream refused, the end read from the job document) has the result's notes
      const dataNotes = view.dataNotes.length > 0 ? view.dataNotes : dataNotesOfResult(result);
      return { ...view, status: 'succeeded', result, dataNotes, reconnecting: false };
    }
    case 'failed': {
      const err = (d['error'] ?? d) as Record<string, unknown>;
      return {
        ...view,
        status: 'failed',
        reconnecting: false,
        error: {
          error: String(err['error'] ?? err['message'] ?? 'Training failed.'),
          ...(typeof err['code'] === 'string' ? { code: err['code'] } : {}),
          ...(typeof err['hint'] === 'string' ? { hint: err['hint'] } : {}),
        },
      };
    }
    case 'cancelled':
      return { ...view, status: 'cancelled', reconnecting: false };
    default:
      return view;
  }
}
