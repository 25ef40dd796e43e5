/**
 * Joining requests into one batch and splitting the answers back, along the first (batch) dimension.
 *
 * Requests are merged only when every input has the same datatype and the same dimensions after the
 * first (`canJoin`), so the joined tensor is simply the requests' arrays one after another.
 */
import { allocate, type HostTensor, type TensorData } from '../datatypes.js';

export type Feeds = Readonly<Record<string, HostTensor>>;

/** Whether two requests' inputs can be stacked into one batch. */
export function canJoin(a: Feeds, b: Feeds): boolean {
  for (const name of Object.keys(a)) {
    const x = a[name] as HostTensor;
    const y = b[name];
    if (y === undefined || x.datatype !== y.datatype || x.shape.length !== y.shape.length) return false;
    for (let d = 1; d < x.shape.length; d++) if (x.shape[d] !== y.shape[d]) return false;
  }
  return true;
}

/** Stacks the requests' inputs (each `[rows_i, ...]`) into `[Σ rows_i, ...]`. One request is passed through. */
export function joinFeeds(parts: readonly Feeds[]): Feeds {
  const first = parts[0];
  if (first === undefined) throw new Error('joinFeeds needs at least one request');
  if (parts.length === 1) return first;
  const joined: Record<string, HostTensor> = {};
  for (const name of Object.keys(first)) {
    const tensors = parts.map((p) => p[name] as HostTensor);
    const head = tensors[0] as HostTensor;
    const rows = tensors.reduce((sum, t) => sum + (t.shape[0] ?? 0), 0);
    const length = tensors.reduce((sum, t) => sum + t.data.length, 0);
    const data = allocate(head.datatype, length);
    let offset = 0;
    for (const t of tensors) {
      if (Array.isArray(data)) {
        const strings = t.data as string[];
        for (let i = 0; i < strings.length; i++) data[offset + i] = strings[i] as string;
      } else {
        (data as Exclude<TensorData, string[]> & { set(a: ArrayLike<number | bigint>, o: number): void }).set(t.data as ArrayLike<number | bigint>, offset);
      }
      offset += t.data.length;
    }
    joined[name] = { datatype: head.datatype, shape: [rows, ...head.shape.slice(1)], data };
  }
  return joined;
}

/**
 * Cuts a batch's outputs back into one set per request, by each request's row count. An output whose
 * first dimension is not the batch's row count (no batch dimension) goes whole to every request. A
 * request's numbers are a view into the batch's array (no copy; the batch's memory lives until the last
 * of its requests is answered); BYTES outputs (lists of strings) are sliced.
 */
export function splitOutputs(outputs: Feeds, rowsPerRequest: readonly number[]): Feeds[] {
  if (rowsPerRequest.length === 1) return [outputs];
  const total = rowsPerRequest.reduce((a, b) => a + b, 0);
  const parts: Record<string, HostTensor>[] = rowsPerRequest.map(() => ({}));
  for (const [name, tensor] of Object.entries(outputs)) {
    if (tensor.shape[0] !== total || total === 0) {
      for (const part of parts) part[name] = tensor;
      continue;
    }
    const rowWidth = tensor.data.length / total;
    const rowShape = tensor.shape.slice(1);
    let row = 0;
    for (let i = 0; i < rowsPerRequest.length; i++) {
      const rows = rowsPerRequest[i] as number;
      const from = row * rowWidth;
      const to = (row + rows) * rowWidth;
      const data = (Array.isArray(tensor.data) ? tensor.data.slice(from, to) : tensor.data.subarray(from, to)) as TensorData;
      (parts[i] as Record<string, HostTensor>)[name] = { datatype: tensor.datatype, shape: [rows, ...rowShape], data };
      row += rows;
    }
  }
  return parts;
}
