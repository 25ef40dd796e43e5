/**
 * The MLP's own mechanics: the tfjs backward pass against a naive float64 reference, Adam's update,
 * determinism of the weights, the stopping rules, learning curves, cancellation, tensor hygiene,
 * saving and loading, and predicting without TensorFlow.js.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createMatrix, takeRows } from '../../src/core/matrix.js';
import { Rng } from '../../src/core/rng.js';
import type { Progress } from '../../src/learners/learner.js';
import { Adam } from '../../src/learners/mlp/adam.js';
import type { HiddenActivation, OutputActivation } from '../../src/learners/mlp/dense-network.js';
import { mlpClassifier } from '../../src/learners/mlp/mlp-classifier.js';
import { mlpParams } from '../../src/learners/mlp/mlp-params.js';
import { mlpRegressor } from '../../src/learners/mlp/mlp-regressor.js';
import { ParameterLayout } from '../../src/learners/mlp/parameter-layout.js';
import { TfjsBackprop } from '../../src/learners/mlp/tfjs-backprop.js';
import { loadTfjs } from '../../src/learners/mlp/tfjs-runtime.js';
import { expectCode } from '../helpers/assertions.js';
import { makeDataset } from './learner-conformance.js';

/**
 * The naive reference: the batch's mean loss, computed in float64 straight from the definitions (one
 * row at a time, no matrices), for a flat parameter vector laid out as ParameterLayout says.
 */
function referenceLoss(
  layout: ParameterLayout,
  params: Float64Array,
  x: Float32Array,
  targets: Float64Array,
  rows: number,
  activation: HiddenActivation,
  output: OutputActivation,
  masks: readonly Float32Array[] | undefined,
): number {
  let total = 0;
  for (let r = 0; r < rows; r++) {
    let a = Array.from(x.subarray(r * layout.sizes[0]!, (r + 1) * layout.sizes[0]!));
    layout.layers.forEach((s, l) => {
      const z = Array.from({ length: s.units }, (_, u) => {
        let sum = params[s.biasOffset + u]!;
        for (let i = 0; i < s.inputs; i++) sum += a[i]! * params[s.weightOffset + i * s.units + u]!;
        return sum;
      });
      const hidden = l < layout.layers.length - 1;
      a = hidden ? z.map((v, u) => (activation === 'relu' ? Math.max(v, 0) : Math.tanh(v)) * (masks?.[l]?.[r * s.units + u] ?? 1)) : z;
    });
    const y = targets[r]!;
    if (output === 'identity') total += 0.5 * (a[0]! - y) ** 2;
    else if (output === 'sigmoid') total += -(y * Math.log(1 / (1 + Math.exp(-a[0]!))) + (1 - y) * Math.log(1 - 1 / (1 + Math.exp(-a[0]!))));
    else {
      const max = Math.max(...a);
      const logSum = max + Math.log(a.reduce((s, v) => s + Math.exp(v - max), 0));
      total += logSum - a[y]!;
    }
  }
  return total / rows;
}

for (const [activation, output, withDropout] of [
  ['relu', 'sigmoid', false],
  ['tanh', 'softmax', true],
  ['relu', 'identity', true],
] as const) {
  test(`the tfjs backward pass matches finite differences of the naive loss (${activation}, ${output}, dropout ${withDropout})`, async () => {
    const { tf } = await loadTfjs(1);
    const rng = new Rng(11);
    const rows = 7;
    const nOutputs = output === 'softmax' ? 3 : 1;
    const layout = new ParameterLayout([4, 5, 3, nOutputs]);
    const params = layout.initialParameters(rng).map((v) => Math.fround(v * 2));
    const x = Float32Array.from({ length: rows * 4 }, () => rng.normal());
    const xT = new Float32Array(rows * 4);
    for (let r = 0; r < rows; r++) for (let j = 0; j < 4; j++) xT[j * rows + r] = x[r * 4 + j]!;
    const targets = Float64Array.from({ length: rows }, (_, i) => (output === 'identity' ? rng.normal() : i % nOutputs === 0 ? 0 : output === 'sigmoid' ? 1 : i % nOutputs));
    const masks = withDropout ? [5, 3].map((units) => Float32Array.from({ length: rows * units }, () => (rng.next() < 0.7 ? 1 / 0.7 : 0))) : undefined;

    const backprop = new TfjsBackprop(tf, layout, activation, output);
    const gradient = new Float64Array(layout.size);
    const summed = backprop.gradient(params, { rows, x, xT, targets, ...(masks === undefined ? {} : { masks }) }, gradient);
    const loss = (p: Float64Array): number => referenceLoss(layout, p, x, targets, rows, activation, output, masks);
    assert.ok(Math.abs(summed / rows - loss(params)) < 1e-5, `loss ${summed / rows} vs reference ${loss(params)}`);

    let worst = 0;
    for (let k = 0; k < layout.size; k++) {
      const h = 1e-6;
      const up = params.slice();
      const down = params.slice();
      up[k] = up[k]! + h;
      down[k] = down[k]! - h;
      const numeric = (loss(up) - loss(down)) / (2 * h);
      worst = Math.max(worst, Math.abs(numeric - gradient[k]!) / Math.max(1, Math.abs(numeric)));
    }
    assert.ok(worst < 1e-4, `largest gradient error ${worst}`);
  });
}

