/**
 * Augmentation through the real training pipeline (spec `augment`, `kiln train --augment`): the model is
 * fitted on the training rows and their perturbed copies, scored on clean held-out rows, and holds up
 * better when cells go missing — on a table built so that it should: the answer follows column a, and
 * column b is a noisy copy of a. Fitted on clean rows, boosting leans on a alone; fitted also on rows
 * where a is sometimes blank, it learns to fall back on b.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Rng } from '../../src/core/rng.js';
import { validateSpec } from '../../src/modules/spec.js';
import { trainTabularModule } from '../../src/modules/tabular/train-tabular.js';
import type { TrainEvent } from '../../src/modules/train-events.js';
import { openHome } from '../../src/store/open-store.js';
import { kiln, tempHome } from '../helpers/kiln-cli.js';

const dir = tempHome('kiln-augment-');
const data = join(dir, 'redundant.csv');
{
  const rng = new Rng(7);
  const lines = ['a,b,y'];
  for (let i = 0; i < 2000; i++) {
    const a = rng.normal();
    lines.push(`${a.toFixed(5)},${(a + 0.5 * rng.normal()).toFixed(5)},${a + 0.3 * rng.normal() > 0 ? 1 : 0}`);
  }
  writeFileSync(data, lines.join('\n') + '\n');
}

async function train(spec: Record<string, unknown>, onEvent?: (e: TrainEvent) => void) {
  const home = await openHome(tempHome());
  try {
    const result = await trainTabularModule(validateSpec({ name: 'redundant', data, target: 'y', ...spec }, null, dir), { ...home, ...(onEvent ? { onEvent } : {}) });
    const manifest = JSON.parse(new TextDecoder().decode(await home.artifacts.get((await home.store.getVersion('redundant', result.version)).artifacts['manifest.json']!)));
    const run = await home.store.getRun(result.runId);
    return { result, manifest, run };
  } finally {
    await home.store.close();
  }
}

const missingChange = (r: Awaited<ReturnType<typeof train>>) => r.result.report.robustness.find((x) => x.perturbation === 'extra_missing')!.change;

test('a model fitted also on perturbed copies loses less when cells go missing (under half as much), and says how it was trained', async () => {
  const plain = await train({ learner: 'gradient-boosting' });
  const notes: string[] = [];
  const augmented = await train({ learner: 'gradient-boosting', augment: { copies: 2 } }, (e) => {
    if (e.type === 'note') notes.push(e.message);
  });

  // scored on the same clean held-out rows, about as well
  assert.equal(augmented.result.rows.test, plain.result.rows.test);
  const auc = (r: typeof plain) => r.result.metrics.test['roc_auc']!;
  assert.ok(auc(plain) > 0.95 && auc(augmented) > auc(plain) - 0.01, `clean AUC ${auc(plain)} → ${auc(augmented)}`);
  // and with 10% of the held-out cells blank, it loses less than half as much
  assert.ok(missingChange(plain) < -0.01, `plain model under missing cells: ${missingChange(plain)}`);
  assert.ok(missingChange(augmented) > missingChange(plain) / 2, `augmented ${missingChange(augmented)} vs plain ${missingChange(plain)}`);

  // fitted on 1,600 rows and 3,200 copies; training metrics are on the 1,600 clean rows
  assert.deepEqual(augmented.result.augment, { copies: 2, jitter: 0.1, swap: 0.1, missing: 0.1, fittedRows: 3 * 1600 });
  assert.equal(augmented.result.rows.train, 1600);
  assert.deepEqual(augmented.manifest.augment, { copies: 2, jitter: 0.1, swap: 0.1, missing: 0.1 });
  assert.equal(plain.manifest.augment, undefined);
  assert.equal(augmented.run.params['augment_copies'], 2);
  assert.ok(notes.some((m) => m.startsWith('augmenting: 2 perturbed copies of every training row')), notes.join(' | '));
});

test('the search cross-validates augmented folds and refits on the augmented training part', async () => {
  const { result } = await train({ budget: 6, learners: ['logistic-regression', 'gradient-boosting'], augment: true });
  assert.ok(result.search !== undefined && result.search.trials > 0);
  assert.ok(result.search.leaderboard.every((t) => t.cv > 0.9), JSON.stringify(result.search.leaderboard));
  assert.equal(result.augment?.fittedRows, 2 * 1600);
  assert.ok(result.metrics.test['roc_auc']! > 0.95);
});

test('kiln train --augment N from the command line; a bad count or a template without tables is refused with the reason', async () => {
  const home = tempHome();
  const r = await kiln(['train', '--data', data, '--target', 'y', '--learner', 'logistic-regression', '--augment', '3', '--json', '--home', home]);
  assert.equal(r.code, 0, r.stderr);
  const doc = JSON.parse(r.stdout);
  assert.equal(doc.augment.copies, 3);
  assert.deepEqual(doc.augment, { copies: 3, jitter: 0.1, swap: 0.1, missing: 0.1, fitted_rows: 4 * doc.rows.train });
  // the version's HTML report says how it was trained, beside the robustness table
  const html = join(dir, 'report.html');
  const report = await kiln(['report', doc.model, '--html', html, '--home', home]);
  assert.equal(report.code, 0, report.stderr);
  // and so does its report in the terminal: scores, reliance, robustness
  assert.match(report.stderr, /^roc_auc\s+0\.9\d{3}\s+0\.9\d{3}$/m);
  assert.match(report.stderr, /^relies most on: a \(/m);
  assert.match(report.stderr, /^when the data gets messier \(held-out roc_auc\):\n {2}numbers nudged at random by about 10% of each column's usual spread \(standard deviation\): 0\.\d{4} \([+-]0\.\d{4}\)$/m);
  assert.match(report.stderr, /^ {2}\(also fitted on 3 perturbed copies of every training row/m);
  assert.match(report.stderr, /report written to .*report\.html$/m);
  assert.match(readFileSync(html, 'utf8'), /<h2>Robustness<\/h2>\s*<p>Also fitted on 3 perturbed copies of every training row \(numbers ± 0\.1 sd, 10% of categories swapped, 10% of cells blank\)\.<\/p>/);

  const human = await kiln(['train', '--data', data, '--target', 'y', '--name', 'again', '--augment', '--home', home]);
  assert.equal(human.code, 0, human.stderr);
  assert.match(human.stderr, /fitted on 1600 training rows and 1600 perturbed copies of them/);

  const notANumber = await kiln(['train', '--data', data, '--target', 'y', '--augment', 'lots', '--home', home]);
  assert.equal(notANumber.code, 2);
  assert.match(notANumber.stderr, /"lots" is not a number of copies; give a whole number from 1 to 5 \(e\.g\. --augment 2\)/);
  const tooMany = await kiln(['train', '--data', data, '--target', 'y', '--augment', '9', '--home', home]);
  assert.equal(tooMany.code, 1);
  assert.match(tooMany.stderr, /^error \[INVALID_SPEC\]: the module spec is not valid: augment\.copies: Too big/);
  assert.doesNotMatch(tooMany.stderr, /\n\s+at /, 'no stack trace');

  const spec = join(dir, 'groups.yaml');
  writeFileSync(spec, `name: groups\ndata: ${data}\ntask: cluster\naugment: true\n`);
  const text = await kiln(['train', spec, '--home', home]);
  assert.equal(text.code, 1);
  assert.match(text.stderr, /augmentation perturbs the rows of tables and the texts of text-classify; task "cluster" does not use it/);
  assert.ok(readFileSync(spec, 'utf8').includes('augment: true'), 'the spec is left as it was');
});
