/**
 * The fitted gradient-boosting predictors: raw scores are the baseline plus every tree's leaf value;
 * the classifier turns them into probabilities (sigmoid for two classes, softmax for more), the
 * regressor returns them as they are. Both save to JSON, expose their trees (for TreeSHAP and
 * inspection), report gain importances, and export to ONNX (./onnx-export.ts).
 */
import { KilnError } from '../../core/errors.js';
import { createMatrix, type Matrix } from '../../core/matrix.js';
import { z } from '../../core/params.js';
import { attr, tensor, type GraphBuilder } from '../../onnx/graph-builder.js';
import type { ClassifierPredictor, RegressorPredictor, SerializedPredictor } from '../learner.js';
import type { BoostedModel } from './boosting.js';
import type { LossName } from './losses.js';
import { addBoostedRawScores } from './onnx-export.js';
import { addTreeOutput, type Tree } from './tree.js';

export const CLASSIFIER_NAME = 'gradient-boosting';
export const REGRESSOR_NAME = 'gradient-boosting-regressor';
const FORMAT = 1;

/** What TreeSHAP and inspection need: the trees, how they map to outputs, and the baseline. */
export interface BoostedEnsemble extends BoostedModel {
  readonly loss: LossName;
}

/** Baseline plus the trees' outputs: rows × nOutputs, row-major. */
export function rawScores(model: BoostedModel, X: Matrix, learner: string): Float64Array {
  if (X.cols !== model.nFeatures) {
    throw new KilnError('INPUT_SHAPE', { input: `features of ${learner}`, got: `[${X.rows}, ${X.cols}]`, expected: `[N, ${model.nFeatures}]` });
  }
  const K = model.nOutputs;
  const raw = new Float64Array(X.rows * K);
  for (let i = 0; i < X.rows; i++) raw.set(model.baseline, i * K);
  model.trees.forEach((tree, t) => addTreeOutput(tree, X.data, X.rows, X.cols, raw, K, t % K));
  return raw;
}

/** Total split gain per feature over every tree, normalised to sum to 1 (all zeros without splits). */
function gainImportances(model: BoostedModel): Float64Array {
  const out = new Float64Array(model.nFeatures);
  for (const tree of model.trees) {
    for (let j = 0; j < tree.feature.length; j++) {
      const f = tree.feature[j] as number;
      if (f >= 0) out[f] = (out[f] as number) + (tree.gain[j] as number);
    }
  }
  const total = out.reduce((a, b) => a + b, 0);
  return total > 0 ? out.map((v) => v / total) : out;
}

export class GradientBoostingClassifier implements ClassifierPredictor {
  readonly learner = CLASSIFIER_NAME;
  readonly kind = 'classifier';
  readonly nFeatures: number;

  constructor(
    private readonly model: BoostedEnsemble,
    readonly nClasses: number,
  ) {
    this.nFeatures = model.nFeatures;
  }

  /** The raw scores (log-odds of class 1 for two classes, one score per class otherwise). */
  decisionFunction(X: Matrix): Matrix {
    return createMatrix(X.rows, this.model.nOutputs, rawScores(this.model, X, CLASSIFIER_NAME));
  }

  predictProba(X: Matrix): Matrix {
    const raw = rawScores(this.model, X, CLASSIFIER_NAME);
    const K = this.nClasses;
    const out = createMatrix(X.rows, K);
    for (let i = 0; i < X.rows; i++) {
      if (this.model.nOutputs === 1) {
        const p = 1 / (1 + Math.exp(-(raw[i] as number)));
        out.data[i * 2] = 1 - p;
        out.data[i * 2 + 1] = p;
        continue;
      }
      let max = -Infinity;
      for (let k = 0; k < K; k++) max = Math.max(max, raw[i * K + k] as number);
      let z = 0;
      for (let k = 0; k < K; k++) z += Math.exp((raw[i * K + k] as number) - max);
      for (let k = 0; k < K; k++) out.data[i * K + k] = Math.exp((raw[i * K + k] as number) - max) / z;
    }
    return out;
  }

