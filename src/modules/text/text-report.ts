/**
 * `report.json` of a text-classify module, in plain language: how well it does against always
 * answering the most common class (with the diagnoses every Kiln model gets), which configuration cross-validation chose and why, the words that
 * speak most for each class, and the held-out texts it got most confidently wrong.
 */
import type { CandidateScore } from './text-model.js';
import { describeConfig } from './text-model.js';
import type { BaselineComparison } from '../../evaluate/diagnostics/baseline.js';
import type { Diagnosis } from '../../evaluate/diagnostics/verdict.js';
import type { IndicativeTerms, TextExplanation } from './explain-text.js';

export interface TextReport {
  readonly task: 'text-classify';
  readonly text: string;
  readonly target: string;
  readonly classes: readonly (string | number)[];
  readonly model: string;
  readonly servedBy: string;
  /** Against always answering the most frequent class (the shape tabular reports have). */
  readonly baseline: BaselineComparison;
  readonly diagnoses: readonly Diagnosis[];
  readonly selection: { readonly folds: number; readonly candidates: readonly { readonly model: string; readonly cv_accuracy: number; readonly cv_log_loss: number }[] } | null;
  readonly metrics: { readonly train: Readonly<Record<string, number>>; readonly test: Readonly<Record<string, number>> };
  readonly indicativeTerms: readonly IndicativeTerms[];
  readonly confidentMistakes: readonly (TextExplanation & { readonly actual: string | number })[];
  readonly sentences: readonly string[];
}

export interface TextReportInput {
  readonly text: string;
  readonly target: string;
  readonly classes: readonly (string | number)[];
  readonly model: string;
  readonly servedBy: string;
  readonly baseline: BaselineComparison;
  readonly diagnoses: readonly Diagnosis[];
  readonly folds: number;
  readonly candidates: readonly CandidateScore[];
  readonly metrics: TextReport['metrics'];
  readonly indicativeTerms: readonly IndicativeTerms[];
  readonly mistakes: TextReport['confidentMistakes'];
}

export function buildTextReport(r: TextReportInput): TextReport {
  const chosen = r.candidates.length > 1 ? `Cross-validation (${r.folds} folds on the training texts) chose ${r.model} out of ${r.candidates.length} configurations.` : `Trained ${r.model}.`;
  const words = r.indicativeTerms.map((c) => `"${String(c.class)}": ${c.terms.slice(0, 8).map((t) => (t.kind === 'char' ? `"${t.term}"` : t.term)).join(', ')}`);
  return {
    task: 'text-classify',
    text: r.text,
    target: r.target,
    classes: r.classes,
    model: r.model,
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
    sentences: [`On the held-out texts: ${r.baseline.sentence}`, ...r.diagnoses.map((d) => `${d.severity.toUpperCase()}: ${d.message}`), chosen, ...(words.length > 0 ? [`Words that speak most for each class — ${words.join('; ')}.`] : []), r.servedBy],
  };
}
