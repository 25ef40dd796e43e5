/**
 * Recommendations on MovieLens small, Kiln beside a numpy peer in one run:
 *
 *   node --import tsx bench/modules/recommend.ts [--data examples/movielens/ratings.csv] [--skip-peer] [--only mf-als,popularity]
 *
 * One seeded 80/20 random split of the ratings (Kiln's randomSplit, seed 42) is written to
 * bench/out/recommend/{train,test}.csv, so both sides see the same rows. Kiln fits every recommender
 * (default settings); for each: fit time, test RMSE/MAE (rating models; every test rating counts, unseen
 * users or movies falling back to the biases), and precision/recall/NDCG@10 of each test user's top 10
 * with the movies they rated in training excluded, every test rating counting as relevant.
 *
 * The peer (bench/modules/recommend_peer.py, /usr/bin/python3) is numpy: the mean-rating baseline, the
 * same biased ALS-WR as mf-als written plainly, and the popularity baseline (there is no Surprise or
 * implicit package for Debian's Python here). Results: bench/out/recommend.json and a table. The machine
 * is shared, so times are noisy: rerun before trusting a ratio.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { toCategoricalColumn } from '../../src/data/coerce.js';
import { readTable } from '../../src/data/sources/read-table.js';
import { randomSplit } from '../../src/data/split.js';
import { buildInteractions, indexPairs } from '../../src/learners/recommend/interactions.js';
import { getRecommender, recommenderNames } from '../../src/learners/recommend/recommender-registry.js';
import { mfAlsParams } from '../../src/learners/recommend/mf-als.js';
import { rankingScores, ratingScores } from '../../src/modules/recommend/evaluate-recommender.js';

const { values } = parseArgs({
  options: {
    data: { type: 'string', default: 'examples/movielens/ratings.csv' },
    'skip-peer': { type: 'boolean', default: false },
    only: { type: 'string' },
  },
});
const K = 10;
const out = 'bench/out/recommend';
mkdirSync(out, { recursive: true });

const { frame } = await readTable(values.data);
const users = toCategoricalColumn(frame.get('userId')!).values as string[];
const items = toCategoricalColumn(frame.get('movieId')!).values as string[];
const stars = frame.get('rating')!.values as Float64Array;
const split = randomSplit(frame.nRows, 0.2, 42);
const pick = <T>(v: ArrayLike<T>, rows: Int32Array): T[] => Array.from(rows, (r) => v[r] as T);
const csv = (rows: Int32Array): string => ['user,item,rating', ...Array.from(rows, (r) => `${users[r]},${items[r]},${stars[r]}`)].join('\n') + '\n';
writeFileSync(join(out, 'train.csv'), csv(split.train));
writeFileSync(join(out, 'test.csv'), csv(split.test));

const data = buildInteractions(pick(users, split.train), pick(items, split.train), pick(stars, split.train));
const heldOut = { pairs: indexPairs(data, pick(users, split.test), pick(items, split.test), pick(stars, split.test)), userIds: pick(users, split.test), itemIds: pick(items, split.test) };
console.error(`${frame.nRows} ratings: ${data.userIds.length} users × ${data.itemIds.length} movies in training, ${split.test.length} test ratings`);

interface Row {
  learner: string;
  fit_s: number;
  cpu_s: number;
  rmse?: number;
  mae?: number;
  precision: number;
  recall: number;
  ndcg: number;
  coverage: number;
}
const rows: Row[] = [];
for (const name of values.only?.split(',') ?? recommenderNames) {
  const learner = getRecommender(name);
  console.error(`kiln ${name} …`);
  const cpu = process.cpuUsage();
  const started = performance.now();
  const predictor = await learner.fit(data, {}, { seed: 42 });
  const fitS = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  const ranking = rankingScores(predictor, heldOut, K);
  rows.push({
    learner: name,
    fit_s: fitS,
    cpu_s: (used.user + used.system) / 1e6,
    ...(learner.feedback === 'explicit' ? ratingScores(predictor, heldOut.pairs) : {}),
    precision: ranking.precision,
    recall: ranking.recall,
    ndcg: ranking.ndcg,
    coverage: ranking.coverage,
  });
}

interface PeerRanking { precision: number; recall: number; ndcg: number; users: number }
interface Peer { mean_baseline_rmse: number; als: PeerRanking & { fit_s: number; cpu_s: number; rmse: number; mae: number }; popularity: PeerRanking; numpy: string }
let peer: Peer | undefined;
if (!values['skip-peer']) {
  const defaults = mfAlsParams.parse({});
  console.error('numpy peer (biased ALS-WR, popularity) …');
  const text = execFileSync('/usr/bin/python3', ['bench/modules/recommend_peer.py', join(out, 'train.csv'), join(out, 'test.csv'), String(defaults.factors), String(defaults.regularization), String(defaults.epochs), String(K), defaults.weighted ? '1' : '0'], { encoding: 'utf8', maxBuffer: 1 << 26, env: { ...process.env, OPENBLAS_NUM_THREADS: '1', OMP_NUM_THREADS: '1', MKL_NUM_THREADS: '1' } });
  peer = JSON.parse(text.trim().split('\n').at(-1)!) as Peer;
}
writeFileSync('bench/out/recommend.json', JSON.stringify({ data: values.data, ratings: frame.nRows, k: K, kiln: rows, peer }, null, 2));

const f = (v: number | undefined, d = 4): string => (v === undefined || Number.isNaN(v) ? '' : v.toFixed(d));
console.log(`\n| learner | fit s (CPU s) | RMSE | MAE | P@${K} | R@${K} | NDCG@${K} | coverage |`);
console.log('|---|---:|---:|---:|---:|---:|---:|---:|');
for (const r of rows) console.log(`| kiln ${r.learner} | ${f(r.fit_s, 1)} (${f(r.cpu_s, 1)}) | ${f(r.rmse)} | ${f(r.mae)} | ${f(r.precision)} | ${f(r.recall)} | ${f(r.ndcg)} | ${f(r.coverage, 3)} |`);
if (peer !== undefined) {
  console.log(`| numpy biased ALS | ${f(peer.als.fit_s, 1)} (${f(peer.als.cpu_s, 1)}) | ${f(peer.als.rmse)} | ${f(peer.als.mae)} | ${f(peer.als.precision)} | ${f(peer.als.recall)} | ${f(peer.als.ndcg)} | |`);
  console.log(`| numpy popularity | | | | ${f(peer.popularity.precision)} | ${f(peer.popularity.recall)} | ${f(peer.popularity.ndcg)} | |`);
  console.log(`| always the mean rating | | ${f(peer.mean_baseline_rmse)} | | | | | |`);
  const als = rows.find((r) => r.learner === 'mf-als');
  if (als !== undefined) {
    console.log(`\nmf-als vs numpy ALS: RMSE ${f(als.rmse)} vs ${f(peer.als.rmse)} (Δ ${f((als.rmse ?? 0) - peer.als.rmse)}), fit time ratio ${f(als.fit_s / peer.als.fit_s, 2)} (CPU ${f(als.cpu_s / peer.als.cpu_s, 2)})`);
  }
  const pop = rows.find((r) => r.learner === 'popularity');
  if (pop !== undefined) console.log(`popularity NDCG@${K}: kiln ${f(pop.ndcg)} vs numpy ${f(peer.popularity.ndcg)} (the same metric computed twice)`);
}
