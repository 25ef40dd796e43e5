/**
 * Versions trained before report.json kept the held-out decision counts get them reproduced from the
 * dataset snapshot and the run's split settings: the reproduction must give exactly the counts that
 * training now stores.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { heldOutThresholds } from '../../../src/api/app/held-out-thresholds.js';
import { loadModule } from '../../../src/modules/load-module.js';
import { MODULE_ARTIFACTS } from '../../../src/modules/manifest.js';
import { loadSpecFile } from '../../../src/modules/spec.js';
import { trainTabularModule } from '../../../src/modules/tabular/train-tabular.js';
import type { SavedModel } from '../../../src/modules/explain-rows.js';
import { openHome } from '../../../src/store/open-store.js';
import { tempHome } from '../../helpers/kiln-cli.js';

test('the reproduced threshold table equals the one training stored', async () => {
  const home = await openHome(tempHome());
  try {
    const spec = join(import.meta.dirname, '..', '..', '..', 'examples', 'titanic', 'kiln.yaml');
    const trained = await trainTabularModule(loadSpecFile(spec), home);
    const version = await home.store.getVersion('titanic', trained.version);
    const { manifest } = await loadModule(version, home.artifacts);
    const saved = JSON.parse((await home.artifacts.get(version.artifacts[MODULE_ARTIFACTS.predictor] as string)).toString('utf8')) as SavedModel;
    const reproduced = await heldOutThresholds(version, manifest, saved, home);
    assert.ok(reproduced.available, JSON.stringify(reproduced));
    const stored = trained.report.charts.thresholds;
    assert.ok(stored !== undefined);
    assert.equal(reproduced.positiveClass, stored.positiveClass);
    assert.deepEqual(reproduced.rows, stored.rows);
  } finally {
    await home.store.close();
  }
});
