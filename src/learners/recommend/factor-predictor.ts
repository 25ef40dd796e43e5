/**
 * The predictor of every latent-factor recommender (biased matrix factorisation by ALS or SGD,
 * implicit ALS) and of the popularity baseline: a score is one dot product between a user's row and
 * an item's row of two float32 tables,
 *
 *   score(u, i) = userSide[u] · itemSide[i]
 *
 * The tables are laid out so that this one product covers every case the served graph needs:
 *   - biased MF: userSide[u] = [p_u, 1, μ + b_u, 0] and itemSide[i] = [q_i, b_i, 1, pop_i], so the score
 *     is the predicted rating μ + b_u + b_i + p_u·q_i;
 *   - implicit ALS: userSide[u] = [x_u, 0], itemSide[i] = [y_i, pop_i] (the preference x_u·y_i);
 *   - an unknown user is the extra last row [0, …, 0, 1]: its score is the item's popularity;
 *   - popularity: every user row is [1] and itemSide[i] = [pop_i].
 * "Items similar to this one" is the same product over a second pair of tables: unit-length item factors
 * (cosine similarity), with the same extra row giving popularity for an unknown item.
 *
 * The in-process scores are computed from the very float32 values the ONNX graph holds (summed in
 * double), so the two agree to float32 rounding of the sums.
 */
import { KilnError } from '../../core/errors.js';
import { GraphBuilder, attr, tensor } from '../../onnx/graph-builder.js';
import type { SerializedPredictor } from '../learner.js';
import type { CompressedRows, Feedback } from './interactions.js';
import { packFloat32, packFloat64, packInt32, unpackFloat32, unpackFloat64, unpackInt32 } from './packed-arrays.js';
import type { RecommenderPredictor } from './recommender.js';

export const FACTOR_FORMAT = 1;

export interface DotTables {
  /** Columns of both tables. */
  readonly width: number;
  /** (rows + 1) × width: one row per user (or query item), then the unknown row. */
  readonly query: Float32Array;
  /** nItems × width. */
  readonly items: Float32Array;
}

export interface RatingModel {
  readonly globalMean: number;
  readonly userBias: Float64Array;
  readonly itemBias: Float64Array;
}

export interface FactorPredictorState {
  readonly learner: string;
  readonly feedback: Feedback;
  readonly userIds: readonly string[];
  readonly itemIds: readonly string[];
  readonly seen: Pick<CompressedRows, 'ptr' | 'index'>;
  readonly user: DotTables;
  readonly similar: DotTables;
  /** Explicit models: what unknown users or items fall back to when predicting a rating. */
  readonly rating?: RatingModel;
}

export class FactorPredictor implements RecommenderPredictor {
  readonly learner: string;
  readonly feedback: Feedback;
  readonly userIds: readonly string[];
  readonly itemIds: readonly string[];
  readonly seen: Pick<CompressedRows, 'ptr' | 'index'>;

  constructor(readonly state: FactorPredictorState) {
    this.learner = state.learner;
    this.feedback = state.feedback;
    this.userIds = state.userIds;
    this.itemIds = state.itemIds;
    this.seen = state.seen;
  }

  userScores(u: number, out: Float64Array): void {
    dotAll(this.state.user, u < 0 ? this.userIds.length : u, out);
  }

  similarScores(i: number, out: Float64Array): void {
    dotAll(this.state.similar, i < 0 ? this.itemIds.length : i, out);
  }

  predictRating(u: number, i: number): number {
    const rating = this.state.rating;
    if (u >= 0 && i >= 0) return dot(this.state.user, u, i);
    if (rating === undefined) return i < 0 ? 0 : dot(this.state.user, this.userIds.length, i);
    return rating.globalMean + (u >= 0 ? (rating.userBias[u] as number) : 0) + (i >= 0 ? (rating.itemBias[i] as number) : 0);
  }

  toOnnxUserScores(g: GraphBuilder, userIndex: string): string {
    return onnxDotScores(g, this.state.user, userIndex, 'user');
  }

  toOnnxSimilarScores(g: GraphBuilder, itemIndex: string): string {
    return onnxDotScores(g, this.state.similar, itemIndex, 'similar');
  }

  toJSON(): SerializedPredictor {
    const s = this.state;
    const tables = (t: DotTables) => ({ width: t.width, query: packFloat32(t.query), items: packFloat32(t.items) });
    return {
      learner: s.learner,
      format: FACTOR_FORMAT,
      state: {
        kind: 'factors',
        feedback: s.feedback,
        userIds: s.userIds,
        itemIds: s.itemIds,
        seen: { ptr: packInt32(s.seen.ptr), index: packInt32(s.seen.index) },
        user: tables(s.user),
        similar: tables(s.similar),
        ...(s.rating === undefined
          ? {}
          : { rating: { globalMean: s.rating.globalMean, userBias: packFloat64(s.rating.userBias), itemBias: packFloat64(s.rating.itemBias) } }),
      },
    };
  }

