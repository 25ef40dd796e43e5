/**
 * The predictor of item-kNN: each item keeps its `K` most similar items (cosine on the interaction
 * matrix). A user's score for item i is the sum of i's similarities to the items the user has seen,
 *
 *   score(u, i) = Σ_{j seen by u} sim(j, i)      (only pairs where i is among j's K neighbours)
 *
 * and "items similar to i" are its neighbours. An unknown user or item gets the items' popularity.
 *
 * In ONNX the sum is a ScatterND with reduction "add": for every training pair (row n, item j) of the
 * batch, j's neighbour list is added into row n of a [N, nItems] tensor that starts as the popularity
 * for unknown users and zeros otherwise.
 */
import { KilnError } from '../../core/errors.js';
import { GraphBuilder, attr, tensor } from '../../onnx/graph-builder.js';
import type { SerializedPredictor } from '../learner.js';
import type { CompressedRows, Feedback } from './interactions.js';
import { packFloat32, packInt32, unpackFloat32, unpackInt32 } from './packed-arrays.js';
import type { OnnxSeenPairs, RecommenderPredictor } from './recommender.js';

export const NEIGHBOUR_FORMAT = 1;

export interface NeighbourState {
  readonly learner: string;
  readonly feedback: Feedback;
  readonly userIds: readonly string[];
  readonly itemIds: readonly string[];
  readonly seen: Pick<CompressedRows, 'ptr' | 'index'>;
  /** Neighbours per item. */
  readonly k: number;
  /** nItems × k neighbour indices; unused places hold item 0 with similarity 0 (adding 0 changes nothing). */
  readonly neighbours: Int32Array;
  /** nItems × k similarities, float32 as the graph holds them. */
  readonly similarities: Float32Array;
  readonly popularity: Float32Array;
}

export class NeighbourPredictor implements RecommenderPredictor {
  readonly learner: string;
  readonly feedback: Feedback;
  readonly userIds: readonly string[];
  readonly itemIds: readonly string[];
  readonly seen: Pick<CompressedRows, 'ptr' | 'index'>;

  constructor(readonly state: NeighbourState) {
    this.learner = state.learner;
    this.feedback = state.feedback;
    this.userIds = state.userIds;
    this.itemIds = state.itemIds;
    this.seen = state.seen;
  }

  userScores(u: number, out: Float64Array): void {
    const { k, neighbours, similarities, popularity } = this.state;
    if (u < 0) {
      out.set(popularity);
      return;
    }
    out.fill(0);
    for (let p = this.seen.ptr[u] as number; p < (this.seen.ptr[u + 1] as number); p++) {
      const j = this.seen.index[p] as number;
      for (let c = j * k; c < (j + 1) * k; c++) addAt(out, neighbours[c] as number, similarities[c] as number);
    }
  }

  similarScores(i: number, out: Float64Array): void {
    const { k, neighbours, similarities, popularity } = this.state;
    if (i < 0) {
      out.set(popularity);
      return;
    }
    out.fill(0);
    for (let c = i * k; c < (i + 1) * k; c++) addAt(out, neighbours[c] as number, similarities[c] as number);
  }

  /** kNN predicts no ratings: its score for one pair is the same sum as userScores'. */
  predictRating(u: number, i: number): number {
    if (i < 0) return 0;
    const { k, neighbours, similarities, popularity } = this.state;
    if (u < 0) return popularity[i] as number;
    let sum = 0;
    for (let p = this.seen.ptr[u] as number; p < (this.seen.ptr[u + 1] as number); p++) {
      const j = this.seen.index[p] as number;
      for (let c = j * k; c < (j + 1) * k; c++) if (neighbours[c] === i) sum += similarities[c] as number;
    }
    return sum;
  }

  toOnnxUserScores(g: GraphBuilder, userIndex: string, seen: OnnxSeenPairs): string {
    const { k, neighbours, similarities } = this.state;
    const nItems = this.itemIds.length;
    const base = popularityForUnknown(g, userIndex, this.userIds.length, this.state.popularity);
    const nbrTable = g.constant('knn_neighbours', tensor.int64(neighbours, [nItems, k]));
    const simTable = g.constant('knn_similarities', tensor.float(similarities, [nItems, k]));
    const nbr = g.op('Gather', [nbrTable, seen.items], { axis: attr.int(0) }, { name: 'seen_neighbours' }); // [M, k]
    const sims = g.op('Gather', [simTable, seen.items], { axis: attr.int(0) }, { name: 'seen_similarities' }); // [M, k]
    const rows = g.op('Expand', [g.op('Unsqueeze', [seen.rows, g.constant('axis1', tensor.int64([1]))]), g.op('Shape', [nbr])], {}, { name: 'seen_rows_k' });
    const axis2 = g.constant('axis2', tensor.int64([2]));
    const indices = g.op('Concat', [g.op('Unsqueeze', [rows, axis2]), g.op('Unsqueeze', [nbr, axis2])], { axis: attr.int(2) }, { name: 'scatter_indices' });
    return g.op('ScatterND', [base, indices, sims], { reduction: attr.string('add') }, { name: 'knn_user_scores' });
  }

