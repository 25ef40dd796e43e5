import { before, after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { Frame } from '../../src/core/frame.js';
import { readCsv } from '../../src/data/sources/csv.js';
import { TabularPreprocessor } from '../../src/features/tabular-preprocessor.js';
import { loadPredictor } from '../../src/learners/registry.js';
import { loadModule } from '../../src/modules/load-module.js';
import { MODULE_ARTIFACTS } from '../../src/modules/manifest.js';
import { scoreFrame } from '../../src/modules/score-table.js';
import { loadSpecFile } from '../../src/modules/spec.js';
import { trainTabularModule, type TrainResult } from '../../src/modules/tabular/train-tabular.js';
import { stratifiedSplit } from '../../src/data/split.js';
import { openHome, type KilnHome } from '../../src/store/open-store.js';
import { tempHome } from '../helpers/kiln-cli.js';

const SPEC = join(import.meta.dirname, '..', '..', 'examples', 'titanic', 'kiln.yaml');
const DATA = join(import.meta.dirname, '..', '..', 'examples', 'titanic', 'titanic.csv');

describe('the Titanic module, end to end in the library', () => {
  let home: KilnHome;
  let result: TrainResult;

  before(async () => {
    home = await openHome(tempHome());
    result = await trainTabularModule(loadSpecFile(SPEC), home);
  });
  after(async () => home.store.close());

  test('scores at least as well as the issue requires on the seeded stratified 80/20 holdout', () => {
    assert.equal(result.task, 'binary');
    assert.deepEqual(result.rows, { train: 712, test: 179 });
    // scikit-learn's LogisticRegression on its own split of the same data: 0.804 / 0.844
    assert.ok(result.metrics.test['accuracy']! >= 0.79, `accuracy ${result.metrics.test['accuracy']}`);
    assert.ok(result.metrics.test['roc_auc']! >= 0.83, `roc_auc ${result.metrics.test['roc_auc']}`);
    assert.ok(result.metrics.test['log_loss']! < 0.5, `log_loss ${result.metrics.test['log_loss']}`);
  });

  test('uses the columns the spec leaves in, one-hot encoding the categories', () => {
    assert.deepEqual(result.excluded.map((e) => e.name).sort(), ['Cabin', 'Name', 'PassengerId', 'Ticket']);
    assert.deepEqual(result.features, ['Pclass', 'Sex=female', 'Sex=male', 'Age', 'SibSp', 'Parch', 'Fare', 'Embarked=C', 'Embarked=Q', 'Embarked=S']);
  });

  test('records the run and registers version 1 with its signature and lineage', async () => {
    const version = await home.store.getVersion('titanic', result.version);
    assert.equal(version.version, 1);
    assert.equal(version.runId, result.runId);
    const run = await home.store.getRun(result.runId);
    assert.equal(run.status, 'finished');
    assert.equal(run.dataset?.rows, 891);
    assert.match(run.dataset?.digest ?? '', /^[0-9a-f]{64}$/);
    assert.equal(run.metrics['test.accuracy'], result.metrics.test['accuracy']);
    const { manifest } = await loadModule(version, home.artifacts);
    assert.deepEqual(manifest.classes, [0, 1]);
    assert.deepEqual(manifest.signature.inputs.map((i) => `${i.name}:${i.datatype}`), [
      'Pclass:FP32', 'Sex:BYTES', 'Age:FP32', 'SibSp:FP32', 'Parch:FP32', 'Fare:FP32', 'Embarked:BYTES',
    ]);
  });

  test('the ONNX graph agrees with the in-process predictor within 1e-5 on every holdout row, missing values and unseen categories included', async () => {
    const version = await home.store.getVersion('titanic', result.version);
    const module = await loadModule(version, home.artifacts);
    const saved = JSON.parse((await home.artifacts.get(version.artifacts[MODULE_ARTIFACTS.predictor]!)).toString('utf8'));
    const preprocessor = TabularPreprocessor.fromJSON(saved.preprocessor);
    const predictor = loadPredictor(saved.predictor);
    assert.equal(predictor.kind, 'classifier');

    // The same holdout rows as training used, plus a copy of them with values knocked out or replaced
    // by categories training never saw.
    const table = await readCsv(DATA);
    const y = Int32Array.from(table.frame.get('Survived')!.values as Float64Array);
    const { test: holdout } = stratifiedSplit(y, 2, 0.2, 42);
    const rows = table.frame.select(preprocessor.inputColumns().map((c) => c.name)).take(holdout);
    const damaged = new Frame(rows.columns.map((c, j) => {
      if (c.kind === 'numeric') return { ...c, values: c.values.map((v, i) => ((i + j) % 3 === 0 ? Number.NaN : v)) };
      return { ...c, values: c.values.map((v, i) => ((i + j) % 4 === 0 ? null : (i + j) % 4 === 1 ? 'never-seen' : v)) };
    }));
    const combined = new Frame(rows.columns.map((c, j) => {
      const d = damaged.columns[j]!;
      return c.kind === 'numeric'
        ? { ...c, values: Float64Array.from([...c.values, ...(d.values as Float64Array)]) }
        : { ...c, values: [...c.values, ...(d.values as (string | null)[])] };
    }));
    assert.ok((combined.get('Age')!.values as Float64Array).some(Number.isNaN), 'the holdout has missing ages');
    assert.ok((combined.get('Sex')!.values as (string | null)[]).includes('never-seen'));

    const expected = predictor.kind === 'classifier' ? predictor.predictProba(preprocessor.transform(combined)) : undefined;
    const scores = await scoreFrame(module, combined);
    let worst = 0;
    for (let i = 0; i < combined.nRows; i++) {
      for (const [k, c] of [0, 1].entries()) {
        const got = scores.columns[`probability_${c}`]![i] as number;
        worst = Math.max(worst, Math.abs(got - expected!.data[i * 2 + k]!));
      }
      const label = expected!.data[i * 2 + 1]! > expected!.data[i * 2]! ? 1 : 0;
      assert.equal(scores.columns['label']![i], label, `label of row ${i}`);
    }
    assert.ok(worst <= 1e-5, `max abs difference ${worst}`);
  });

  test('the same seed and data give the same model; a second training is version 2', async () => {
    const again = await trainTabularModule(loadSpecFile(SPEC), home);
    assert.equal(again.version, 2);
    assert.deepEqual(again.metrics, result.metrics);
    const versions = await home.store.listVersions('titanic');
    assert.deepEqual(versions.map((v) => v.version).sort(), [1, 2]);
  });
});

test('k-nearest neighbours on Titanic, whose identical passengers tie as neighbours, trains and exports', async () => {
  // Many passengers share class, sex, family and fare: a query's 16th and 17th nearest rows are often at
  // the same distance, and the float32 graph may take the other one. Those rows are not compared with
  // the graph (Predictor.onnxExactRows). On another split of this data (bench/automl --split-seed 8) an
  // AutoML mix with such a kNN member, and the kNN alone, failed with INTERNAL "differs from the trained
  // model" after the whole search; the unit test in test/learners/knn.test.ts pins the rule itself.
  const home = await openHome(tempHome());
  try {
    const spec = { ...loadSpecFile(SPEC), learner: 'knn', params: { nNeighbors: 16 } };
    const result = await trainTabularModule(spec, home);
    assert.ok(result.metrics.test['roc_auc']! > 0.8, `roc_auc ${result.metrics.test['roc_auc']}`);
  } finally {
    await home.store.close();
  }
});
