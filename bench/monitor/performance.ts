/**
 * Ground truth and performance drift at volume: 100,000 logged predictions of a binary classifier, their
 * outcomes attached by feedback, then rolling accuracy and ROC AUC (overall and over 20 stretches, as the
 * monitoring report draws them).
 *
 *   node --import tsx bench/monitor/performance.ts [N]     (default 100000; raw results in bench/out/monitor-performance.json)
 *
 * Timed, Kiln (an embedded SQLite store in a temp folder):
 *   feedback      store.recordFeedback of N outcomes (request-id lookup + upsert, in chunks of 10,000 as the
 *                 API takes them);
 *   read          store.listLabelledPredictions of the newest N (the join of predictions and outcomes);
 *   metrics       measurePerformance: accuracy and ROC AUC overall and per stretch, from the logged outputs;
 *   report        the whole monitoring check over the last 10,000 predictions (drift, performance, latency,
 *                 traffic: what GET /api/models/:ref/monitoring does).
 * The peer, in the same run: scikit-learn's accuracy_score and roc_auc_score over the same arrays, overall
 * and per stretch (/usr/bin/python3; data handed over as a CSV in bench/out, reading it is not timed).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Frame } from '../../src/core/frame.js';
import { Rng } from '../../src/core/rng.js';
import { buildReferenceProfile } from '../../src/data/profile/reference-profile.js';
import { checkModel, REFERENCE_ARTIFACT } from '../../src/monitor/check-model.js';
import { measurePerformance } from '../../src/monitor/performance.js';
import { outputsFrame } from '../../src/monitor/prediction-window.js';
import { openHome } from '../../src/store/open-store.js';
import type { FeedbackInput, PredictionRecord } from '../../src/store/store.js';

const N = Number(process.argv[2] ?? 100_000);
const FEEDBACK_CHUNK = 10_000;
const T0 = Date.UTC(2026, 10, 1);

const rng = new Rng(1);
function row() {
  const age = 40 + rng.normal() * 10;
  const plan = ['free', 'pro', 'team'][rng.int(3)] as string;
  const p = 1 / (1 + Math.exp(-(age - 45) / 8));
  return { inputs: { age, plan }, outputs: { label: p > 0.5 ? 'churn' : 'stay', probabilities: { churn: p, stay: 1 - p } } };
}

const dir = mkdtempSync(join(tmpdir(), 'kiln-bench-performance-'));
const home = await openHome(dir);
const training = Array.from({ length: 2000 }, row);
const profile = buildReferenceProfile(
  new Frame([
    { kind: 'numeric', name: 'age', values: Float64Array.from(training, (r) => r.inputs.age) },
    { kind: 'categorical', name: 'plan', values: training.map((r) => r.inputs.plan) },
  ]),
  { predictions: outputsFrame(training.map((r) => r.outputs)) },
);
await home.store.createModelVersion({
  model: 'churn',
  runId: null,
  artifacts: { [REFERENCE_ARTIFACT]: await home.artifacts.put(Buffer.from(JSON.stringify(profile))) },
  signature: {},
  metrics: { 'test.accuracy': 0.9, 'test.roc_auc': 0.9 },
});

const records: PredictionRecord[] = [];
const outcomes: FeedbackInput[] = [];
const csv = ['truth,score,label'];
for (let i = 0; i < N; i++) {
  const r = row();
  const requestId = `req-${i}`;
  records.push({ requestId, model: 'churn', version: 1, timestamp: T0 + i * 100, latencyMs: 1 + (i % 7), inputs: r.inputs, outputs: r.outputs });
  // Accuracy drifts down from 0.9 to 0.7 across the log.
  const wrong = rng.next() < 0.1 + (0.2 * i) / N;
  const outcome = wrong === (r.outputs.label === 'churn') ? 'stay' : 'churn';
  outcomes.push({ requestId, outcome });
  csv.push(`${outcome === 'churn' ? 1 : 0},${r.outputs.probabilities.churn},${r.outputs.label === 'churn' ? 1 : 0}`);
}
await home.store.logPredictions(records);

const time = async <T>(fn: () => Promise<T> | T): Promise<[T, number]> => {
  const t = performance.now();
  const value = await fn();
  return [value, (performance.now() - t) / 1000];
};

const [, feedbackS] = await time(async () => {
  for (let i = 0; i < outcomes.length; i += FEEDBACK_CHUNK) await home.store.recordFeedback(outcomes.slice(i, i + FEEDBACK_CHUNK));
});
const [labelled, readS] = await time(() => home.store.listLabelledPredictions({ model: 'churn', limit: N }));
const [report, metricsS] = await time(() => measurePerformance(labelled, { 'test.accuracy': 0.9, 'test.roc_auc': 0.9 }));
const [, reportS] = await time(() => checkModel(home, { kind: 'latest', name: 'churn' }, { window: { kind: 'count', last: 10_000 } }));
await home.store.close();
rmSync(dir, { recursive: true, force: true });

mkdirSync('bench/out', { recursive: true });
const csvPath = 'bench/out/monitor-performance.csv';
writeFileSync(csvPath, csv.join('\n') + '\n');
const points = report.over_time.length;
const peerScript = String.raw`
import sys, time, json
import numpy as np
from sklearn.metrics import accuracy_score, roc_auc_score
data = np.loadtxt(sys.argv[1], delimiter=',', skiprows=1)
points = int(sys.argv[2])
truth, score, label = data[:, 0].astype(int), data[:, 1], data[:, 2].astype(int)
t = time.perf_counter()
acc, auc = accuracy_score(truth, label), roc_auc_score(truth, score)
for part in np.array_split(np.arange(len(truth)), points):
    accuracy_score(truth[part], label[part]); roc_auc_score(truth[part], score[part])
print(json.dumps({"seconds": time.perf_counter() - t, "accuracy": acc, "roc_auc": auc}))
`;
interface PeerResult {
  readonly seconds: number;
  readonly accuracy: number;
  readonly roc_auc: number;
}
let peer: PeerResult | null = null;
try {
  peer = JSON.parse(execFileSync('/usr/bin/python3', ['-c', peerScript, csvPath, String(points)], { encoding: 'utf8' })) as PeerResult;
} catch (err) {
  process.stderr.write(`peer run failed: ${err instanceof Error ? err.message : String(err)}\n`);
}

const accuracy = report.metrics.find((m) => m.name === 'accuracy')?.current ?? NaN;
const auc = report.metrics.find((m) => m.name === 'roc_auc')?.current ?? NaN;
const raw = {
  predictions: N,
  feedback_s: feedbackS,
  read_labelled_s: readS,
  metrics_s: metricsS,
  report_10k_s: reportS,
  peer_sklearn_metrics_s: peer?.seconds ?? null,
  accuracy,
  roc_auc: auc,
  peer_accuracy: peer?.accuracy ?? null,
  peer_roc_auc: peer?.roc_auc ?? null,
  degraded: report.degraded,
  points,
  node: process.version,
  at: new Date().toISOString(),
};
writeFileSync('bench/out/monitor-performance.json', JSON.stringify(raw, null, 2));
const line = (a: string, b: string, c: string) => `${a.padEnd(48)} ${b.padStart(10)} ${c.padStart(10)}`;
console.log(`performance drift over ${N.toLocaleString('en')} labelled predictions (2 shared cores, noisy)`);
console.log(line('step', 'seconds', 'peer/kiln'));
console.log(line(`kiln feedback (${N} outcomes, chunks of ${FEEDBACK_CHUNK})`, feedbackS.toFixed(3), ''));
console.log(line('kiln read labelled predictions', readS.toFixed(3), ''));
console.log(line(`kiln accuracy + ROC AUC, overall and ${points} stretches`, metricsS.toFixed(3), peer === null ? 'n/a' : (peer.seconds / metricsS).toFixed(2)));
console.log(line('peer: scikit-learn, the same metrics', peer === null ? 'n/a' : peer.seconds.toFixed(3), ''));
console.log(line('kiln whole monitoring check, last 10,000', reportS.toFixed(3), ''));
console.log(
  `accuracy ${accuracy.toFixed(6)} (sklearn ${peer?.accuracy.toFixed(6) ?? 'n/a'}), ROC AUC ${auc.toFixed(6)} (sklearn ${peer?.roc_auc.toFixed(6) ?? 'n/a'}); degraded: ${report.degraded}`,
);
