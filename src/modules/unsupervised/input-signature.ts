/**
 * A module's inputs as served: one `[-1, 1]` tensor per table column the preprocessing reads, exactly
 * as the tabular modules declare them (so decode-rows, frame-feeds and monitoring need nothing new).
 */
import type { TabularPreprocessor } from '../../features/tabular-preprocessor.js';
import type { InputSpec } from '../manifest.js';

export function inputSignature(preprocessor: TabularPreprocessor): InputSpec[] {
  return preprocessor.inputColumns().map((c) => ({
    name: c.name,
    kind: c.kind,
    type: c.type,
    datatype: c.datatype,
    shape: [-1, 1],
    ...(c.unit === undefined ? {} : { unit: c.unit }),
  }));
}
