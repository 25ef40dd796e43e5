/**
 * Isolation forest (Liu, Ting & Zhou 2008), scikit-learn's `IsolationForest`: nEstimators isolation
 * trees (./isolation-tree.ts), each grown on maxSamples rows drawn without replacement. A row's score
 *
 *   s(x) = 2^(−E[h(x)] / c(ψ))        (E[h] = mean path length over the trees, ψ = rows per tree)
 *
 * is near 1 for rows isolated in few splits (anomalies), about 0.5 or below for ordinary rows; it is
 * scikit-learn's `−score_samples`. contamination 'auto' flags rows scoring above 0.5 (scikit-learn's
 * offset −0.5); a fraction flags that share of the training rows (the threshold is the matching
 * percentile of their scores).
 */
import { KilnError } from '../../core/errors.js';
import type { Matrix } from '../../core/matrix.js';
import { parseParams, z } from '../../core/params.js';
import { Rng } from '../../core/rng.js';
import { attr, tensor, type GraphBuilder } from '../../onnx/graph-builder.js';
import { addTreeEnsemble, type TreeNodeMode } from '../../onnx/tree-ensemble.js';
import { checkFeatures, checkPredictionInput } from '../check-training-data.js';
import type { AnomalyLearner, AnomalyPredictor, FitOptions, SerializedPredictor } from '../learner.js';
import { averagePathLength, growIsolationTree, pathLengthOf, type IsolationTree } from './isolation-tree.js';

const NAME = 'isolation-forest';
const FORMAT = 1;
const YIELD_EVERY_MS = 20;

export const isolationForestParams = z.strictObject({
  nEstimators: z.number().int().min(1).default(100).describe('How many isolation trees to grow.'),
  maxSamples: z
    .union([z.literal('auto'), z.number().int().min(2)])
    .default('auto')
    .describe("Rows drawn (without replacement) for each tree; 'auto' is min(256, rows). More than the rows available means all rows."),
  contamination: z
    .union([z.literal('auto'), z.number().gt(0).max(0.5)])
    .default('auto')
    .describe("The expected share of anomalies, which sets the flagging threshold; 'auto' flags scores above 0.5 (the original paper's rule)."),
});

export type IsolationForestParams = z.output<typeof isolationForestParams>;

export interface IsolationForestPredictor extends AnomalyPredictor {
  readonly nTrees: number;
  /** Mean path length E[h(x)] of each row over the trees. */
  meanPathLength(X: Matrix): Float64Array;
}

export interface IsolationForestLearner extends AnomalyLearner<typeof isolationForestParams> {
  fit(X: Matrix, params: unknown, options?: FitOptions): Promise<IsolationForestPredictor>;
  load(serialized: SerializedPredictor): IsolationForestPredictor;
}

export const isolationForest: IsolationForestLearner = {
  name: NAME,
  kind: 'anomaly',
  summary: 'Isolation forest: flags rows that random splits isolate quickly; needs no labels and handles many features.',
  paramsSchema: isolationForestParams,

  async fit(X, rawParams, options = {}) {
    const params = parseParams(isolationForestParams, rawParams, 'isolation-forest parameters');
    checkFeatures(X);
    const cancelled = (): KilnError => new KilnError('CANCELLED', { what: 'training' });
    const aborted = (): boolean => options.signal?.aborted === true;
    if (aborted()) throw cancelled();

    const { rows: n, cols: d } = X;
    const sampleSize = Math.min(n, params.maxSamples === 'auto' ? 256 : params.maxSamples);
    const maxDepth = Math.ceil(Math.log2(Math.max(sampleSize, 2)));
    const x32 = Float32Array.from(X.data);
    const rng = new Rng(options.seed ?? 0);
    const all = Int32Array.from({ length: n }, (_, i) => i);
    const trees: IsolationTree[] = [];
    let lastYield = performance.now();
    for (let t = 0; t < params.nEstimators; t++) {
      // The first sampleSize entries of a partial shuffle: a sample without replacement.
      for (let k = 0; k < sampleSize; k++) {
        const pick = k + rng.int(n - k);
        const tmp = all[k] as number;
        all[k] = all[pick] as number;
        all[pick] = tmp;
      }
      trees.push(growIsolationTree(x32, d, all.slice(0, sampleSize), maxDepth, rng));
      // No loss to minimise: progress reports the share of trees grown (1 − t/T) as a falling curve.
      options.onProgress?.({ iteration: t + 1, maxIterations: params.nEstimators, trainLoss: 1 - (t + 1) / params.nEstimators });
      if (performance.now() - lastYield >= YIELD_EVERY_MS) {
        await new Promise<void>((resolve) => setImmediate(resolve));
        lastYield = performance.now();
      }
      if (aborted()) throw cancelled();
    }

    const unflagged = new IsolationForestModel(trees, d, sampleSize, 0.5);
    const threshold = params.contamination === 'auto' ? 0.5 : percentile(unflagged.score(X), 1 - params.contamination);
    return new IsolationForestModel(trees, d, sampleSize, threshold);
  },

  load: (serialized) => IsolationForestModel.fromJSON(serialized),
};

