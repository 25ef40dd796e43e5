/**
 * Following a learning-curve job (POST /api/models/:ref/curves) over its event stream (followJob):
 * each `point` event adds a point as soon as it is fitted, so the chart grows while the person waits;
 * `done` carries the whole curve and its reading.
 */
import { useEffect, useState } from 'react';
import { followJob } from './job-events.js';
import type { CurvePoint, CurvesResult } from './types.js';

export interface CurveJobView {
  readonly status: 'connecting' | 'running' | 'succeeded' | 'failed' | 'cancelled';
  readonly points: readonly CurvePoint[];
  /** Points the curve will have. */
  readonly total: number | undefined;
  readonly result: CurvesResult | undefined;
  readonly error: { readonly error: string; readonly code?: string; readonly hint?: string } | undefined;
}

const START: CurveJobView = { status: 'connecting', points: [], total: undefined, result: undefined, error: undefined };

export function useCurveJob(jobId: string | undefined): CurveJobView {
  const [view, setView] = useState<CurveJobView>(START);
  useEffect(() => {
    setView(START);
    if (jobId === undefined) return;
    return followJob(jobId, ['point'], {
      onOpen: () => setView((v) => (v.status === 'connecting' ? { ...v, status: 'running' } : v)),
      onEvent: (name, data) => {
        const d = data as Record<string, unknown>;
        if (name === 'point') {
          if (d['curve'] !== 'size') return;
          const point = d['point'] as CurvePoint;
          // a reconnect replays only what came after the last event seen, but never count a point twice
          setView((v) => (v.points.some((p) => p.x === point.x) ? v : { ...v, status: 'running', points: [...v.points, point], total: d['total'] as number }));
        } else if (name === 'done') {
          const result = d['result'] as CurvesResult;
          setView((v) => ({ ...v, status: 'succeeded', result, points: result.size.points }));
        } else {
          setView((v) => ({ ...v, status: name as 'failed' | 'cancelled', ...(name === 'failed' ? { error: d['error'] as CurveJobView['error'] } : {}) }));
        }
      },
    });
  }, [jobId]);
  return view;
}
