/**
 * `report.json` of a text-classify module, in plain language: how well it does against always
 * answering the most common class (with the diagnoses every Kiln model gets), which configuration cross-validation chose and why, the words that
 * speak most for each class, the held-out texts it got most confidently wrong, and how its score holds
 * up when texts get messier (typing slips, words left out, texts missing).
 */
import type { CandidateScore } from './text-model.js';
import { describeConfig } from './text-model.js';
import type { BaselineComparison } from '../../evaluate/diagnostics/baseline.js';
import type { Diagnosis } from '../../evaluate/diagnostics/verdict.js';
import type { RobustnessResult } from '../../evaluate/robustness.js';
import type { IndicativeTerms, TextExplanation } from './explain-text.js';

export interface TextReport {
  readonly task: 'text-classify';
  readonly text: string;
  readonly target: string;
  readonly classes: readonly (string | number)[];
  /**
   * The configuration cross-validation chose, in words. Not `model`: the app's and the CLI's answers
   * put the module's name there (older reports used it; stored-report.ts reads them).
   */
  readonly configuration: string;
  readonly servedBy: string;
  /** Against always answering the most frequent class (the shape tabular reports have). */
  readonly baseline: BaselineComparison;
  readonly diagnoses: readonly Diagnosis[];
  readonly selection: { readonly folds: number; readonly candidates: readonly { readonly model: string; readonly cv_accuracy: number; readonly cv_log_loss: number }[] } | null;
  readonly metrics: { readonly train: Readonly<Record<string, number>>; readonly test: Readonly<Record<string, number>> };
  readonly indicativeTerms: readonly IndicativeTerms[];
  readonly confidentMistakes: readonly (TextExplanation & { readonly actual: string | number })[];
  /** The held-out score on messier texts (text-robustness.ts), in `scoreMetric`. */
  readonly robustness: readonly RobustnessResult[];
  readonly scoreMetric: string;
  readonly sentences: readonly string[];
}

export interface TextReportInput {
  readonly text: string;
  readonly target: string;
  readonly classes: readonly (string | number)[];
  readonly configuration: string;
  readonly servedBy: string;
  readonly baseline: BaselineComparison;
  readonly diagnoses: readonly Diagnosis[];
  readonly folds: number;
  readonly candidates: readonly CandidateScore[];
  readonly metrics: TextReport['metrics'];
  readonly indicativeTerms: readonly IndicativeTerms[];
  readonly mistakes: TextReport['confidentMistakes'];
  readonly robustness: readonly RobustnessResult[];
  readonly scoreMetric: string;
}

export function buildTextReport(r: TextReportInput): TextReport {
  const chosen = r.candidates.length > 1 ? `Cross-validation (${r.folds} folds on the training texts) chose ${r.configuration} out of ${r.candidates.length} configurations.` : `Trained ${r.configuration}.`;
  const words = r.indicativeTerms.map((c) => `"${String(c.class)}": ${c.terms.slice(0, 8).map((t) => (t.kind === 'char' ? `"${t.term}"` : t.term)).join(', ')}`);
  return {
    task: 'text-classify',
    text: r.text,
    target: r.target,
    classes: r.classes,
    configuration: r.configuration,
    servedBy: r.servedBy,
    baseline: r.baseline,
    diagnoses: r.diagnoses,
    selection:
      r.candidates.length > 1
        ? { folds: r.folds, candidates: r.candidates.map((c) => ({ model: describeConfig(c.config), cv_accuracy: c.accuracy, cv_log_loss: c.logLoss })) }
        : null,
    metrics: r.metrics,
    indicativeTerms: r.indicativeTerms,
    confidentMistakes: r.mistakes,
    robustness: r.robustness,
    scoreMetric: r.scoreMetric,
    sentences: [
      `On the held-out texts: ${r.baseline.sentence}`,
      ...r.diagnoses.map((d) => `${d.severity.toUpperCase()}: ${d.message}`),
      chosen,
      ...(words.length > 0 ? [`Words that speak most for each class — ${words.join('; ')}.`] : []),
      ...robustnessSentence(r.robustness, r.scoreMetric),
      r.servedBy,
    ],
  };
}

/** The case that costs most, in words — or that none costs more than 0.005 (nothing without cases). */
function robustnessSentence(cases: readonly RobustnessResult[], metric: string): string[] {
  const worst = cases.reduce<RobustnessResult | undefined>((a, b) => (a === undefined || b.change < a.change ? b : a), undefined);
  if (worst === undefined) return [];
  const clean = worst.score - worst.change;
  return worst.change < -0.005
    ? [`On messier texts it does worse most with ${worst.description}: ${metric} falls from ${clean.toFixed(3)} to ${worst.score.toFixed(3)}.`]
    : [`Messier texts (typing slips, words left out, texts missing) barely change its answers: ${metric} stays within 0.005 of ${clean.toFixed(3)}.`];
}
