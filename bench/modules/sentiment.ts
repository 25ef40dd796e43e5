/**
 * bench/modules/sentiment: the text-classify module's quality beside scikit-learn, in one run, on the
 * 3,000 labelled review sentences of examples/sentiment (Amazon, IMDb, Yelp; 1,000 each).
 *
 *   node --import tsx bench/modules/sentiment.ts [--fixture]
 *
 * Kiln assigns every row to one of 5 stratified folds (seed 42) and writes the assignment to
 * bench/out/sentiment-folds.json; bench/modules/sentiment_peer.py (Debian's /usr/bin/python3 with
 * scikit-learn) reads it, so both sides train and test on exactly the same rows. Two configurations:
 *   sklearn-default  TfidfVectorizer() + LogisticRegression() — Kiln with the same settings
 *                    (word unigrams, raw tf, C=1);
 *   kiln-choice      what the module's cross-validation picks on this data: word 1-2-grams +
 *                    char 2-5-grams TF-IDF (sublinear tf, min_df 2) → logistic regression C=10.
 * Each is also run cross-domain: train on two sources, test on the third (all three rotations).
 * `--fixture` also rewrites test/modules/text/fixtures/sentiment-sklearn.json (the unit test's numbers).
 * Fit times are per fold, on a shared 2-core machine: noisy, indicative only.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readTable } from '../../src/data/sources/read-table.js';
import { stratifiedKFold } from '../../src/data/splits/k-fold.js';
import { fitTextModel, predictText, type TextModelConfig } from '../../src/modules/text/text-model.js';

const root = join(import.meta.dirname, '..', '..');
const data = join(root, 'examples', 'sentiment', 'sentiment.csv');
const out = join(root, 'bench', 'out');
mkdirSync(out, { recursive: true });

const CONFIGS: Record<string, TextModelConfig> = {
  'sklearn-default': {
    features: { wordNgrams: [1, 1], charNgrams: null, minDf: 1, maxFeatures: 200_000, sublinearTf: false },
    learner: 'logistic-regression', C: 1, alpha: 1,
  },
  'kiln-choice': {
    features: { wordNgrams: [1, 2], charNgrams: [2, 5], minDf: 2, maxFeatures: 50_000, sublinearTf: true },
    learner: 'logistic-regression', C: 10, alpha: 1,
  },
};

const frame = (await readTable(data)).frame;
const texts = frame.get('sentence')!.values as (string | null)[];
const y = Int32Array.from(frame.get('label')!.values as Float64Array);
const sources = frame.get('source')!.values as string[];

const folds = stratifiedKFold(y, 2, 5, { seed: 42 });
const fold = new Int32Array(y.length);
folds.forEach((f, k) => f.test.forEach((i) => (fold[i] = k)));
const foldsFile = join(out, 'sentiment-folds.json');
writeFileSync(foldsFile, JSON.stringify({ fold: Array.from(fold) }));

/** Accuracy of `config` trained on `train` rows and tested on `test` rows, with the fit time. */
async function evaluate(config: TextModelConfig, train: ArrayLike<number>, test: ArrayLike<number>): Promise<{ accuracy: number; fitS: number }> {
  const trainTexts = Array.from(train, (i) => texts[i] ?? null);
  const testTexts = Array.from(test, (i) => texts[i] ?? null);
  const started = performance.now();
  const fitted = await fitTextModel('sentence', trainTexts, Int32Array.from(train, (i) => y[i] as number), 2, config);
  const fitS = (performance.now() - started) / 1000;
  const proba = predictText(fitted, testTexts);
  let correct = 0;
  for (let r = 0; r < testTexts.length; r++) if (((proba[2 * r + 1] as number) > (proba[2 * r] as number) ? 1 : 0) === y[test[r] as number]) correct++;
  return { accuracy: correct / testTexts.length, fitS };
}

const kiln: Record<string, { cv_accuracy: number; per_fold: number[]; fit_s: number; cross_domain: Record<string, number> }> = {};
for (const [name, config] of Object.entries(CONFIGS)) {
  console.error(`kiln: ${name} …`);
  const perFold: number[] = [];
  const fitS: number[] = [];
  for (const f of folds) {
    const r = await evaluate(config, f.train, f.test);
    perFold.push(r.accuracy);
    fitS.push(r.fitS);
  }
  const cross: Record<string, number> = {};
  for (const held of ['amazon', 'imdb', 'yelp']) {
    const train = sources.flatMap((s, i) => (s === held ? [] : [i]));
    const test = sources.flatMap((s, i) => (s === held ? [i] : []));
    cross[held] = (await evaluate(config, train, test)).accuracy;
  }
  kiln[name] = { cv_accuracy: mean(perFold), per_fold: perFold, fit_s: mean(fitS), cross_domain: cross };
}

console.error('scikit-learn: the same folds and rotations …');
const peerFile = join(out, 'sentiment-peer.json');
execFileSync(
  '/usr/bin/python3',
  [
    join(import.meta.dirname, 'sentiment_peer.py'), '--data', data, '--folds', foldsFile, '--out', peerFile,
    ...(process.argv.includes('--fixture') ? ['--fixture', join(root, 'test', 'modules', 'text', 'fixtures', 'sentiment-sklearn.json')] : []),
  ],
  { stdio: ['ignore', 'inherit', 'inherit'] },
);
const peer = JSON.parse(readFileSync(peerFile, 'utf8')) as { sklearn: string; configs: typeof kiln };
writeFileSync(join(out, 'sentiment.json'), JSON.stringify({ kiln, sklearn: peer }, null, 2));

const pct = (v: number) => (100 * v).toFixed(1).padStart(5);
const rows: string[] = [
  `| configuration | evaluation | Kiln | scikit-learn ${peer.sklearn} | Kiln − sklearn (points) |`,
  '|---|---|---:|---:|---:|',
];
for (const name of Object.keys(CONFIGS)) {
  const k = kiln[name]!;
  const p = peer.configs[name]!;
  rows.push(`| ${name} | 5-fold accuracy | ${pct(k.cv_accuracy)} | ${pct(p.cv_accuracy)} | ${(100 * (k.cv_accuracy - p.cv_accuracy)).toFixed(2)} |`);
  for (const held of ['amazon', 'imdb', 'yelp']) {
    rows.push(`| ${name} | train on the others, test on ${held} | ${pct(k.cross_domain[held]!)} | ${pct(p.cross_domain[held]!)} | ${(100 * (k.cross_domain[held]! - p.cross_domain[held]!)).toFixed(2)} |`);
  }
  rows.push(`| ${name} | fit time per fold (s, noisy) | ${k.fit_s.toFixed(2)} | ${p.fit_s.toFixed(2)} | ratio ${(k.fit_s / p.fit_s).toFixed(1)}× |`);
}
console.log(rows.join('\n'));

function mean(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}
