/**
 * Issue 5's constructed cases, through the real training pipeline: each diagnostic fires where it
 * should and stays quiet on a healthy model (the Titanic logistic regression; see report.test.ts).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Rng } from '../../src/core/rng.js';
import { validateSpec } from '../../src/modules/spec.js';
import { trainTabularModule } from '../../src/modules/tabular/train-tabular.js';
import type { TrainEvent } from '../../src/modules/train-events.js';
import { openHome } from '../../src/store/open-store.js';
import { tempHome } from '../helpers/kiln-cli.js';

function writeTable(dir: string, n: number, seed: number, row: (rng: Rng, i: number) => number[]): string {
  const rng = new Rng(seed);
  const lines = ['a,b,c,d,y'];
  for (let i = 0; i < n; i++) lines.push(row(rng, i).map((v) => (Number.isInteger(v) ? String(v) : v.toFixed(6))).join(','));
  const file = join(dir, `t${seed}.csv`);
  writeFileSync(file, lines.join('\n') + '\n');
  return file;
}

async function trainCase(spec: Record<string, unknown>, file: string, onEvent?: (e: TrainEvent) => void) {
  const dir = tempHome();
  const home = await openHome(dir);
  try {
    return await trainTabularModule(validateSpec({ name: 'case', data: file, target: 'y', ...spec }, null, dir), { ...home, ...(onEvent ? { onEvent } : {}) });
  } finally {
    await home.store.close();
  }
}

async function diagnosesOf(spec: Record<string, unknown>, file: string): Promise<string[]> {
  return (await trainCase(spec, file)).report.diagnoses.map((d) => d.code);
}

const dir = tempHome('kiln-cases-');

/** Two informative columns and two of noise: a logistic regression learns it well and honestly. */
const learnable = () =>
  writeTable(dir, 800, 4, (rng) => {
    const a = rng.normal();
    const b = rng.normal();
    return [a, b, rng.normal(), rng.normal(), a - b + 0.8 * rng.normal() > 0 ? 1 : 0];
  });

test('a deep tree on pure noise is overfitting', async () => {
  const noise = writeTable(dir, 600, 1, (rng) => [rng.normal(), rng.normal(), rng.normal(), rng.normal(), rng.int(2)]);
  const codes = await diagnosesOf({ learner: 'decision-tree' }, noise);
  assert.ok(codes.includes('overfitting'), codes.join(', '));
  assert.ok(!codes.includes('leakage'));
});

test('a random forest on pure noise learned nothing; its perfect training score is not called memorising', async () => {
  const noise = writeTable(dir, 600, 1, (rng) => [rng.normal(), rng.normal(), rng.normal(), rng.normal(), rng.int(2)]);
  const codes = await diagnosesOf({ learner: 'random-forest', params: { nEstimators: 30 } }, noise);
  assert.ok(codes.includes('underfitting'), codes.join(', '));
  assert.ok(!codes.includes('overfitting'), codes.join(', '));
});

test('a much too high learning rate is divergence: diagnosed, or refused when the model is unusable', async () => {
  const data = writeTable(dir, 600, 2, (rng) => {
    const a = rng.normal();
    const b = rng.normal();
    return [a, b, rng.normal(), rng.normal(), a + 0.5 * b + 0.3 * rng.normal() > 0 ? 1 : 0];
  });
  // the network's loss falls from a huge start but never comes near a sensible level
  const codes = await diagnosesOf({ learner: 'mlp', params: { learningRate: 50, maxIter: 30, hiddenLayerSizes: [16] } }, data);
  assert.ok(codes.includes('divergence'), codes.join(', '));
  // boosting with a learning rate of 8 predicts infinities: nothing is registered, and the error says why
  await assert.rejects(
    diagnosesOf({ learner: 'gradient-boosting', params: { learningRate: 8, maxIter: 30 } }, data),
    (e: Error & { code?: string }) => e.code === 'TRAINING_FAILED' && /blew up/.test(e.message),
  );
});

test('a copy of the target among the features is leakage', async () => {
  const leaky = writeTable(dir, 600, 3, (rng) => {
    const y = rng.int(2);
    return [rng.normal(), rng.normal(), y === 1 ? 1 + rng.next() : -1 - rng.next(), rng.normal(), y];
  });
  const codes = await diagnosesOf({ learner: 'logistic-regression' }, leaky);
  assert.deepEqual(codes, ['leakage']);
});

test('a healthy model on learnable data raises nothing', async () => {
  assert.deepEqual(await diagnosesOf({ learner: 'logistic-regression' }, learnable()), []);
});

test('an easy problem whose score is spread over several columns is near perfect, not leakage', async () => {
  // every column adds a little (as the breast-cancer measurements do): shuffling any one leaves most of the score
  const easy = writeTable(dir, 600, 5, (rng) => {
    const x = [rng.normal(), rng.normal(), rng.normal(), rng.normal()];
    return [...x, x.reduce((a, b) => a + b, 0) + 0.05 * rng.normal() > 0 ? 1 : 0];
  });
  const result = await trainCase({ learner: 'logistic-regression' }, easy);
  assert.ok((result.metrics.test['roc_auc'] as number) >= 0.995, `test AUC ${result.metrics.test['roc_auc']}`);
  assert.deepEqual(result.report.diagnoses.map((d) => [d.code, d.severity]), [['near_perfect', 'info']]);
});

test('rare positives that the model ranks well but never reach 50% ask for a cut-off, not "learned nothing"', async () => {
  // about 5% positives, a real but modest signal in a and b: held-out ROC AUC ≈ 0.84, and at 50% the
  // logistic regression answers "0" for every row (before, this was called "learned nothing")
  const rare = writeTable(dir, 3000, 6, (rng) => {
    const a = rng.normal();
    const b = rng.normal();
    return [a, b, rng.normal(), rng.normal(), a + b + 2 * rng.normal() > 4 ? 1 : 0];
  });
  const codes = await diagnosesOf({ learner: 'logistic-regression' }, rare);
  assert.deepEqual(codes, ['threshold']);
});

test('an ensemble\'s members train one after the other: their losses are not read as one learning curve', async () => {
  // a forest's loss ends near 0, a network's starts near 0.7: end to end that looked like "training went
  // the wrong way" (seen on Titanic's AutoML ensemble)
  const parts = new Set<string | undefined>();
  const spec = { learner: 'soft-voting', params: { members: [{ learner: 'random-forest', params: { nEstimators: 30 } }, { learner: 'mlp', params: { maxIter: 40 } }] } };
  const result = await trainCase(spec, learnable(), (e) => {
    if (e.type === 'progress') parts.add(e.part);
  });
  assert.deepEqual([...parts], ['random-forest, 1 of 2', 'mlp, 2 of 2']);
  assert.equal(result.report.learningCurve.length, 0);
  const codes = result.report.diagnoses.map((d) => d.code);
  assert.ok(!codes.includes('divergence') && !codes.includes('instability'), codes.join(', '));
});