  static fromJSON(serialized: SerializedPredictor): FactorPredictor {
    const learner = serialized.learner;
    const bad = (reason: string): KilnError => new KilnError('INVALID_PREDICTOR', { learner, reason });
    if (serialized.format !== FACTOR_FORMAT) throw bad(`format ${serialized.format} is not ${FACTOR_FORMAT}`);
    const s = serialized.state as Record<string, any>;
    if (s?.['kind'] !== 'factors' || !Array.isArray(s['userIds']) || !Array.isArray(s['itemIds'])) throw bad('it is not a factor model');
    const tables = (t: Record<string, unknown> | undefined, what: string, rows: number): DotTables => {
      const width = Number(t?.['width']);
      const query = unpackFloat32(t?.['query'], learner, `${what}.query`);
      const items = unpackFloat32(t?.['items'], learner, `${what}.items`);
      if (!(width >= 1) || query.length !== (rows + 1) * width || items.length !== s['itemIds'].length * width) throw bad(`${what} tables have the wrong size`);
      return { width, query, items };
    };
    const rating = s['rating'] as Record<string, unknown> | undefined;
    return new FactorPredictor({
      learner,
      feedback: s['feedback'] === 'explicit' ? 'explicit' : 'implicit',
      userIds: s['userIds'],
      itemIds: s['itemIds'],
      seen: { ptr: unpackInt32(s['seen']?.ptr, learner, 'seen.ptr'), index: unpackInt32(s['seen']?.index, learner, 'seen.index') },
      user: tables(s['user'], 'user', s['userIds'].length),
      similar: tables(s['similar'], 'similar', s['itemIds'].length),
      ...(rating === undefined
        ? {}
        : {
            rating: {
              globalMean: Number(rating['globalMean']),
              userBias: unpackFloat64(rating['userBias'], learner, 'rating.userBias'),
              itemBias: unpackFloat64(rating['itemBias'], learner, 'rating.itemBias'),
            },
          }),
    });
  }
}

function dot(t: DotTables, row: number, item: number): number {
  const w = t.width;
  let sum = 0;
  for (let c = 0; c < w; c++) sum += (t.query[row * w + c] as number) * (t.items[item * w + c] as number);
  return sum;
}

function dotAll(t: DotTables, row: number, out: Float64Array): void {
  const w = t.width;
  const nItems = t.items.length / w;
  const q = t.query.subarray(row * w, (row + 1) * w);
  for (let i = 0; i < nItems; i++) {
    let sum = 0;
    const base = i * w;
    for (let c = 0; c < w; c++) sum += (q[c] as number) * (t.items[base + c] as number);
    out[i] = sum;
  }
}

/** Gather the query rows, then one MatMul with the item table (stored transposed, width × nItems). */
function onnxDotScores(g: GraphBuilder, t: DotTables, index: string, hint: string): string {
  const w = t.width;
  const nItems = t.items.length / w;
  const itemsT = new Float32Array(w * nItems);
  for (let i = 0; i < nItems; i++) for (let c = 0; c < w; c++) itemsT[c * nItems + i] = t.items[i * w + c] as number;
  const query = g.constant(`${hint}_query_table`, tensor.float(t.query, [t.query.length / w, w]));
  const rows = g.op('Gather', [query, index], { axis: attr.int(0) }, { name: `${hint}_rows` });
  return g.op('MatMul', [rows, g.constant(`${hint}_item_table`, tensor.float(itemsT, [w, nItems]))], {}, { name: `${hint}_scores` });
}

// ------------------------------------------------------------------------------------------------
// building the tables from a model's parameters

export interface LatentFactors {
  readonly factors: number;
  /** nUsers × factors. */
  readonly users: Float64Array;
  /** nItems × factors. */
  readonly items: Float64Array;
}

/**
 * The dot tables of a factor model, with the popularity fallback row; `rating` adds the biases
 * (biased MF) so the product is the predicted rating.
 */
export function factorTables(f: LatentFactors, popularity: Float64Array, rating?: RatingModel): { user: DotTables; similar: DotTables } {
  const nUsers = f.users.length / f.factors;
  const nItems = f.items.length / f.factors;
  const k = f.factors;
  const width = k + (rating === undefined ? 1 : 3);
  const query = new Float32Array((nUsers + 1) * width);
  const items = new Float32Array(nItems * width);
  for (let u = 0; u < nUsers; u++) {
    for (let c = 0; c < k; c++) query[u * width + c] = f.users[u * k + c] as number;
    if (rating !== undefined) {
      query[u * width + k] = 1;
      query[u * width + k + 1] = rating.globalMean + (rating.userBias[u] as number);
    }
  }
  query[nUsers * width + width - 1] = 1; // the unknown user's row picks the popularity column
  for (let i = 0; i < nItems; i++) {
    for (let c = 0; c < k; c++) items[i * width + c] = f.items[i * k + c] as number;
    if (rating !== undefined) {
      items[i * width + k] = rating.itemBias[i] as number;
      items[i * width + k + 1] = 1;
    }
    items[i * width + width - 1] = popularity[i] as number;
  }
  return { user: { width, query, items }, similar: cosineTables(f.items, k, popularity) };
}

/** Unit-length item factors (cosine similarity) plus the popularity column for an unknown item. */
export function cosineTables(itemFactors: Float64Array, k: number, popularity: Float64Array): DotTables {
  const nItems = itemFactors.length / k;
  const width = k + 1;
  const unit = new Float32Array(nItems * width);
  for (let i = 0; i < nItems; i++) {
    let norm = 0;
    for (let c = 0; c < k; c++) norm += (itemFactors[i * k + c] as number) ** 2;
    const scale = norm > 0 ? 1 / Math.sqrt(norm) : 0;
    for (let c = 0; c < k; c++) unit[i * width + c] = (itemFactors[i * k + c] as number) * scale;
    unit[i * width + k] = popularity[i] as number;
  }
  const query = new Float32Array((nItems + 1) * width);
  for (let i = 0; i < nItems; i++) for (let c = 0; c < k; c++) query[i * width + c] = unit[i * width + c] as number;
  query[nItems * width + k] = 1;
  return { width, query, items: unit };
}
