/**
 * A version's report as GET /api/models/:ref/report answers it (model-routes.ts): the module's
 * report.json with the route's own fields on top (model, version, task, metrics, the threshold table,
 * the manifest). The report of a prediction from a table's columns (src/modules/tabular/model-report.ts)
 * is described field by field and strictly, so that test/serve/openapi-answers.test.ts, which parses a
 * real one with it, fails when the report gains or loses a field the document does not. The templates
 * beyond tables (text, recommend, cluster, anomalies) each write a report of their own; for them the
 * document promises the route's fields and leaves the module's to the module.
 */
import { z } from 'zod';
import { OIP_DATATYPES } from '../../serve/datatypes.js';

const when = z.string().describe('ISO 8601 time');
const metrics = z.record(z.string(), z.number());
// Diagnostics and robustness gather whatever numbers they saw; a NaN among them is written as null.
const measured = z.number().nullable();

const tensor = { name: z.string(), datatype: z.enum(OIP_DATATYPES), shape: z.array(z.number().int()).describe('-1 for the batch dimension') };

export const manifestDocs = z
  .strictObject({
    format: z.literal(1),
    name: z.string(),
    task: z.enum(['binary', 'multiclass', 'regression', 'text-classify', 'recommend', 'cluster', 'detect-anomalies']),
    target: z.string(),
    classes: z.array(z.union([z.string(), z.number()])).optional().describe('Class labels in the order of the `probabilities` output'),
    signature: z.strictObject({
      inputs: z.array(
        z.strictObject({
          ...tensor,
          kind: z.enum(['numeric', 'categorical']).describe('How its values travel: a number or text'),
          type: z.enum(['numeric', 'categorical', 'boolean', 'datetime', 'text']).optional(),
          unit: z.enum(['ms', 's']).optional().describe('Datetime columns: how plain numbers are read'),
        }),
      ),
      outputs: z.array(z.strictObject(tensor)),
    }),
    learner: z.string(),
    params: z.record(z.string(), z.unknown()),
    metrics: metrics.describe('Holdout metrics, e.g. test.accuracy'),
    dataset: z.strictObject({ source: z.string(), digest: z.string(), rows: z.number().int(), columns: z.number().int() }),
    datasetVersion: z.string().optional(),
    seed: z.number(),
    augment: z.strictObject({ copies: z.number(), jitter: z.number(), swap: z.number(), missing: z.number() }).optional(),
    trainedAt: when,
    kilnVersion: z.string(),
  })
  .describe('The version\'s manifest.json: inputs, outputs, metrics and lineage');

const thresholdCounts = z.strictObject({
  threshold: z.number(),
  truePositives: z.number().int(),
  falsePositives: z.number().int(),
  falseNegatives: z.number().int(),
  trueNegatives: z.number().int(),
});

/** What the route adds to every module's report. */
const routeFields = {
  model: z.string(),
  version: z.number().int(),
  task: manifestDocs.shape.task,
  target: z.string(),
  classes: z.array(z.union([z.string(), z.number()])).optional(),
  learner: z.string(),
  metrics: z.record(z.string(), metrics).describe('Metrics by part: {test: {accuracy: 0.8}, train: {…}}'),
  thresholds: z.array(thresholdCounts).optional().describe('Yes/no models: the held-out counts at each cut-off 0.00, 0.01, …, 1.00 on P(positive_class)'),
  positive_class: z.string().optional(),
  thresholds_unavailable: z.string().optional().describe('Yes/no models whose threshold table could not be made: why'),
  manifest: manifestDocs,
};

const curve = z.strictObject({ x: z.array(z.number()), y: z.array(z.number()) });

export const tabularReportDocs = z
  .strictObject({
    ...routeFields,
    task: z.enum(['binary', 'multiclass', 'regression']),
    baseline: z.strictObject({
      baseline: z.string().describe('The trivial answer, in words'),
      metric: z.string(),
      baselineScore: z.number(),
      modelScore: z.number(),
      improvement: z.number(),
      sentence: z.string(),
      classes: z.number().int().optional(),
    }),
    diagnoses: z.array(
      z.strictObject({
        code: z.enum(['overfitting', 'underfitting', 'divergence', 'instability', 'leakage', 'near_perfect', 'threshold', 'healthy']),
        severity: z.enum(['info', 'warning', 'critical']),
        message: z.string(),
        nextSteps: z.array(z.string()),
        evidence: z.record(z.string(), measured).describe('The numbers behind the verdict'),
      }),
    ),
    importances: z.array(z.strictObject({ column: z.string(), importance: measured, std: measured })).describe('Permutation importance on the held-out rows, most important first'),
    learningCurve: z.array(z.strictObject({ iteration: z.number(), trainLoss: measured, validationLoss: measured.optional() })),
    robustness: z.array(
      z.strictObject({
        perturbation: z.enum(['numeric_jitter', 'swapped_categories', 'extra_missing', 'typos', 'dropped_words', 'missing_texts']),
        description: z.string(),
        score: measured,
        change: measured,
      }),
    ),
    scoreMetric: z.string().describe('What importances and robustness are measured in'),
    charts: z.strictObject({
      confusion: z.strictObject({ labels: z.array(z.string()), counts: z.array(z.array(z.number().int())) }).optional(),
      roc: curve.optional(),
      pr: curve.optional(),
      calibration: z.strictObject({ fractionPositive: z.array(z.number()), meanPredicted: z.array(z.number()), counts: z.array(z.number().int()) }).optional(),
      predictedVsActual: z.strictObject({ actual: z.array(z.number()), predicted: z.array(z.number()) }).optional().describe('Regression: up to 500 held-out rows'),
      thresholds: z.strictObject({ positiveClass: z.string(), rows: z.array(thresholdCounts) }).optional(),
    }),
  })
  .describe('The report of a prediction from a table\'s columns');

export const moduleReportDocs = z
  .looseObject(routeFields)
  .describe('The report of a text, recommend, cluster or anomaly module: the route\'s fields and the module\'s own report');

export const reportDocs = z.union([tabularReportDocs, moduleReportDocs]);
