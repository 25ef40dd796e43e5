/**
 * What one column's transforms pass along: a block of numeric features, one Float64Array per
 * feature (NaN = missing), each as long as the frame. The preprocessor lays the blocks side by side
 * into the learner's matrix; in ONNX the same block is a float tensor [N, width].
 */
import type { Matrix } from '../core/matrix.js';

export type Block = Float64Array[];

/** Copies `block` into columns offset, offset+1, … of the row-major `out`. */
export function writeBlock(block: Block, out: Matrix, offset: number): void {
  const { data, cols } = out;
  block.forEach((values, j) => {
    for (let i = 0; i < values.length; i++) data[i * cols + offset + j] = values[i] as number;
  });
}
