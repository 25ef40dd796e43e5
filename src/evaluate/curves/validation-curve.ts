/**
 * The validation curve of one hyperparameter (scikit-learn's `validation_curve`): the learner fitted on
 * every fold for each value of the parameter, scored on the training rows and on the held-out rows.
 * The best value is the one with the best mean held-out score; when it sits at an end of the range,
 * the range should be extended that way.
 */
import { toScore } from '../search/objective.js';
import type { Fold } from '../search/fold-data.js';
import { summarise, type CurvePoint, type FoldScore } from './curve-point.js';
import type { CurveReading } from './size-curve.js';

export async function validationCurve<F = Fold>(
  folds: readonly F[],
  values: readonly (number | string)[],
  fitAndScore: (value: number | string, fold: F, k: number) => Promise<FoldScore>,
  onPoint?: (point: CurvePoint, done: number, total: number) => void,
): Promise<CurvePoint[]> {
  const points: CurvePoint[] = [];
  for (const value of values) {
    const scores: FoldScore[] = [];
    for (const [k, fold] of folds.entries()) scores.push(await fitAndScore(value, fold, k));
    const point = summarise(value, scores);
    points.push(point);
    onPoint?.(point, points.length, values.length);
  }
  return points;
}

export function readValidationCurve(points: readonly CurvePoint[], param: string, metric: string): CurveReading & { readonly best: number | string } {
  let best = 0;
  points.forEach((p, i) => {
    if (toScore(metric, p.validation) > toScore(metric, (points[best] as CurvePoint).validation)) best = i;
  });
  const top = points[best] as CurvePoint;
  const f = (v: number) => Number(v.toPrecision(3));
  const gap = toScore(metric, top.train) - toScore(metric, top.validation);
  const overfitNote = gap > Math.max(0.05, 0.1 * Math.abs(top.validation)) ? ` Even there the training score is far better (${f(top.train)}): the model overfits somewhat.` : '';
  // Values whose held-out score is within noise of the best (0.002, or a quarter of the folds' spread)
  // are as good as the best: an "edge" only counts when the edge alone is best.
  const tolerance = Math.max(0.002, 0.25 * (points.reduce((a, p) => a + p.validationStd, 0) / points.length));
  const tied = points.filter((p) => toScore(metric, p.validation) >= toScore(metric, top.validation) - tolerance);
  if (tied.length > 1) {
    const xs = tied.map((p) => p.x);
    return {
      verdict: 'best-inside',
      best: top.x,
      sentence: `${param} from ${xs[0]} to ${xs[xs.length - 1]} gives about the same held-out ${metric} (${f(top.validation)}, differences within noise); any value in that range works.${overfitNote}`,
      nextSteps: [`Keep ${param} in that range; prefer the value that makes the simpler model.`],
    };
  }
  const atEdge = points.length > 2 && (best === 0 || best === points.length - 1);
  if (atEdge && typeof top.x === 'number') {
    const direction = best === 0 ? 'smaller' : 'larger';
    return {
      verdict: 'best-at-edge',
      best: top.x,
      sentence: `The best held-out ${metric} (${f(top.validation)}) comes at the ${best === 0 ? 'smallest' : 'largest'} value tried, ${param} = ${top.x}: the best setting may lie beyond the range.${overfitNote}`,
      nextSteps: [`Try ${direction} values of ${param}.`],
    };
  }
  return {
    verdict: 'best-inside',
    best: top.x,
    sentence: `${param} = ${top.x} gives the best held-out ${metric} (${f(top.validation)}); values on either side do worse.${overfitNote}`,
    nextSteps: [`Keep ${param} near ${top.x} (set it in the spec's params).`],
  };
}