/** numpy's default (linear) percentile, q in [0, 1]. */
function percentile(values: Float64Array, q: number): number {
  const sorted = Float64Array.from(values).sort();
  const position = q * (sorted.length - 1);
  const lo = Math.floor(position);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return (sorted[lo] as number) + (position - lo) * ((sorted[hi] as number) - (sorted[lo] as number));
}

const treeSchema = z.strictObject({
  feature: z.array(z.number().int().min(-1)),
  threshold: z.array(z.number()),
  left: z.array(z.number().int()),
  right: z.array(z.number().int()),
  pathLength: z.array(z.number().min(0)),
});

const stateSchema = z.strictObject({
  nFeatures: z.number().int().positive(),
  sampleSize: z.number().int().positive(),
  threshold: z.number(),
  trees: z.array(treeSchema).min(1),
});

class IsolationForestModel implements IsolationForestPredictor {
  readonly learner = NAME;
  readonly kind = 'anomaly';
  readonly nTrees: number;
  /** c(ψ): the normaliser of path lengths. */
  private readonly normaliser: number;

  constructor(
    private readonly trees: readonly IsolationTree[],
    readonly nFeatures: number,
    private readonly sampleSize: number,
    readonly threshold: number,
  ) {
    this.nTrees = trees.length;
    this.normaliser = averagePathLength(sampleSize);
  }

  meanPathLength(X: Matrix): Float64Array {
    checkPredictionInput(X, this.nFeatures, NAME);
    const out = new Float64Array(X.rows);
    for (let i = 0; i < X.rows; i++) {
      let sum = 0;
      for (const tree of this.trees) sum += pathLengthOf(tree, X.data, i * X.cols);
      out[i] = sum / this.trees.length;
    }
    return out;
  }

  score(X: Matrix): Float64Array {
    // c(ψ) is 0 only when trained on a single row (every path is then 0): use 1 to avoid 0/0.
    const c = this.normaliser > 0 ? this.normaliser : 1;
    return this.meanPathLength(X).map((h) => 2 ** (-h / c));
  }

  predict(X: Matrix): Int32Array {
    return Int32Array.from(this.score(X), (s) => (s > this.threshold ? 1 : 0));
  }

