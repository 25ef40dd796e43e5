/**
 * Augmentation (features/augment-rows.ts): the original rows come first and untouched, each copy is
 * perturbed by what its column IS (planned kind), in the shares asked for, and the same seed gives the
 * same rows. Folds augment only the rows they fit on (evaluate/search/fold-data.ts).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Frame } from '../../src/core/frame.js';
import { Rng } from '../../src/core/rng.js';
import { stratifiedKFold } from '../../src/data/splits/k-fold.js';
import { prepareFolds, subsample } from '../../src/evaluate/search/fold-data.js';
import { augmentRows, describeAugmentation, type AugmentOptions } from '../../src/features/augment-rows.js';
import type { ColumnPlan } from '../../src/features/tabular-preprocessor.js';

const n = 4000;
const rng = new Rng(3);
const x = Float64Array.from({ length: n }, () => 5 + 2 * rng.normal()); // sd 2
const pclass = Float64Array.from({ length: n }, (_, i) => 1 + (i % 3)); // a code stored as numbers
const flag = Float64Array.from({ length: n }, (_, i) => i % 2);
const colour = Array.from({ length: n }, (_, i) => ['red', 'green', 'blue', 'grey'][i % 4] as string);
const review = Array.from({ length: n }, (_, i) => `review number ${i}`);
const day = Array.from({ length: n }, (_, i) => `2024-01-${String(1 + (i % 28)).padStart(2, '0')}`);
const frame = new Frame([
  { kind: 'numeric', name: 'x', values: x },
  { kind: 'numeric', name: 'pclass', values: pclass },
  { kind: 'numeric', name: 'flag', values: flag },
  { kind: 'categorical', name: 'colour', values: colour },
  { kind: 'categorical', name: 'review', values: review },
  { kind: 'categorical', name: 'day', values: day },
]);
const plan: ColumnPlan[] = [
  { name: 'x', kind: 'numeric' },
  { name: 'pclass', kind: 'categorical' },
  { name: 'flag', kind: 'boolean' },
  { name: 'colour', kind: 'categorical' },
  { name: 'review', kind: 'text' },
  { name: 'day', kind: 'datetime' },
];
const options: AugmentOptions = { copies: 1, jitter: 0.1, swap: 0.1, missing: 0.1 };

const numbers = (f: Frame, name: string) => f.get(name)!.values as Float64Array;
const texts = (f: Frame, name: string) => f.get(name)!.values as readonly (string | null)[];

test('the originals come first and unchanged, then the copies; source points at each row\'s original', () => {
  const { frame: out, source } = augmentRows(frame, plan, { ...options, copies: 2 }, 1);
  assert.equal(out.nRows, 3 * n);
  assert.equal(source.length, 3 * n);
  for (const i of [0, 1, n - 1, n, n + 7, 2 * n, 3 * n - 1]) assert.equal(source[i], i % n);
  assert.deepEqual(numbers(out, 'x').subarray(0, n), x);
  assert.deepEqual(texts(out, 'colour').slice(0, n), colour);
  assert.deepEqual(out.names, frame.names);
});

test('numbers get noise of `jitter` standard deviations, and `missing` of the cells are blank', () => {
  const out = augmentRows(frame, plan, options, 2).frame;
  const copy = numbers(out, 'x').subarray(n);
  const moved: number[] = [];
  let blank = 0;
  copy.forEach((v, i) => (Number.isNaN(v) ? blank++ : moved.push(v - (x[i] as number))));
  const mean = moved.reduce((a, b) => a + b, 0) / moved.length;
  const sd = Math.sqrt(moved.reduce((a, d) => a + (d - mean) ** 2, 0) / moved.length);
  assert.ok(Math.abs(sd - 0.2) < 0.01, `noise sd ${sd} (0.1 × the column's 2)`);
  assert.ok(Math.abs(mean) < 0.01, `noise mean ${mean}`);
  assert.ok(Math.abs(blank / n - 0.1) < 0.015, `blank share ${blank / n}`);
});

test('categories are swapped for another value of the column, codes stored as numbers too, never a new value', () => {
  const out = augmentRows(frame, plan, { ...options, missing: 0 }, 3).frame;
  const swappedShare = (after: ArrayLike<unknown>, before: ArrayLike<unknown>) => {
    let changed = 0;
    for (let i = 0; i < n; i++) if (after[n + i] !== before[i]) changed++;
    return changed / n;
  };
  for (const [name, before, seen] of [
    ['colour', colour, new Set(colour)],
    ['pclass', pclass, new Set([1, 2, 3])],
    ['flag', flag, new Set([0, 1])],
  ] as const) {
    const after = out.get(name)!.values;
    const share = swappedShare(after, before);
    assert.ok(Math.abs(share - 0.1) < 0.015, `${name}: swapped share ${share}`);
    for (let i = n; i < 2 * n; i++) assert.ok((seen as Set<unknown>).has(after[i]), `${name}: ${String(after[i])} is a value the column has`);
  }
});

test('free text and dates are only blanked: another row\'s text would carry another row\'s answer', () => {
  const out = augmentRows(frame, plan, options, 4).frame;
  for (const [name, before] of [['review', review], ['day', day]] as const) {
    const after = texts(out, name);
    let blank = 0;
    for (let i = 0; i < n; i++) {
      const v = after[n + i];
      if (v === null) blank++;
      else assert.equal(v, before[i], `${name} row ${i} is its own or blank`);
    }
    assert.ok(Math.abs(blank / n - 0.1) < 0.015, `${name}: blank share ${blank / n}`);
  }
});

test('seeded: the same seed gives the same rows, another seed other ones; zero shares copy the rows as they are', () => {
  const a = augmentRows(frame, plan, options, 5).frame;
  const b = augmentRows(frame, plan, options, 5).frame;
  const c = augmentRows(frame, plan, options, 6).frame;
  assert.deepEqual(numbers(a, 'x'), numbers(b, 'x'));
  assert.deepEqual(texts(a, 'colour'), texts(b, 'colour'));
  assert.notDeepEqual(numbers(a, 'x'), numbers(c, 'x'));
  const still = augmentRows(frame, plan, { copies: 1, jitter: 0, swap: 0, missing: 0 }, 7).frame;
  assert.deepEqual(numbers(still, 'x').subarray(n), x);
  assert.deepEqual(texts(still, 'review').slice(n), review);
  assert.equal(
    describeAugmentation(options),
    '1 perturbed copy of every training row (numbers ± 0.1 sd, 10% of categories swapped, 10% of cells blank)',
  );
});

test('folds augment the rows they fit on, leave their validation rows as they are, and count sizes in distinct rows', () => {
  const small = frame.take(Int32Array.from({ length: 300 }, (_, i) => i));
  const y = Int32Array.from({ length: 300 }, (_, i) => (i % 5 === 0 ? 1 : 0));
  const splits = stratifiedKFold(y, 2, 3, { seed: 1 });
  const plain = prepareFolds(small, plan.slice(0, 4), y, splits, 1, 2);
  const augmented = prepareFolds(small, plan.slice(0, 4), y, splits, 1, 2, { augment: { ...options, copies: 2 } });
  augmented.forEach((fold, k) => {
    const before = plain[k]!;
    const split = splits[k]!;
    assert.equal(fold.X.rows, 3 * split.train.length, 'three times the training rows');
    assert.equal(fold.order.length, fold.X.rows, 'rung subsamples draw from every fitted row');
    assert.deepEqual(fold.yval, before.yval);
    assert.deepEqual(fold.valRows, before.valRows);
    assert.equal(fold.Xval.rows, before.Xval.rows);
    // each copy keeps its original's answer
    const yTrain = Array.from(split.train, (r) => y[r]);
    assert.deepEqual(Array.from(fold.y), [...yTrain, ...yTrain, ...yTrain]);
    // sizes count distinct rows: a subsample of 40 rows is 40 rows with both their copies, no stray copy
    const m = split.train.length;
    assert.equal(fold.sourceRows, m);
    assert.equal(before.sourceRows, m);
    const prefix = Array.from(fold.order.subarray(0, 120));
    const originals = new Set(prefix.map((i) => i % m));
    assert.equal(originals.size, 40);
    assert.deepEqual(prefix.filter((i) => i >= m).sort((a, b) => a - b), [...originals].flatMap((j) => [j + m, j + 2 * m]).sort((a, b) => a - b));
    assert.deepEqual([...originals].sort((a, b) => a - b), Array.from(before.order.subarray(0, 40)).sort((a, b) => a - b), 'the same rows a plain fold would take first');
    assert.equal(subsample(fold, 40).X.rows, 120);
  });
});

test('target encoding cross-fits a copy in its original\'s fold: no copy is encoded with its original\'s answer', async () => {
  const { TargetEncoder } = await import('../../src/features/target-encode.js');
  // every original row has a category of its own; its copy repeats it (and its answer)
  const originals = 200;
  const values = Array.from({ length: 2 * originals }, (_, i) => `id${i % originals}`);
  const classIndex = Int32Array.from({ length: 2 * originals }, (_, i) => ((i % originals) * 7919) % 3 === 0 ? 1 : 0);
  const target = { kind: 'classes' as const, classIndex, nClasses: 2 };
  const groups = Int32Array.from({ length: 2 * originals }, (_, i) => i % originals);
  // a category unseen in the other folds encodes as their mean, whatever the row's own answer: so with
  // the twins together, a row's encoding does not depend on its answer; apart, it follows it
  const gap = (block: Float64Array) => {
    const mean = (answer: number) => {
      const picked = Array.from(block).filter((_, i) => classIndex[i] === answer);
      return picked.reduce((a, b) => a + b, 0) / picked.length;
    };
    return mean(1) - mean(0);
  };
  const together = TargetEncoder.fitTransform('id', values, target, { seed: 1, groups }).block;
  const apart = TargetEncoder.fitTransform('id', values, target, { seed: 1 }).block;
  assert.ok(Math.abs(gap(together[together.length - 1]!)) < 0.05, `grouped: ${gap(together[together.length - 1]!)}`);
  assert.ok(gap(apart[apart.length - 1]!) > 0.2, `ungrouped copies leak their twin's answer: ${gap(apart[apart.length - 1]!)}`);
});

test('the robustness check perturbs by the same planned kinds when given them, by storage without', async () => {
  const { robustnessCheck } = await import('../../src/evaluate/robustness.js');
  const kinds = new Map(plan.map((p) => [p.name, p.kind]));
  // score = share of cells of one column left as they were
  const unchangedIn = (name: string) => (f: Frame) => {
    const after = f.get(name)!.values;
    const before = frame.get(name)!.values;
    let same = 0;
    for (let i = 0; i < n; i++) if (after[i] === before[i]) same++;
    return same / n;
  };
  const jitterOf = (name: string, withKinds: boolean) =>
    robustnessCheck(frame, unchangedIn(name), { seed: 1, ...(withKinds ? { kinds } : {}) }).find((r) => r.perturbation === 'numeric_jitter')!.score;
  const swapOf = (name: string, withKinds: boolean) =>
    robustnessCheck(frame, unchangedIn(name), { seed: 1, ...(withKinds ? { kinds } : {}) }).find((r) => r.perturbation === 'swapped_categories')!.score;
  // a class stored as numbers: left to (rounded) noise by storage, swapped for another class (10%) by kind
  assert.equal(swapOf('pclass', false), 1);
  assert.equal(jitterOf('pclass', true), 1);
  assert.ok(Math.abs(swapOf('pclass', true) - 0.9) < 0.02, `pclass swapped: ${swapOf('pclass', true)}`);
  // free text: swapped by storage, left alone by kind
  assert.ok(swapOf('review', false) < 0.95);
  assert.equal(swapOf('review', true), 1);
  // real numbers are jittered either way
  assert.equal(jitterOf('x', true), 0);
});

test('whole numbers (counts, codes) stay whole: their noise is rounded to whole units', async () => {
  const { jitterNumbers } = await import('../../src/features/perturb-columns.js');
  const counts = Float64Array.from({ length: n }, (_, i) => i % 6); // sd ≈ 1.7
  const moved = jitterNumbers(counts, 0.5, new Rng(8), 'siblings').values as Float64Array;
  assert.ok(moved.every(Number.isInteger), 'every value is still a whole number');
  const changed = moved.filter((v, i) => v !== counts[i]).length / n;
  // noise of sd 0.85 rounds to a step of one or more about 56% of the time
  assert.ok(changed > 0.45 && changed < 0.65, `share moved: ${changed}`);
  // at the default tenth of a standard deviation a count almost never moves
  const barely = jitterNumbers(counts, 0.1, new Rng(8), 'siblings').values as Float64Array;
  assert.ok(barely.filter((v, i) => v !== counts[i]).length / n < 0.01);
});
