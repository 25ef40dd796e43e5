/**
 * The learning curve of a registered version (version-curves.ts) is the curve of the spec it was
 * trained from, refitted on the snapshot of its data with the model training settled on: the same
 * numbers `kiln curves` gives on the spec itself. Versions that cannot be refitted say why.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { dirname } from 'node:path';
import { KilnError } from '../../src/core/errors.js';
import { validateSpec } from '../../src/modules/spec.js';
import { tabularCurves } from '../../src/modules/tabular/tabular-curves.js';
import { trainModule } from '../../src/modules/train-module.js';
import { versionCurves, versionCurvesInput } from '../../src/modules/tabular/version-curves.js';
import { openHome } from '../../src/store/open-store.js';
import { tempHome } from '../helpers/kiln-cli.js';

const titanic = fileURLToPath(new URL('../../examples/titanic/titanic.csv', import.meta.url));
const segments = fileURLToPath(new URL('../../examples/segments/customers.csv', import.meta.url));

const titanicSpec = {
  name: 'titanic-curve',
  data: titanic,
  target: 'Survived',
  drop: ['PassengerId', 'Name', 'Ticket', 'Cabin'],
  columns: { Pclass: 'categorical' },
  transforms: { Fare: { scale: { method: 'robust' } } },
  split: { test: 0.25 },
  seed: 7,
  folds: 4,
  learner: 'random-forest',
  // one thread: a pool of workers started per fit would cost more than the 20 trees
  params: { nEstimators: 20, maxDepth: 5, threads: 1 },
};

test("a version's curve is its spec's curve: same rows, columns, folds and model, refitted on the snapshot of its data", async () => {
  const home = await openHome(tempHome());
  try {
    const trained = await trainModule(validateSpec(titanicSpec, null, dirname(titanic)), home);
    const version = await home.store.getVersion('titanic-curve', trained.version);
    const input = await versionCurvesInput(version, home);
    assert.equal(input.spec.learner, 'random-forest');
    assert.equal(input.spec.folds, 4);
    assert.equal(input.searched, false);
    const fromVersion = await versionCurves(input, home.artifacts);
    const fromSpec = await tabularCurves(validateSpec(titanicSpec, null, dirname(titanic)));
    assert.equal(fromVersion.version, trained.version);
    assert.equal(fromVersion.trainingRows, 668); // 891 rows, a quarter held out
    assert.deepEqual(fromVersion.size.points, fromSpec.size.points);
    assert.equal(fromVersion.size.reading.sentence, fromSpec.size.reading.sentence);
    assert.equal(fromVersion.params['nEstimators'], 20);
  } finally {
    await home.store.close();
  }
});

test("a searched version's curve refits the model the search settled on, without searching again", async () => {
  const home = await openHome(tempHome());
  try {
    const spec = { name: 'titanic-searched', data: titanic, target: 'Survived', drop: ['PassengerId', 'Name', 'Ticket', 'Cabin'], budget: 3, learners: ['logistic-regression', 'decision-tree'] };
    const trained = await trainModule(validateSpec(spec, null, dirname(titanic)), home);
    const version = await home.store.getVersion('titanic-searched', trained.version);
    const input = await versionCurvesInput(version, home);
    assert.notEqual(input.spec.learner, 'auto');
    assert.equal(input.spec.learner, trained.learner);
    assert.equal(input.spec.budget, undefined);
    assert.equal(input.spec.learners, undefined);
    assert.equal(input.searched, true, 'its reading knows a search chose the settings');
    const points: number[] = [];
    const result = await versionCurves(input, home.artifacts, { onPoint: (_curve, point) => points.push(Number(point.x)) });
    assert.equal(result.learner, trained.learner);
    assert.deepEqual(points, result.size.points.map((p) => p.x));
    assert.equal(points.length, 5);
    assert.ok(result.size.points.every((p) => p.validation > 0.5 && p.validation <= 1), 'every held-out AUC is a real score');
  } finally {
    await home.store.close();
  }
});

test('a version that cannot be refitted says why and what to do: a module without a target, and a version without its spec', async () => {
  const home = await openHome(tempHome());
  try {
    const clusters = await trainModule(validateSpec({ name: 'segments', task: 'cluster', data: segments, clusters: 3, label: 'true_segment' }, null, dirname(segments)), home);
    await assert.rejects(
      versionCurvesInput(await home.store.getVersion('segments', clusters.version), home),
      (err: unknown) => err instanceof KilnError && err.code === 'CURVES_UNAVAILABLE' && /cluster module/.test(err.message),
    );

    const trained = await trainModule(validateSpec({ ...titanicSpec, name: 'older' }, null, dirname(titanic)), home);
    const version = await home.store.getVersion('older', trained.version);
    // a version registered before versions kept their spec: the same artifacts but spec.json
    const { 'spec.json': _spec, ...artifacts } = version.artifacts;
    const old = await home.store.createModelVersion({ model: 'older', runId: version.runId, artifacts, signature: version.signature, metrics: version.metrics });
    await assert.rejects(
      versionCurvesInput(await home.store.getVersion('older', old.version), home),
      (err: unknown) => err instanceof KilnError && err.code === 'CURVES_UNAVAILABLE' && /before Kiln kept the spec/.test(err.message) && /train it again/.test(err.hint ?? ''),
    );
  } finally {
    await home.store.close();
  }
});
