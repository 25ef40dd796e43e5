/**
 * The served reason of an anomaly score, inside the module's graph: per row, the numeric column with
 * the largest |robust z| (`reason`, its name) and that z (`reason_z`, signed: above or below the usual),
 * computed from the raw FP32 input columns exactly as `largestZ` does in process. Categories are not
 * part of it (a rare category is named in the training report's reasons only).
 */
import { attr, tensor, type GraphBuilder } from '../../onnx/graph-builder.js';
import type { RobustZ } from './robust-z.js';

export function addLargestZ(g: GraphBuilder, model: RobustZ): { readonly reason: string; readonly reasonZ: string } {
  const zero = g.constant('robust_z_zero', tensor.float([0], [1]));
  const columns = model.numeric.map((s, j) => {
    const centred = g.op('Sub', [s.column, g.constant(`robust_z_median_${j}`, tensor.float([s.median], [1]))], {}, { name: `robust_z_centred_${j}` });
    const z = g.op('Div', [centred, g.constant(`robust_z_scale_${j}`, tensor.float([s.scale], [1]))], {}, { name: `robust_z_${j}` });
    // A missing number (NaN) has no z: 0, as in process.
    return g.op('Where', [g.op('IsNaN', [s.column], {}, { name: `robust_z_missing_${j}` }), zero, z], {}, { name: `robust_z_known_${j}` });
  });
  const all = columns.length === 1 ? (columns[0] as string) : g.op('Concat', columns, { axis: attr.int(1) }, { name: 'robust_z_all' });
  const largest = g.op('ArgMax', [g.op('Abs', [all], {}, { name: 'robust_z_abs' })], { axis: attr.int(1), keepdims: attr.int(1) }, { name: 'robust_z_largest' });
  const z = g.op('GatherElements', [all, largest], { axis: attr.int(1) }, { name: 'robust_z_of_reason' });
  const flat = g.constant('robust_z_row_shape', tensor.int64([-1]));
  const names = g.constant('robust_z_columns', tensor.string(model.numeric.map((s) => s.column)));
  const reason = g.op('Gather', [names, g.op('Reshape', [largest, flat], {}, { name: 'robust_z_largest_flat' })], { axis: attr.int(0) }, { name: 'reason_column' });
  const reasonZ = g.op('Reshape', [z, flat], {}, { name: 'reason_z_value' });
  return { reason, reasonZ };
}
