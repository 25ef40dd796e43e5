/**
 * Numbers in plain words, for people who are not ML engineers: what a metric value means, what a task
 * is, how big a number is. Engineers see the raw names and values beside these sentences.
 */

/** A no-break space before "%", so that a narrow column never leaves the sign alone on the next line. */
export const PERCENT = '\u00a0%';
const pct = (v: number): string => `${Math.round(v * 100)}${PERCENT}`;
const outOf100 = (v: number): string => `${Math.round(v * 100)} out of 100`;

/** One sentence per known metric (scikit-learn's names); undefined for metrics without one. */
export function explainMetric(name: string, value: number): string | undefined {
  if (!Number.isFinite(value)) return undefined;
  switch (name) {
    case 'accuracy':
      return `Right ${outOf100(value)} times on rows it never saw while learning.`;
    case 'balanced_accuracy':
      return `Right ${pct(value)} of the time on average over the answers, so a rare answer counts as much as a common one.`;
    case 'roc_auc':
      return `Shown one "yes" and one "no" case, it ranks them the right way round ${outOf100(value)} times (50 is guessing, 100 is perfect).`;
    case 'f1':
    case 'f1_macro':
    case 'f1_weighted':
      return `A balance of catching the cases and not raising false alarms: ${pct(value)} (higher is better).`;
    case 'precision':
      return `When it says "yes", it is right ${outOf100(value)} times.`;
    case 'recall':
      return `It finds ${outOf100(value)} of the real "yes" cases.`;
    case 'log_loss':
      return `How surprised it is by the true answers (lower is better; confident mistakes cost the most).`;
    case 'r2':
      return `It explains ${pct(Math.max(0, value))} of the ups and downs of the value (100${PERCENT} would be perfect, 0${PERCENT} no better than the average).`;
    case 'rmse':
      return `Its predictions are typically off by about ${formatValue(value)} (big misses count extra).`;
    case 'mae':
      return `Its predictions are off by ${formatValue(value)} on average.`;
    default:
      return undefined;
  }
}

/** The metrics a newcomer reads first, in that order. */
export const HEADLINE_METRICS = ['accuracy', 'roc_auc', 'f1', 'f1_macro', 'r2', 'mae', 'rmse'] as const;

export function formatValue(v: unknown): string {
  if (typeof v !== 'number') return v === null || v === undefined ? '—' : String(v);
  if (!Number.isFinite(v)) return String(v);
  if (Number.isInteger(v)) return v.toLocaleString('en-US');
  const a = Math.abs(v);
  return a >= 1000 ? Math.round(v).toLocaleString('en-US') : Number(v.toPrecision(4)).toString();
}

/** A duration in seconds for reading, not for a lab notebook: 0.48 s, 2.6 s, 10 s, 2 min 5 s. */
export function secondsInWords(s: number): string {
  if (!Number.isFinite(s)) return '—';
  if (s < 1) return `${Number(s.toPrecision(2))} s`;
  if (Math.round(s * 10) < 100) return `${s.toFixed(1)} s`;
  if (s < 120) return `${Math.round(s)} s`;
  const m = Math.floor(s / 60);
  return `${m} min ${Math.round(s - m * 60)} s`;
}

/** A time in milliseconds, as the monitoring page shows answer times: 5.6 ms, 42 ms, 1,250 ms. */
export function millisecondsInWords(ms: number): string {
  if (!Number.isFinite(ms)) return '—';
  return `${ms < 10 ? Number(ms.toFixed(1)) : Math.round(ms).toLocaleString('en-US')} ms`;
}

/**
 * A learner's settings as a reader would write them — "max depth 6, learning rate 0.1" — instead of
 * JSON; none set means the learner's defaults.
 */
export function settingsInWords(params: Readonly<Record<string, unknown>> | undefined): string {
  const entries = Object.entries(params ?? {});
  if (entries.length === 0) return 'defaults';
  const words = (key: string) => key.replace(/([a-z0-9])([A-Z])/g, '$1 $2').replace(/_/g, ' ').toLowerCase();
  const value = (v: unknown): string => (Array.isArray(v) ? v.map(value).join('–') : typeof v === 'object' && v !== null ? JSON.stringify(v) : formatValue(v));
  return entries.map(([k, v]) => `${words(k)} ${value(v)}`).join(', ');
}

export function taskInWords(task: string | undefined): string {
  switch (task) {
    case 'binary':
      return 'a yes/no prediction';
    case 'multiclass':
    case 'classification':
      return 'a choice between categories';
    case 'regression':
      return 'a number';
    case 'text-classify':
      return 'a label for a text';
    case 'recommend':
      return 'recommendations';
    case 'cluster':
      return 'segments of similar rows';
    case 'detect-anomalies':
      return 'unusual rows';
    default:
      return task ?? 'a prediction';
  }
}

export function bytesInWords(n: number): string {
  if (n < 1024) return `${n} bytes`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

export function timeAgo(iso: string | undefined | null): string {
  if (iso === undefined || iso === null) return '—';
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return iso;
  const s = Math.round((Date.now() - t) / 1000);
  if (s < 60) return 'just now';
  if (s < 3600) return `${Math.round(s / 60)} min ago`;
  if (s < 86400) return `${Math.round(s / 3600)} h ago`;
  return new Date(t).toLocaleDateString('en-US', { year: 'numeric', month: 'short', day: 'numeric' });
}
