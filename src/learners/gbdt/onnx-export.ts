/**
 * ONNX export of a boosted ensemble's raw scores, through the shared tree-ensemble exporter
 * (src/onnx/tree-ensemble.ts): one `ai.onnx.ml` TreeEnsembleRegressor with n_targets = outputs,
 * SUM aggregation and the baseline as base values. The caller adds the link (Sigmoid / Softmax).
 *
 * Categorical splits: TreeEnsemble (ai.onnx.ml opset 3) only tests `x <= threshold`, so each
 * categorical split gets its own indicator column, "x is in the split's left set" (1 or 0), computed
 * before the ensemble by a table lookup per categorical feature: Gather(table, code), where codes that
 * are missing, negative, not integers or beyond the largest code read an all-zero row. The split node
 * then tests `indicator <= 0.5`: true (not in the set) goes to the right child, false to the left one.
 */
import { attr, ONNX_ELEM_TYPE, tensor, type GraphBuilder } from '../../onnx/graph-builder.js';
import { addTreeEnsemble, type TreeNodeMode } from '../../onnx/tree-ensemble.js';
import type { BoostedModel } from './boosting.js';
import type { Tree } from './tree.js';

/** Adds the model's raw scores to `g` from `features` (float [N, nFeatures]); returns a float [N, nOutputs] tensor. */
export function addBoostedRawScores(g: GraphBuilder, features: string, model: BoostedModel, name: string): string {
  const { input, indicatorColumn } = addCategoryIndicators(g, features, model, name);

  const treeIds: number[] = [];
  const nodeIds: number[] = [];
  const featureIds: number[] = [];
  const thresholds: number[] = [];
  const modes: TreeNodeMode[] = [];
  const trueNodeIds: number[] = [];
  const falseNodeIds: number[] = [];
  const missingTracksTrue: number[] = [];
  const leafTreeIds: number[] = [];
  const leafNodeIds: number[] = [];
  const targetIds: number[] = [];
  const weights: number[] = [];
  model.trees.forEach((tree, t) => {
    for (let j = 0; j < tree.feature.length; j++) {
      treeIds.push(t);
      nodeIds.push(j);
      const f = tree.feature[j] as number;
      if (f < 0) {
        modes.push('LEAF');
        featureIds.push(0);
        thresholds.push(0);
        trueNodeIds.push(0);
        falseNodeIds.push(0);
        missingTracksTrue.push(0);
        leafTreeIds.push(t);
        leafNodeIds.push(j);
        targetIds.push(t % model.nOutputs);
        weights.push(tree.value[j] as number);
        continue;
      }
      modes.push('BRANCH_LEQ');
      const column = indicatorColumn.get(nodeKey(t, j));
      if (column === undefined) {
        featureIds.push(f);
        thresholds.push(tree.threshold[j] as number);
        trueNodeIds.push(tree.left[j] as number);
        falseNodeIds.push(tree.right[j] as number);
        missingTracksTrue.push(tree.missingLeft[j] as number);
      } else {
        featureIds.push(column);
        thresholds.push(0.5);
        trueNodeIds.push(tree.right[j] as number);
        falseNodeIds.push(tree.left[j] as number);
        missingTracksTrue.push(0);
      }
    }
  });
  return addTreeEnsemble(g, input, {
    nodes: { treeIds, nodeIds, featureIds, thresholds, modes, trueNodeIds, falseNodeIds, missingTracksTrue },
    leaves: { treeIds: leafTreeIds, nodeIds: leafNodeIds, targetIds, weights },
    nTargets: model.nOutputs,
    aggregate: 'SUM',
    baseValues: Array.from(model.baseline),
    name,
  });
}

const nodeKey = (tree: number, node: number): string => `${tree}:${node}`;

/**
 * Appends one indicator column per categorical split to the features. Returns the tensor the
 * ensemble reads and, per categorical split node, its indicator's column index.
 */
function addCategoryIndicators(g: GraphBuilder, features: string, model: BoostedModel, name: string): { input: string; indicatorColumn: Map<string, number> } {
  // The categorical splits of each feature, in tree order.
  const byFeature = new Map<number, { key: string; codes: Float64Array }[]>();
  model.trees.forEach((tree: Tree, t) => {
    tree.leftCategories.forEach((codes, j) => {
      if (codes == null) return;
      const f = tree.feature[j] as number;
      const list = byFeature.get(f) ?? [];
      list.push({ key: nodeKey(t, j), codes });
      byFeature.set(f, list);
    });
  });
  const indicatorColumn = new Map<string, number>();
  if (byFeature.size === 0) return { input: features, indicatorColumn };

  const parts = [features];
  let column = model.nFeatures;
  for (const [f, splits] of [...byFeature.entries()].sort((a, b) => a[0] - b[0])) {
    let maxCode = 0;
    for (const s of splits) maxCode = Math.max(maxCode, s.codes[s.codes.length - 1] ?? 0);
    // table[code][s] = 1 when split s sends `code` left; row maxCode + 1 (everything else) is all zero.
    const width = splits.length;
    const table = new Float32Array((maxCode + 2) * width);
    splits.forEach((s, k) => {
      for (const code of s.codes) table[code * width + k] = 1;
      indicatorColumn.set(s.key, column + k);
    });
    column += width;

    const x = g.op('Gather', [features, g.constant(`${name}_f${f}_index`, tensor.int64([f], []))], { axis: attr.int(1) }, { name: `${name}_f${f}` });
    const isCode = g.op(
      'And',
      [
        g.op('And', [
          g.op('GreaterOrEqual', [x, g.constant(`${name}_zero`, tensor.float([0], []))]),
          g.op('LessOrEqual', [x, g.constant(`${name}_f${f}_max`, tensor.float([maxCode], []))]),
        ]),
        g.op('Equal', [g.op('Floor', [x]), x]),
      ],
      {},
      { name: `${name}_f${f}_is_code` },
    );
    const row = g.op('Where', [isCode, x, g.constant(`${name}_f${f}_other`, tensor.float([maxCode + 1], []))]);
    const index = g.op('Cast', [row], { to: attr.int(ONNX_ELEM_TYPE.int64) });
    const tableName = g.constant(`${name}_f${f}_table`, tensor.float(table, [maxCode + 2, width]));
    parts.push(g.op('Gather', [tableName, index], { axis: attr.int(0) }, { name: `${name}_f${f}_indicators` }));
  }
  return { input: g.op('Concat', parts, { axis: attr.int(1) }, { name: `${name}_with_indicators` }), indicatorColumn };
}