  /**
   * One TreeEnsembleRegressor averaging the leaves' path lengths, then 2^(−mean / c(ψ)), and the flag
   * `score > threshold`.
   */
  toOnnx(g: GraphBuilder, features: string): { readonly score: string; readonly flag: string } {
    const treeIds: number[] = [];
    const nodeIds: number[] = [];
    const featureIds: number[] = [];
    const thresholds: number[] = [];
    const modes: TreeNodeMode[] = [];
    const trueIds: number[] = [];
    const falseIds: number[] = [];
    const leafTrees: number[] = [];
    const leafNodes: number[] = [];
    const weights: number[] = [];
    this.trees.forEach((tree, t) => {
      for (let node = 0; node < tree.feature.length; node++) {
        const leaf = (tree.feature[node] as number) < 0;
        treeIds.push(t);
        nodeIds.push(node);
        featureIds.push(leaf ? 0 : (tree.feature[node] as number));
        thresholds.push(leaf ? 0 : (tree.threshold[node] as number));
        modes.push(leaf ? 'LEAF' : 'BRANCH_LEQ');
        trueIds.push(leaf ? 0 : (tree.left[node] as number));
        falseIds.push(leaf ? 0 : (tree.right[node] as number));
        if (leaf) {
          leafTrees.push(t);
          leafNodes.push(node);
          weights.push(tree.pathLength[node] as number);
        }
      }
    });
    const meanPath = addTreeEnsemble(g, features, {
      nodes: { treeIds, nodeIds, featureIds, thresholds, modes, trueNodeIds: trueIds, falseNodeIds: falseIds, missingTracksTrue: treeIds.map(() => 0) },
      leaves: { treeIds: leafTrees, nodeIds: leafNodes, targetIds: leafTrees.map(() => 0), weights },
      nTargets: 1,
      aggregate: 'AVERAGE',
      name: 'iforest_mean_path',
    });
    const c = this.normaliser > 0 ? this.normaliser : 1;
    const exponent = g.op('Mul', [meanPath, g.constant('iforest_minus_inverse_c', tensor.float([-1 / c], [1]))], {}, { name: 'iforest_exponent' });
    const score = g.op('Pow', [g.constant('iforest_two', tensor.float([2], [1])), exponent], {}, { name: 'iforest_score' });
    const above = g.op('Greater', [score, g.constant('iforest_threshold', tensor.float([this.threshold], [1]))], {}, { name: 'iforest_above' });
    const flag = g.op('Cast', [above], { to: attr.int(7) }, { name: 'iforest_flag' }); // 7 = INT64
    return { score, flag };
  }

  /**
   * Isolation has no target to explain. As a proxy, each feature's share of the splits in the forest:
   * features that are often useful for isolating rows get chosen at non-constant nodes more often.
   */
  featureImportances(): Float64Array {
    const counts = new Float64Array(this.nFeatures);
    let total = 0;
    for (const tree of this.trees) {
      for (const f of tree.feature) {
        if (f >= 0) {
          counts[f] = (counts[f] as number) + 1;
          total++;
        }
      }
    }
    return total > 0 ? counts.map((v) => v / total) : counts;
  }

  toJSON(): SerializedPredictor {
    return {
      learner: NAME,
      format: FORMAT,
      state: {
        nFeatures: this.nFeatures,
        sampleSize: this.sampleSize,
        threshold: this.threshold,
        trees: this.trees.map((t) => ({
          feature: Array.from(t.feature),
          threshold: Array.from(t.threshold),
          left: Array.from(t.left),
          right: Array.from(t.right),
          pathLength: Array.from(t.pathLength),
        })),
      },
    };
  }

  static fromJSON(serialized: SerializedPredictor): IsolationForestModel {
    const invalid = (reason: string): KilnError => new KilnError('INVALID_PREDICTOR', { learner: NAME, reason });
    if (serialized.learner !== NAME) throw invalid(`it was saved by learner "${serialized.learner}"`);
    if (serialized.format !== FORMAT) throw invalid(`format ${serialized.format} is not the supported format ${FORMAT}`);
    const parsed = stateSchema.safeParse(serialized.state);
    if (!parsed.success) throw invalid(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
    const { nFeatures, sampleSize, threshold, trees } = parsed.data;
    const rebuilt = trees.map((t, index) => {
      const m = t.feature.length;
      const consistent =
        [t.threshold, t.left, t.right, t.pathLength].every((a) => a.length === m) &&
        t.feature.every((f, node) => f < 0 || (f < nFeatures && (t.left[node] as number) > node && (t.left[node] as number) < m && (t.right[node] as number) > node && (t.right[node] as number) < m));
      if (!consistent) throw invalid(`tree ${index} is malformed`);
      return {
        feature: Int32Array.from(t.feature),
        threshold: Float64Array.from(t.threshold),
        left: Int32Array.from(t.left),
        right: Int32Array.from(t.right),
        pathLength: Float64Array.from(t.pathLength),
      };
    });
    return new IsolationForestModel(rebuilt, nFeatures, sampleSize, threshold);
  }
}
