/**
 * Minimising a function of one variable on an interval, without derivatives: Brent's method
 * (R. P. Brent, Algorithms for Minimization without Derivatives, 1973, ch. 5) — the method behind
 * scipy's `fminbound` and `brent`.
 *
 * Each step tries a parabola through the three best points so far and jumps to its vertex when that
 * lands safely inside the interval and shrinks the step; otherwise it takes a golden-section step into
 * the larger part. So it converges superlinearly on smooth functions and never worse than golden-section
 * search (which always works on a unimodal function).
 */

export interface ScalarMinimum {
  readonly x: number;
  readonly value: number;
  readonly evaluations: number;
}

/** (3 − √5)/2: the golden-section fraction of an interval. */
const GOLDEN = 0.5 * (3 - Math.sqrt(5));

/**
 * The x in [lo, hi] where f is least (a local minimum when f has several), to within about
 * `tolerance` (absolute) plus √ε relative to |x|.
 */
export function minimizeScalar(f: (x: number) => number, lo: number, hi: number, tolerance = 1e-10, maxEvaluations = 500): ScalarMinimum {
  if (!(lo < hi)) throw new RangeError(`minimizeScalar needs lo < hi, got [${lo}, ${hi}]`);
  const sqrtEps = Math.sqrt(Number.EPSILON);
  let a = lo;
  let b = hi;
  // x: best point so far; w: second best; v: the previous value of w
  let x = a + GOLDEN * (b - a);
  let w = x;
  let v = x;
  let fx = f(x);
  let fw = fx;
  let fv = fx;
  let evaluations = 1;
  let step = 0; // the step taken last
  let stepBefore = 0; // the one before it: a parabolic step must be less than half of this
  while (evaluations < maxEvaluations) {
    const middle = 0.5 * (a + b);
    const tol1 = sqrtEps * Math.abs(x) + tolerance / 3;
    const tol2 = 2 * tol1;
    if (Math.abs(x - middle) <= tol2 - 0.5 * (b - a)) break;
    let parabolic = false;
    if (Math.abs(stepBefore) > tol1) {
      // the vertex of the parabola through (v, fv), (w, fw), (x, fx), as x + p/q
      const r = (x - w) * (fx - fv);
      let q = (x - v) * (fx - fw);
      let p = (x - v) * q - (x - w) * r;
      q = 2 * (q - r);
      if (q > 0) p = -p;
      q = Math.abs(q);
      if (Math.abs(p) < Math.abs(0.5 * q * stepBefore) && p > q * (a - x) && p < q * (b - x)) {
        stepBefore = step;
        step = p / q;
        const u = x + step;
        // never evaluate too close to the ends
        if (u - a < tol2 || b - u < tol2) step = x < middle ? tol1 : -tol1;
        parabolic = true;
      }
    }
    if (!parabolic) {
      stepBefore = x < middle ? b - x : a - x;
      step = GOLDEN * stepBefore;
    }
    // never a step smaller than the tolerance: the function cannot tell such points apart
    const u = Math.abs(step) >= tol1 ? x + step : x + (step > 0 ? tol1 : -tol1);
    const fu = f(u);
    evaluations++;
    if (fu <= fx) {
      if (u < x) b = x;
      else a = x;
      v = w;
      fv = fw;
      w = x;
      fw = fx;
      x = u;
      fx = fu;
    } else {
      if (u < x) a = u;
      else b = u;
      if (fu <= fw || w === x) {
        v = w;
        fv = fw;
        w = u;
        fw = fu;
      } else if (fu <= fv || v === x || v === w) {
        v = u;
        fv = fu;
      }
    }
  }
  return { x, value: fx, evaluations };
}
