/** Four good JSON elements ([2, 2]) per datatype, each type's extremes among them: what tests of the element codecs send. */
import type { OipDatatype } from '../../src/serve/datatypes.js';

export const GOOD_ELEMENTS: Readonly<Record<OipDatatype, unknown[]>> = {
  BOOL: [true, false, false, true],
  UINT8: [0, 1, 200, 255],
  UINT16: [0, 1, 60000, 65535],
  UINT32: [0, 1, 4000000000, 4294967295],
  UINT64: [0, 1, 2 ** 53 - 1, 12345],
  INT8: [-128, -1, 0, 127],
  INT16: [-32768, -1, 0, 32767],
  INT32: [-2147483648, -1, 0, 2147483647],
  INT64: [-(2 ** 53 - 1), -1, 0, 2 ** 53 - 1],
  FP16: [0.5, -2, 1024, 0.25],
  FP32: [1.5, -2.25, 0, 1e10],
  FP64: [0.1, -1e300, 3.14159, 0],
  BYTES: ['a', 'héllo', '', 'x y'],
};
