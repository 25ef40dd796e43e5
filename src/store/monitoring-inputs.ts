/**
 * Checks of what callers hand the store for monitoring and A/B testing — feedback items, alert rules,
 * experiments — before anything is written. They come from HTTP bodies and files as often as from code,
 * so every problem is reported as data (`{path, message, code}`) with a coded error, never a raw SQL or
 * JSON error half way through a write.
 */
import { KilnError, type Problem } from '../core/errors.js';
import { isValidModelName } from './model-ref.js';
import {
  ALERT_METRICS,
  DEFAULT_ALERT_WINDOW,
  EXPERIMENT_MODES,
  EXPERIMENT_STATUSES,
  type AlertRuleInput,
  type ExperimentInput,
  type ExperimentStatus,
  type FeedbackInput,
} from './store.js';

/** The latest time a JavaScript Date can hold (ECMAScript's ±100,000,000 days around 1970), in ms: the year 275760. */
export const MAX_EPOCH_MS = 8.64e15;

/**
 * The most predictions an alert rule may measure. Each check reads and decodes its whole window, every
 * KILN_ALERT_INTERVAL; and the store keeps the window in a 32-bit INTEGER column, where a larger number
 * would fail on PostgreSQL as an internal error rather than as the user's slip.
 */
export const MAX_ALERT_WINDOW = 1_000_000;

/**
 * Throws FEEDBACK_INVALID listing every bad item (at most the first 20 are spelt out in the message).
 * Bounds are checked here, not only by the API and CLI, so a library caller is refused alike: a
 * timestamp is whole epoch milliseconds a Date can hold (a fraction or 1e300 would fail as an internal
 * error in PostgreSQL's BIGINT, or be stored as a time no report can show).
 */
export function checkFeedback(items: readonly FeedbackInput[]): void {
  if (!Array.isArray(items)) throw new KilnError('FEEDBACK_INVALID', { summary: 'expected a list of items' });
  const problems: Problem[] = [];
  items.forEach((item: unknown, i) => {
    if (typeof item !== 'object' || item === null) {
      problems.push({ path: `${i}`, message: 'expected an object with requestId and outcome', code: 'invalid_type' });
      return;
    }
    const { requestId, outcome, timestamp } = item as Record<string, unknown>;
    if (typeof requestId !== 'string' || requestId === '') {
      problems.push({ path: `${i}.requestId`, message: 'expected the request id a prediction was served with', code: 'invalid_type' });
    }
    const outcomeOk =
      typeof outcome === 'string' || typeof outcome === 'boolean' || (typeof outcome === 'number' && Number.isFinite(outcome));
    if (!outcomeOk) {
      problems.push({ path: `${i}.outcome`, message: `expected a finite number, text or true/false, got ${describe(outcome)}`, code: 'invalid_type' });
    }
    if (timestamp !== undefined && !(typeof timestamp === 'number' && Number.isInteger(timestamp) && timestamp >= 0 && timestamp <= MAX_EPOCH_MS)) {
      problems.push({ path: `${i}.timestamp`, message: `expected whole epoch milliseconds from 0 (1970) to ${MAX_EPOCH_MS} (the year 275760), got ${describe(timestamp)}`, code: 'invalid_type' });
    }
  });
  if (problems.length === 0) return;
  const shown = problems.slice(0, 20).map((p) => `${p.path}: ${p.message}`);
  if (problems.length > 20) shown.push(`… and ${problems.length - 20} more`);
  throw new KilnError('FEEDBACK_INVALID', { summary: shown.join('; ') }, { problems });
}

/** The rule as it will be stored: defaults filled in. */
export interface CheckedAlertRule {
  readonly model: string;
  readonly metric: string;
  readonly op: '>' | '<';
  readonly threshold: number;
  readonly window: number;
  readonly webhookUrl: string | null;
  readonly description: string;
}