  toOnnx(g: GraphBuilder, features: string): { readonly probabilities: string } {
    const raw = addBoostedRawScores(g, features, this.model, 'gbdt');
    if (this.model.nOutputs > 1) return { probabilities: g.op('Softmax', [raw], { axis: attr.int(1) }, { name: 'gbdt_probabilities' }) };
    const p = g.op('Sigmoid', [raw], {}, { name: 'gbdt_p1' });
    const p0 = g.op('Sub', [g.constant('gbdt_one', tensor.float([1], [])), p], {}, { name: 'gbdt_p0' });
    return { probabilities: g.op('Concat', [p0, p], { axis: attr.int(1) }, { name: 'gbdt_probabilities' }) };
  }

  featureImportances(): Float64Array {
    return gainImportances(this.model);
  }

  /** The fitted ensemble (trees are shared, not copied: do not modify them). */
  ensemble(): BoostedEnsemble {
    return this.model;
  }

  toJSON(): SerializedPredictor {
    return { learner: CLASSIFIER_NAME, format: FORMAT, state: { ...encodeModel(this.model), nClasses: this.nClasses } };
  }

  static fromJSON(serialized: SerializedPredictor): GradientBoostingClassifier {
    const { model, state } = decodeModel(serialized, CLASSIFIER_NAME);
    const nClasses = state.nClasses;
    if (nClasses === undefined || nClasses < 2 || (nClasses === 2 ? 1 : nClasses) !== model.nOutputs) {
      throw new KilnError('INVALID_PREDICTOR', { learner: CLASSIFIER_NAME, reason: `nClasses ${String(nClasses)} does not fit ${model.nOutputs} output(s)` });
    }
    return new GradientBoostingClassifier(model, nClasses);
  }
}

export class GradientBoostingRegressor implements RegressorPredictor {
  readonly learner = REGRESSOR_NAME;
  readonly kind = 'regressor';
  readonly nFeatures: number;

  constructor(private readonly model: BoostedEnsemble) {
    this.nFeatures = model.nFeatures;
  }

  predict(X: Matrix): Float64Array {
    return rawScores(this.model, X, REGRESSOR_NAME);
  }

  toOnnx(g: GraphBuilder, features: string): { readonly prediction: string } {
    return { prediction: addBoostedRawScores(g, features, this.model, 'gbdt') };
  }

  featureImportances(): Float64Array {
    return gainImportances(this.model);
  }

  /** The fitted ensemble (trees are shared, not copied: do not modify them). */
  ensemble(): BoostedEnsemble {
    return this.model;
  }

  toJSON(): SerializedPredictor {
    return { learner: REGRESSOR_NAME, format: FORMAT, state: encodeModel(this.model) };
  }

  static fromJSON(serialized: SerializedPredictor): GradientBoostingRegressor {
    const { model } = decodeModel(serialized, REGRESSOR_NAME);
    if (model.nOutputs !== 1) throw new KilnError('INVALID_PREDICTOR', { learner: REGRESSOR_NAME, reason: `a regressor has 1 output, found ${model.nOutputs}` });
    return new GradientBoostingRegressor(model);
  }
}

// --- serialisation ---------------------------------------------------------------------------------
// JSON has no NaN or Infinity: thresholds are written only for numeric splits, with null standing
// for +Infinity ("every present value goes left").

const treeSchema = z.strictObject({
  feature: z.array(z.number().int().min(-1)),
  threshold: z.array(z.number().nullable()),
  missingLeft: z.array(z.union([z.literal(0), z.literal(1)])),
  leftCategories: z.array(z.array(z.number()).nullable()),
  left: z.array(z.number().int().min(-1)),
  right: z.array(z.number().int().min(-1)),
  value: z.array(z.number()),
  gain: z.array(z.number()),
  count: z.array(z.number()),
});

const stateSchema = z.strictObject({
  nFeatures: z.number().int().positive(),
  nOutputs: z.number().int().positive(),
  nClasses: z.number().int().optional(),
  loss: z.enum(['log_loss', 'squared_error', 'absolute_error', 'huber']),
  baseline: z.array(z.number()),
  categoricalFeatures: z.array(z.number().int().min(0)),
  trees: z.array(treeSchema),
});

