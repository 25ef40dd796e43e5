/**
 * Following a learning-curve job (POST /api/models/:ref/curves) over GET /api/jobs/:id/events: each
 * `point` event adds a point as soon as it is fitted, so the chart grows while the person waits; `done`
 * carries the whole curve and its reading.
 */
import { useEffect, useState } from 'react';
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
    const source = new EventSource(`/api/jobs/${encodeURIComponent(jobId)}/events`);
    const data = (e: Event): Record<string, unknown> | undefined => {
      try {
        return JSON.parse((e as MessageEvent<string>).data) as Record<string, unknown>;
      } catch {
        return undefined;
      }
    };
    source.onopen = () => setView((v) => (v.status === 'connecting' ? { ...v, status: 'running' } : v));
    source.addEventListener('point', (e) => {
      const d = data(e);
      if (d === undefined || d['curve'] !== 'size') return;
      const point = d['point'] as CurvePoint;
      // a reconnect replays only what came after the last event seen, but never count a point twice
      setView((v) => (v.points.some((p) => p.x === point.x) ? v : { ...v, status: 'running', points: [...v.points, point], total: d['total'] as number }));
    });
    const end = (status: 'succeeded' | 'failed' | 'cancelled') => (e: Event) => {
      const d = data(e);
      source.close();
      setView((v) => ({
        ...v,
        status,
        ...(status === 'succeeded' ? { result: d?.['result'] as CurvesResult, points: (d?.['result'] as CurvesResult | undefined)?.size.points ?? v.points } : {}),
        ...(status === 'failed' ? { error: d?.['error'] as CurveJobView['error'] } : {}),
      }));
    };
    source.addEventListener('done', end('succeeded'));
    source.addEventListener('failed', end('failed'));
    source.addEventListener('cancelled', end('cancelled'));
    return () => source.close();
  }, [jobId]);
  return view;
}
