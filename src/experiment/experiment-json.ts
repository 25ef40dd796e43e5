/**
 * Experiments as the HTTP API and `kiln ab --json` show them: snake_case keys, the same shape in both
 * (as src/api/json.ts does for the registry's entities).
 */
import type { Experiment } from '../store/store.js';
import type { ExperimentReport } from './experiments.js';

export function experimentJson(e: Experiment) {
  return {
    id: e.id,
    model: e.model,
    champion: e.champion,
    challenger: e.challenger,
    mode: e.mode,
    challenger_share: e.challengerShare,
    outcome: e.outcome,
    max_error_rate: e.maxErrorRate ?? null,
    max_p99_ms: e.maxP99Ms ?? null,
    description: e.description ?? '',
    status: e.status,
    started_at: e.startedAt,
    ended_at: e.endedAt,
    end_reason: e.endReason,
  };
}

/** The experiment with its traffic per arm and its analysis (split, canary) or shadow comparison. */
export function reportJson(report: ExperimentReport): Record<string, unknown> {
  return {
    ...experimentJson(report.experiment),
    traffic: report.traffic,
    analysis: report.analysis,
    shadow: report.shadow,
    verdict: report.analysis?.verdict ?? report.shadow?.verdict ?? null,
  };
}