  toOnnxSimilarScores(g: GraphBuilder, itemIndex: string): string {
    const { k, neighbours, similarities } = this.state;
    const nItems = this.itemIds.length;
    const base = popularityForUnknown(g, itemIndex, nItems, this.state.popularity);
    // One extra all-zero row for an unknown item (its index is nItems): it adds nothing to the popularity.
    const nbrTable = g.constant('similar_neighbours', tensor.int64(Int32Array.from({ length: (nItems + 1) * k }, (_, c) => (c < nItems * k ? (neighbours[c] as number) : 0)), [nItems + 1, k]));
    const simTable = g.constant('similar_similarities', tensor.float(Float32Array.from({ length: (nItems + 1) * k }, (_, c) => (c < nItems * k ? (similarities[c] as number) : 0)), [nItems + 1, k]));
    const nbr = g.op('Gather', [nbrTable, itemIndex], { axis: attr.int(0) });
    const sims = g.op('Gather', [simTable, itemIndex], { axis: attr.int(0) });
    return g.op('ScatterElements', [base, nbr, sims], { axis: attr.int(1), reduction: attr.string('add') }, { name: 'knn_similar_scores' });
  }

  toJSON(): SerializedPredictor {
    const s = this.state;
    return {
      learner: s.learner,
      format: NEIGHBOUR_FORMAT,
      state: {
        kind: 'neighbours',
        feedback: s.feedback,
        userIds: s.userIds,
        itemIds: s.itemIds,
        seen: { ptr: packInt32(s.seen.ptr), index: packInt32(s.seen.index) },
        k: s.k,
        neighbours: packInt32(s.neighbours),
        similarities: packFloat32(s.similarities),
        popularity: packFloat32(s.popularity),
      },
    };
  }

  static fromJSON(serialized: SerializedPredictor): NeighbourPredictor {
    const learner = serialized.learner;
    const bad = (reason: string): KilnError => new KilnError('INVALID_PREDICTOR', { learner, reason });
    if (serialized.format !== NEIGHBOUR_FORMAT) throw bad(`format ${serialized.format} is not ${NEIGHBOUR_FORMAT}`);
    const s = serialized.state as Record<string, any>;
    if (s?.['kind'] !== 'neighbours' || !Array.isArray(s['userIds']) || !Array.isArray(s['itemIds'])) throw bad('it is not a neighbour model');
    const k = Number(s['k']);
    const nItems = s['itemIds'].length as number;
    const neighbours = unpackInt32(s['neighbours'], learner, 'neighbours');
    const similarities = unpackFloat32(s['similarities'], learner, 'similarities');
    const popularity = unpackFloat32(s['popularity'], learner, 'popularity');
    if (!(k >= 1) || neighbours.length !== nItems * k || similarities.length !== nItems * k || popularity.length !== nItems) throw bad('the neighbour tables have the wrong size');
    return new NeighbourPredictor({
      learner,
      feedback: s['feedback'] === 'explicit' ? 'explicit' : 'implicit',
      userIds: s['userIds'],
      itemIds: s['itemIds'],
      seen: { ptr: unpackInt32(s['seen']?.ptr, learner, 'seen.ptr'), index: unpackInt32(s['seen']?.index, learner, 'seen.index') },
      k,
      neighbours,
      similarities,
      popularity,
    });
  }
}

function addAt(out: Float64Array, i: number, v: number): void {
  out[i] = (out[i] as number) + v;
}

/** float [N, nItems]: the popularity for rows whose index is `unknown`, zeros for the others. */
function popularityForUnknown(g: GraphBuilder, index: string, unknown: number, popularity: Float32Array): string {
  const isUnknown = g.op('Cast', [g.op('Equal', [index, g.constant('unknown_index', tensor.int64([unknown], []))])], { to: attr.int(1) }, { name: 'is_unknown' });
  const column = g.op('Unsqueeze', [isUnknown, g.constant('axis1', tensor.int64([1]))]);
  return g.op('Mul', [column, g.constant('popularity', tensor.float(popularity, [1, popularity.length]))], {}, { name: 'unknown_popularity' });
}
