/**
 * A version's report as GET /api/models/:ref/report answers it (model-routes.ts): the module's
 * report.json with the route's own fields on top (model, version, task, metrics, the manifest, and for
 * classifiers their classes and threshold table). Each template writes a report of its own, so the
 * answer is one of five kinds, told apart by `task`: a prediction from a table's columns
 * (src/modules/tabular/model-report.ts), a text-classify module (src/modules/text/text-report.ts), a
 * recommender (src/modules/recommend/recommend-report.ts), segments (src/modules/cluster/train-cluster.ts)
 * and anomalies (src/modules/anomaly/train-anomaly.ts). Each kind is described field by field and
 * strictly, so that test/serve/openapi-answers.test.ts, which parses real reports of every kind with
 * them, fails when a report gains or loses a field the document does not.
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
  learner: z.string(),
  metrics: z.record(z.string(), metrics).describe('Metrics by part: {test: {accuracy: 0.8}, train: {…}}'),
  manifest: manifestDocs,
};

/** …and to a classifier's: its classes and, for yes/no models, the held-out threshold table. */
const classifierFields = {
  classes: z.array(z.union([z.string(), z.number()])).optional(),
  thresholds: z.array(thresholdCounts).optional().describe('Yes/no models: the held-out counts at each cut-off 0.00, 0.01, …, 1.00 on P(positive_class)'),
  positive_class: z.string().optional(),
  thresholds_unavailable: z.string().optional().describe('Yes/no models whose threshold table could not be made: why'),
};

/**
 * Segments and anomalies measure what they can: a silhouette of identical rows, or the recall of a part
 * without any known anomaly, is NaN, which their manifest.json and so the route's metrics hold as null.
 */
const measuredMetrics = {
  metrics: z.record(z.string(), z.record(z.string(), measured)).describe('Metrics by part: {test: {silhouette: 0.5}, train: {…}}; null where a part could not be measured'),
  manifest: manifestDocs.extend({ metrics: z.record(z.string(), measured).describe('Holdout metrics, e.g. test.silhouette; null where a part could not be measured') }),
};

/**
 * A table's or a text's metrics by part, as scikit-learn names them (src/evaluate/metrics/index.ts).
 * Two of a classifier's are NaN — null in JSON — where a part lacks what they rank: ROC AUC on a part
 * holding a single class, and a yes/no model's PR AUC (average precision) on a part without the
 * positive class. A separate test table of one class makes them so, as does a split that leaves every
 * row of a yes/no model's rare class in the training part. Every other metric is a number: a part
 * always has rows (an empty test table is refused), log loss clips its probabilities, the averaged
 * scores count a missing class as 0, and a regression's R² of a constant target is 1 or 0 (as
 * scikit-learn's).
 */
const partMetrics = z.object({ roc_auc: measured.optional(), pr_auc: measured.optional() }).catchall(z.number());
/** …and as the manifest names them, `test.roc_auc`. */
const flatMetrics = z
  .object({ 'train.roc_auc': measured.optional(), 'train.pr_auc': measured.optional(), 'test.roc_auc': measured.optional(), 'test.pr_auc': measured.optional() })
  .catchall(z.number());

const supervisedMetrics = {
  metrics: z.record(z.string(), partMetrics).describe('Metrics by part: {test: {accuracy: 0.8}, train: {…}}; roc_auc and pr_auc null where a part has a single class (or no positive)'),
  manifest: manifestDocs.extend({ metrics: flatMetrics.describe('Holdout metrics, e.g. test.accuracy; roc_auc and pr_auc null where a part has a single class (or no positive)') }),
};

const curve = z.strictObject({ x: z.array(z.number()), y: z.array(z.number()) });

/** One point of a learning curve (evaluate/diagnostics/learning-curve.ts LossPoint). */
const lossPoint = z.strictObject({ iteration: z.number(), trainLoss: measured, validationLoss: measured.optional() });

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
    ...supervisedMetrics,
    ...classifierFields,
    task: z.enum(['binary', 'multiclass', 'regression']),
    baseline,
    diagnoses,
    importances: z.array(z.strictObject({ column: z.string(), importance: measured, std: measured })).describe('Permutation importance on the held-out rows, most important first'),
    learningCurve: z.array(lossPoint),
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
    ...supervisedMetrics,
    ...classifierFields,
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

const rankingScores = z.strictObject({
  precision: z.number().describe('precision@k'),
  recall: z.number().describe('recall@k'),
  ndcg: z.number().describe('NDCG@k'),
  map: z.number().describe('MAP@k'),
  users: z.number().int().describe('Test users ranked (those with a held-out item)'),
  coverage: z.number().describe('Share of the catalogue recommended to at least one test user'),
});

/**
 * A recommend module's report (src/modules/recommend/recommend-report.ts): the top k on each user's
 * held-out interactions against recommending the most popular items. Both models a recommend spec
 * registers, NAME and NAME-similar, answer it.
 */
