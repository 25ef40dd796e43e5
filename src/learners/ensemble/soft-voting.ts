/**
 * Soft voting: the average of several models' probabilities (classification) or predictions
 * (regression). AutoML uses it when the best few models together beat the best one out of fold.
 * The ONNX export runs every member on the same features tensor and takes the `Mean`.
 *
 * Members are fitted through the learner registry, which in turn registers this learner; to keep
 * the import graph one-directional, the registry hands its functions in (`softVotingLearners`).
 */
import { KilnError } from '../../core/errors.js';
import { createMatrix, type Matrix } from '../../core/matrix.js';
import { parseParams, z } from '../../core/params.js';
import type { GraphBuilder } from '../../onnx/graph-builder.js';
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

function stateOf(members: readonly Predictor[]): { members: SerializedPredictor[] } {
  return { members: members.map((m) => m.toJSON()) };
}

function meanImportances(members: readonly Predictor[]): Float64Array {
  const out = new Float64Array(members[0]?.nFeatures ?? 0);
  for (const m of members) m.featureImportances().forEach((v, j) => (out[j] = (out[j] as number) + v / members.length));
  return out;
}

class SoftVotingClassifier implements ClassifierPredictor {
  readonly kind = 'classifier';
  readonly learner = 'soft-voting';
  readonly nFeatures: number;
  readonly nClasses: number;
  constructor(readonly members: readonly ClassifierPredictor[]) {
    this.nFeatures = members[0]?.nFeatures ?? 0;
    this.nClasses = members[0]?.nClasses ?? 0;
  }
  predictProba(X: Matrix): Matrix {
    const out = createMatrix(X.rows, this.nClasses);
    for (const m of this.members) {
      const p = m.predictProba(X).data;
      for (let i = 0; i < p.length; i++) out.data[i] = (out.data[i] as number) + (p[i] as number) / this.members.length;
    }
    return out;
  }
  toOnnx(g: GraphBuilder, features: string): { probabilities: string } {
    const parts = this.members.map((m) => m.toOnnx(g, features).probabilities);
    return { probabilities: g.op('Mean', parts, {}, { name: 'ensemble_probabilities' }) };
  }
  featureImportances(): Float64Array {
    return meanImportances(this.members);
  }
  toJSON(): SerializedPredictor {
    return { learner: this.learner, format: FORMAT, state: stateOf(this.members) };
  }
}

class SoftVotingRegressor implements RegressorPredictor {
  readonly kind = 'regressor';
  readonly learner = 'soft-voting-regressor';
  readonly nFeatures: number;
  constructor(readonly members: readonly RegressorPredictor[]) {
    this.nFeatures = members[0]?.nFeatures ?? 0;
  }
  predict(X: Matrix): Float64Array {
    const out = new Float64Array(X.rows);
    for (const m of this.members) m.predict(X).forEach((v, i) => (out[i] = (out[i] as number) + v / this.members.length));
    return out;
  }
  toOnnx(g: GraphBuilder, features: string): { prediction: string } {
    const parts = this.members.map((m) => m.toOnnx(g, features).prediction);
    return { prediction: g.op('Mean', parts, {}, { name: 'ensemble_prediction' }) };
  }
  featureImportances(): Float64Array {
    return meanImportances(this.members);
  }
  toJSON(): SerializedPredictor {
    return { learner: this.learner, format: FORMAT, state: stateOf(this.members) };
  }
}

function loadedMembers(serialized: SerializedPredictor, registry: RegistryAccess, kind: Predictor['kind']): Predictor[] {
  const state = serialized.state as { members?: SerializedPredictor[] } | null;
  if (serialized.format !== FORMAT || !Array.isArray(state?.members) || state.members.length < 2) {
    throw new KilnError('INVALID_PREDICTOR', { learner: serialized.learner, reason: 'it does not list its member models' });
  }
  const members = state.members.map((m) => registry.load(m));
  if (members.some((m) => m.kind !== kind)) {
    throw new KilnError('INVALID_PREDICTOR', { learner: serialized.learner, reason: `every member must be a ${kind}` });
  }
  return members;
}

export function softVotingLearners(registry: RegistryAccess): { classifier: ClassifierLearner; regressor: RegressorLearner } {
  const classifier: ClassifierLearner<typeof softVotingParams> = {
    name: 'soft-voting',
    kind: 'classifier',
    summary: 'Averages the class probabilities of several models.',
    paramsSchema: softVotingParams,
    async fit(X, y, nClasses, raw, options: FitOptions = {}) {
      const params = parseParams(softVotingParams, raw, 'soft-voting parameters');
      const members: ClassifierPredictor[] = [];
      for (const m of params.members) members.push(await registry.classifier(m.learner).fit(X, y, nClasses, m.params, options));
      return new SoftVotingClassifier(members);
    },
    load: (s) => new SoftVotingClassifier(loadedMembers(s, registry, 'classifier') as ClassifierPredictor[]),
  };
  const regressor: RegressorLearner<typeof softVotingParams> = {
    name: 'soft-voting-regressor',
    kind: 'regressor',
    summary: 'Averages the predictions of several models.',
    paramsSchema: softVotingParams,
    async fit(X, y, raw, options: FitOptions = {}) {
      const params = parseParams(softVotingParams, raw, 'soft-voting parameters');
      const members: RegressorPredictor[] = [];
      for (const m of params.members) members.push(await registry.regressor(m.learner).fit(X, y, m.params, options));
      return new SoftVotingRegressor(members);
    },
    load: (s) => new SoftVotingRegressor(loadedMembers(s, registry, 'regressor') as RegressorPredictor[]),
  };
  return { classifier, regressor };
}
