/**
 * The learner conformance suite (scikit-learn's estimator checks): every learner runs it, whatever its
 * algorithm. It checks the contract in src/learners/learner.ts — shapes, determinism under a seed,
 * cancellation, the serialisation round trip, ONNX agreement within 1e-5, and clear coded errors on
 * bad input. Call `learnerConformance(learner, { params })` from the learner's own test file.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { isKilnError } from '../../src/core/errors.js';
import { createMatrix, type Matrix } from '../../src/core/matrix.js';
import { Rng } from '../../src/core/rng.js';
import type { FitOptions, Learner, Predictor, SerializedPredictor } from '../../src/learners/learner.js';
import { GraphBuilder } from '../../src/onnx/graph-builder.js';
import { openSession, ort } from '../../src/onnx/session.js';
import { maxAbsDiff } from '../helpers/assertions.js';

export const ONNX_TOLERANCE = 1e-5;

export interface Dataset {
  readonly X: Matrix;
  readonly y: Int32Array | Float64Array;
  readonly nClasses: number;
}

/** Seeded, learnable data: `nClasses` Gaussian blobs (0 = a noisy nonlinear regression target). */
export function makeDataset(kind: 'binary' | 'multiclass' | 'regression' | 'unsupervised', rows = 240, cols = 5, seed = 7): Dataset {
  const rng = new Rng(seed);
  const nClasses = kind === 'binary' ? 2 : kind === 'multiclass' ? 3 : 0;
  const X = createMatrix(rows, cols);
  const yClass = new Int32Array(rows);
  const yValue = new Float64Array(rows);
  for (let i = 0; i < rows; i++) {
    const k = nClasses > 0 ? i % nClasses : i % 3;
    yClass[i] = k;
    let target = 0;
    for (let j = 0; j < cols; j++) {
      const centre = j < 3 ? (k - 1) * 1.5 * (j === k % 3 ? 1 : 0.4) : 0;
      const v = centre + rng.normal();
      X.data[i * cols + j] = v;
      target += (j + 1) * v;
    }
    yValue[i] = target + Math.sin(3 * (X.data[i * cols] as number)) + 0.1 * rng.normal();
  }
  return { X, y: kind === 'regression' ? yValue : yClass, nClasses };
}

function datasetFor(learner: Learner): Dataset {
  switch (learner.kind) {
    case 'classifier':
      return makeDataset('binary');
    case 'regressor':
      return makeDataset('regression');
    default:
      return makeDataset('unsupervised');
  }
}

async function fit(learner: Learner, data: Dataset, params: unknown, options: FitOptions = {}): Promise<Predictor> {
  switch (learner.kind) {
    case 'classifier':
      return learner.fit(data.X, data.y as Int32Array, data.nClasses, params, options);
    case 'regressor':
      return learner.fit(data.X, data.y as Float64Array, params, options);
    case 'clusterer':
    case 'anomaly':
      return learner.fit(data.X, params, options);
  }
}

function load(learner: Learner, s: SerializedPredictor): Predictor {
  return learner.load(s);
}

/** The predictor's main numeric output, flattened, for comparisons. */
export function outputOf(p: Predictor, X: Matrix): Float64Array {
  switch (p.kind) {
    case 'classifier':
      return Float64Array.from(p.predictProba(X).data);
    case 'regressor':
      return Float64Array.from(p.predict(X));
    case 'clusterer':
      return Float64Array.from(p.transform(X).data);
    case 'anomaly':
      return Float64Array.from(p.score(X));
  }
}

/** Runs the predictor's ONNX export on X and returns the output matching `outputOf`. */
export async function onnxOutputOf(p: Predictor, X: Matrix): Promise<Float64Array> {
  const g = new GraphBuilder('conformance');
  const features = g.input('features', 'float', ['N', X.cols]);
  let name: string;
  switch (p.kind) {
    case 'classifier':
      name = p.toOnnx(g, features).probabilities;
      break;
    case 'regressor':
      name = p.toOnnx(g, features).prediction;
      break;
    case 'clusterer':
      name = p.toOnnx(g, features).distances;
      break;
    case 'anomaly':
      name = p.toOnnx(g, features).score;
      break;
  }
  g.output(name, 'out', 'float', ['N', 'K']);
  const session = await openSession(g.toBytes({ producerVersion: 'test' }));
  try {
    const result = await session.run({ features: new ort.Tensor('float32', Float32Array.from(X.data), [X.rows, X.cols]) });
    return Float64Array.from(result['out']?.data as Float32Array);
  } finally {
    await session.release();
  }
}

