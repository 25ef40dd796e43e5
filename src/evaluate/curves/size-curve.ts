/**
 * The learning curve against training-set size (scikit-learn's `learning_curve`): the same learner
 * fitted on growing, nested shares of each fold's training rows, scored on those rows and on the
 * fold's held-out rows. Read the way an engineer reads it:
 *
 *   - the held-out score still climbs at the largest size → more data would help;
 *   - a wide, lasting gap between training and held-out scores → the model overfits: regularise or
 *     simplify before collecting data;
 *   - both curves flat and close → the model has learned what these columns can tell it: new
 *     columns (or another kind of model) help more than new rows.
 */
import { toScore } from '../search/objective.js';
import { subsample, type Fold } from '../search/fold-data.js';
import { summarise, type CurvePoint, type FoldScore } from './curve-point.js';
import type { Matrix } from '../../core/matrix.js';

export type FitAndScore = (train: { X: Matrix; y: Int32Array | Float64Array }, fold: Fold) => Promise<FoldScore>;

export const DEFAULT_SIZE_FRACTIONS = [0.1, 0.325, 0.55, 0.775, 1] as const;

export async function sizeCurve(
  folds: readonly Fold[],
  fractions: readonly number[],
  fitAndScore: FitAndScore,
  onPoint?: (point: CurvePoint, done: number, total: number) => void,
): Promise<CurvePoint[]> {
  return sizeCurveOf(folds, (f) => f.sourceRows, fractions, (fold, rows) => fitAndScore(subsample(fold, rows), fold), onPoint);
}

/**
 * The size curve over folds of any kind: `fitAt(fold, rows, k)` fits on the fold's first `rows`
 * distinct training rows (nested: a larger size keeps the smaller one's rows) and scores the fit. A
 * text module's folds are texts, featurised inside each fit (src/modules/text/text-curves.ts); a
 * table's are prepared matrices (`sizeCurve`). The sizes are the same shares of the smallest fold.
 */
export async function sizeCurveOf<F>(
  folds: readonly F[],
  rowsOf: (fold: F) => number,
  fractions: readonly number[],
  fitAt: (fold: F, rows: number, k: number) => Promise<FoldScore>,
  onPoint?: (point: CurvePoint, done: number, total: number) => void,
): Promise<CurvePoint[]> {
  const points: CurvePoint[] = [];
  // sizes count distinct rows: an augmented fold's copies come with their rows, not in their place
  const smallest = Math.min(...folds.map(rowsOf));
  for (const fraction of fractions) {
    const rows = Math.max(2, Math.round(fraction * smallest));
    const scores: FoldScore[] = [];
    for (const [k, fold] of folds.entries()) scores.push(await fitAt(fold, rows, k));
    const point = summarise(rows, scores);
    points.push(point);
    onPoint?.(point, points.length, fractions.length);
  }
  return points;
}

export type SizeCurveVerdict = 'more-data-helps' | 'overfitting' | 'plateau';

export interface CurveReading {
  readonly verdict: SizeCurveVerdict | 'best-inside' | 'best-at-edge';
  /** One plain sentence. */
  readonly sentence: string;
  readonly nextSteps: readonly string[];
}

/**
 * How to read the curve of `metric` (scikit-learn names; lower-is-better metrics such as rmse are
 * handled). `searched`: the model's settings came out of a search, so "try simpler settings" has been
 * done already and the advice says so. `subject: 'texts'`: the curve of a text-classify module, whose
 * next steps are about texts and n-grams rather than columns (the verdict is read the same way).
 * "Still improving" means the last step of the held-out score gained more than 1% of the metric's
 * level, more than 0.002 in absolute terms, and more than twice its standard error — the gain is
 * measured fold by fold (the same held-out rows at both sizes), so noise between folds cancels.
 */