test("Adam takes scikit-learn's steps", () => {
  const adam = new Adam(2, { learningRate: 0.1, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 });
  const params = Float64Array.from([1, -2]);
  const g1 = Float64Array.from([0.5, -4]);
  adam.step(params, g1);
  // t = 1: m = 0.1 g, v = 0.001 g², step = lr·√(1−β2)/(1−β1) · m / (√v + ε) ≈ lr · sign(g)
  const step1 = (g: number): number => ((0.1 * Math.sqrt(0.001)) / 0.1) * (0.1 * g) / (Math.sqrt(0.001 * g * g) + 1e-8);
  assert.ok(Math.abs(params[0]! - (1 - step1(0.5))) < 1e-15);
  assert.ok(Math.abs(params[1]! - (-2 - step1(-4))) < 1e-15);
  adam.step(params, Float64Array.from([0, 0]));
  const m = 0.9 * 0.1 * 0.5;
  const v = 0.999 * 0.001 * 0.25;
  const expected = 1 - step1(0.5) - ((0.1 * Math.sqrt(1 - 0.999 ** 2)) / (1 - 0.9 ** 2)) * (m / (Math.sqrt(v) + 1e-8));
  assert.ok(Math.abs(params[0]! - expected) < 1e-15);
});

const binary = makeDataset('binary', 300, 6, 5);
const multiclass = makeDataset('multiclass', 300, 6, 6);
const regression = makeDataset('regression', 300, 6, 8);

test('the same seed gives bit-identical weights (with dropout and early stopping too); another seed does not', async () => {
  const params = { hiddenLayerSizes: [16, 8], maxIter: 25, dropout: 0.25, earlyStopping: true };
  const fit = (seed: number) => mlpClassifier.fit(multiclass.X, multiclass.y as Int32Array, 3, params, { seed });
  const [a, b, c] = [await fit(4), await fit(4), await fit(5)];
  assert.deepEqual(a.toJSON(), b.toJSON());
  assert.notDeepEqual(a.toJSON(), c.toJSON());
  const r1 = await mlpRegressor.fit(regression.X, regression.y as Float64Array, { hiddenLayerSizes: [8], maxIter: 10 }, { seed: 1 });
  const r2 = await mlpRegressor.fit(regression.X, regression.y as Float64Array, { hiddenLayerSizes: [8], maxIter: 10 }, { seed: 1 });
  assert.deepEqual(r1.toJSON(), r2.toJSON());
});

test('learning curves: one report per epoch with training loss, and validation loss when a held-out set exists', async () => {
  // More validation rows than one scoring chunk (4096), so the chunked scoring is exercised too.
  const heldOut = makeDataset('binary', 4500, 6, 9);
  const validation = { X: heldOut.X, y: heldOut.y as Int32Array };
  const reports: Progress[] = [];
  const model = await mlpClassifier.fit(binary.X, binary.y as Int32Array, 2, { hiddenLayerSizes: [16], maxIter: 30, tol: 0, learningRate: 0.01 }, {
    seed: 1,
    validation,
    onProgress: (p) => reports.push(p),
  });
  assert.deepEqual(reports.map((r) => r.iteration), Array.from({ length: 30 }, (_, i) => i + 1));
  assert.equal(model.epochs, 30);
  assert.ok(reports.every((r) => r.maxIterations === 30 && Number.isFinite(r.trainLoss) && Number.isFinite(r.validationLoss)));
  assert.ok(reports.at(-1)!.trainLoss < reports[0]!.trainLoss * 0.8, 'the training loss falls');
  // The last validation loss is the returned model's mean log loss on the held-out rows (float32 training).
  const proba = model.predictProba(validation.X);
  let logLoss = 0;
  validation.y.forEach((c, i) => (logLoss -= Math.log(proba.data[2 * i + c]!)));
  assert.ok(Math.abs(reports.at(-1)!.validationLoss! - logLoss / validation.y.length) < 1e-5);

  const early: Progress[] = [];
  await mlpRegressor.fit(regression.X, regression.y as Float64Array, { hiddenLayerSizes: [8], maxIter: 5, earlyStopping: true }, { seed: 1, onProgress: (p) => early.push(p) });
  assert.equal(early.length, 5);
  assert.ok(early.every((r) => Number.isFinite(r.validationLoss)), 'early stopping reports its hold-out loss');
});