export const recommendReportDocs = z
  .strictObject({
    ...routeFields,
    task: z.literal('recommend'),
    feedback: z.enum(['explicit', 'implicit']).describe('Ratings, or interactions alone'),
    k: z.number().int().describe('How many items a user is recommended'),
    data: z.strictObject({
      users: z.number().int(),
      items: z.number().int(),
      trainInteractions: z.number().int(),
      testInteractions: z.number().int(),
      density: z.number().describe('Share of the user × item cells with an interaction, in training'),
    }),
    holdout: z.strictObject({ kind: z.enum(['latest per user', 'random per user', 'separate test table']), fraction: z.number(), usersTested: z.number().int() }),
    ratings: z.strictObject({ rmse: z.number(), mae: z.number(), meanBaselineRmse: z.number().describe('Always predicting the training mean') }).optional().describe('Explicit feedback only: the errors of the predicted ratings'),
    ranking: z.strictObject({ model: rankingScores, popularity: rankingScores.describe('The baseline: the most popular items for everyone') }),
    learningCurve: z.array(lossPoint),
    served: z.strictObject({ topK: z.string(), similar: z.string(), unknownIds: z.string(), seenItems: z.string() }).describe('What the two served models answer, in words'),
    verdict: z.string().describe('Is the model worth using over popularity, in one sentence'),
    sentences: z.array(z.string()),
  })
  .describe('The report of a recommend module');

const segmentTrait = z.strictObject({
  column: z.string(),
  category: z.string().optional().describe('Categorical columns: the over-represented category'),
  z: z.number().describe('Standardised difference from the overall mean; its sign says higher or lower'),
  segmentValue: z.number().describe("The segment's mean, or the category's share in it"),
  overallValue: z.number(),
  words: z.string(),
});

/** A segments module's report (src/modules/cluster/train-cluster.ts): the segments in words, and how well they separate. */
export const clusterReportDocs = z
  .strictObject({
    ...routeFields,
    ...measuredMetrics,
    task: z.literal('cluster'),
    summary: z.array(z.string()),
    clusters: z.number().int(),
    k_choice: z
      .strictObject({
        k: z.number().int(),
        candidates: z.array(z.strictObject({ k: z.number().int(), inertia: z.number(), silhouette: measured })),
        elbow: z.number().int().nullable().describe('Where the inertia curve bends; null when it does not'),
        sentence: z.string(),
      })
      .optional()
      .describe('`clusters: auto`: the k tried, and why this one'),
    segments: z.array(z.strictObject({ segment: z.number().int(), rows: z.number().int(), share: z.number(), traits: z.array(segmentTrait), sentence: z.string() })),
    metric_meanings: z.strictObject({ silhouette: z.string(), davies_bouldin: z.string(), inertia_per_row: z.string(), adjusted_rand: z.string() }),
  })
  .describe('The report of a cluster (segments) module');

const anomalyReason = z.strictObject({
  column: z.string(),
  value: z.union([z.number(), z.string()]),
  z: z.number().optional().describe('Numbers: the robust z against the training median'),
  share: z.number().optional().describe('Categories: the share of training rows with this value (0 = never seen)'),
  words: z.string(),
});

/** An anomalies module's report (src/modules/anomaly/train-anomaly.ts): the threshold, the baseline it must beat, the most unusual held-out rows and why. */
export const anomalyReportDocs = z
  .strictObject({
    ...routeFields,
    ...measuredMetrics,
    task: z.literal('detect-anomalies'),
    summary: z.array(z.string()),
    threshold: z.number().describe('Scores above it are flagged'),
    contamination: z.number(),
    reasons_method: z.string(),
    metric_meanings: z.strictObject({
      flagged_share: z.string(),
      precision_at_k: z.string(),
      recall: z.string(),
      precision: z.string(),
      roc_auc: z.string(),
      'baseline_*': z.string(),
    }),
    baseline: z.strictObject({
      method: z.string(),
      threshold: z.number(),
      scales: z.array(z.strictObject({ column: z.string(), median: z.number(), scale: z.number() })).describe('Per numeric column: its median and robust standard deviation'),
    }),
    top_rows: z
      .array(
        z.strictObject({
          row: z.number().int().describe('The row in the data, from 1'),
          score: z.number(),
          flagged: z.boolean(),
          known: z.boolean().optional().describe('With a label column: whether it marks the row'),
          reasons: z.array(anomalyReason),
        }),
      )
      .describe('The most anomalous held-out rows, highest score first'),
  })
  .describe('The report of a detect-anomalies module');

/** The report route's description in the document: which kind of report comes for which `task`. */
export const reportDescription =
  'The report is one of five kinds, told apart by `task`: binary, multiclass or regression (a prediction from a table\'s columns: baseline, diagnoses, importances, learning curve, robustness, charts; yes/no models also the threshold table), text-classify (the configuration chosen, indicative words, confident mistakes), recommend (ranking against popularity; ratings for explicit feedback), cluster (segments in words, separation metrics, the choice of k) and detect-anomalies (threshold, robust z-score baseline, the most unusual rows and why).';

export const reportDocs = z.discriminatedUnion('task', [tabularReportDocs, textReportDocs, recommendReportDocs, clusterReportDocs, anomalyReportDocs]);