export function readSizeCurve(
  points: readonly CurvePoint[],
  metric: string,
  options: { readonly searched?: boolean; readonly subject?: 'rows' | 'texts' } = {},
): CurveReading {
  const texts = options.subject === 'texts';
  const last = points[points.length - 1] as CurvePoint;
  const before = points[points.length - 2] ?? last;
  const score = (v: number) => toScore(metric, v);
  const lastGain = score(last.validation) - score(before.validation);
  const level = Math.max(Math.abs(last.validation), 1e-9);
  const gap = score(last.train) - score(last.validation);
  const f = (v: number) => Number(v.toPrecision(3));
  if (lastGain > Math.max(0.002, 0.01 * level, 2 * pairedStandardError(before, last, metric))) {
    return {
      verdict: 'more-data-helps',
      sentence: `More data would likely help: the held-out ${metric} still improved from ${f(before.validation)} to ${f(last.validation)} when the training ${texts ? 'texts' : 'rows'} grew from ${before.x} to ${last.x}.`,
      nextSteps: texts
        ? ['Collect more labelled texts of the same kind, or train on everything you have.', 'Meanwhile, another way of reading the texts (character n-grams beside the words, or sentence embeddings) may get more out of the ones you have.']
        : ['Collect more rows of the same kind, or train on everything you have.', 'Meanwhile, a search (--budget) can try models that use the data better.'],
    };
  }
  if (gap > Math.max(0.05, 0.1 * level)) {
    return {
      verdict: 'overfitting',
      sentence: `The model fits its training ${texts ? 'texts' : 'rows'} much better than new ones (${metric} ${f(last.train)} against ${f(last.validation)} held out), and more ${texts ? 'texts' : 'rows'} no longer close the gap: it overfits.`,
      nextSteps: texts
        ? [
            'A model of many word and character n-grams can memorise its training texts: keep rare terms out (a larger minDf, a smaller maxFeatures) or regularise more (a smaller C, a larger alpha).',
            options.searched === true
              ? 'Its n-grams and learner were already chosen by cross-validation, on texts it did not train on: beyond that, more labelled texts or sentence embeddings help more than tuning.'
              : 'Leave learner and the n-gram settings out of the spec and cross-validation chooses among word and character n-grams, logistic regression and naive Bayes, on texts it did not train on.',
          ]
        : [
            'Leave out columns that only identify rows (ids, names, ticket or account numbers): a model can memorise them instead of learning.',
            options.searched === true
              ? 'Its settings were already chosen by a search, on rows it did not train on: beyond that, new columns that carry information about the answer help more than tuning.'
              : 'Simplify the model or regularise it more (shallower trees, fewer leaves, a smaller C or a larger alpha); a search (--budget) tries such settings on rows it did not train on.',
          ],
    };
  }
  return {
    verdict: 'plateau',
    sentence: `The held-out ${metric} has levelled off at about ${f(last.validation)}, close to the training score: more ${texts ? 'texts' : 'rows'} of the same kind will not help much.`,
    nextSteps: texts
      ? ['Texts that say more about the answer (longer ones, or the part that decides it) help more than more texts of the same kind.', 'Try features that read the texts differently: character n-grams (charNgrams) or sentence embeddings (embeddings).']
      : ['Add columns that carry new information about the target.', 'Try another kind of model with a search (--budget).'],
  };
}

/** Standard error of the mean per-fold gain from `a` to `b` (0 when there are fewer than two folds). */
function pairedStandardError(a: CurvePoint, b: CurvePoint, metric: string): number {
  const k = Math.min(a.validationFolds.length, b.validationFolds.length);
  if (k < 2) return 0;
  const gains = Array.from({ length: k }, (_, i) => toScore(metric, b.validationFolds[i] as number) - toScore(metric, a.validationFolds[i] as number));
  const mean = gains.reduce((s, g) => s + g, 0) / k;
  const variance = gains.reduce((s, g) => s + (g - mean) ** 2, 0) / (k - 1);
  return Math.sqrt(variance / k);
}