test("the stopping rule is scikit-learn's: more than nIterNoChange epochs in a row without improving by tol", async () => {
  // With a huge tol no epoch after the first counts as an improvement: epochs = 1 + nIterNoChange + 1.
  for (const earlyStopping of [false, true]) {
    const model = await mlpClassifier.fit(binary.X, binary.y as Int32Array, 2, { hiddenLayerSizes: [4], tol: 100, nIterNoChange: 3, earlyStopping }, { seed: 2 });
    assert.equal(model.epochs, 5, `earlyStopping ${earlyStopping}`);
  }
  const patient = await mlpClassifier.fit(binary.X, binary.y as Int32Array, 2, { hiddenLayerSizes: [4], tol: 0, maxIter: 12 }, { seed: 2 });
  assert.equal(patient.epochs, 12);
});

test('early stopping keeps the best epoch: more epochs after it do not change the model', async () => {
  // Overfit a tiny hold-out on purpose; whatever happens after the best epoch is thrown away.
  const params = { hiddenLayerSizes: [32], earlyStopping: true, validationFraction: 0.2, nIterNoChange: 5, learningRate: 0.05, tol: 0 };
  const a = await mlpClassifier.fit(multiclass.X, multiclass.y as Int32Array, 3, { ...params, maxIter: 200 }, { seed: 3 });
  assert.ok(a.epochs < 200, `stopped after ${a.epochs} epochs`);
  const b = await mlpClassifier.fit(multiclass.X, multiclass.y as Int32Array, 3, { ...params, maxIter: 200, nIterNoChange: 8 }, { seed: 3 });
  assert.deepEqual(a.toJSON(), b.toJSON(), 'longer patience found no better epoch, so the same best weights');
});

test('no tensors are left behind by fits, failed fits or cancelled fits', async () => {
  const { tf } = await loadTfjs(1);
  await mlpClassifier.fit(binary.X, binary.y as Int32Array, 2, { hiddenLayerSizes: [8], maxIter: 2 }, { seed: 1 }); // warm-up
  const before = tf.memory().numTensors;
  await mlpClassifier.fit(multiclass.X, multiclass.y as Int32Array, 3, { hiddenLayerSizes: [8, 8], maxIter: 5, dropout: 0.1, earlyStopping: true }, { seed: 1 });
  await mlpRegressor.fit(regression.X, regression.y as Float64Array, { hiddenLayerSizes: [8], maxIter: 5, activation: 'tanh' }, {
    seed: 1,
    validation: { X: regression.X, y: regression.y },
  });
  const controller = new AbortController();
  await assert.rejects(
    mlpClassifier.fit(binary.X, binary.y as Int32Array, 2, { hiddenLayerSizes: [8], maxIter: 50, earlyStopping: true }, {
      signal: controller.signal,
      onProgress: (p) => p.iteration === 2 && controller.abort(),
    }),
    expectCode('CANCELLED'),
  );
  const huge = createMatrix(binary.X.rows, binary.X.cols, binary.X.data.map((v) => v * 1e30));
  await assert.rejects(mlpRegressor.fit(huge, regression.y as Float64Array, { hiddenLayerSizes: [8], maxIter: 3 }, { seed: 1 }), expectCode('TRAINING_FAILED'));
  assert.equal(tf.memory().numTensors, before);
});

