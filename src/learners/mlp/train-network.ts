/**
 * The training loop of the MLP, scikit-learn's MLP 'adam' solver step for step: epochs over seeded
 * shuffles of the rows, mini-batches of `batchSize`, the L2 penalty scaled by the batch size, Adam
 * after every batch, and the same stopping rule (stop when the loss has not improved by more than
 * `tol` for more than `nIterNoChange` epochs in a row). Forward and backward passes run on
 * TensorFlow.js (./tfjs-backprop.ts); everything random (initial weights, shuffles, dropout masks,
 * the early-stopping hold-out) comes from one seeded Rng, so a seed gives the same network.
 *
 * One deliberate difference: with early stopping, scikit-learn watches the validation ACCURACY (or R²);
 * Kiln watches the validation LOSS, which is smooth, is what the learning curve shows, and does not tie
 * on small hold-outs. As in scikit-learn, the best epoch's weights are kept.
 */
import { KilnError } from '../../core/errors.js';
import type { Matrix } from '../../core/matrix.js';
import { Rng } from '../../core/rng.js';
import type { FitOptions } from '../learner.js';
import { Adam } from './adam.js';
import type { DenseNetwork, HiddenActivation, OutputActivation } from './dense-network.js';
import type { MlpParams } from './mlp-params.js';
import { summedOutputLoss } from './output-loss.js';
import { ParameterLayout } from './parameter-layout.js';
import { TfjsBackprop, type Batch } from './tfjs-backprop.js';
import type { TfjsRuntime } from './tfjs-runtime.js';

/** Rows to learn from: `targets[i]` is a class index (sigmoid/softmax) or a value (identity). */
export interface TrainingRows {
  readonly X: Matrix;
  readonly targets: Float64Array;
}

export interface NetworkTask {
  readonly output: OutputActivation;
  readonly nOutputs: number;
  /** Class per row, to stratify the early-stopping hold-out; absent for regression. */
  readonly classes?: Int32Array;
  /** Turns a mean output loss into the unit reported as trainLoss/validationLoss (1 for log loss). */
  readonly reportedLossScale: number;
}

/** A held-out set with its features in float32, as the tfjs backend takes them. */
interface ScoredRows {
  readonly rows: TrainingRows;
  readonly X32: Float32Array;
}

export interface TrainingRun {
  readonly network: DenseNetwork;
  readonly epochs: number;
}

/** How long training may hold the event loop before yielding, so that aborts and timers get through. */
const YIELD_EVERY_MS = 50;

export async function trainNetwork(
  runtime: TfjsRuntime,
  data: TrainingRows,
  task: NetworkTask,
  params: MlpParams,
  options: FitOptions & { readonly reportValidation?: TrainingRows },
): Promise<TrainingRun> {
  const { tf } = runtime;
  const rng = new Rng(options.seed ?? 0);
  const activation: HiddenActivation = params.activation;
  const layout = new ParameterLayout([data.X.cols, ...params.hiddenLayerSizes, task.nOutputs]);
  const backprop = new TfjsBackprop(tf, layout, activation, task.output);
  let parameters = layout.initialParameters(rng);

  const split = params.earlyStopping ? holdOut(data, params.validationFraction, rng, task.classes) : { fit: data, held: undefined };
  const fit = split.fit;
  const n = fit.X.rows;
  const batchSize = Math.min(params.batchSize ?? 200, n);
  // Held-out sets are scored after every epoch: convert them to float32 once.
  const scored = (rows: TrainingRows | undefined): ScoredRows | undefined => (rows === undefined ? undefined : { rows, X32: Float32Array.from(rows.X.data) });
  const held = scored(split.held);
  const reported = options.reportValidation === undefined ? held : scored(options.reportValidation);
  const meanLoss = ({ rows, X32 }: ScoredRows): number =>
    summedOutputLoss(task.output, backprop.scores(parameters, X32, rows.X.rows), rows.targets, rows.X.rows) / rows.X.rows;

  const adam = new Adam(layout.size, params);
  const gradient = new Float64Array(layout.size);
  const order = Int32Array.from({ length: n }, (_, i) => i);
  const batches = new BatchBuffers(fit, layout, params, batchSize);
  let best = Infinity;
  let bestParameters = parameters;
  let epochsWithoutImprovement = 0;
  let lastYield = performance.now();
  let epoch = 0;

  while (epoch < params.maxIter) {
    epoch++;
    rng.shuffle(order);
    let dataLoss = 0;
    let penalisedLoss = 0;
    for (let start = 0; start < n; start += batchSize) {
      if (options.signal?.aborted === true) throw new KilnError('CANCELLED', { what: 'training' });
      const batch = batches.gather(order, start, Math.min(start + batchSize, n), rng);
      const loss = backprop.gradient(parameters, batch, gradient);
      // scikit-learn: batch loss + α/(2·batch) Σ‖W‖², so the penalty's gradient is α·W / batch.
      const squaredWeights = layout.addWeightDecay(parameters, gradient, params.alpha / batch.rows);
      dataLoss += loss;
      penalisedLoss += loss + 0.5 * params.alpha * squaredWeights;
      adam.step(parameters, gradient);
      if (performance.now() - lastYield > YIELD_EVERY_MS) {
        await new Promise((resolve) => setImmediate(resolve));
        lastYield = performance.now();
      }
    }
    if (!Number.isFinite(penalisedLoss) || !parameters.every(Number.isFinite)) {
      throw new KilnError('TRAINING_FAILED', { reason: `the loss became non-finite in epoch ${epoch}; lower learningRate or standardise the features` });
    }

    // The stopping rule, on the training loss or (early stopping) on the held-out loss.
    const heldLoss = held === undefined ? undefined : meanLoss(held);
    const watched = heldLoss ?? penalisedLoss / n;
    epochsWithoutImprovement = watched > best - params.tol ? epochsWithoutImprovement + 1 : 0;
    if (watched < best) {
      best = watched;
      if (heldLoss !== undefined) bestParameters = parameters.slice();
    }

    if (options.onProgress !== undefined) {
      const trainLoss = (dataLoss / n) * task.reportedLossScale;
      const validationLoss = reported === held ? heldLoss : reported === undefined ? undefined : meanLoss(reported);
      options.onProgress(
        validationLoss === undefined
          ? { iteration: epoch, maxIterations: params.maxIter, trainLoss }
          : { iteration: epoch, maxIterations: params.maxIter, trainLoss, validationLoss: validationLoss * task.reportedLossScale },
      );
    }
    if (epochsWithoutImprovement > params.nIterNoChange) break;
  }
  if (held !== undefined) parameters = bestParameters;
  return { network: layout.toNetwork(parameters, activation, task.output), epochs: epoch };
}

