/**
 * L-BFGS: unconstrained minimisation of a smooth function from its value and gradient.
 *
 * L-BFGS approximates Newton's method without ever forming the Hessian: it remembers the last `memory`
 * steps `s = x_{k+1} - x_k` and gradient changes `y = g_{k+1} - g_k`, and turns the gradient into a
 * search direction with the "two-loop recursion" (Nocedal & Wright, Numerical Optimization, 2nd ed.,
 * Algorithm 7.4). A line search satisfying the strong Wolfe conditions (Algorithms 3.5 and 3.6) picks
 * the step length along that direction; the curvature condition it enforces keeps `s·y > 0`, which
 * keeps the implicit inverse-Hessian positive definite.
 *
 * Stopping rules follow scipy's L-BFGS-B (which scikit-learn's `lbfgs` solver calls), so tolerances
 * mean the same thing here as there:
 *   - gradient:        max_i |g_i| <= gradientTolerance                        (scipy's `gtol`/`pgtol`)
 *   - relative change: (f_k - f_{k+1}) / max(|f_k|, |f_{k+1}|, 1) <= relativeTolerance  (scipy's `ftol`)
 *   - iterations:      maxIterations iterations done                            (scipy's `maxiter`)
 *
 * The algorithm is written once, as a generator that yields after every iteration; `minimizeLbfgs`
 * drives it to the end synchronously, `minimizeLbfgsAsync` lets the event loop run between iterations
 * so that an AbortSignal fired from elsewhere (a cancel button, a job runner) is seen promptly.
 */

/**
 * The function to minimise: returns f(x) and writes ∇f(x) into `grad` (same length as `x`).
 * It must not keep references to `x` or `grad`: the optimiser reuses both buffers.
 */
export type Objective = (x: Float64Array, grad: Float64Array) => number;

export interface LbfgsIteration {
  /** 1 for the first step taken from the starting point. */
  readonly iteration: number;
  /** The current point. A view into the optimiser's buffer: copy it to keep it. */
  readonly x: Float64Array;
  readonly value: number;
  /** max_i |∇f(x)_i|, the quantity the gradient tolerance is compared with. */
  readonly gradientMaxAbs: number;
  /** Objective evaluations so far (line-search trials included). */
  readonly evaluations: number;
}

export interface LbfgsOptions {
  /** Iterations (accepted steps) at most. Default 1000. */
  readonly maxIterations?: number;
  /** How many past steps approximate the Hessian. Default 10 (scipy's default). */
  readonly memory?: number;
  /** Stop when max_i |g_i| falls to this. Default 1e-5 (scipy's default). */
  readonly gradientTolerance?: number;
  /** Stop when the relative decrease of f in one iteration falls to this. Default 64 · 2^-52, as scikit-learn passes to scipy. */
  readonly relativeTolerance?: number;
  /** Objective evaluations allowed per line search. Default 50 (scikit-learn's `maxls`). */
  readonly maxLineSearchEvaluations?: number;
  /**
   * Called after every iteration. `x` in the report is always the point the objective was evaluated at
   * most recently, so a caller can reuse by-products of that evaluation (e.g. an unpenalised loss).
   */
  readonly onIteration?: (info: LbfgsIteration) => void;
  /** Checked between iterations; when aborted, the minimiser stops and reports `stop: 'aborted'`. */
  readonly signal?: AbortSignal;
}

export type LbfgsStop =
  /** The gradient tolerance was met. */
  | 'gradient'
  /** The relative decrease of f fell below the relative tolerance. */
  | 'relative-change'
  | 'max-iterations'
  /** No step along the search direction (nor along steepest descent) decreased f enough. */
  | 'line-search-failed'
  | 'aborted';

export interface LbfgsResult {
  readonly x: Float64Array;
  readonly value: number;
  readonly gradient: Float64Array;
  readonly iterations: number;
  readonly evaluations: number;
  readonly stop: LbfgsStop;
  /** True when a tolerance was met (stop is 'gradient' or 'relative-change'). */
  readonly converged: boolean;
}

export const LBFGS_DEFAULTS = {
  maxIterations: 1000,
  memory: 10,
  gradientTolerance: 1e-5,
  relativeTolerance: 64 * Number.EPSILON,
  maxLineSearchEvaluations: 50,
} as const;

/** Minimises `f` from `x0` (which is not modified), running to completion before returning. */
export function minimizeLbfgs(f: Objective, x0: ArrayLike<number>, options: LbfgsOptions = {}): LbfgsResult {
  const steps = lbfgsSteps(f, x0, options);
  for (;;) {
    const next = steps.next();
    if (next.done === true) return next.value;
  }
}

