/**
 * Accelerated proximal gradient (FISTA, Beck & Teboulle 2009) for a smooth function plus a weighted
 * L1 norm:
 *
 *   minimise  f(x) + Σ_i λ_i·|x_i|          (λ_i ≥ 0; 0 leaves x_i unpenalised, e.g. an intercept)
 *
 * Each step is a gradient step on f followed by the L1 norm's proximal map, soft-thresholding, which
 * is what sets coefficients exactly to 0. The step size 1/L comes from backtracking (L doubles until
 * the quadratic upper bound holds, and relaxes a little after each step so it can grow again), and the
 * momentum restarts whenever the objective goes up (O'Donoghue & Candès 2015), which restores fast
 * linear convergence on the strongly convex problems that L2 + L1 logistic regression gives.
 *
 * Stopping: the largest entry of the minimum-norm subgradient of the whole objective falls to `tol`
 * (the L1 analogue of L-BFGS's max |gradient| rule, so `tol` means the same in both solvers), or the
 * relative decrease of the objective stalls at machine precision, or maxIterations.
 */
import type { Objective } from '../../core/optimize/lbfgs.js';

export interface ProximalOptions {
  readonly maxIterations: number;
  readonly tol: number;
  /** Called after every accepted step, right after f was evaluated at `x` (so by-products of f apply). */
  readonly onIteration?: (iteration: number, x: Float64Array) => void;
  readonly signal?: AbortSignal;
}

export interface ProximalResult {
  readonly x: Float64Array;
  readonly value: number;
  readonly iterations: number;
  readonly stop: 'optimal' | 'stalled' | 'max-iterations' | 'aborted';
}

const YIELD_EVERY_MS = 20;
/** L shrinks by this after each accepted step, so the step can grow back where f is flatter. */
const RELAX = 0.9;

export async function minimizeL1Proximal(f: Objective, l1: Float64Array, x0: ArrayLike<number>, options: ProximalOptions): Promise<ProximalResult> {
  const n = l1.length;
  let x = Float64Array.from(x0);
  let xPrev = Float64Array.from(x0);
  const y = Float64Array.from(x0);
  const gy = new Float64Array(n);
  let gx = new Float64Array(n);
  let trial = new Float64Array(n);
  let gTrial = new Float64Array(n);

  const l1Norm = (v: Float64Array): number => {
    let s = 0;
    for (let i = 0; i < n; i++) s += (l1[i] as number) * Math.abs(v[i] as number);
    return s;
  };

  let fy = f(y, gy);
  let objective = fy + l1Norm(y);
  let t = 1;
  let L = 1;
  let lastYield = performance.now();

  for (let iteration = 1; iteration <= options.maxIterations; iteration++) {
    // Backtracking: the proximal step from y with step 1/L, until f's quadratic bound at y holds.
    let fTrial: number;
    for (;;) {
      let linear = 0;
      let quadratic = 0;
      for (let i = 0; i < n; i++) {
        const step = (y[i] as number) - (gy[i] as number) / L;
        const threshold = (l1[i] as number) / L;
        const v = step > threshold ? step - threshold : step < -threshold ? step + threshold : 0;
        trial[i] = v;
        const diff = v - (y[i] as number);
        linear += (gy[i] as number) * diff;
        quadratic += diff * diff;
      }
      fTrial = f(trial, gTrial);
      // A relative slack keeps rounding noise from doubling L forever near the optimum.
      if (fTrial <= fy + linear + 0.5 * L * quadratic + 1e-12 * Math.abs(fy)) break;
      L *= 2;
      if (!Number.isFinite(L)) break;
    }
    // Accept the trial point as the new x.
    [xPrev, x, trial] = [x, trial, xPrev];
    [gx, gTrial] = [gTrial, gx];
    const previousObjective = objective;
    objective = fTrial + l1Norm(x);
    options.onIteration?.(iteration, x);

    if (subgradientMaxAbs(x, gx, l1) <= options.tol) return { x, value: objective, iterations: iteration, stop: 'optimal' };
    if (Math.abs(previousObjective - objective) <= 64 * Number.EPSILON * Math.max(Math.abs(objective), 1) && objective <= previousObjective) {
      return { x, value: objective, iterations: iteration, stop: 'stalled' };
    }

    // Momentum, restarted when the objective went up.
    if (objective > previousObjective) t = 1;
    const tNext = (1 + Math.sqrt(1 + 4 * t * t)) / 2;
    const momentum = (t - 1) / tNext;
    t = tNext;
    for (let i = 0; i < n; i++) y[i] = (x[i] as number) + momentum * ((x[i] as number) - (xPrev[i] as number));
    fy = momentum === 0 ? copyGradient(gx, gy, fTrial) : f(y, gy);
    L *= RELAX;

    if (performance.now() - lastYield >= YIELD_EVERY_MS) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      lastYield = performance.now();
    }
    if (options.signal?.aborted === true) return { x, value: objective, iterations: iteration, stop: 'aborted' };
  }
  return { x, value: objective, iterations: options.maxIterations, stop: 'max-iterations' };
}

/** With no momentum y equals x: reuse x's gradient instead of evaluating f again. */
function copyGradient(from: Float64Array, to: Float64Array, value: number): number {
  to.set(from);
  return value;
}

/**
 * max_i of the smallest |subgradient| of f + Σλ|x| in coordinate i: |g_i + λ_i·sign(x_i)| off zero,
 * max(|g_i| − λ_i, 0) at zero. It is 0 exactly at a minimiser.
 */
function subgradientMaxAbs(x: Float64Array, g: Float64Array, l1: Float64Array): number {
  let worst = 0;
  for (let i = 0; i < x.length; i++) {
    const xi = x[i] as number;
    const gi = g[i] as number;
    const li = l1[i] as number;
    const v = xi > 0 ? Math.abs(gi + li) : xi < 0 ? Math.abs(gi - li) : Math.max(Math.abs(gi) - li, 0);
    if (v > worst) worst = v;
  }
  return worst;
}
