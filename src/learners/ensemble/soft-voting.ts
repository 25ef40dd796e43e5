/**
 * Soft voting: the (weighted) average of several models' probabilities (classification) or
 * predictions (regression). AutoML uses it when a mix of its best models beats the best one out of
 * fold; the weights are how often ensemble selection picked each member. The ONNX export runs every
 * member on the same features tensor and takes the `Mean` (equal weights) or a weighted `Sum`.
 *
 * Members are fitted through the learner registry, which in turn registers this learner; to keep
 * the import graph one-directional, the registry hands its functions in (`softVotingLearners`).
 */
import { KilnError } from '../../core/errors.js';
import { createMatrix, type Matrix } from '../../core/matrix.js';
import { parseParams, z } from '../../core/params.js';
import { tensor, type GraphBuilder } from '../../onnx/graph-builder.js';
import type {
  ClassifierLearner,
  ClassifierPredictor,
  FitOptions,
  Predictor,
  RegressorLearner,
  RegressorPredictor,
  SerializedPredictor,
} from '../learner.js';

const memberSchema = z.strictObject({
  learner: z.string().describe('A registered learner name.'),
  params: z.record(z.string(), z.unknown()).default({}).describe("That learner's parameters."),
  weight: z.number().positive().default(1).describe('Its share of the average, relative to the other members.'),
});

export const softVotingParams = z.strictObject({
  members: z.array(memberSchema).min(2).describe('The models whose outputs are averaged.'),
});

export interface RegistryAccess {
  classifier(name: string): ClassifierLearner;
  regressor(name: string): RegressorLearner;
  load(serialized: SerializedPredictor): Predictor;
}

const FORMAT = 1;

function stateOf(members: readonly Predictor[], weights: readonly number[]): { members: SerializedPredictor[]; weights: number[] } {
  return { members: members.map((m) => m.toJSON()), weights: [...weights] };
}

/** Weights that sum to 1 (equal when none are given). */
function normalised(weights: readonly number[] | undefined, n: number): number[] {
  const w = weights ?? new Array<number>(n).fill(1);
  const total = w.reduce((a, b) => a + b, 0);
  return w.map((v) => v / total);
}

function meanImportances(members: readonly Predictor[], weights: readonly number[]): Float64Array {
  const out = new Float64Array(members[0]?.nFeatures ?? 0);
  members.forEach((m, k) => m.featureImportances().forEach((v, j) => (out[j] = (out[j] as number) + v * (weights[k] as number))));
  return out;
}

/** The weighted average of the members' output tensors in the graph: `Mean` when the weights are equal. */
function averageInGraph(g: GraphBuilder, parts: readonly string[], weights: readonly number[], name: string): string {
  if (weights.every((w) => Math.abs(w - (weights[0] as number)) < 1e-12)) return g.op('Mean', [...parts], {}, { name });
  const scaled = parts.map((p, k) => g.op('Mul', [p, g.constant(`${name}_weight_${k}`, tensor.float([weights[k] as number], [1]))]));
  return g.op('Sum', scaled, {}, { name });
}

/** The rows on which every member's graph must match it (Predictor.onnxExactRows): so must the average's. */
function exactInEveryMember(members: readonly (ClassifierPredictor | RegressorPredictor)[], X: Matrix): Uint8Array {
  const exact = new Uint8Array(X.rows).fill(1);
  for (const m of members) {
    const rows = m.onnxExactRows?.(X);
    if (rows !== undefined) for (let i = 0; i < X.rows; i++) exact[i] = (exact[i] as number) & (rows[i] as number);
  }
  return exact;
}

class SoftVotingClassifier implements ClassifierPredictor {
  readonly kind = 'classifier';
  readonly learner = 'soft-voting';
  readonly nFeatures: number;
  readonly nClasses: number;
  readonly weights: readonly number[];
  constructor(readonly members: readonly ClassifierPredictor[], weights?: readonly number[]) {
    this.nFeatures = members[0]?.nFeatures ?? 0;
    this.nClasses = members[0]?.nClasses ?? 0;
    this.weights = normalised(weights, members.length);
  }
  predictProba(X: Matrix): Matrix {
    const out = createMatrix(X.rows, this.nClasses);
    this.members.forEach((m, k) => {
      const p = m.predictProba(X).data;
      const w = this.weights[k] as number;
      for (let i = 0; i < p.length; i++) out.data[i] = (out.data[i] as number) + (p[i] as number) * w;
    });
    return out;
  }
  toOnnx(g: GraphBuilder, features: string): { probabilities: string } {
    const parts = this.members.map((m) => m.toOnnx(g, features).probabilities);
    return { probabilities: averageInGraph(g, parts, this.weights, 'ensemble_probabilities') };
  }
  onnxExactRows(X: Matrix): Uint8Array {
    return exactInEveryMember(this.members, X);
  }
  featureImportances(): Float64Array {
    return meanImportances(this.members, this.weights);
  }
  toJSON(): SerializedPredictor {
    return { learner: this.learner, format: FORMAT, state: stateOf(this.members, this.weights) };
  }
}