/**
 * Like `minimizeLbfgs`, but hands control back to the event loop every `yieldEveryMs` milliseconds
 * (default 20), so timers, I/O and abort signals are serviced while a long optimisation runs.
 */
export async function minimizeLbfgsAsync(
  f: Objective,
  x0: ArrayLike<number>,
  options: LbfgsOptions & { readonly yieldEveryMs?: number } = {},
): Promise<LbfgsResult> {
  const yieldEveryMs = options.yieldEveryMs ?? 20;
  const steps = lbfgsSteps(f, x0, options);
  let lastYield = performance.now();
  for (;;) {
    const next = steps.next();
    if (next.done === true) return next.value;
    if (performance.now() - lastYield >= yieldEveryMs) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      lastYield = performance.now();
    }
  }
}

// Strong Wolfe constants: sufficient decrease (c1) and curvature (c2). c2 = 0.9 is the usual choice
// for quasi-Newton methods, where the unit step is usually right and should rarely be refined.
const C1 = 1e-4;
const C2 = 0.9;
// The largest step a line search may try (scipy uses the same bound).
const MAX_STEP = 1e10;

/** The L-BFGS iterations, one `yield` per accepted step; returns the final result. */
export function* lbfgsSteps(f: Objective, x0: ArrayLike<number>, options: LbfgsOptions = {}): Generator<LbfgsIteration, LbfgsResult, void> {
  const maxIterations = options.maxIterations ?? LBFGS_DEFAULTS.maxIterations;
  const memory = Math.max(1, options.memory ?? LBFGS_DEFAULTS.memory);
  const gtol = options.gradientTolerance ?? LBFGS_DEFAULTS.gradientTolerance;
  const ftol = options.relativeTolerance ?? LBFGS_DEFAULTS.relativeTolerance;
  const maxEvals = options.maxLineSearchEvaluations ?? LBFGS_DEFAULTS.maxLineSearchEvaluations;
  const n = x0.length;

  let x = Float64Array.from(x0);
  let g = new Float64Array(n);
  // The line search evaluates trial points into these; an accepted trial is swapped in as the new x.
  let xTrial = new Float64Array(n);
  let gTrial = new Float64Array(n);
  const direction = new Float64Array(n);
  const history = new CurvatureHistory(n, memory);

  let evaluations = 0;
  const evaluate = (point: Float64Array, grad: Float64Array): number => {
    evaluations++;
    return f(point, grad);
  };
  const finish = (stop: LbfgsStop, iterations: number, value: number): LbfgsResult => ({
    x,
    value,
    gradient: g,
    iterations,
    evaluations,
    stop,
    converged: stop === 'gradient' || stop === 'relative-change',
  });

  // A function, not an inline test: TypeScript would otherwise treat `aborted` as constant after one check.
  const aborted = (): boolean => options.signal?.aborted === true;
  if (aborted()) return finish('aborted', 0, Number.NaN);
  let value = evaluate(x, g);
  if (!Number.isFinite(value)) throw new RangeError(`the objective is ${value} at the starting point`);
  if (maxAbs(g) <= gtol) return finish('gradient', 0, value);

  for (let iteration = 1; iteration <= maxIterations; iteration++) {
    if (aborted()) return finish('aborted', iteration - 1, value);

    history.searchDirection(g, direction);
    let slope = dot(g, direction);
    if (!(slope < 0)) {
      // Rounding can make the quasi-Newton direction useless; steepest descent always goes downhill.
      history.clear();
      negate(g, direction);
      slope = dot(g, direction);
    }
    // With no curvature information yet, the direction's length is meaningless: start with a step of
    // length 1 along it, as scipy does. Afterwards the unit step is the quasi-Newton guess.
    let initialStep = history.size === 0 ? Math.min(1 / norm(direction), MAX_STEP) : 1;

    let search = lineSearch(evaluate, x, value, slope, direction, initialStep, xTrial, gTrial, maxEvals);
    if (search === null && history.size > 0) {
      // The memory may describe a region we left long ago; retry from scratch along steepest descent.
      history.clear();
      negate(g, direction);
      slope = dot(g, direction);
      initialStep = Math.min(1 / norm(direction), MAX_STEP);
      search = lineSearch(evaluate, x, value, slope, direction, initialStep, xTrial, gTrial, maxEvals);
    }
    if (search === null) return finish('line-search-failed', iteration - 1, value);

    // Accept the step: s = x_new - x, y = g_new - g; then x, g become the trial point.
    history.push(x, xTrial, g, gTrial);
    [x, xTrial] = [xTrial, x];
    [g, gTrial] = [gTrial, g];
    const previous = value;
    value = search.value;

    const gradientMaxAbs = maxAbs(g);
    const report: LbfgsIteration = { iteration, x, value, gradientMaxAbs, evaluations };
    options.onIteration?.(report);
    yield report;

    // Checked in scipy's order: the gradient first, then the relative decrease.
    if (gradientMaxAbs <= gtol) return finish('gradient', iteration, value);
    if ((previous - value) / Math.max(Math.abs(previous), Math.abs(value), 1) <= ftol) return finish('relative-change', iteration, value);
  }
  return finish('max-iterations', maxIterations, value);
}

