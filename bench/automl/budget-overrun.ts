/**
 * bench/automl/budget-overrun: how long a short AutoML search runs past its budget. Trains Titanic
 * (every column but the id: names and tickets make kNN and the one-hot features wide) with augmentation
 * and prints when each stage starts, when the last trial ended, and the trials that ended after the
 * budget (learner, status, wall seconds since it was queued).
 *
 *   node --import tsx bench/automl/budget-overrun.ts [--budget 5] [--no-augment]
 *
 * The search's budget starts once its worker threads have loaded (about a second under tsx), so "last
 * trial" counts from the start of the search stage and includes that start-up.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validateSpec } from '../../src/modules/spec.js';
import { trainTabularModule } from '../../src/modules/tabular/train-tabular.js';
import { openHome } from '../../src/store/open-store.js';

const args = process.argv.slice(2);
const at = args.indexOf('--budget');
const budget = at >= 0 ? Number(args[at + 1]) : 5;
const augment = !args.includes('--no-augment');
const titanic = join(import.meta.dirname, '..', '..', 'examples', 'titanic', 'titanic.csv');

const home = await openHome(mkdtempSync(join(tmpdir(), 'kiln-overrun-')));
const spec = validateSpec({ name: 'titanic', data: titanic, target: 'Survived', budget, drop: ['PassengerId'], ...(augment ? { augment: true } : {}) }, null, tmpdir());
const started = performance.now();
const seconds = (from: number) => ((performance.now() - from) / 1000).toFixed(2);
let searchStarted = started;
let lastTrialEnded = 0;
let trials = 0;
const late: string[] = [];
await trainTabularModule(spec, {
  ...home,
  onEvent: (e) => {
    if (e.type === 'stage') {
      console.log(`${seconds(started)} s  stage ${e.stage}`);
      if (e.stage === 'search') searchStarted = performance.now();
    }
    if (e.type === 'trial') {
      trials++;
      lastTrialEnded = (performance.now() - searchStarted) / 1000;
      if (lastTrialEnded > budget) late.push(`${lastTrialEnded.toFixed(2)} s  ${e.trial.learner} ${e.trial.status} (${e.trial.seconds.toFixed(2)} s)`);
    }
  },
});
await home.store.close();
console.log(`${seconds(started)} s  done: ${trials} trials, the last ended ${lastTrialEnded.toFixed(2)} s after the search started (budget ${budget} s)`);
console.log(late.length === 0 ? 'no trial ended after the budget' : `trials that ended after the budget:\n  ${late.join('\n  ')}`);
