import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lbfgsSteps, minimizeLbfgs, minimizeLbfgsAsync, type Objective } from '../../src/core/optimize/lbfgs.js';
import { Rng } from '../../src/core/rng.js';

/** Chained Rosenbrock: Σ 100 (x_{i+1} − x_i²)² + (1 − x_i)², minimum 0 at (1, …, 1). */
const rosenbrock: Objective = (x, grad) => {
  grad.fill(0);
  let f = 0;
  for (let i = 0; i + 1 < x.length; i++) {
    const a = x[i]!;
    const b = x[i + 1]!;
    const t = b - a * a;
    f += 100 * t * t + (1 - a) * (1 - a);
    grad[i] = grad[i]! - 400 * a * t - 2 * (1 - a);
    grad[i + 1] = grad[i + 1]! + 200 * t;
  }
  return f;
};

/**
 * ½ (x − x*)ᵀ A (x − x*) with A = H·D·H, D spanning 1..1000 (condition number 1000) and H a product
 * of random Householder reflections, so A is dense but its eigenvalues and its minimiser x* are known.
 * Written around x* (rather than ½xᵀAx − bᵀx) so that f → 0 at the minimum and its relative changes
 * stay measurable to very small gradients.
 */
function quadratic(n: number, seed: number): { f: Objective; solution: Float64Array } {
  const rng = new Rng(seed);
  const A = new Float64Array(n * n);
  for (let i = 0; i < n; i++) A[i * n + i] = 1 + (999 * i) / (n - 1);
  for (let r = 0; r < 3; r++) {
    // A ← H A H with H = I − 2vvᵀ (|v| = 1): a similarity transform, so the eigenvalues stay 1..1000.
    const v = Float64Array.from({ length: n }, () => rng.normal());
    const norm = Math.hypot(...v);
    v.forEach((vi, i) => (v[i] = vi / norm));
    const Av = new Float64Array(n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) Av[i] = Av[i]! + A[i * n + j]! * v[j]!;
    let vAv = 0;
    for (let i = 0; i < n; i++) vAv += v[i]! * Av[i]!;
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) {
      A[i * n + j] = A[i * n + j]! - 2 * v[i]! * Av[j]! - 2 * Av[i]! * v[j]! + 4 * vAv * v[i]! * v[j]!;
    }
  }
  const solution = Float64Array.from({ length: n }, () => rng.normal() * 3);
  const e = new Float64Array(n);
  const f: Objective = (x, grad) => {
    for (let i = 0; i < n; i++) e[i] = x[i]! - solution[i]!;
    let value = 0;
    for (let i = 0; i < n; i++) {
      let Ae = 0;
      for (let j = 0; j < n; j++) Ae += A[i * n + j]! * e[j]!;
      grad[i] = Ae;
      value += 0.5 * e[i]! * Ae;
    }
    return value;
  };
  return { f, solution };
}

const maxAbsDiff = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
};

test('finds the minimum of the 2-D Rosenbrock function from the classic start (-1.2, 1)', () => {
  const result = minimizeLbfgs(rosenbrock, [-1.2, 1], { gradientTolerance: 1e-9 });
  assert.ok(result.converged, `stopped by ${result.stop}`);
  assert.ok(maxAbsDiff(result.x, [1, 1]) < 1e-6, `x = ${Array.from(result.x)}`);
  assert.ok(result.value < 1e-12);
  // A quasi-Newton method needs a few dozen iterations here; hundreds would mean a broken direction.
  assert.ok(result.iterations < 100, `${result.iterations} iterations`);
});

test('finds the minimum of a 30-D chained Rosenbrock function', () => {
  const x0 = Array.from({ length: 30 }, (_, i) => (i % 2 === 0 ? -1.2 : 1));
  const result = minimizeLbfgs(rosenbrock, x0, { gradientTolerance: 1e-9, maxIterations: 2000 });
  assert.ok(result.converged, `stopped by ${result.stop}`);
  assert.ok(maxAbsDiff(result.x, new Float64Array(30).fill(1)) < 1e-6);
});

test('solves an ill-conditioned 40-D quadratic to its known minimiser', () => {
  const { f, solution } = quadratic(40, 7);
  // relativeTolerance 0 switches off the f-change rule (scipy's ftol is absolute once |f| < 1, and f
  // goes to 0 here), so the gradient rule alone decides.
  const result = minimizeLbfgs(f, new Float64Array(40), { gradientTolerance: 1e-10, relativeTolerance: 0 });
  assert.equal(result.stop, 'gradient');
  assert.ok(maxAbsDiff(result.gradient, new Float64Array(40)) <= 1e-10);
  // |x − x*| <= |g| / λ_min(A) = 1e-10 · √40 at most.
  assert.ok(maxAbsDiff(result.x, solution) < 1e-9, `max error ${maxAbsDiff(result.x, solution)}`);
  assert.ok(result.iterations < 200, `${result.iterations} iterations`);
});

