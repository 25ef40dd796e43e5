import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { kiln, tempHome } from '../helpers/kiln-cli.js';

const DATA = join(import.meta.dirname, '..', '..', 'examples', 'titanic', 'titanic.csv');

interface Explained {
  explanations: { row: number; outcome: number; base: number; score: number; reasons: { column: string; value: unknown; contribution: number }[] }[];
}

// kNN has no exact SHAP method (its reasons are baseline Shapley values); logistic regression has one
for (const learner of ['knn', 'logistic-regression']) {
  test(`kiln explain names the columns behind a ${learner} model's predictions, adding up to its score`, async () => {
    const home = tempHome();
    const trained = await kiln(['train', '--data', DATA, '--target', 'Survived', '--drop', 'PassengerId,Name,Ticket,Cabin', '--learner', learner, '--name', 't', '--json', '--home', home]);
    assert.equal(trained.code, 0, trained.stderr);

    const r = await kiln(['explain', 't', DATA, '--rows', '0,1', '--top', '10', '--json', '--home', home]);
    assert.equal(r.code, 0, r.stderr);
    const [man, woman] = (JSON.parse(r.stdout) as Explained).explanations;
    assert.equal(man?.outcome, 0, 'a third-class man: did not survive');
    assert.equal(woman?.outcome, 1, 'a first-class woman: survived');
    for (const e of [man!, woman!]) {
      const total = e.reasons.reduce((a, reason) => a + reason.contribution, e.base);
      assert.ok(Math.abs(total - e.score) < 1e-9, 'the reasons add up to the score');
      assert.ok(e.score > 0, 'explained from the predicted outcome\'s side');
    }
    assert.equal(woman!.reasons.find((reason) => reason.column === 'Sex')?.value, 'female');

    const text = await kiln(['explain', 't', DATA, '--rows', '1', '--home', home]);
    assert.equal(text.code, 0, text.stderr);
    // without --json the result is for people, on stderr (src/cli/output.ts)
    assert.match(text.stderr, /^row 1: 1 — .*Sex = female \(\+\d/m, 'in words: the row (by its number in the file), the outcome and the reasons for it');
  });
}

test('kiln explain refuses a row number outside the file, with a coded error and no stack trace', async () => {
  const home = tempHome();
  const trained = await kiln(['train', '--data', DATA, '--target', 'Survived', '--drop', 'PassengerId,Name,Ticket,Cabin', '--name', 't', '--home', home]);
  assert.equal(trained.code, 0, trained.stderr);
  const r = await kiln(['explain', 't', DATA, '--rows', '5000', '--home', home]);
  assert.equal(r.code, 2, 'a usage error');
  assert.match(r.stderr, /INVALID_PARAMS/);
  assert.match(r.stderr, /row 5000 is not between 0 and 890/);
  assert.doesNotMatch(r.stderr, /\n\s+at .+:\d+:\d+/);
});
