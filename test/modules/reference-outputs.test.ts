/**
 * The reference profile's model outputs (prediction drift's reference) are the model's answers on
 * held-out rows, not on the rows it was fitted on: a decision tree is sure of every training row, so
 * against training-row outputs healthy traffic would read as prediction drift.
 */
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { Frame } from '../../src/core/frame.js';
import { Rng } from '../../src/core/rng.js';
import { buildReferenceProfile, parseReferenceProfile } from '../../src/data/profile/reference-profile.js';
import { TabularPreprocessor } from '../../src/features/tabular-preprocessor.js';
import type { SupervisedPredictor } from '../../src/learners/learner.js';
import { loadPredictor } from '../../src/learners/registry.js';
import { MODULE_ARTIFACTS } from '../../src/modules/manifest.js';
import { validateSpec } from '../../src/modules/spec.js';
import { modelOutputs, trainTabularModule } from '../../src/modules/tabular/train-tabular.js';
import { detectDrift } from '../../src/monitor/drift/detect-drift.js';
import { openHome } from '../../src/store/open-store.js';
import { tempHome } from '../helpers/kiln-cli.js';

test('a tabular model\'s reference outputs are its held-out predictions, which then show no drift', async () => {
  const dir = tempHome('kiln-reference-outputs-');
  const rng = new Rng(5);
  const rows = (n: number) =>
    Array.from({ length: n }, () => {
      const a = rng.normal();
      const b = rng.normal();
      return { a, b, y: a + 0.8 * rng.normal() > 0 ? 1 : 0 };
    });
  const csv = (rs: { a: number; b: number; y: number }[]) => ['a,b,y', ...rs.map((r) => `${r.a},${r.b},${r.y}`)].join('\n') + '\n';
  const held = rows(300);
  writeFileSync(join(dir, 'train.csv'), csv(rows(400)));
  writeFileSync(join(dir, 'test.csv'), csv(held));
  const home = await openHome(join(dir, 'home'));
  try {
    const spec = validateSpec({ name: 'tree', data: 'train.csv', testData: 'test.csv', target: 'y', learner: 'decision-tree', seed: 3 }, null, dir);
    const result = await trainTabularModule(spec, home);
    const version = await home.store.getVersion('tree', result.version);
    const artifact = async (name: string) => JSON.parse((await home.artifacts.get(version.artifacts[name]!)).toString('utf8'));
    const reference = parseReferenceProfile(await artifact(MODULE_ARTIFACTS.reference), 'test');
    const saved = await artifact(MODULE_ARTIFACTS.predictor);

    // the model's answers on the held-out table, computed here from the stored model
    const heldFrame = new Frame([
      { kind: 'numeric', name: 'a', values: Float64Array.from(held, (r) => r.a) },
      { kind: 'numeric', name: 'b', values: Float64Array.from(held, (r) => r.b) },
    ]);
    const predictor = loadPredictor(saved.predictor) as SupervisedPredictor;
    const outputs = modelOutputs(predictor, TabularPreprocessor.fromJSON(saved.preprocessor).transform(heldFrame), [0, 1]);
    const expected = buildReferenceProfile(heldFrame, { predictions: outputs, seed: 3 }).predictions;
    assert.deepEqual(reference.predictions, expected);
    assert.equal(reference.rows, 400, 'the inputs stay profiled on the training rows');

    const drift = detectDrift(reference.predictions, new Map(outputs.columns.map((c) => [c.name, c.kind === 'numeric' ? c.values : c.values])));
    assert.equal(drift.dataset_drift, false);
    assert.deepEqual(drift.columns.filter((c) => c.drift).map((c) => c.column), []);
  } finally {
    await home.store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