test('does not move from a starting point that already meets the gradient tolerance', () => {
  let evaluations = 0;
  const result = minimizeLbfgs((x, g) => (evaluations++, rosenbrock(x, g)), [1, 1]);
  assert.equal(result.stop, 'gradient');
  assert.equal(result.iterations, 0);
  assert.equal(evaluations, 1);
  assert.deepEqual(Array.from(result.x), [1, 1]);
});

test('reports every iteration, with f never increasing, and honours maxIterations', () => {
  const seen: { iteration: number; value: number }[] = [];
  const result = minimizeLbfgs(rosenbrock, [-1.2, 1], {
    maxIterations: 5,
    onIteration: ({ iteration, value }) => seen.push({ iteration, value }),
  });
  assert.equal(result.stop, 'max-iterations');
  assert.equal(result.iterations, 5);
  assert.deepEqual(seen.map((s) => s.iteration), [1, 2, 3, 4, 5]);
  for (let i = 1; i < seen.length; i++) assert.ok(seen[i]!.value <= seen[i - 1]!.value);
  assert.equal(result.value, seen[4]!.value);
});

test('the point reported to onIteration is always the one the objective saw last', () => {
  let lastEvaluated = new Float64Array(0);
  let mismatches = 0;
  const { f } = quadratic(10, 3);
  let iterations = 0;
  const record: Objective = (x, g) => {
    lastEvaluated = x.slice();
    return f(x, g);
  };
  minimizeLbfgs(record, new Float64Array(10), {
    gradientTolerance: 1e-12,
    onIteration: ({ x }) => {
      iterations++;
      if (maxAbsDiff(x, lastEvaluated) !== 0) mismatches++;
    },
  });
  assert.ok(iterations > 5);
  assert.equal(mismatches, 0);
});

test('an already-aborted signal stops before evaluating anything', () => {
  let evaluations = 0;
  const controller = new AbortController();
  controller.abort();
  const result = minimizeLbfgs((x, g) => (evaluations++, rosenbrock(x, g)), [-1.2, 1], { signal: controller.signal });
  assert.equal(result.stop, 'aborted');
  assert.equal(result.converged, false);
  assert.equal(evaluations, 0);
});

test('aborting during the run stops after the current iteration', () => {
  const controller = new AbortController();
  const result = minimizeLbfgs(rosenbrock, [-1.2, 1], {
    signal: controller.signal,
    onIteration: ({ iteration }) => iteration === 3 && controller.abort(),
  });
  assert.equal(result.stop, 'aborted');
  assert.equal(result.iterations, 3);
});

test('the async driver lets the event loop run between iterations, so outside aborts are seen', async () => {
  const controller = new AbortController();
  // Queued before the optimisation starts: runs at the first yield, after iteration 1.
  setImmediate(() => controller.abort());
  const result = await minimizeLbfgsAsync(rosenbrock, [-1.2, 1], { signal: controller.signal, yieldEveryMs: 0 });
  assert.equal(result.stop, 'aborted');
  assert.equal(result.iterations, 1);
});

test('sync, async and step-by-step runs give bit-identical results', async () => {
  const { f } = quadratic(20, 11);
  const sync = minimizeLbfgs(f, new Float64Array(20), { gradientTolerance: 1e-8 });
  const asyncResult = await minimizeLbfgsAsync(f, new Float64Array(20), { gradientTolerance: 1e-8, yieldEveryMs: 0 });
  const steps = lbfgsSteps(f, new Float64Array(20), { gradientTolerance: 1e-8 });
  let count = 0;
  let next = steps.next();
  while (next.done !== true) {
    count++;
    next = steps.next();
  }
  assert.deepEqual(asyncResult.x, sync.x);
  assert.deepEqual(next.value.x, sync.x);
  assert.equal(count, sync.iterations);
});

test('survives an objective that is NaN past a wall, ending at a finite point before it', () => {
  // (x − 3)², undefined for x ≥ 2: the line search must back off NaN values instead of accepting them.
  const walled: Objective = (x, g) => {
    const v = x[0]!;
    g[0] = v < 2 ? 2 * (v - 3) : Number.NaN;
    return v < 2 ? (v - 3) * (v - 3) : Number.NaN;
  };
  const result = minimizeLbfgs(walled, [0], { maxIterations: 200 });
  assert.ok(Number.isFinite(result.value));
  assert.ok(result.x[0]! < 2 && result.x[0]! > 1.9, `x = ${result.x[0]}`);
});

test('a NaN at the starting point is an error, not a silent result', () => {
  assert.throws(() => minimizeLbfgs(() => Number.NaN, [0]), RangeError);
});
