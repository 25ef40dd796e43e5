import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { kiln, tempHome } from '../helpers/kiln-cli.js';

const EXAMPLE = join(import.meta.dirname, '..', '..', 'examples', 'titanic');
const SPEC = join(EXAMPLE, 'kiln.yaml');
const DATA = join(EXAMPLE, 'titanic.csv');

const noStackTrace = (text: string) => assert.doesNotMatch(text, /\n\s+at .+:\d+:\d+/, 'a stack trace reached the user');

describe('kiln CLI', () => {
  test('--help lists the verbs that work', async () => {
    const r = await kiln(['--help']);
    assert.equal(r.code, 0);
    for (const verb of ['train', 'predict', 'models', 'serve', 'demo']) assert.match(r.stdout, new RegExp(`\\n\\s+${verb}\\b`), verb);
  });

  test('an unknown verb is a usage error (exit 2)', async () => {
    const r = await kiln(['trian']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /unknown command/);
  });

  describe('train, models, predict on one home', () => {
    const home = tempHome();
    let first: Record<string, any>;

    before(async () => {
      const r = await kiln(['train', SPEC, '--json', '--home', home]);
      assert.equal(r.code, 0, r.stderr);
      first = JSON.parse(r.stdout);
    });

    test('train --json prints exactly one JSON document with the run and its metrics', () => {
      assert.equal(first['model'], 'titanic');
      assert.equal(first['version'], 1);
      assert.match(first['run_id'], /^[0-9a-f-]{36}$/);
      assert.equal(typeof first['fit_s'], 'number');
      for (const m of ['accuracy', 'roc_auc', 'log_loss']) assert.equal(typeof first['metrics']['test'][m], 'number', m);
      assert.ok(first['metrics']['test']['accuracy'] >= 0.79);
    });

    test('training twice gives versions 1 and 2, listed by `kiln models`', async () => {
      const again = await kiln(['train', SPEC, '--json', '--home', home]);
      assert.equal(again.code, 0, again.stderr);
      assert.equal(JSON.parse(again.stdout).version, 2);
      const listed = await kiln(['models', '--json', '--home', home]);
      assert.equal(listed.code, 0, listed.stderr);
      const models = JSON.parse(listed.stdout).models;
      assert.equal(models.length, 1);
      assert.equal(models[0].name, 'titanic');
      assert.equal(models[0].latest_version, 2);
      assert.deepEqual(models[0].versions.map((v: { version: number }) => v.version).sort(), [1, 2]);
      const human = await kiln(['models', '--home', home]);
      assert.match(human.stderr, /titanic\s+1\s/);
      assert.match(human.stderr, /titanic\s+2\s/);
    });

    test('an alias can be set and used as a reference', async () => {
      const set = await kiln(['models', 'alias', 'titanic', 'champion', '1', '--home', home, '--json']);
      assert.equal(set.code, 0, set.stderr);
      const shown = await kiln(['models', 'show', 'titanic@champion', '--home', home, '--json']);
      assert.equal(shown.code, 0, shown.stderr);
      const v = JSON.parse(shown.stdout);
      assert.equal(v.version, 1);
      assert.deepEqual(v.aliases, ['champion']);
    });

    test('predict scores a CSV file, to stdout and to a file', async () => {
      const r = await kiln(['predict', 'titanic:1', DATA, '--home', home]);
      assert.equal(r.code, 0, r.stderr);
      const lines = r.stdout.trim().split('\n');
      assert.equal(lines.length, 892);
      assert.match(lines[0]!, /,label,probability_0,probability_1$/);
      const out = join(home, 'scored.json');
      const f = await kiln(['predict', 'titanic', DATA, '--out', out, '--home', home, '--json']);
      assert.equal(f.code, 0, f.stderr);
      const rows = JSON.parse(readFileSync(out, 'utf8')) as Record<string, number>[];
      assert.equal(rows.length, 891);
      const correct = rows.filter((row) => row['label'] === row['Survived']).length;
      assert.ok(correct / rows.length > 0.78, `training-set accuracy ${correct / rows.length}`);
      for (const row of rows.slice(0, 20)) assert.ok(Math.abs(row['probability_0']! + row['probability_1']! - 1) < 1e-5);
    });

    test('bad references and unknown models get coded errors, not stack traces', async () => {
      const unknown = await kiln(['models', 'show', 'nobody', '--home', home]);
      assert.equal(unknown.code, 1);
      assert.match(unknown.stderr, /error \[MODEL_NOT_FOUND\]: there is no model "nobody"/);
      assert.match(unknown.stderr, /known models: titanic/);
      noStackTrace(unknown.stderr);

      const badRef = await kiln(['predict', 'titanic:x:y', DATA, '--home', home, '--json']);
      assert.equal(badRef.code, 2);
      assert.equal(JSON.parse(badRef.stdout).error.code, 'INVALID_MODEL_REF');

      const noVersion = await kiln(['predict', 'titanic:9', DATA, '--home', home]);
      assert.equal(noVersion.code, 1);
      assert.match(noVersion.stderr, /VERSION_NOT_FOUND/);
    });
  });

  test('train from flags, without a spec: the model is named after the data file', async () => {
    const home = tempHome();
    const r = await kiln(['train', '--data', DATA, '--target', 'Survived', '--drop', 'PassengerId,Name,Ticket,Cabin', '--param', 'C=0.5', '--seed', '7', '--json', '--home', home]);
    assert.equal(r.code, 0, r.stderr);
    const doc = JSON.parse(r.stdout);
    assert.equal(doc.model, 'titanic');
    assert.equal(doc.version, 1);
    assert.equal(doc.learner, 'logistic-regression');
    assert.ok(doc.metrics.test.accuracy > 0.75);
    const run = await kiln(['models', 'show', 'titanic', '--json', '--home', home]);
    assert.equal(JSON.parse(run.stdout).run_id, doc.run_id);

    const missing = await kiln(['train', '--data', DATA, '--home', home]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /--data SOURCE and --target COLUMN/);
    const badParam = await kiln(['train', '--data', DATA, '--target', 'Survived', '--param', 'C', '--home', home]);
    assert.equal(badParam.code, 2);
    assert.match(badParam.stderr, /"C" is not KEY=VALUE/);
  });

  describe('bad input to train', () => {
    const dir = tempHome('kiln-specs-');
    const write = (name: string, text: string) => {
      const file = join(dir, name);
      writeFileSync(file, text);
      return file;
    };

    test('a missing spec file', async () => {
      const r = await kiln(['train', join(dir, 'nope.yaml'), '--home', dir]);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /error \[DATA_NOT_FOUND\]/);
      noStackTrace(r.stderr);
    });

    test('a spec with an unknown key and a missing target lists every problem', async () => {
      const file = write('bad.yaml', `name: t\ndata: ${DATA}\ntargte: Survived\n`);
      const r = await kiln(['train', file, '--home', dir, '--json']);
      assert.equal(r.code, 1);
      const error = JSON.parse(r.stdout).error;
      assert.equal(error.code, 'INVALID_SPEC');
      const paths = error.problems.map((p: { path: string }) => p.path);
      assert.ok(paths.includes('target'), JSON.stringify(error.problems));
      assert.ok(error.problems.some((p: { message: string }) => /targte/.test(p.message)));
    });

    test('a target column that does not exist suggests the closest names', async () => {
      const file = write('typo.yaml', `name: t\ndata: ${DATA}\ntarget: Survive\n`);
      const r = await kiln(['train', file, '--home', dir]);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /error \[TARGET_NOT_FOUND\]: there is no column "Survive"/);
      assert.match(r.stderr, /did you mean "Survived"/);
      noStackTrace(r.stderr);
    });

    test('an unknown learner parameter is named', async () => {
      const file = write('param.yaml', `name: t\ndata: ${DATA}\ntarget: Survived\nparams: { c: 2 }\n`);
      const r = await kiln(['train', file, '--home', dir, '--json']);
      assert.equal(r.code, 2);
      const error = JSON.parse(r.stdout).error;
      assert.equal(error.code, 'INVALID_PARAMS');
      assert.match(error.problems[0].message, /unknown parameter "c"/);
    });

    test('a data file that is not a CSV table', async () => {
      const data = write('broken.csv', 'a,b\n1,2\n3,4,5,6\n7,8\n');
      const file = write('broken.yaml', `name: t\ndata: ${data}\ntarget: a\n`);
      const r = await kiln(['train', file, '--home', dir]);
      assert.ok(r.code === 1, `exit ${r.code}: ${r.stderr}`);
      assert.match(r.stderr, /error \[DATA_UNREADABLE\]: .*line 3 has 4 fields but the header has 2/);
      noStackTrace(r.stderr);
    });
  });
});
