/**
 * bench/automl: Kiln's AutoML with a wall-clock budget against scikit-learn's and XGBoost's default
 * models, on the same train/test split (made by the peers' script, as ../shared/bench/peers.py does).
 *
 *   node --import tsx bench/automl/automl.ts [--budget 60] [--only titanic,breast_cancer,synth_reg] [--reuse-peers] [--seed 42] [--split-seed 42] [--repeats N]
 *
 * --seed changes the search's cross-validation folds, its random settings and the learners' seeds (not
 * the train/test split): run several to see how much of a result is the luck of one search.
 * --split-seed draws another train/test split (42 is peers.py's, the issue's): run several to see how
 * much of a comparison is the luck of one split of a small data set.
 * --repeats sets the spec's `repeats` (how many times the search cuts its folds; default: Kiln's own choice).
 *
 * Needs Debian's python3-sklearn, python3-pandas, python3-xgboost, and synth_reg.csv from
 * `/usr/bin/python3 ../shared/bench/make_data.py /tmp/kiln-bench` (made here when missing).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validateSpec } from '../../src/modules/spec.js';
import { trainTabularModule } from '../../src/modules/tabular/train-tabular.js';
import { openHome } from '../../src/store/open-store.js';
import type { TrainEvent } from '../../src/modules/train-events.js';

const args = process.argv.slice(2);
const flag = (name: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const budget = Number(flag('--budget') ?? 60);
const only = flag('--only')?.split(',');
const seed = Number(flag('--seed') ?? 42);
const splitSeed = Number(flag('--split-seed') ?? 42);
const repeats = flag('--repeats') === undefined ? undefined : Number(flag('--repeats'));
const benchData = '/tmp/kiln-bench';
const out = join(import.meta.dirname, '..', 'out', 'automl', ...(splitSeed === 42 ? [] : [`split-${splitSeed}`]));
mkdirSync(out, { recursive: true });

if (!existsSync(join(benchData, 'synth_reg.csv'))) {
  execFileSync('/usr/bin/python3', [join(import.meta.dirname, '..', '..', '..', 'shared', 'bench', 'make_data.py'), benchData], { stdio: 'inherit' });
}
const targets: Record<string, string> = { titanic: 'Survived', breast_cancer: 'target', synth_reg: 'target' };
const wanted = Object.keys(targets).filter((d) => !only || only.includes(d));
// --reuse-peers keeps the peers' results an earlier run of this script left (same split) and fits only the
// data sets missing from them; without it the wanted data sets are split and fitted afresh
const peersFile = join(out, 'peers.jsonl');
type PeerRow = Record<string, number | string>;
const earlier: PeerRow[] = existsSync(peersFile) ? readFileSync(peersFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as PeerRow) : [];
const kept = args.includes('--reuse-peers') ? earlier : [];
const missing = wanted.filter((d) => !kept.some((p) => p['data'] === d));
let peers = kept;
if (missing.length > 0) {
  console.error(`peers: splitting and fitting the default models on ${missing.join(', ')} …`);
  const lines = execFileSync('/usr/bin/python3', [join(import.meta.dirname, 'peers_on_split.py'), out, join(benchData, 'synth_reg.csv'), String(splitSeed), missing.join(',')], {
    encoding: 'utf8',
  });
  const fresh = lines.trim().split('\n').map((l) => JSON.parse(l) as PeerRow);
  peers = [...earlier.filter((p) => !missing.includes(p['data'] as string)), ...fresh];
  writeFileSync(peersFile, peers.map((p) => JSON.stringify(p)).join('\n') + '\n');
}

const rows: string[] = [];
const results: unknown[] = [];
for (const [data, target] of Object.entries(targets)) {
  if (only && !only.includes(data)) continue;
  const home = await openHome(mkdtempSync(join(tmpdir(), 'kiln-automl-')));
  const spec = validateSpec({ name: data, data: join(out, data, 'train.csv'), testData: join(out, data, 'test.csv'), target, budget, seed, ...(repeats === undefined ? {} : { repeats }) }, null, out);
  const started = performance.now();
  // notes (e.g. "chose … the simplest model that the folds cannot tell apart from the best") and the top of the leaderboard
  // go to stderr, so a run shows why the search chose what it chose
  const onEvent = (e: TrainEvent) => {
    if (e.type === 'note') console.error(`  note: ${e.message}`);
  };
  const kiln = await trainTabularModule(spec, { ...home, onEvent });
  for (const t of kiln.search?.leaderboard.slice(0, 5) ?? []) console.error(`  cv ${t.cv.toFixed(4)}  ${t.learner} ${JSON.stringify(t.params)}`);
  if (kiln.search?.ensemble) console.error(`  ensemble of ${kiln.search.ensemble.join(', ')}`);
  const seconds = (performance.now() - started) / 1000;
  await home.store.close();
  const regression = kiln.task === 'regression';
  const metric = regression ? 'rmse' : 'roc_auc';
  const better = (a: number, b: number) => (regression ? a < b : a > b);
  const mine = kiln.metrics.test[metric] as number;
  const theirs = peers.filter((p) => p['data'] === data);
  const beaten = theirs.filter((p) => better(mine, p[metric] as number)).length;
  results.push({ data, budget, seed, splitSeed, seconds, kiln: { learner: kiln.learner, metrics: kiln.metrics.test, trials: kiln.search?.trials, leaderboard: kiln.search?.leaderboard, ensemble: kiln.search?.ensemble }, peers: theirs });
  const peerCells = theirs.map((p) => `${p['model']} ${(p[metric] as number).toFixed(4)}${regression ? '' : ` / acc ${(p['accuracy'] as number).toFixed(3)}`}`);
  rows.push(
    `| ${data} | ${metric} | **${mine.toFixed(4)}**${regression ? '' : ` / acc ${(kiln.metrics.test['accuracy'] as number).toFixed(3)}`} (${kiln.learner}, ${kiln.search?.trials} trials, ${seconds.toFixed(0)} s, seed ${seed}${splitSeed === 42 ? '' : `, split ${splitSeed}`}) | ${peerCells.join('; ')} | ${beaten}/${theirs.length} |`,
  );
  console.error(rows.at(-1));
}
writeFileSync(join(out, `results-seed${seed}.json`), JSON.stringify(results, null, 2));
console.log(['| data | metric | Kiln AutoML (test) | scikit-learn / XGBoost defaults (test) | peers beaten |', '|---|---|---|---|---|', ...rows].join('\n'));