test('an abort from outside (a timer) stops training between batches', async () => {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), 150);
  const started = performance.now();
  await assert.rejects(
    mlpClassifier.fit(binary.X, binary.y as Int32Array, 2, { hiddenLayerSizes: [32], maxIter: 100000, tol: 0, batchSize: 10 }, { seed: 1, signal: controller.signal }),
    expectCode('CANCELLED', (d) => assert.equal(d['what'], 'training')),
  );
  clearTimeout(timer);
  assert.ok(performance.now() - started < 60_000);
});

test('parameters default to scikit-learn\'s and bad ones are refused', async () => {
  assert.deepEqual(mlpParams.parse({}), {
    hiddenLayerSizes: [100],
    activation: 'relu',
    alpha: 1e-4,
    batchSize: null,
    learningRate: 1e-3,
    beta1: 0.9,
    beta2: 0.999,
    epsilon: 1e-8,
    maxIter: 200,
    tol: 1e-4,
    nIterNoChange: 10,
    earlyStopping: false,
    validationFraction: 0.1,
    dropout: 0,
    threads: 1,
  });
  const { X, y } = binary;
  for (const bad of [{ hiddenLayerSizes: [] }, { hiddenLayerSizes: [0] }, { activation: 'sigmoid' }, { dropout: 1 }, { threads: 3 }, { batchSize: 0 }, { learningrate: 0.1 }]) {
    await assert.rejects(mlpClassifier.fit(X, y as Int32Array, 2, bad), expectCode('INVALID_PARAMS'), JSON.stringify(bad));
  }
  const tiny = createMatrix(3, 2, Float64Array.from([0, 1, 1, 0, 1, 1]));
  await assert.rejects(mlpClassifier.fit(tiny, Int32Array.from([0, 1, 0]), 2, { earlyStopping: true, validationFraction: 0.1 }), expectCode('TOO_FEW_ROWS'));
});

test('a saved model loads back, and a damaged or mismatched one is refused with INVALID_PREDICTOR', async () => {
  const model = await mlpClassifier.fit(multiclass.X, multiclass.y as Int32Array, 3, { hiddenLayerSizes: [6, 5], maxIter: 5 }, { seed: 1 });
  const saved = JSON.parse(JSON.stringify(model.toJSON())) as ReturnType<typeof model.toJSON>;
  const loaded = mlpClassifier.load(saved);
  assert.equal(loaded.nClasses, 3);
  assert.deepEqual(loaded.predictProba(multiclass.X).data, model.predictProba(multiclass.X).data);
  const state = saved.state as { weights: number[][] };
  assert.throws(() => mlpClassifier.load({ ...saved, state: { ...state, weights: [state.weights[0]!.slice(1), ...state.weights.slice(1)] } }), expectCode('INVALID_PREDICTOR'));
  assert.throws(() => mlpClassifier.load({ ...saved, format: 2 }), expectCode('INVALID_PREDICTOR'));
  assert.throws(() => mlpRegressor.load({ ...saved, learner: 'mlp-regressor' }), expectCode('INVALID_PREDICTOR'));
  const importances = model.featureImportances();
  assert.equal(importances.length, 6);
  assert.ok(importances.every((v) => v > 0));
  assert.throws(() => model.predictProba(createMatrix(1, 5)), expectCode('INPUT_SHAPE'));
});

test('the registry imports without TensorFlow.js, and a saved MLP predicts without loading it', async () => {
  const model = await mlpClassifier.fit(binary.X, binary.y as Int32Array, 2, { hiddenLayerSizes: [4], maxIter: 3 }, { seed: 1 });
  const row = Array.from(binary.X.data.subarray(0, binary.X.cols));
  const script = `
    import { createRequire } from 'node:module';
    const { loadPredictor } = await import(${JSON.stringify(new URL('../../src/learners/registry.ts', import.meta.url).href)});
    const { matrixFromRows } = await import(${JSON.stringify(new URL('../../src/core/matrix.ts', import.meta.url).href)});
    const p = loadPredictor(${JSON.stringify(model.toJSON())});
    const proba = Array.from(p.predictProba(matrixFromRows([${JSON.stringify(row)}])).data);
    const tfjs = Object.keys(createRequire(import.meta.url).cache).filter((k) => k.includes('@tensorflow'));
    console.log(JSON.stringify({ proba, tfjs }));`;
  const out = JSON.parse(execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8' })) as { proba: number[]; tfjs: string[] };
  assert.deepEqual(out.tfjs, []);
  assert.deepEqual(out.proba, Array.from(model.predictProba(takeRows(binary.X, [0])).data));
});
