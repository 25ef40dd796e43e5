/**
 * Pairwise interactions in the AutoML search: searched (random settings and a complete grid) on small
 * data only, chosen by cross-validation when the data has an interaction, and passed over — as the
 * more complex model — when it has none.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Frame } from '../../src/core/frame.js';
import { parseParams } from '../../src/core/params.js';
import { Rng } from '../../src/core/rng.js';
import { stratifiedKFold } from '../../src/data/splits/k-fold.js';
import type { Trial } from '../../src/evaluate/search/automl.js';
import { searchModels } from '../../src/evaluate/search/automl.js';
import { prepareFolds } from '../../src/evaluate/search/fold-data.js';
import { searchesInteractions, spacesFor } from '../../src/evaluate/search/search-space.js';
import { complexityRank, simplestWithinNoise, trialComplexity } from '../../src/evaluate/search/simplest-within-noise.js';
import { getLearner } from '../../src/learners/registry.js';

const linear = ['logistic-regression', 'ridge'];

test('linear spaces search interactions (random and a grid) on small data only', () => {
  const small = { rows: 712, cols: 10 };
  assert.equal(searchesInteractions(small), true);
  assert.equal(searchesInteractions({ rows: 160_000, cols: 20 }), false, 'too many cells');
  assert.equal(searchesInteractions({ rows: 100, cols: 61 }), false, 'too many columns for the learners');
  assert.equal(searchesInteractions(undefined), false);

  for (const task of ['binary', 'regression'] as const) {
    const spaces = spacesFor(task, undefined, small).filter((s) => linear.includes(s.learner));
    assert.equal(spaces.length, 1, `one linear space with a grid for ${task}`);
    const space = spaces[0]!;
    const schema = getLearner(space.learner).paramsSchema;
    const grid = space.grid ?? [];
    assert.ok(grid.filter((p) => p['interactions'] === true).length >= 5, 'every strength with interactions');
    assert.ok(grid.some((p) => p['interactions'] === undefined), 'and plain');
    for (const params of grid) assert.doesNotThrow(() => parseParams(schema, params));
    const rng = new Rng(3);
    const samples = Array.from({ length: 40 }, () => space.sample(rng));
    for (const params of samples) assert.doesNotThrow(() => parseParams(schema, params));
    const withInteractions = samples.filter((p) => p['interactions'] === true).length;
    assert.ok(withInteractions > 5 && withInteractions < 35, `${withInteractions} of 40 samples use interactions`);

    const large = spacesFor(task, undefined, { rows: 160_000, cols: 20 }).find((s) => s.learner === space.learner)!;
    assert.equal(large.grid, undefined);
    assert.ok(Array.from({ length: 40 }, () => large.sample(rng)).every((p) => p['interactions'] === undefined));
  }
});

test('complexity: a linear model with interactions sits between the plain one and naive Bayes', () => {
  // folds of different difficulty, the same for every trial: a trial `score − 0.85` above another is so in every fold,
  // and 0.005 apart is within noise only when the folds disagree on the order (`wobble`)
  const trial = (id: number, params: Record<string, unknown>, score: number, learner = 'logistic-regression', wobble = 0): Trial => {
    const foldScores = [-0.02, 0.01, -0.01, 0.02, 0].map((d, f) => score + d + (f % 2 === 0 ? wobble : -wobble));
    return { id, learner, params, rung: 2, final: true, rows: 100, folds: 5, status: 'ok', value: score, score, seconds: 1, standardError: 0.01, foldScores };
  };
  const plain = trial(1, { C: 1 }, 0.85);
  const widened = trial(2, { C: 0.03, interactions: true }, 0.855, 'logistic-regression', 0.02);
  assert.ok(trialComplexity(plain) < trialComplexity(widened));
  assert.ok(trialComplexity(widened) < complexityRank('gaussian-nb'));
  // within noise the plain model is kept; a clear gain goes to the interactions
  assert.equal(simplestWithinNoise([widened, plain], 1 / 4)?.id, 1);
  assert.equal(simplestWithinNoise([trial(2, { interactions: true }, 0.9), plain], 1 / 4)?.id, 2);
  // and it is still simpler than a tree ensemble within noise
  assert.equal(simplestWithinNoise([trial(3, {}, 0.86, 'random-forest'), widened], 1 / 4)?.id, 2);
});

/** Two numbers and a category; `interaction` makes the class depend on the sign of a·b only. */
function table(n: number, seed: number, interaction: boolean) {
  const rng = new Rng(seed);
  const a = Float64Array.from({ length: n }, () => rng.normal());
  const b = Float64Array.from({ length: n }, () => rng.normal());
  const y = Int32Array.from({ length: n }, (_, i) => {
    const logit = interaction ? 3 * a[i]! * b[i]! : 1.5 * a[i]! - b[i]!;
    return rng.next() < 1 / (1 + Math.exp(-logit)) ? 1 : 0;
  });
  const colour = Array.from({ length: n }, () => (rng.next() < 0.5 ? 'red' : 'blue'));
  const frame = new Frame([
    { kind: 'numeric', name: 'a', values: a },
    { kind: 'numeric', name: 'b', values: b },
    { kind: 'categorical', name: 'colour', values: colour },
  ]);
  const plan = [
    { name: 'a', kind: 'numeric' as const },
    { name: 'b', kind: 'numeric' as const },
    { name: 'colour', kind: 'categorical' as const },
  ];
  return prepareFolds(frame, plan, y, stratifiedKFold(y, 2, 5, { seed: 1 }), 1);
}

const search = (folds: ReturnType<typeof table>, budgetSeconds = 2) =>
  searchModels(folds, { task: 'binary', nClasses: 2, metric: 'roc_auc', budgetSeconds, seed: 4, learners: ['logistic-regression'], threads: 1, ensembleSize: 0 });

test('cross-validation chooses interactions when the class depends on a product, and the grid runs complete right after the defaults', async () => {
  // The grid runs only while the budget lasts: ~0.3 s here when quiet, ~0.6 s on a machine loaded 6 to 1,
  // more in a fresh process whose first fits compile. 4 s keeps the whole grid in on a busy CI machine.
  const result = await search(table(300, 1, true), 4);
  assert.equal(result.best.params['interactions'], true, JSON.stringify(result.best.params));
  assert.ok(result.best.value > 0.75, `cross-validated AUC ${result.best.value}`);
  const plainBest = result.leaderboard.find((t) => t.params['interactions'] !== true)!;
  assert.ok(plainBest.value < 0.65, `plain models stay near chance (${plainBest.value})`);
  // trial 1 is the defaults; the grid follows as complete trials
  const grid = result.trials.slice(1, 10);
  assert.ok(grid.every((t) => t.final && t.folds === 5), 'the grid is scored on every fold');
  assert.equal(grid.filter((t) => t.params['interactions'] === true).length, 5);
});

test('without an interaction in the data, the plain model is kept', async () => {
  const result = await search(table(300, 2, false));
  assert.notEqual(result.best.params['interactions'], true, JSON.stringify(result.best.params));
  assert.ok(result.leaderboard.some((t) => t.params['interactions'] === true), 'interactions were tried');
});
