/**
 * bench/augment: what training on perturbed copies of the rows (a spec's `augment`) does to a model —
 * its clean held-out score, and how much of it it loses under the report's robustness check (numbers
 * jittered, categories swapped, 10% of cells blank) — against the same learner fitted without, on the
 * same splits.
 *
 *   node --import tsx bench/augment/augment.ts [--seeds 5] [--copies 1]
 *
 * Data: Titanic (examples/titanic; numbers, categories, missing ages) and a constructed table where the
 * answer follows column a and column b is a noisy copy of a (the case augmentation is made for: a model
 * that leans on a alone is lost when a is blank). Each seed draws another 80/20 split; the table shows
 * means over seeds.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Rng } from '../../src/core/rng.js';
import { validateSpec } from '../../src/modules/spec.js';
import { trainTabularModule } from '../../src/modules/tabular/train-tabular.js';
import { openHome } from '../../src/store/open-store.js';

const args = process.argv.slice(2);
const flag = (name: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const seeds = Number(flag('--seeds') ?? 5);
const copies = Number(flag('--copies') ?? 1);
const work = mkdtempSync(join(tmpdir(), 'kiln-bench-augment-'));

const redundant = join(work, 'redundant.csv');
{
  const rng = new Rng(11);
  const lines = ['a,b,noise,y'];
  for (let i = 0; i < 2000; i++) {
    const a = rng.normal();
    lines.push(`${a.toFixed(5)},${(a + 0.5 * rng.normal()).toFixed(5)},${rng.normal().toFixed(5)},${a + 0.3 * rng.normal() > 0 ? 1 : 0}`);
  }
  writeFileSync(redundant, lines.join('\n') + '\n');
}
const datasets = [
  { name: 'titanic', spec: { data: join(import.meta.dirname, '..', '..', 'examples', 'titanic', 'titanic.csv'), target: 'Survived', drop: ['PassengerId', 'Name', 'Ticket', 'Cabin'] } },
  { name: 'redundant', spec: { data: redundant, target: 'y' } },
];
const learners = ['logistic-regression', 'gradient-boosting', 'random-forest'];

interface Outcome {
  auc: number;
  jitter: number;
  swap: number;
  missing: number;
  seconds: number;
}

async function trainOnce(spec: Record<string, unknown>): Promise<Outcome> {
  const home = await openHome(mkdtempSync(join(work, 'home-')));
  try {
    const r = await trainTabularModule(validateSpec({ name: 'bench', ...spec }, null, work), home);
    const change = (p: string) => r.report.robustness.find((x) => x.perturbation === p)?.change ?? Number.NaN;
    return { auc: r.metrics.test['roc_auc'] ?? Number.NaN, jitter: change('numeric_jitter'), swap: change('swapped_categories'), missing: change('extra_missing'), seconds: r.fitSeconds };
  } finally {
    await home.store.close();
  }
}

const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const f4 = (x: number) => (x >= 0 ? ' ' : '') + x.toFixed(4);

console.log(`| data | learner | augment | test AUC | Δ jitter | Δ swapped | Δ 10% blank | fit s |`);
console.log(`|---|---|---|---:|---:|---:|---:|---:|`);
for (const d of datasets) {
  for (const learner of learners) {
    for (const augmented of [false, true]) {
      const runs: Outcome[] = [];
      for (let seed = 1; seed <= seeds; seed++) {
        runs.push(await trainOnce({ ...d.spec, learner, seed, ...(augmented ? { augment: { copies } } : {}) }));
      }
      const m = (k: keyof Outcome) => mean(runs.map((r) => r[k]));
      console.log(`| ${d.name} | ${learner} | ${augmented ? `${copies} cop${copies === 1 ? 'y' : 'ies'}` : 'none'} | ${m('auc').toFixed(4)} | ${f4(m('jitter'))} | ${f4(m('swap'))} | ${f4(m('missing'))} | ${m('seconds').toFixed(2)} |`);
    }
  }
}