type TreeState = z.infer<typeof treeSchema>;

function encodeModel(model: BoostedEnsemble): Omit<z.infer<typeof stateSchema>, 'nClasses'> {
  return {
    nFeatures: model.nFeatures,
    nOutputs: model.nOutputs,
    loss: model.loss,
    baseline: Array.from(model.baseline),
    categoricalFeatures: [...model.categoricalFeatures],
    trees: model.trees.map(encodeTree),
  };
}

function encodeTree(tree: Tree): TreeState {
  const n = tree.feature.length;
  const threshold: (number | null)[] = [];
  for (let j = 0; j < n; j++) {
    const t = tree.threshold[j] as number;
    threshold.push(Number.isFinite(t) ? t : null);
  }
  return {
    feature: Array.from(tree.feature),
    threshold,
    missingLeft: Array.from(tree.missingLeft, (v) => (v === 1 ? 1 : 0)),
    leftCategories: tree.leftCategories.map((c) => (c == null ? null : Array.from(c))),
    left: Array.from(tree.left),
    right: Array.from(tree.right),
    value: Array.from(tree.value),
    gain: Array.from(tree.gain),
    count: Array.from(tree.count),
  };
}

function decodeModel(serialized: SerializedPredictor, learner: string): { model: BoostedEnsemble; state: z.infer<typeof stateSchema> } {
  const invalid = (reason: string): KilnError => new KilnError('INVALID_PREDICTOR', { learner, reason });
  if (serialized.learner !== learner) throw invalid(`it was saved by learner "${serialized.learner}"`);
  if (serialized.format !== FORMAT) throw invalid(`format ${serialized.format} is not the supported format ${FORMAT}`);
  const parsed = stateSchema.safeParse(serialized.state);
  if (!parsed.success) throw invalid(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
  const state = parsed.data;
  if (state.baseline.length !== state.nOutputs) throw invalid(`${state.baseline.length} baseline values for ${state.nOutputs} outputs`);
  if (state.trees.length % state.nOutputs !== 0) throw invalid(`${state.trees.length} trees is not a multiple of ${state.nOutputs} outputs`);
  const trees = state.trees.map((t, k) => decodeTree(t, state.nFeatures, (reason) => invalid(`tree ${k}: ${reason}`)));
  const model: BoostedEnsemble = {
    nFeatures: state.nFeatures,
    nOutputs: state.nOutputs,
    baseline: Float64Array.from(state.baseline),
    trees,
    categoricalFeatures: state.categoricalFeatures,
    loss: state.loss,
  };
  return { model, state };
}

function decodeTree(t: TreeState, nFeatures: number, invalid: (reason: string) => KilnError): Tree {
  const n = t.feature.length;
  const arrays = [t.threshold, t.missingLeft, t.leftCategories, t.left, t.right, t.value, t.gain, t.count];
  if (n === 0 || arrays.some((a) => a.length !== n)) throw invalid('its node arrays are empty or of different lengths');
  for (let j = 0; j < n; j++) {
    const f = t.feature[j] as number;
    if (f >= nFeatures) throw invalid(`node ${j} tests feature ${f} of ${nFeatures}`);
    // Children come after their parent, so every walk from the root ends at a leaf.
    if (f >= 0 && !((t.left[j] as number) > j && (t.left[j] as number) < n && (t.right[j] as number) > j && (t.right[j] as number) < n)) {
      throw invalid(`node ${j} has children outside ${j + 1}..${n - 1}`);
    }
  }
  return {
    feature: Int32Array.from(t.feature),
    threshold: Float64Array.from(t.threshold, (v, j) => (v !== null ? v : (t.feature[j] as number) >= 0 && t.leftCategories[j] == null ? Number.POSITIVE_INFINITY : Number.NaN)),
    missingLeft: Uint8Array.from(t.missingLeft),
    leftCategories: t.leftCategories.map((c) => (c == null ? null : Float64Array.from(c))),
    left: Int32Array.from(t.left),
    right: Int32Array.from(t.right),
    value: Float64Array.from(t.value),
    gain: Float64Array.from(t.gain),
    count: Float64Array.from(t.count),
  };
}