/**
 * The last `memory` pairs (s, y) in a ring buffer, and the two-loop recursion that applies the
 * implied inverse-Hessian approximation to a gradient.
 */
class CurvatureHistory {
  private readonly s: Float64Array[];
  private readonly y: Float64Array[];
  private readonly rho: Float64Array;
  private readonly alpha: Float64Array;
  /** Index of the oldest pair. */
  private start = 0;
  size = 0;

  constructor(
    private readonly n: number,
    private readonly memory: number,
  ) {
    this.s = Array.from({ length: memory }, () => new Float64Array(n));
    this.y = Array.from({ length: memory }, () => new Float64Array(n));
    this.rho = new Float64Array(memory);
    this.alpha = new Float64Array(memory);
  }

  clear(): void {
    this.start = 0;
    this.size = 0;
  }

  /** Records s = xNew - x and y = gNew - g, unless the pair has no usable curvature. */
  push(x: Float64Array, xNew: Float64Array, g: Float64Array, gNew: Float64Array): void {
    const slot = (this.start + this.size) % this.memory;
    const s = this.s[slot] as Float64Array;
    const y = this.y[slot] as Float64Array;
    let sy = 0;
    let yy = 0;
    for (let i = 0; i < this.n; i++) {
      const si = (xNew[i] as number) - (x[i] as number);
      const yi = (gNew[i] as number) - (g[i] as number);
      s[i] = si;
      y[i] = yi;
      sy += si * yi;
      yy += yi * yi;
    }
    // The Wolfe curvature condition guarantees s·y > 0 in exact arithmetic; a pair that lost it to
    // rounding would break positive definiteness, so it is skipped (scipy does the same).
    if (!(sy > Number.EPSILON * yy)) return;
    this.rho[slot] = 1 / sy;
    if (this.size < this.memory) this.size++;
    else this.start = (this.start + 1) % this.memory;
  }

  /** direction = -H·g, with H the L-BFGS inverse-Hessian approximation (two-loop recursion). */
  searchDirection(g: Float64Array, direction: Float64Array): void {
    const n = this.n;
    for (let i = 0; i < n; i++) direction[i] = -(g[i] as number);
    if (this.size === 0) return;

    // First loop: newest pair to oldest.
    for (let k = this.size - 1; k >= 0; k--) {
      const slot = (this.start + k) % this.memory;
      const s = this.s[slot] as Float64Array;
      const y = this.y[slot] as Float64Array;
      const a = (this.rho[slot] as number) * dot(s, direction);
      this.alpha[slot] = a;
      for (let i = 0; i < n; i++) direction[i] = (direction[i] as number) - a * (y[i] as number);
    }
    // Initial Hessian H0 = γI with γ = s·y / y·y of the newest pair: scales the direction so that the
    // unit step is usually acceptable.
    const newest = (this.start + this.size - 1) % this.memory;
    const yNewest = this.y[newest] as Float64Array;
    const gamma = 1 / ((this.rho[newest] as number) * dot(yNewest, yNewest));
    for (let i = 0; i < n; i++) direction[i] = (direction[i] as number) * gamma;
    // Second loop: oldest pair to newest.
    for (let k = 0; k < this.size; k++) {
      const slot = (this.start + k) % this.memory;
      const s = this.s[slot] as Float64Array;
      const y = this.y[slot] as Float64Array;
      const b = (this.rho[slot] as number) * dot(y, direction);
      const a = this.alpha[slot] as number;
      for (let i = 0; i < n; i++) direction[i] = (direction[i] as number) + (a - b) * (s[i] as number);
    }
  }
}

/** A point on the line x + t·d: step t, φ(t) = f(x + t·d) and φ'(t) = ∇f(x + t·d)·d. */
interface LinePoint {
  step: number;
  value: number;
  slope: number;
}

/**
 * Finds a step t along `direction` meeting the strong Wolfe conditions
 *   φ(t) <= φ(0) + c1·t·φ'(0)   and   |φ'(t)| <= c2·|φ'(0)|
 * by bracketing then zooming (Nocedal & Wright, Algorithms 3.5 and 3.6).
 *
 * On success, `xOut`/`gOut` hold the accepted point and its gradient (always the last evaluation).
 * Returns null when no acceptable step is found within `maxEvals` evaluations; if some trial still
 * decreased f sufficiently, the best such point is accepted instead, as a robust fallback.
 */