export interface ConformanceOptions {
  /** Parameters for the fits (small, so the suite stays fast). */
  readonly params?: Record<string, unknown>;
  /** Data to use instead of the generated set. */
  readonly data?: Dataset;
  /** Tolerance for ONNX agreement (default 1e-5). */
  readonly onnxTolerance?: number;
  /** The learner treats NaN features as missing values (gradient boosting): they must fit, not fail. */
  readonly acceptsMissing?: boolean;
}

export function learnerConformance(learner: Learner, options: ConformanceOptions = {}): void {
  const params = options.params ?? {};
  const data = options.data ?? datasetFor(learner);
  const seed = { seed: 3 };

  describe(`learner conformance: ${learner.name}`, () => {
    test('fits and predicts with the documented shapes', async () => {
      const p = await fit(learner, data, params, seed);
      assert.equal(p.kind, learner.kind);
      assert.equal(p.learner, learner.name);
      assert.equal(p.nFeatures, data.X.cols);
      const out = outputOf(p, data.X);
      const width = p.kind === 'classifier' ? p.nClasses : p.kind === 'clusterer' ? p.nClusters : 1;
      assert.equal(out.length, data.X.rows * width);
      assert.ok(out.every(Number.isFinite), 'every output is finite');
      if (p.kind === 'classifier') {
        for (let i = 0; i < data.X.rows; i++) {
          let sum = 0;
          for (let k = 0; k < p.nClasses; k++) sum += out[i * p.nClasses + k] as number;
          assert.ok(Math.abs(sum - 1) < 1e-9, `row ${i} probabilities sum to ${sum}`);
        }
      }
      assert.equal(p.featureImportances().length, data.X.cols);
    });

    test('the same seed gives the same model', async () => {
      const a = await fit(learner, data, params, seed);
      const b = await fit(learner, data, params, seed);
      assert.deepEqual(outputOf(a, data.X), outputOf(b, data.X));
    });

    test('an aborted signal stops training with CANCELLED', async () => {
      const controller = new AbortController();
      controller.abort();
      await assert.rejects(fit(learner, data, params, { ...seed, signal: controller.signal }), (e: unknown) => isKilnError(e, 'CANCELLED'));
    });

    test('a saved predictor loads back and predicts identically', async () => {
      const p = await fit(learner, data, params, seed);
      const restored = load(learner, JSON.parse(JSON.stringify(p.toJSON())) as SerializedPredictor);
      assert.deepEqual(outputOf(restored, data.X), outputOf(p, data.X));
    });

    test(`its ONNX export agrees with predict within ${options.onnxTolerance ?? ONNX_TOLERANCE}`, async () => {
      const p = await fit(learner, data, params, seed);
      const diff = maxAbsDiff(await onnxOutputOf(p, data.X), outputOf(p, data.X));
      assert.ok(diff <= (options.onnxTolerance ?? ONNX_TOLERANCE), `max abs difference ${diff}`);
    });

    test('bad input gets coded errors', async () => {
      const empty = { ...data, X: createMatrix(0, data.X.cols), y: data.y.slice(0, 0) };
      await assert.rejects(fit(learner, empty, params, seed), (e: unknown) => isKilnError(e), 'empty data');
      await assert.rejects(fit(learner, data, { ...params, noSuchParameter: 1 }, seed), (e: unknown) => isKilnError(e, 'INVALID_PARAMS'), 'unknown parameter');
      const withNaN = Float64Array.from(data.X.data);
      withNaN[5] = Number.NaN;
      const nanData = { ...data, X: createMatrix(data.X.rows, data.X.cols, withNaN) };
      if (options.acceptsMissing) assert.ok(outputOf(await fit(learner, nanData, params, seed), nanData.X).every(Number.isFinite), 'NaN features are missing values');
      else await assert.rejects(fit(learner, nanData, params, seed), (e: unknown) => isKilnError(e), 'NaN feature');
      if (learner.kind === 'classifier' || learner.kind === 'regressor') {
        await assert.rejects(fit(learner, { ...data, y: data.y.slice(1) }, params, seed), (e: unknown) => isKilnError(e), 'mismatched lengths');
      }
      if (learner.kind === 'regressor') {
        const y = Float64Array.from(data.y);
        y[3] = Number.NaN;
        await assert.rejects(fit(learner, { ...data, y }, params, seed), (e: unknown) => isKilnError(e), 'NaN target');
      }
      if (learner.kind === 'classifier') {
        await assert.rejects(fit(learner, { ...data, y: new Int32Array(data.X.rows) }, params, seed), (e: unknown) => isKilnError(e, 'SINGLE_CLASS'), 'single class');
      }
    });
  });
}
