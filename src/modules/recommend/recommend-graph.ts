/**
 * The two served graphs of a recommend module, each ONE ONNX file that runs without Kiln:
 *
 *   top-k items for a user:   user  BYTES [N, 1]  →  items BYTES [N, k], scores FP32 [N, k]
 *   items similar to an item: item  BYTES [N, 1]  →  items BYTES [N, k], scores FP32 [N, k]
 *
 * An id becomes an index with ai.onnx.ml LabelEncoder; an id training never saw maps to the extra
 * "unknown" index, whose scores are the items' popularity. The predictor adds its own scoring
 * (a Gather and a MatMul for factor models, a scatter-add over neighbour lists for item-kNN); TopK
 * picks the best k and a Gather turns their indices back into item ids.
 *
 * Already-seen items are masked in the user graph: the training pairs are kept as two int64 arrays
 * (user index, item index — 16 bytes per interaction); Equal + NonZero find the batch's pairs and a
 * ScatterND sets those scores to the lowest float32. The similar-items graph masks the item asked about.
 * The answer stays [N, k]: when fewer than k items are left, the last places hold masked items with that
 * score, which answers read row by row leave out (left-out-places.ts).
 */
import { GraphBuilder, attr, tensor } from '../../onnx/graph-builder.js';
import { KILN_VERSION } from '../../core/version.js';
import { MASKED_SCORE } from '../../learners/recommend/recommend-items.js';
import type { OnnxSeenPairs, RecommenderPredictor } from '../../learners/recommend/recommender.js';
import type { Signature } from '../manifest.js';

export const USER_INPUT = 'user';
export const ITEM_INPUT = 'item';
export const ITEMS_OUTPUT = 'items';
export const SCORES_OUTPUT = 'scores';

export interface GraphMeta {
  readonly name: string;
  readonly metadata?: Readonly<Record<string, string>>;
}

/** The served signature of either graph: one id column in, k item ids and scores out. */
export function recommendSignature(input: typeof USER_INPUT | typeof ITEM_INPUT, k: number): Signature {
  return {
    inputs: [{ name: input, datatype: 'BYTES', shape: [-1, 1], kind: 'categorical', type: 'categorical' }],
    outputs: [
      { name: ITEMS_OUTPUT, datatype: 'BYTES', shape: [-1, k] },
      { name: SCORES_OUTPUT, datatype: 'FP32', shape: [-1, k] },
    ],
  };
}

export function buildUserTopKGraph(predictor: RecommenderPredictor, k: number, meta: GraphMeta): Uint8Array {
  const g = new GraphBuilder(meta.name);
  const index = idIndex(g, g.input(USER_INPUT, 'string', ['N', 1]), predictor.userIds, 'user');
  const seen = seenPairs(g, index, predictor);
  const scores = predictor.toOnnxUserScores(g, index, seen);
  const indices = g.op('Concat', [unsqueeze(g, seen.rows, 1), unsqueeze(g, seen.items, 1)], { axis: attr.int(1) }, { name: 'seen_indices' });
  const masked = g.op('ScatterND', [scores, indices, g.op('Expand', [maskValue(g), g.op('Shape', [seen.items])])], {}, { name: 'unseen_scores' });
  topKOutputs(g, masked, predictor.itemIds, k);
  return g.toBytes({ producerVersion: KILN_VERSION, docString: `top-${k} items for a user (${predictor.learner})`, metadata: meta.metadata ?? {} });
}

export function buildSimilarItemsGraph(predictor: RecommenderPredictor, k: number, meta: GraphMeta): Uint8Array {
  const g = new GraphBuilder(meta.name);
  const index = idIndex(g, g.input(ITEM_INPUT, 'string', ['N', 1]), predictor.itemIds, 'item');
  const scores = predictor.toOnnxSimilarScores(g, index);
  // Leave out the item asked about: its own position in its row (an unknown item matches none).
  const positions = g.constant('item_positions', tensor.int64(Int32Array.from(predictor.itemIds, (_, i) => i), [1, predictor.itemIds.length]));
  const self = g.op('Equal', [unsqueeze(g, index, 1), positions], {}, { name: 'is_self' });
  const masked = g.op('Where', [self, maskValue(g), scores], {}, { name: 'others_scores' });
  topKOutputs(g, masked, predictor.itemIds, k);
  return g.toBytes({ producerVersion: KILN_VERSION, docString: `top-${k} items similar to an item (${predictor.learner})`, metadata: meta.metadata ?? {} });
}

/** BYTES [N, 1] ids → int64 [N] indices; unknown ids → ids.length. */
function idIndex(g: GraphBuilder, input: string, ids: readonly string[], hint: string): string {
  const flat = g.op('Reshape', [input, g.constant('flat_shape', tensor.int64([-1]))], {}, { name: `${hint}_ids` });
  return g.op(
    'LabelEncoder',
    [flat],
    { keys_strings: attr.strings(ids), values_int64s: attr.ints(ids.map((_, k) => k)), default_int64: attr.int(ids.length) },
    { domain: 'ai.onnx.ml', name: `${hint}_index` },
  );
}

/** The training pairs of the batch's users: NonZero of (pair user == batch row's user). */
function seenPairs(g: GraphBuilder, userIndex: string, predictor: RecommenderPredictor): OnnxSeenPairs {
  const { ptr, index } = predictor.seen;
  const pairUsers = new Int32Array(index.length);
  for (let u = 0; u + 1 < ptr.length; u++) pairUsers.fill(u, ptr[u] as number, ptr[u + 1] as number);
  const match = g.op('Equal', [unsqueeze(g, userIndex, 1), g.constant('pair_users', tensor.int64(pairUsers, [1, pairUsers.length]))], {}, { name: 'pair_of_row' });
  const where = g.op('NonZero', [match], {}, { name: 'seen_where' }); // [2, M]: batch row, pair
  const rows = g.op('Gather', [where, g.constant('zero', tensor.int64([0], []))], { axis: attr.int(0) }, { name: 'seen_rows' });
  const pairs = g.op('Gather', [where, g.constant('one', tensor.int64([1], []))], { axis: attr.int(0) }, { name: 'seen_pairs' });
  const items = g.op('Gather', [g.constant('pair_items', tensor.int64(index, [index.length])), pairs], { axis: attr.int(0) }, { name: 'seen_items' });
  return { rows, items };
}

function topKOutputs(g: GraphBuilder, scores: string, itemIds: readonly string[], k: number): void {
  const [values, indices] = g.node('TopK', [scores, g.constant('k', tensor.int64([k]))], { axis: attr.int(1), largest: attr.int(1), sorted: attr.int(1) }, { outputs: 2, name: 'top' });
  const ids = g.op('Gather', [g.constant('item_ids', tensor.string(itemIds)), indices as string], { axis: attr.int(0) }, { name: 'top_items' });
  g.output(ids, ITEMS_OUTPUT, 'string', ['N', k]);
  g.output(values as string, SCORES_OUTPUT, 'float', ['N', k]);
}

function unsqueeze(g: GraphBuilder, value: string, axis: number): string {
  return g.op('Unsqueeze', [value, g.constant(`axis${axis}`, tensor.int64([axis]))]);
}

function maskValue(g: GraphBuilder): string {
  return g.constant('masked_score', tensor.float([MASKED_SCORE], []));
}
