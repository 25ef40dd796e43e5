/**
 * The MovieLens example's spec (examples/movielens/kiln.yaml) on a subset of its ratings — the first 60
 * users, so the test stays fast — trained, registered, served, and asked over HTTP for a user's top 10
 * and for movies similar to Toy Story (movieId 1).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { loadSpecFile } from '../../../src/modules/spec.js';
import { trainModule, type ModuleTrainResult } from '../../../src/modules/train-module.js';
import { startServer, type RunningServer } from '../../../src/serve/server.js';
import { openHome, type KilnHome } from '../../../src/store/open-store.js';
import { tempHome } from '../../helpers/kiln-cli.js';

const EXAMPLE = join(import.meta.dirname, '..', '..', '..', 'examples', 'movielens');
const USERS = 60;

describe('the MovieLens example on its first 60 users', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kiln-movielens-'));
  const lines = readFileSync(join(EXAMPLE, 'ratings.csv'), 'utf8').trim().split('\n');
  const subset = [lines[0]!, ...lines.slice(1).filter((l) => Number(l.split(',')[0]) <= USERS)];
  const ratings = subset.slice(1).map((l) => l.split(',')).map(([user, movie, stars, time]) => ({ user: user!, movie: movie!, stars: Number(stars), time: Number(time) }));
  let home: KilnHome;
  let result: ModuleTrainResult;
  let server: RunningServer;

  before(async () => {
    writeFileSync(join(dir, 'ratings.csv'), `${subset.join('\n')}\n`);
    const spec = loadSpecFile(join(EXAMPLE, 'kiln.yaml'));
    home = await openHome(tempHome());
    result = await trainModule({ ...spec, dataPath: join(dir, 'ratings.csv') }, home);
    server = await startServer({ store: home.store, artifacts: home.artifacts, logger: pino({ level: 'silent' }), port: 0 });
  });
  after(async () => {
    await server?.close();
    await home?.store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('trains biased MF that predicts each user\'s latest ratings better than the average rating does', async () => {
    assert.equal(result.model, 'movielens');
    assert.equal(result.learner, 'mf-als');
    assert.equal(result.rows.train + result.rows.test, ratings.length);
    assert.ok(Number.isFinite(result.metrics.test['baseline_ndcg_at_10']));
    const version = await home.store.getVersion('movielens', result.version);
    const report = JSON.parse((await home.artifacts.get(version.artifacts['report.json']!)).toString('utf8'));
    assert.equal(report.ratings.rmse, result.metrics.test['rmse']);
    assert.ok(report.ratings.rmse < report.ratings.meanBaselineRmse, `RMSE ${report.ratings.rmse} vs ${report.ratings.meanBaselineRmse} for the mean`);
  });

  test('user 1 gets 10 movies they did not rate in training; a stranger the most rated movies', async () => {
    const mine = ratings.filter((r) => r.user === '1').sort((a, b) => a.time - b.time);
    const trained = new Set(mine.slice(0, mine.length - Math.ceil(0.2 * mine.length)).map((r) => r.movie));
    const res = await fetch(`${server.url}/v2/models/movielens/infer`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ inputs: [{ name: 'user', datatype: 'BYTES', shape: [2], data: ['1', 'not a user'] }] }),
    });
    assert.equal(res.status, 200);
    const body = (await res.json()) as { outputs: { name: string; shape: number[]; data: string[] }[] };
    const items = body.outputs.find((o) => o.name === 'items')!;
    assert.deepEqual(items.shape, [2, 10]);
    assert.ok(items.data.slice(0, 10).every((m) => !trained.has(m)), 'no movie user 1 rated in training');
    const raters = new Map<string, Set<string>>();
    for (const r of ratings) raters.set(r.movie, (raters.get(r.movie) ?? new Set()).add(r.user));
    const mostRated = Math.max(...[...raters.values()].map((s) => s.size));
    assert.ok(raters.get(items.data[10]!)!.size >= mostRated - 3, 'the stranger\'s first movie is among the most rated');
  });

  test('movies similar to Toy Story come from movielens-similar', async () => {
    const res = await fetch(`${server.url}/v1/models/movielens-similar:predict`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ instances: [{ item: 1 }] }),
    });
    assert.equal(res.status, 200);
    const body = (await res.json()) as { predictions: { items: string[]; scores: number[] }[] };
    assert.equal(body.predictions[0]!.items.length, 10);
    assert.ok(!body.predictions[0]!.items.includes('1'));
    assert.ok(body.predictions[0]!.scores.every((s) => s <= 1 + 1e-6), 'cosine similarities');
  });
});