export function checkAlertRuleInput(input: AlertRuleInput): CheckedAlertRule {
  const problems: Problem[] = [];
  if (typeof input.model !== 'string' || !isValidModelName(input.model)) {
    problems.push({ path: 'model', message: `"${String(input.model)}" is not a model name`, code: 'invalid_value' });
  }
  if (!(ALERT_METRICS as readonly string[]).includes(input.metric)) {
    problems.push({ path: 'metric', message: `unknown metric "${String(input.metric)}"; choose from ${ALERT_METRICS.join(', ')}`, code: 'invalid_value' });
  }
  if (input.op !== '>' && input.op !== '<') {
    problems.push({ path: 'op', message: `expected ">" or "<", got ${describe(input.op)}`, code: 'invalid_value' });
  }
  if (typeof input.threshold !== 'number' || !Number.isFinite(input.threshold)) {
    problems.push({ path: 'threshold', message: `expected a finite number, got ${describe(input.threshold)}`, code: 'invalid_type' });
  }
  const window = input.window ?? DEFAULT_ALERT_WINDOW;
  if (!Number.isInteger(window) || window < 1 || window > MAX_ALERT_WINDOW) {
    problems.push({ path: 'window', message: `expected a whole number of predictions from 1 to ${MAX_ALERT_WINDOW}, got ${describe(input.window)}`, code: 'invalid_value' });
  }
  if (input.webhookUrl !== undefined && !isHttpUrl(input.webhookUrl)) {
    problems.push({ path: 'webhookUrl', message: `"${String(input.webhookUrl)}" is not an http:// or https:// URL`, code: 'invalid_value' });
  }
  if (input.description !== undefined && typeof input.description !== 'string') {
    problems.push({ path: 'description', message: `expected text, got ${describe(input.description)}`, code: 'invalid_type' });
  }
  throwProblems('alert rule', problems);
  return {
    model: input.model,
    metric: input.metric,
    op: input.op,
    threshold: input.threshold,
    window,
    webhookUrl: input.webhookUrl ?? null,
    description: input.description ?? '',
  };
}

export function checkExperimentInput(input: ExperimentInput): void {
  const problems: Problem[] = [];
  if (typeof input.model !== 'string' || !isValidModelName(input.model)) {
    problems.push({ path: 'model', message: `"${String(input.model)}" is not a model name`, code: 'invalid_value' });
  }
  for (const side of ['champion', 'challenger'] as const) {
    if (!Number.isInteger(input[side]) || input[side] < 1) {
      problems.push({ path: side, message: `expected a version number ≥ 1, got ${describe(input[side])}`, code: 'invalid_value' });
    }
  }
  if (input.champion === input.challenger) {
    problems.push({ path: 'challenger', message: `the challenger must be another version than the champion (both are ${input.champion})`, code: 'invalid_value' });
  }
  if (!EXPERIMENT_MODES.includes(input.mode)) {
    problems.push({ path: 'mode', message: `expected one of ${EXPERIMENT_MODES.join(', ')}, got ${describe(input.mode)}`, code: 'invalid_value' });
  }
  if (!isFraction(input.challengerShare)) {
    problems.push({ path: 'challengerShare', message: `expected a share of traffic between 0 and 1, got ${describe(input.challengerShare)}`, code: 'invalid_value' });
  }
  if (input.outcome !== 'binary' && input.outcome !== 'continuous') {
    problems.push({ path: 'outcome', message: `expected "binary" or "continuous", got ${describe(input.outcome)}`, code: 'invalid_value' });
  }
  if (input.maxErrorRate !== undefined && !isFraction(input.maxErrorRate)) {
    problems.push({ path: 'maxErrorRate', message: `expected a rate between 0 and 1, got ${describe(input.maxErrorRate)}`, code: 'invalid_value' });
  }
  if (input.maxP99Ms !== undefined && !(typeof input.maxP99Ms === 'number' && Number.isFinite(input.maxP99Ms) && input.maxP99Ms > 0)) {
    problems.push({ path: 'maxP99Ms', message: `expected milliseconds > 0, got ${describe(input.maxP99Ms)}`, code: 'invalid_value' });
  }
  if (input.description !== undefined && typeof input.description !== 'string') {
    problems.push({ path: 'description', message: `expected text, got ${describe(input.description)}`, code: 'invalid_type' });
  }
  throwProblems('experiment', problems);
}

export function checkEndStatus(status: ExperimentStatus, reason: string): void {
  const problems: Problem[] = [];
  if (status === 'running' || !EXPERIMENT_STATUSES.includes(status)) {
    problems.push({ path: 'status', message: `expected stopped, promoted or rolled_back, got ${describe(status)}`, code: 'invalid_value' });
  }
  if (typeof reason !== 'string') problems.push({ path: 'reason', message: `expected text, got ${describe(reason)}`, code: 'invalid_type' });
  throwProblems('end of experiment', problems);
}

function throwProblems(what: string, problems: readonly Problem[]): void {
  if (problems.length === 0) return;
  throw new KilnError('INVALID_PARAMS', { what, summary: problems.map((p) => `${p.path}: ${p.message}`).join('; ') }, { problems });
}

function isFraction(value: unknown): boolean {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 && value <= 1;
}

function isHttpUrl(value: unknown): boolean {
  if (typeof value !== 'string') return false;
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (typeof value === 'string') return `"${value}"`;
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return String(value);
  return typeof value;
}
