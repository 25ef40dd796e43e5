/**
 * A version's report as GET /api/models/:ref/report answers it (model-routes.ts): the module's
 * report.json with the route's own fields on top (model, version, task, metrics, the threshold table,
 * the manifest). The report of a prediction from a table's columns (src/modules/tabular/model-report.ts)
 * is described field by field and strictly, and so is a text-classify module's, so that
 * test/serve/openapi-answers.test.ts, which parses real ones with them, fails when a report gains or
 * loses a field the document does not. The other templates (recommend, cluster, anomalies) each write
 * a report of their own; for them the document promises the route's fields and leaves the module's to
 * the module.
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

/** Against always giving the trivial answer (evaluate/diagnostics/baseline.ts), as tables' and texts' reports have it. */
const baseline = z.strictObject({
  baseline: z.string().describe('The trivial answer, in words'),
  metric: z.string(),
  baselineScore: z.number(),
  modelScore: z.number(),
  improvement: z.number(),
  sentence: z.string(),
  classes: z.number().int().optional(),
});

const diagnoses = z.array(
  z.strictObject({
    code: z.enum(['overfitting', 'underfitting', 'divergence', 'instability', 'leakage', 'near_perfect', 'threshold', 'healthy']),
    severity: z.enum(['info', 'warning', 'critical']),
    message: z.string(),
    nextSteps: z.array(z.string()),
    evidence: z.record(z.string(), measured).describe('The numbers behind the verdict'),
  }),
);

const robustness = z.array(
  z.strictObject({
    perturbation: z.enum(['numeric_jitter', 'swapped_categories', 'extra_missing', 'typos', 'dropped_words', 'missing_texts']),
    description: z.string(),
    score: measured,
    change: measured,
  }),
);

export const tabularReportDocs = z
  .strictObject({
    ...routeFields,
    task: z.enum(['binary', 'multiclass', 'regression']),
    baseline,
    diagnoses,
    importances: z.array(z.strictObject({ column: z.string(), importance: measured, std: measured })).describe('Permutation importance on the held-out rows, most important first'),
    learningCurve: z.array(z.strictObject({ iteration: z.number(), trainLoss: measured, validationLoss: measured.optional() })),
    robustness,
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

const classLabel = z.union([z.string(), z.number()]);
const termKind = z.enum(['word', 'char']).describe('A word (or word n-gram), or a character n-gram');
const termContribution = z.strictObject({ term: z.string(), kind: termKind, tfidf: z.number(), contribution: z.number() });

/**
 * A text-classify module's report (src/modules/text/text-report.ts; a sentence-embeddings one has the
 * fields marked optional left out). Its `configuration` is what the module's own report.json called
 * `model` until the route's `model` (the module's name) was found to hide it; older reports are read
 * with it renamed (src/modules/stored-report.ts).
 */
export const textReportDocs = z
  .strictObject({
    ...routeFields,
    task: z.literal('text-classify'),
    text: z.string().describe('The column holding the text'),
    configuration: z.string().describe('The configuration cross-validation chose (or the one the spec fixed), in words: features and learner'),
    servedBy: z.string(),
    baseline,
    diagnoses,
    selection: z
      .strictObject({
        folds: z.number().int(),
        candidates: z.array(z.strictObject({ model: z.string().describe('A configuration, in words'), cv_accuracy: z.number(), cv_log_loss: z.number() })),
      })
      .nullable()
      .optional()
      .describe('The configurations cross-validation compared; null when the spec fixed one'),
    indicativeTerms: z.array(z.strictObject({ class: classLabel, terms: z.array(z.strictObject({ term: z.string(), kind: termKind, evidence: z.number() })) })).optional(),
    confidentMistakes: z
      .array(
        z.strictObject({
          row: z.number().int(),
          text: z.string(),
          outcome: classLabel,
          probability: z.number(),
          base: z.number(),
          score: z.number(),
          towards: z.array(termContribution),
          against: z.array(termContribution),
          actual: classLabel,
        }),
      )
      .optional()
      .describe('The held-out texts it got most confidently wrong, with the words that misled it'),
    robustness: robustness.optional(),
    scoreMetric: z.string().optional().describe('What robustness is measured in'),
    sentences: z.array(z.string()),
  })
  .describe('The report of a text-classify module');

export const moduleReportDocs = z
  .looseObject(routeFields)
  .describe('The report of a recommend, cluster or anomaly module (or an older text one): the route\'s fields and the module\'s own report');

export const reportDocs = z.union([tabularReportDocs, textReportDocs, moduleReportDocs]);