/**
 * Splits off `fraction` of the rows (at least one) for early stopping: per class when `classes` is
 * given (so every class keeps its share), else over all rows.
 */
function holdOut(data: TrainingRows, fraction: number, rng: Rng, classes?: Int32Array): { fit: TrainingRows; held: TrainingRows } {
  const n = data.X.rows;
  const groups = new Map<number, number[]>();
  for (let i = 0; i < n; i++) {
    const key = classes === undefined ? 0 : (classes[i] as number);
    let rows = groups.get(key);
    if (rows === undefined) groups.set(key, (rows = []));
    rows.push(i);
  }
  const held: number[] = [];
  for (const rows of groups.values()) {
    rng.shuffle(rows);
    held.push(...rows.slice(0, Math.round(rows.length * fraction)));
  }
  if (held.length === 0 || held.length >= n) {
    throw new KilnError('TOO_FEW_ROWS', { rows: n, needed: Math.ceil(2 / Math.min(fraction, 1 - fraction)), what: `early stopping with validationFraction ${fraction}` });
  }
  const isHeld = new Uint8Array(n);
  for (const i of held) isHeld[i] = 1;
  const take = (keep: 0 | 1): TrainingRows => {
    const rows: number[] = [];
    for (let i = 0; i < n; i++) if (isHeld[i] === keep) rows.push(i);
    const X = { rows: rows.length, cols: data.X.cols, data: new Float64Array(rows.length * data.X.cols) };
    rows.forEach((i, k) => X.data.set(data.X.data.subarray(i * data.X.cols, (i + 1) * data.X.cols), k * data.X.cols));
    return { X, targets: Float64Array.from(rows, (i) => data.targets[i] as number) };
  };
  return { fit: take(0), held: take(1) };
}

/** Reusable float32 buffers for one mini-batch (and its transpose and dropout masks). */
class BatchBuffers {
  /** The training rows in float32, converted once: gathering a batch is then one copy per row. */
  private readonly X32: Float32Array;
  private readonly x: Float32Array;
  private readonly xT: Float32Array;
  private readonly targets: Float64Array;
  private readonly masks: Float32Array[];

  constructor(
    private readonly data: TrainingRows,
    private readonly layout: ParameterLayout,
    private readonly params: MlpParams,
    batchSize: number,
  ) {
    const d = data.X.cols;
    this.X32 = Float32Array.from(data.X.data);
    this.x = new Float32Array(batchSize * d);
    this.xT = new Float32Array(batchSize * d);
    this.targets = new Float64Array(batchSize);
    this.masks = params.dropout > 0 ? params.hiddenLayerSizes.map((units) => new Float32Array(batchSize * units)) : [];
  }

  /** The rows order[start..end), with fresh dropout masks drawn from `rng`. */
  gather(order: Int32Array, start: number, end: number, rng: Rng): Batch {
    const rows = end - start;
    const d = this.data.X.cols;
    const X32 = this.X32;
    const x = this.x.subarray(0, rows * d);
    const xT = this.xT.subarray(0, rows * d);
    const targets = this.targets.subarray(0, rows);
    for (let r = 0; r < rows; r++) {
      const i = order[start + r] as number;
      targets[r] = this.data.targets[i] as number;
      // A plain loop beats x.set(X32.subarray(...)): no view object per row.
      for (let j = 0, from = i * d, to = r * d; j < d; j++) x[to + j] = X32[from + j] as number;
    }
    // The transpose is built from the gathered batch, which is small and already in cache.
    for (let r = 0; r < rows; r++) {
      for (let j = 0; j < d; j++) xT[j * rows + r] = x[r * d + j] as number;
    }
    if (this.masks.length === 0) return { rows, x, xT, targets };
    const keep = 1 - this.params.dropout;
    const masks = this.masks.map((buffer, l) => {
      const mask = buffer.subarray(0, rows * this.layout.layers[l]!.units);
      for (let k = 0; k < mask.length; k++) mask[k] = rng.next() < keep ? 1 / keep : 0;
      return mask;
    });
    return { rows, x, xT, targets, masks };
  }
}
