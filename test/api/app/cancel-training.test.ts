/**
 * What a job's cancel relies on: tabular training stops at the next stage once its signal aborts, with
 * nothing recorded when that happens before the run starts, and no version registered after it has.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isKilnError } from '../../../src/core/errors.js';
import { validateSpec } from '../../../src/modules/spec.js';
import type { TrainStage } from '../../../src/modules/train-events.js';
import { trainModule } from '../../../src/modules/train-module.js';
import { openHome } from '../../../src/store/open-store.js';
import { TITANIC_CSV } from './app-server.js';

const dirs: string[] = [];
after(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

async function trainCancelledAt(stage: TrainStage): Promise<{ runs: number; models: number; stages: string[] }> {
  const dir = mkdtempSync(join(tmpdir(), 'kiln-cancel-'));
  dirs.push(dir);
  const home = await openHome(dir);
  try {
    const loaded = validateSpec({ name: 'titanic', data: TITANIC_CSV.pathname, target: 'Survived', learner: 'logistic-regression' }, null, '/');
    const controller = new AbortController();
    const stages: string[] = [];
    await assert.rejects(
      trainModule(loaded, {
        ...home,
        signal: controller.signal,
        onEvent: (e) => {
          if (e.type !== 'stage') return;
          stages.push(e.stage);
          if (e.stage === stage) controller.abort();
        },
      }),
      (err) => isKilnError(err, 'CANCELLED'),
    );
    return { runs: (await home.store.listRuns()).length, models: (await home.store.listModels()).length, stages };
  } finally {
    await home.store.close();
  }
}

test('cancelled while reading: no run is recorded', async () => {
  const { runs, models, stages } = await trainCancelledAt('read');
  assert.deepEqual(stages, ['read', 'schema']);
  assert.equal(runs, 0);
  assert.equal(models, 0);
});

test('cancelled while exporting: the run fails and no version is registered', async () => {
  const { runs, models, stages } = await trainCancelledAt('export');
  assert.deepEqual(stages.slice(-2), ['evaluate', 'export']);
  assert.equal(runs, 1);
  assert.equal(models, 0);
});
