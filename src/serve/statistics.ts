/**
 * Per model version counters and histograms, kept once and read two ways: Triton's statistics extension
 * (GET /v2/models/{m}/stats: counts and cumulative nanoseconds) and Prometheus (/metrics: counters and
 * histograms). The scheduler and the data plane write; nothing here does I/O.
 */

export class Histogram {
  /** Upper bounds, ascending; a final +Inf bucket is implied. */
  readonly bounds: readonly number[];
  /** Per-bucket counts (not cumulative); the last slot is +Inf. */
  readonly counts: number[];
  sum = 0;
  count = 0;

  constructor(bounds: readonly number[]) {
    this.bounds = bounds;
    this.counts = new Array<number>(bounds.length + 1).fill(0);
  }

  observe(value: number): void {
    let i = 0;
    while (i < this.bounds.length && value > (this.bounds[i] as number)) i++;
    this.counts[i] = (this.counts[i] as number) + 1;
    this.sum += value;
    this.count++;
  }
}

/** Seconds: 50 µs to 10 s. */
export const DURATION_BUCKETS = [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
export const BATCH_SIZE_BUCKETS = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024];

/** How a request ended, the `outcome` label of kiln_inference_requests_total. */
export type Outcome = 'success' | 'client_error' | 'rejected' | 'server_error';

interface Duration {
  count: number;
  ns: number;
}

const duration = (): Duration => ({ count: 0, ns: 0 });
const add = (d: Duration, ns: number): void => {
  d.count++;
  d.ns += ns;
};

export class ModelStatistics {
  readonly outcomes = new Map<Outcome, number>();
  readonly success = duration();
  readonly fail = duration();
  readonly queue = duration();
  readonly computeInput = duration();
  readonly computeInfer = duration();
  readonly computeOutput = duration();
  readonly batches = new Map<number, Duration>();
  /** Rows inferred (Triton's inference_count) and batches run (execution_count). */
  inferenceCount = 0;
  executionCount = 0;
  lastInferenceMs = 0;

  readonly requestSeconds = new Histogram(DURATION_BUCKETS);
  readonly queueSeconds = new Histogram(DURATION_BUCKETS);
  readonly computeSeconds = new Histogram(DURATION_BUCKETS);
  readonly batchSize = new Histogram(BATCH_SIZE_BUCKETS);

  /** One request finished, end to end (decode, queue, compute, encode). */
  recordRequest(outcome: Outcome, ns: number): void {
    this.outcomes.set(outcome, (this.outcomes.get(outcome) ?? 0) + 1);
    if (outcome === 'success') add(this.success, ns);
    else add(this.fail, ns);
    this.requestSeconds.observe(ns / 1e9);
    this.lastInferenceMs = Date.now();
  }

  /** Time a request spent waiting for an instance. */
  recordQueue(ns: number): void {
    add(this.queue, ns);
    this.queueSeconds.observe(ns / 1e9);
  }

  recordDecode(ns: number): void {
    add(this.computeInput, ns);
  }

  recordEncode(ns: number): void {
    add(this.computeOutput, ns);
  }

  /** One batch ran: `rows` rows from `requests` requests in `ns` nanoseconds of session.run. */
  recordBatch(rows: number, ns: number): void {
    this.inferenceCount += rows;
    this.executionCount++;
    const perSize = this.batches.get(rows) ?? duration();
    add(perSize, ns);
    this.batches.set(rows, perSize);
    add(this.computeInfer, ns);
    this.computeSeconds.observe(ns / 1e9);
    this.batchSize.observe(rows);
  }

  /** Triton's statistics extension entry for one model version. */
  toTriton(name: string, version: number): Record<string, unknown> {
    const d = (x: Duration) => ({ count: x.count, ns: x.ns });
    return {
      name,
      version: String(version),
      last_inference: this.lastInferenceMs,
      inference_count: this.inferenceCount,
      execution_count: this.executionCount,
      inference_stats: {
        success: d(this.success),
        fail: d(this.fail),
        queue: d(this.queue),
        compute_input: d(this.computeInput),
        compute_infer: d(this.computeInfer),
        compute_output: d(this.computeOutput),
      },
      batch_stats: [...this.batches.entries()]
        .sort(([a], [b]) => a - b)
        .map(([batchSize, x]) => ({ batch_size: batchSize, compute_infer: d(x) })),
    };
  }
}
