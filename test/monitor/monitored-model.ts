/**
 * A monitored model for tests: a registered churn classifier version (reference profile, training-time
 * test accuracy 0.9) and helpers that log its predictions and their outcomes with a known error rate, plus
 * a webhook receiver on loopback that records what it is sent.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Frame } from '../../src/core/frame.js';
import { Rng } from '../../src/core/rng.js';
import { buildReferenceProfile } from '../../src/data/profile/reference-profile.js';
import { REFERENCE_ARTIFACT } from '../../src/monitor/check-model.js';
import { outputsFrame } from '../../src/monitor/prediction-window.js';
import type { KilnHome } from '../../src/store/open-store.js';
import type { FeedbackInput, PredictionRecord, Store } from '../../src/store/store.js';

export const T0 = Date.UTC(2026, 10, 2);
export const TRAINING_ACCURACY = 0.9;

function row(rng: Rng) {
  const age = 40 + rng.normal() * 10;
  const plan = ['free', 'pro', 'team'][rng.int(3)] as string;
  const p = 1 / (1 + Math.exp(-(age - 45) / 8));
  return { inputs: { age, plan }, outputs: { label: p > 0.5 ? 'churn' : 'stay', probabilities: { churn: p, stay: 1 - p } } };
}

/** Registers `model` version 1 with a reference profile of 500 training rows and test metrics. */
export async function registerChurnModel(home: KilnHome, model = 'churn', seed = 3): Promise<void> {
  const rng = new Rng(seed);
  const training = Array.from({ length: 500 }, () => row(rng));
  const frame = new Frame([
    { kind: 'numeric', name: 'age', values: Float64Array.from(training, (r) => r.inputs.age) },
    { kind: 'categorical', name: 'plan', values: training.map((r) => r.inputs.plan) },
  ]);
  const profile = buildReferenceProfile(frame, { predictions: outputsFrame(training.map((r) => r.outputs)) });
  const digest = await home.artifacts.put(Buffer.from(JSON.stringify(profile)));
  await home.store.createModelVersion({
    model,
    runId: null,
    artifacts: { [REFERENCE_ARTIFACT]: digest },
    signature: {},
    metrics: { 'test.accuracy': TRAINING_ACCURACY, 'test.roc_auc': 0.9 },
  });
}

/**
 * Logs `n` predictions one second apart from `start` (seconds after T0) and reports outcomes for them
 * that disagree with the predicted label with probability `errorRate`.
 */
export async function logWithOutcomes(
  home: KilnHome,
  options: { readonly model?: string; readonly start: number; readonly n: number; readonly errorRate: number; readonly seed: number; readonly latencyMs?: number },
): Promise<void> {
  const rng = new Rng(options.seed);
  const records: PredictionRecord[] = [];
  const outcomes: FeedbackInput[] = [];
  for (let i = 0; i < options.n; i++) {
    const r = row(rng);
    const requestId = `${options.model ?? 'churn'}-${options.start + i}`;
    records.push({
      requestId,
      model: options.model ?? 'churn',
      version: 1,
      timestamp: T0 + (options.start + i) * 1000,
      latencyMs: options.latencyMs ?? 2 + (i % 5),
      inputs: r.inputs,
      outputs: r.outputs,
    });
    const wrong = rng.next() < options.errorRate;
    outcomes.push({ requestId, outcome: wrong === (r.outputs.label === 'churn') ? 'stay' : 'churn' });
  }
  await home.store.logPredictions(records);
  await home.store.recordFeedback(outcomes);
}

export interface Receiver {
  readonly url: string;
  /** Parsed JSON bodies, in arrival order. */
  readonly bodies: unknown[];
  readonly headers: Record<string, string | string[] | undefined>[];
  close(): Promise<void>;
}

/** An HTTP server on 127.0.0.1 that answers `status` and keeps every body it is POSTed. */
export async function startReceiver(status = 204): Promise<Receiver> {
  const bodies: unknown[] = [];
  const headers: Record<string, string | string[] | undefined>[] = [];
  const server: Server = createServer((req, res) => {
    let text = '';
    req.on('data', (chunk: Buffer) => (text += chunk.toString()));
    req.on('end', () => {
      bodies.push(JSON.parse(text) as unknown);
      headers.push(req.headers);
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    bodies,
    headers,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A logger that keeps what it is told (pino's call shapes: `(object, message)`). */
export function recordingLogger(): { lines: { level: string; obj: unknown; msg: string }[]; logger: never } {
  const lines: { level: string; obj: unknown; msg: string }[] = [];
  const at = (level: string) => (obj: unknown, msg?: string) => void lines.push({ level, obj, msg: msg ?? '' });
  return { lines, logger: { warn: at('warn'), error: at('error'), info: at('info') } as never };
}

/**
 * The store with its alert rules listing counted: every alert pass lists the rules once, so `passes()` says
 * how many passes a scheduler has run. Tests wait for passes, not for time (a loaded machine's timers lag).
 */
export function countingAlertPasses(store: Store): { store: Store; passes(): number } {
  let passes = 0;
  const counted = new Proxy(store, {
    get(target, key) {
      const value: unknown = Reflect.get(target, key, target);
      if (typeof value !== 'function') return value;
      const method = value as (...args: unknown[]) => unknown;
      if (key === 'listAlertRules') {
        return (...args: unknown[]) => {
          passes++;
          return method.apply(target, args);
        };
      }
      return method.bind(target);
    },
  });
  return { store: counted, passes: () => passes };
}

/** Polls until `done()` holds or 20 s have passed (then the caller's assertion says what is missing). */
export async function eventually(done: () => boolean): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!done() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
}
