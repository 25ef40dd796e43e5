/**
 * bench/augment/text-augment: would a text module gain from training on messier copies of its texts,
 * as table modules do (bench/augment/augment.ts)? The sentiment sentences (examples/sentiment), an
 * 80/20 stratified split per seed; the module's two TF-IDF feature sets with logistic regression
 * (C = 10, what its cross-validation picks on this data) fitted on the training texts alone, and on
 * them plus 1 or 2 copies with the robustness check's perturbations (a typing slip in 10% of the words,
 * then 10% of the words left out). Held-out ROC AUC on clean texts and under each perturbation; means
 * over seeds. Not a feature of Kiln: the measurement behind docs/decisions.md's "no text augmentation".
 *
 *   node --import tsx bench/augment/text-augment.ts [--seeds 10]
 */
import { fileURLToPath } from 'node:url';
import { createMatrix, takeValues } from '../../src/core/matrix.js';
import { Rng } from '../../src/core/rng.js';
import { readCsv } from '../../src/data/sources/csv.js';
import { stratifiedSplit } from '../../src/data/split.js';
import { classificationMetrics } from '../../src/evaluate/metrics/index.js';
import { dropWords, typoTexts } from '../../src/features/perturb-text.js';
import { DEFAULT_TEXT_FEATURES } from '../../src/modules/text/text-features.js';
import { fitTextModel, predictText, type FittedTextModel, type TextModelConfig } from '../../src/modules/text/text-model.js';

const args = process.argv.slice(2);
const seedsAt = args.indexOf('--seeds');
const seeds = seedsAt >= 0 ? Number(args[seedsAt + 1]) : 10;

const table = await readCsv(fileURLToPath(new URL('../../examples/sentiment/sentiment.csv', import.meta.url)));
const texts = table.frame.get('sentence')?.values as (string | null)[];
const y = Int32Array.from(table.frame.get('label')?.values as Float64Array);
const configs: Record<string, TextModelConfig> = {
  'word 1-2-grams': { features: { ...DEFAULT_TEXT_FEATURES, wordNgrams: [1, 2], charNgrams: null }, learner: 'logistic-regression', C: 10, alpha: 1 },
  'word 1-2 + char 2-5-grams': { features: { ...DEFAULT_TEXT_FEATURES, wordNgrams: [1, 2], charNgrams: [2, 5], minDf: 2 }, learner: 'logistic-regression', C: 10, alpha: 1 },
};

console.log('| features | trained on | clean | typing slips (change) | words left out (change) |\n|---|---|---:|---:|---:|');
const pairedLines: string[] = [];
for (const [name, config] of Object.entries(configs)) {
  // per seed: [clean, change under slips, change with words left out] for 0, 1 and 2 copies
  const bySeed: number[][][] = [];
  for (let seed = 1; seed <= seeds; seed++) {
    const split = stratifiedSplit(y, 2, 0.2, seed);
    const train = Array.from(split.train, (i) => texts[i] ?? null);
    const test = Array.from(split.test, (i) => texts[i] ?? null);
    const yTrain = takeValues(y, split.train);
    const yTest = takeValues(y, split.test);
    const auc = (m: FittedTextModel, t: (string | null)[]) => classificationMetrics(yTest, createMatrix(yTest.length, 2, predictText(m, t))).roc_auc;
    const messier = { typos: typoTexts(test, 0.1, new Rng(seed + 100)), dropped: dropWords(test, 0.1, new Rng(seed + 200)) };
    const row: number[][] = [];
    for (const copies of [0, 1, 2]) {
      const rng = new Rng(seed + 300);
      const extra = Array.from({ length: copies }, () => dropWords(typoTexts(train, 0.1, rng), 0.1, rng)).flat();
      const fitted = await fitTextModel('sentence', [...train, ...extra], Int32Array.from({ length: train.length * (copies + 1) }, (_, i) => yTrain[i % train.length] as number), 2, config);
      const clean = auc(fitted, test);
      row.push([clean, auc(fitted, messier.typos) - clean, auc(fitted, messier.dropped) - clean]);
    }
    bySeed.push(row);
  }
  const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
  const se = (v: number[]) => Math.sqrt(v.reduce((a, b) => a + (b - mean(v)) ** 2, 0) / (v.length - 1) / v.length);
  for (const copies of [0, 1, 2]) {
    const col = (k: number) => bySeed.map((r) => (r[copies] as number[])[k] as number);
    const key = copies === 0 ? 'the texts' : `the texts + ${copies} messier ${copies === 1 ? 'copy' : 'copies'}`;
    console.log(`| ${name} | ${key} | ${mean(col(0)).toFixed(4)} | ${mean(col(1)).toFixed(4)} | ${mean(col(2)).toFixed(4)} |`);
    if (copies > 0) {
      const diff = (k: number) => bySeed.map((r) => ((r[copies] as number[])[k] as number) - ((r[0] as number[])[k] as number));
      const show = (k: number) => `${mean(diff(k)) >= 0 ? '+' : ''}${mean(diff(k)).toFixed(4)} ± ${se(diff(k)).toFixed(4)}`;
      pairedLines.push(`| ${name} | ${copies} | ${show(0)} | ${show(1)} | ${show(2)} |`);
    }
  }
}
console.log('\npaired differences against the texts alone (mean ± standard error over seeds):\n');
console.log('| features | copies | clean | change under slips | change with words left out |\n|---|---:|---:|---:|---:|');
for (const line of pairedLines) console.log(line);