function lineSearch(
  evaluate: Objective,
  x: Float64Array,
  value0: number,
  slope0: number,
  direction: Float64Array,
  initialStep: number,
  xOut: Float64Array,
  gOut: Float64Array,
  maxEvals: number,
): { value: number } | null {
  const n = x.length;
  let evals = 0;
  const at = (step: number): LinePoint => {
    evals++;
    for (let i = 0; i < n; i++) xOut[i] = (x[i] as number) + step * (direction[i] as number);
    const value = evaluate(xOut, gOut);
    return { step, value, slope: dot(gOut, direction) };
  };
  // Written as "not (…)" so that a NaN or infinite value (overflow on a too-long step) counts as a failure.
  const sufficientDecrease = (p: LinePoint): boolean => p.value <= value0 + C1 * p.step * slope0;
  const curvatureMet = (p: LinePoint): boolean => Math.abs(p.slope) <= -C2 * slope0;

  // The best trial meeting sufficient decrease: the fallback when the curvature condition is never met.
  let best: LinePoint | null = null;
  const consider = (p: LinePoint): void => {
    if (sufficientDecrease(p) && p.value < value0 && (best === null || p.value < best.value)) best = p;
  };
  const fallback = (): { value: number } | null => {
    const chosen = best as LinePoint | null;
    if (chosen === null) return null;
    // Re-evaluate so that the accepted point is the last evaluation (the contract of onIteration).
    const p = at(chosen.step);
    return Number.isFinite(p.value) ? { value: p.value } : null;
  };

  // Bracketing phase: grow the step until it overshoots a minimiser of φ.
  let previous: LinePoint = { step: 0, value: value0, slope: slope0 };
  let step = initialStep;
  while (evals < maxEvals) {
    const p = at(step);
    consider(p);
    if (!sufficientDecrease(p) || (evals > 1 && p.value >= previous.value)) {
      return zoom(previous, p);
    }
    if (curvatureMet(p)) return { value: p.value };
    if (p.slope >= 0) return zoom(p, previous);
    previous = p;
    if (step >= MAX_STEP) break;
    step = Math.min(step * 4, MAX_STEP);
  }
  return fallback();

  /**
   * Zoom phase: `lo` meets sufficient decrease and has the lowest value seen in the bracket; the
   * interval between lo and hi contains steps meeting the strong Wolfe conditions.
   */
  function zoom(lo: LinePoint, hi: LinePoint): { value: number } | null {
    while (evals < maxEvals) {
      const width = Math.abs(hi.step - lo.step);
      if (width <= Number.EPSILON * Math.max(lo.step, hi.step)) break;
      const p = at(interpolate(lo, hi));
      consider(p);
      if (!sufficientDecrease(p) || p.value >= lo.value) {
        hi = p;
      } else {
        if (curvatureMet(p)) return { value: p.value };
        if (p.slope * (hi.step - lo.step) >= 0) hi = lo;
        lo = p;
      }
    }
    return fallback();
  }
}

/**
 * The minimiser of the cubic matching value and slope at both ends of [a, b], kept at least 10% of
 * the interval away from either end (bisection when the cubic has no usable minimiser there).
 */
function interpolate(a: LinePoint, b: LinePoint): number {
  const lower = Math.min(a.step, b.step);
  const upper = Math.max(a.step, b.step);
  const margin = 0.1 * (upper - lower);
  const midpoint = 0.5 * (lower + upper);
  if (!Number.isFinite(a.value) || !Number.isFinite(b.value) || !Number.isFinite(a.slope) || !Number.isFinite(b.slope)) return midpoint;
  const d1 = a.slope + b.slope - (3 * (a.value - b.value)) / (a.step - b.step);
  const discriminant = d1 * d1 - a.slope * b.slope;
  if (!(discriminant >= 0)) return midpoint;
  const d2 = Math.sign(b.step - a.step) * Math.sqrt(discriminant);
  const t = b.step - ((b.step - a.step) * (b.slope + d2 - d1)) / (b.slope - a.slope + 2 * d2);
  if (!Number.isFinite(t) || t < lower + margin || t > upper - margin) return midpoint;
  return t;
}

function dot(a: Float64Array, b: Float64Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += (a[i] as number) * (b[i] as number);
  return sum;
}

function norm(a: Float64Array): number {
  return Math.sqrt(dot(a, a));
}

function maxAbs(a: Float64Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    const v = Math.abs(a[i] as number);
    // A NaN gradient must never look converged.
    if (Number.isNaN(v)) return Number.NaN;
    if (v > m) m = v;
  }
  return m;
}

function negate(from: Float64Array, to: Float64Array): void {
  for (let i = 0; i < from.length; i++) to[i] = -(from[i] as number);
}
