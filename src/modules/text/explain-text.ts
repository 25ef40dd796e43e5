/**
 * "The words that drove each prediction", exactly, for linear text models: a class's score is its
 * intercept plus Σ_j tfidf_j · w_cj over the row's terms, so term j's contribution to the predicted
 * class c (against the other classes) is tfidf_j · e_cj with e the class evidence of
 * ./linear-text-model.ts. The contributions plus the base add up to the score difference behind the
 * prediction (the log-odds for two classes). The globally most indicative terms of a class are those
 * with the largest evidence.
 */
import { KilnError } from '../../core/errors.js';
import type { Frame } from '../../core/frame.js';
import { createMatrix, type Matrix } from '../../core/matrix.js';
import type { SerializedPredictor } from '../../learners/learner.js';
import type { Reason, RowExplanation } from '../explain-rows.js';
import type { ModuleManifest } from '../manifest.js';
import { classEvidence, loadLinearTextModel, textProbabilities, type LinearTextModel } from './linear-text-model.js';
import { TextFeatures, type SerializedTextFeatures, type TermName } from './text-features.js';

/** What a text-classify module saves as `predictor.json`: enough to explain its predictions. */
export interface SavedTextModel {
  readonly kind: 'text-classify';
  readonly format: 1;
  readonly features: SerializedTextFeatures;
  readonly predictor: SerializedPredictor;
}

export const isSavedTextModel = (saved: unknown): saved is SavedTextModel =>
  typeof saved === 'object' && saved !== null && (saved as { kind?: unknown }).kind === 'text-classify';

export interface TermContribution {
  readonly term: string;
  readonly kind: 'word' | 'char';
  /** The term's TF-IDF weight in this text. */
  readonly tfidf: number;
  /** How far it moved the score towards (+) or away from (−) the predicted class. */
  readonly contribution: number;
}

export interface TextExplanation {
  readonly row: number;
  readonly text: string;
  readonly outcome: string | number;
  readonly probability: number;
  /** Score of an empty text (intercepts) and of this text; score = base + Σ contributions. */
  readonly base: number;
  readonly score: number;
  /** Largest contributions for the predicted class, strongest first. */
  readonly towards: readonly TermContribution[];
  /** Largest contributions against it, strongest first. */
  readonly against: readonly TermContribution[];
}

export function explainTexts(
  features: TextFeatures,
  model: LinearTextModel,
  classes: readonly (string | number)[],
  texts: readonly (string | null)[],
  top = 5,
): TextExplanation[] {
  const X = features.transform(texts);
  const proba = textProbabilities(model, X);
  const evidence = classEvidence(model);
  const intercepts = classEvidence({ ...model, nFeatures: 1, weights: model.intercepts });
  const terms = features.terms();
  const k = model.nClasses;
  const d = model.nFeatures;
  return texts.map((text, i) => {
    let best = 0;
    for (let c = 1; c < k; c++) if ((proba[i * k + c] as number) > (proba[i * k + best] as number)) best = c;
    const contributions: TermContribution[] = [];
    for (let p = X.indptr[i] as number; p < (X.indptr[i + 1] as number); p++) {
      const j = X.indices[p] as number;
      const tfidf = X.values[p] as number;
      const term = terms[j] as TermName;
      contributions.push({ term: term.term, kind: term.kind, tfidf, contribution: tfidf * (evidence[best * d + j] as number) });
    }
    const base = intercepts[best] as number;
    const score = contributions.reduce((sum, c) => sum + c.contribution, base);
    const towards = contributions.filter((c) => c.contribution > 0).sort((a, b) => b.contribution - a.contribution).slice(0, top);
    const against = contributions.filter((c) => c.contribution < 0).sort((a, b) => a.contribution - b.contribution).slice(0, top);
    return { row: i, text: text ?? '', outcome: classes[best] ?? best, probability: proba[i * k + best] as number, base, score, towards, against };
  });
}

export interface IndicativeTerms {
  readonly class: string | number;
  /** The terms whose presence speaks most for this class against the others, strongest first. */
  readonly terms: readonly { readonly term: string; readonly kind: 'word' | 'char'; readonly evidence: number }[];
}

export function indicativeTerms(features: TextFeatures, model: LinearTextModel, classes: readonly (string | number)[], top = 15): IndicativeTerms[] {
  const evidence = classEvidence(model);
  const terms = features.terms();
  const d = model.nFeatures;
  return classes.map((cls, c) => {
    const order = Array.from({ length: d }, (_, j) => j).sort((a, b) => (evidence[c * d + b] as number) - (evidence[c * d + a] as number));
    return {
      class: cls,
      terms: order.slice(0, top).map((j) => ({ ...(terms[j] as TermName), evidence: evidence[c * d + j] as number })),
    };
  });
}

/**
 * The text module's answer to `kiln explain` (src/modules/explain-rows.ts): each term that moved the
 * prediction becomes a reason `{column: the text column, value: the term, contribution}`.
 */
export function explainTextRows(saved: SavedTextModel, manifest: ModuleManifest, frame: Frame, top = 5): RowExplanation[] {
  const features = TextFeatures.fromJSON(saved.features);
  const model = loadLinearTextModel(saved.predictor);
  const texts = textsOf(frame, features.column);
  return explainTexts(features, model, manifest.classes ?? [], texts, top).map((e) => {
    const reasons: Reason[] = [...e.towards, ...e.against]
      .sort((a, b) => Math.abs(b.contribution) - Math.abs(a.contribution))
      .slice(0, top)
      .map((t) => ({ column: features.column, value: t.kind === 'char' ? `"${t.term}" (characters)` : t.term, contribution: t.contribution }));
    return { row: e.row, outcome: e.outcome, base: e.base, score: e.score, reasons };
  });
}

/** A text module's class probabilities for each text of `frame` (rows × classes). */
export function predictTextProba(saved: SavedTextModel, frame: Frame): Matrix {
  const features = TextFeatures.fromJSON(saved.features);
  const model = loadLinearTextModel(saved.predictor);
  const texts = textsOf(frame, features.column);
  return createMatrix(texts.length, model.nClasses, textProbabilities(model, features.transform(texts)));
}

/** The texts of `frame`'s column `name` (COLUMN_NOT_FOUND when it has none). */
function textsOf(frame: Frame, name: string): (string | null)[] {
  const column = frame.get(name);
  if (column === undefined) throw new KilnError('COLUMN_NOT_FOUND', { column: name, columns: frame.names });
  return Array.from(column.values as ArrayLike<string | number | null>, (v) => (v === null ? null : String(v)));
}
