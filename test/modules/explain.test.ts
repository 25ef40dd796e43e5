import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { readCsv } from '../../src/data/sources/csv.js';
import { boostedShap } from '../../src/evaluate/explain/shap-values.js';
import { TabularPreprocessor } from '../../src/features/tabular-preprocessor.js';
import { rawScores, type BoostedEnsemble } from '../../src/learners/gbdt/predictor.js';
import { loadPredictor } from '../../src/learners/registry.js';
import { explainRows, type SavedModel } from '../../src/modules/explain-rows.js';
import { loadModule } from '../../src/modules/load-module.js';
import { MODULE_ARTIFACTS } from '../../src/modules/manifest.js';
import { validateSpec } from '../../src/modules/spec.js';
import { trainTabularModule } from '../../src/modules/tabular/train-tabular.js';
import { openHome } from '../../src/store/open-store.js';
import { tempHome } from '../helpers/kiln-cli.js';

const DATA = join(import.meta.dirname, '..', '..', 'examples', 'titanic', 'titanic.csv');

async function trained(learner: string, params: Record<string, unknown> = {}) {
  const home = await openHome(tempHome());
  const spec = validateSpec({ name: 't', data: DATA, target: 'Survived', drop: ['PassengerId', 'Name', 'Ticket', 'Cabin'], learner, params }, null, '/');
  const result = await trainTabularModule(spec, home);
  const version = await home.store.getVersion('t', result.version);
  const saved = JSON.parse((await home.artifacts.get(version.artifacts[MODULE_ARTIFACTS.predictor]!)).toString('utf8')) as SavedModel;
  const { manifest } = await loadModule(version, home.artifacts);
  await home.store.close();
  return { saved, manifest };
}

test('TreeSHAP values of every row sum to the gradient-boosted model\'s raw output (within 1e-6)', async () => {
  const { saved } = await trained('gradient-boosting', { maxIter: 40 });
  const preprocessor = TabularPreprocessor.fromJSON(saved.preprocessor);
  const predictor = loadPredictor(saved.predictor) as unknown as { ensemble(): BoostedEnsemble };
  const X = preprocessor.transform((await readCsv(DATA)).frame);
  const model = predictor.ensemble();
  const raw = rawScores(model, X, 'gradient-boosting');
  const shap = boostedShap(model, X);
  let worst = 0;
  for (let r = 0; r < X.rows; r++) {
    let sum = shap.base[0]!;
    for (let j = 0; j < shap.nFeatures; j++) sum += shap.values[r * shap.nFeatures + j]!;
    worst = Math.max(worst, Math.abs(sum - raw[r]!));
  }
  assert.ok(worst < 1e-6, `largest difference ${worst}`);
});

test('the reasons behind a prediction are columns, adding up to the score, for boosting and for linear models', async () => {
  const frame = (await readCsv(DATA)).frame.take([0, 1]); // a third-class man, a first-class woman
  for (const learner of ['gradient-boosting', 'logistic-regression']) {
    const { saved, manifest } = await trained(learner, learner === 'gradient-boosting' ? { maxIter: 40 } : {});
    const [man, woman] = explainRows(saved, manifest, frame, 10);
    assert.equal(man!.outcome, 0, learner);
    assert.equal(woman!.outcome, 1, learner);
    for (const e of [man!, woman!]) {
      const total = e.reasons.reduce((a, r) => a + r.contribution, e.base);
      assert.ok(Math.abs(total - e.score) < 1e-9, `${learner}: all reasons listed add up to the score`);
      assert.ok(e.score > 0, `${learner}: the explained outcome is the predicted one`);
      assert.ok(new Set(e.reasons.map((r) => r.column)).size === e.reasons.length, 'one reason per column');
    }
    const sex = woman!.reasons.find((r) => r.column === 'Sex')!;
    assert.equal(sex.value, 'female');
    assert.ok(sex.contribution > 0, `${learner}: being a woman pushed towards survival`);
    assert.equal(woman!.reasons[0]!.column, 'Sex', `${learner}: and mattered most`);
  }
});

for (const [label, learner, params] of [
  ['a soft-voting mix', 'soft-voting', { members: [{ learner: 'logistic-regression' }, { learner: 'gradient-boosting', params: { maxIter: 40 } }] }],
  // not linear in its inputs, so exact linear SHAP does not apply (it would drop the products and λs)
  ['a logistic regression with interactions and reshaped columns', 'logistic-regression', { interactions: true, powerTransform: true, C: 0.1 }],
] as const) {
  test(`a model without an exact method (${label}) is explained too: its reasons add up to its log-odds`, async () => {
    const frame = (await readCsv(DATA)).frame.take([0, 1]); // a third-class man, a first-class woman
    const { saved, manifest } = await trained(learner, params);
    const [man, woman] = explainRows(saved, manifest, frame, 10);
    assert.equal(man!.outcome, 0);
    assert.equal(woman!.outcome, 1);
    const preprocessor = TabularPreprocessor.fromJSON(saved.preprocessor);
    const proba = (loadPredictor(saved.predictor) as unknown as { predictProba(X: unknown): { data: Float64Array } }).predictProba(preprocessor.transform(frame)).data;
    [man!, woman!].forEach((e, r) => {
      const total = e.reasons.reduce((a, reason) => a + reason.contribution, e.base);
      assert.ok(Math.abs(total - e.score) < 1e-9, 'all reasons listed add up to the score');
      const p = proba[r * 2 + 1]!;
      const logOdds = Math.log(p / (1 - p));
      // the score is explained from the predicted class's side: the man's is the log-odds of not surviving
      assert.ok(Math.abs(e.score - (r === 0 ? -logOdds : logOdds)) < 1e-9, `the score is the model's log-odds (${e.score} vs ${logOdds})`);
    });
    const sex = woman!.reasons.find((r) => r.column === 'Sex')!;
    assert.equal(sex.value, 'female');
    assert.ok(sex.contribution > 0, 'being a woman pushed towards survival');
    assert.equal(woman!.reasons[0]!.column, 'Sex', 'and mattered most');
  });
}