class SoftVotingRegressor implements RegressorPredictor {
  readonly kind = 'regressor';
  readonly learner = 'soft-voting-regressor';
  readonly nFeatures: number;
  readonly weights: readonly number[];
  constructor(readonly members: readonly RegressorPredictor[], weights?: readonly number[]) {
    this.nFeatures = members[0]?.nFeatures ?? 0;
    this.weights = normalised(weights, members.length);
  }
  predict(X: Matrix): Float64Array {
    const out = new Float64Array(X.rows);
    this.members.forEach((m, k) => {
      const w = this.weights[k] as number;
      m.predict(X).forEach((v, i) => (out[i] = (out[i] as number) + v * w));
    });
    return out;
  }
  toOnnx(g: GraphBuilder, features: string): { prediction: string } {
    const parts = this.members.map((m) => m.toOnnx(g, features).prediction);
    return { prediction: averageInGraph(g, parts, this.weights, 'ensemble_prediction') };
  }
  onnxExactRows(X: Matrix): Uint8Array {
    return exactInEveryMember(this.members, X);
  }
  featureImportances(): Float64Array {
    return meanImportances(this.members, this.weights);
  }
  toJSON(): SerializedPredictor {
    return { learner: this.learner, format: FORMAT, state: stateOf(this.members, this.weights) };
  }
}

function loadedMembers(serialized: SerializedPredictor, registry: RegistryAccess, kind: Predictor['kind']): { members: Predictor[]; weights?: number[] } {
  const state = serialized.state as { members?: SerializedPredictor[]; weights?: unknown } | null;
  if (serialized.format !== FORMAT || !Array.isArray(state?.members) || state.members.length < 2) {
    throw new KilnError('INVALID_PREDICTOR', { learner: serialized.learner, reason: 'it does not list its member models' });
  }
  const members = state.members.map((m) => registry.load(m));
  if (members.some((m) => m.kind !== kind)) {
    throw new KilnError('INVALID_PREDICTOR', { learner: serialized.learner, reason: `every member must be a ${kind}` });
  }
  // Saved before weights existed: equal weights.
  if (state.weights === undefined) return { members };
  const weights = state.weights;
  if (!Array.isArray(weights) || weights.length !== members.length || !weights.every((w) => typeof w === 'number' && w > 0)) {
    throw new KilnError('INVALID_PREDICTOR', { learner: serialized.learner, reason: 'its member weights are not one positive number per member' });
  }
  return { members, weights: weights as number[] };
}

export function softVotingLearners(registry: RegistryAccess): { classifier: ClassifierLearner; regressor: RegressorLearner } {
  const classifier: ClassifierLearner<typeof softVotingParams> = {
    name: 'soft-voting',
    kind: 'classifier',
    family: 'ensemble',
    summary: 'Averages the class probabilities of several models.',
    paramsSchema: softVotingParams,
    async fit(X, y, nClasses, raw, options: FitOptions = {}) {
      const params = parseParams(softVotingParams, raw, 'soft-voting parameters');
      const members: ClassifierPredictor[] = [];
      for (const [k, m] of params.members.entries()) members.push(await registry.classifier(m.learner).fit(X, y, nClasses, m.params, memberOptions(options, m.learner, k, params.members.length)));
      return new SoftVotingClassifier(members, params.members.map((m) => m.weight));
    },
    load: (s) => {
      const { members, weights } = loadedMembers(s, registry, 'classifier');
      return new SoftVotingClassifier(members as ClassifierPredictor[], weights);
    },
  };
  const regressor: RegressorLearner<typeof softVotingParams> = {
    name: 'soft-voting-regressor',
    kind: 'regressor',
    family: 'ensemble',
    summary: 'Averages the predictions of several models.',
    paramsSchema: softVotingParams,
    async fit(X, y, raw, options: FitOptions = {}) {
      const params = parseParams(softVotingParams, raw, 'soft-voting parameters');
      const members: RegressorPredictor[] = [];
      for (const [k, m] of params.members.entries()) members.push(await registry.regressor(m.learner).fit(X, y, m.params, memberOptions(options, m.learner, k, params.members.length)));
      return new SoftVotingRegressor(members, params.members.map((m) => m.weight));
    },
    load: (s) => {
      const { members, weights } = loadedMembers(s, registry, 'regressor');
      return new SoftVotingRegressor(members as RegressorPredictor[], weights);
    },
  };
  return { classifier, regressor };
}

/** A member's fit options: its progress is tagged as that member's part of the ensemble (see Progress.part). */
function memberOptions(options: FitOptions, learner: string, index: number, count: number): FitOptions {
  const onProgress = options.onProgress;
  if (onProgress === undefined) return options;
  const part = `${learner}, ${index + 1} of ${count}`;
  return { ...options, onProgress: (p) => onProgress({ ...p, part }) };
}
