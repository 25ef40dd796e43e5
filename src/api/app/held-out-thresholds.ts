/**
 * The threshold table of a yes/no model: for each cut-off 0.00, 0.01, …, 1.00 on P(positive), how many
 * held-out rows would be true/false positives/negatives. With these counts the app computes the value
 * of any cost/benefit choice itself, as the person moves the sliders, without asking again.
 *
 * report.json does not keep the held-out probabilities, so they are reproduced: the dataset version
 * the run trained on (its Parquet snapshot), the run's seed and test fraction give the same held-out
 * rows (stratified or random, as training drew them), and the saved preprocessor and predictor score
 * them. The reproduction is checked against the ROC AUC training recorded; when it cannot be made or
 * does not agree (a separate test table, a grouped or time split), the table is left out with the reason.
 */
import { readStoredSnapshot } from '../../data/read-snapshot.js';
import { thresholdTable } from '../../evaluate/business/threshold.js';
import { classificationMetrics } from '../../evaluate/metrics/index.js';
import { TabularPreprocessor } from '../../features/tabular-preprocessor.js';
import type { ClassifierPredictor } from '../../learners/learner.js';
import { loadPredictor } from '../../learners/registry.js';
import type { SavedModel } from '../../modules/explain-rows.js';
import type { ModuleManifest } from '../../modules/manifest.js';
import { moduleSpecSchema } from '../../modules/spec.js';
import { encodeTarget } from '../../modules/tabular/plan-columns.js';
import { holdoutSplit } from '../../modules/tabular/split-rows.js';
import type { ArtifactStore, ModelVersion, Store } from '../../store/store.js';

import type { ThresholdCounts } from '../../modules/tabular/model-report.js';

export type { ThresholdCounts };

export type ThresholdTable =
  | { readonly available: true; readonly positiveClass: string; readonly rows: readonly ThresholdCounts[] }
  | { readonly available: false; readonly reason: string };

/** How closely the reproduced ROC AUC must match the one training recorded. */
const AUC_TOLERANCE = 1e-9;

const unavailable = (reason: string): ThresholdTable => ({ available: false, reason });

export async function heldOutThresholds(
  version: ModelVersion,
  manifest: ModuleManifest,
  saved: SavedModel,
  home: { readonly store: Store; readonly artifacts: ArtifactStore },
): Promise<ThresholdTable> {
  if (manifest.task !== 'binary') return unavailable('a threshold table is for yes/no predictions only');
  const recordedAuc = manifest.metrics['test.roc_auc'];
  if (recordedAuc === undefined) return unavailable('training recorded no held-out ROC AUC to check the reproduction against');
  if (version.runId === null) return unavailable('the version has no run to reproduce its held-out rows from');
  const run = await home.store.getRun(version.runId);
  const seed = run.params['seed'];
  const testFraction = run.params['test_fraction'];
  const stratify = run.params['stratify'];
  if (typeof seed !== 'number' || typeof testFraction !== 'number' || typeof stratify !== 'boolean') {
    return unavailable('the run does not record how its held-out rows were drawn');
  }
  if (run.datasetVersionId === null) return unavailable('the run kept no snapshot of its data');
  const dataset = await home.store.getDatasetVersion(run.datasetVersionId);
  if (run.dataset !== null && run.dataset.rows !== dataset.rows) {
    return unavailable('the model was tested on a separate table, which Kiln does not keep');
  }

  const { frame } = await readStoredSnapshot(home.artifacts, dataset.digest);
  const spec = moduleSpecSchema.parse({
    name: manifest.name,
    data: dataset.source,
    target: manifest.target,
    task: 'binary',
    seed,
    split: { test: testFraction, stratify },
  });
  const target = encodeTarget(frame, spec);
  // The same holdout training drew (grouped and time-ordered ones are caught by the ROC AUC check below).
  const split = holdoutSplit(frame, target, spec);

  const preprocessor = TabularPreprocessor.fromJSON(saved.preprocessor);
  const predictor = loadPredictor(saved.predictor) as ClassifierPredictor;
  const testFrame = frame.select(preprocessor.inputColumns().map((c) => c.name)).take(split.test);
  const proba = predictor.predictProba(preprocessor.transform(testFrame));
  const y = Int32Array.from(split.test, (row) => target.classIndex[row] as number);
  const auc = classificationMetrics(y, proba).roc_auc;
  if (!(Math.abs(auc - recordedAuc) <= AUC_TOLERANCE)) {
    return unavailable(`the held-out rows could not be reproduced (ROC AUC ${auc.toFixed(6)} against ${recordedAuc.toFixed(6)} at training)`);
  }
  const p1 = Float64Array.from({ length: proba.rows }, (_, i) => proba.data[i * 2 + 1] as number);
  const positive = Uint8Array.from(y, (k) => (k === 1 ? 1 : 0));
  const rows = thresholdTable(positive, p1, { truePositive: 0, falsePositive: 0, falseNegative: 0, trueNegative: 0 }).map(
    ({ threshold, truePositives, falsePositives, falseNegatives, trueNegatives }) => ({ threshold, truePositives, falsePositives, falseNegatives, trueNegatives }),
  );
  return { available: true, positiveClass: String(target.classes[1]), rows };
}
