/**
 * The experiments API's answers (experiments-api.ts) as schemas for the OpenAPI document: an
 * experiment (src/experiment/experiment-json.ts), and its report with traffic per arm and the outcome
 * analysis (src/experiment/analysis.ts) or the shadow comparison. Strict, so that
 * test/serve/openapi-answers.test.ts, which parses real answers with them, fails when those files gain
 * or lose a field the document does not.
 */
import { z } from 'zod';
import { EXPERIMENT_MODES, EXPERIMENT_STATUSES, type ExperimentMode, type ExperimentStatus } from '../store/store.js';

const when = z.string().describe('ISO 8601 time');

export const experimentDocs = z.strictObject({
  id: z.string(),
  model: z.string(),
  champion: z.number().int().describe('The champion\'s version'),
  challenger: z.number().int().describe('The challenger\'s version'),
  mode: z.enum(EXPERIMENT_MODES as readonly [ExperimentMode, ...ExperimentMode[]]),
  challenger_share: z.number().describe('Share of traffic (0..1) sent to the challenger (split, canary)'),
  outcome: z.enum(['binary', 'continuous']),
  max_error_rate: z.number().nullable().describe('canary: the bound that rolls it back'),
  max_p99_ms: z.number().nullable(),
  description: z.string(),
  status: z.enum(EXPERIMENT_STATUSES as readonly [ExperimentStatus, ...ExperimentStatus[]]),
  started_at: when,
  ended_at: when.nullable(),
  end_reason: z.string().nullable().describe('Promoted, stopped by whom, rolled back because …'),
});

const armTraffic = z.strictObject({
  requests: z.number().int(),
  rows: z.number().int(),
  errors: z.number().int(),
  error_rate: z.number().nullable().describe('null before the first request'),
  p50_ms: z.number().nullable().describe('null when no request was answered'),
  p99_ms: z.number().nullable(),
});

const armOutcomes = z.strictObject({
  n: z.number().int(),
  mean: z.number().nullable().describe('The rate (binary) or mean (continuous); null without outcomes'),
  sd: z.number().nullable(),
  successes: z.number().int().optional().describe('Binary outcomes only'),
});

const interval = z.tuple([z.number(), z.number()]);

const analysis = z.strictObject({
  outcome: z.enum(['binary', 'continuous']),
  arms: z.strictObject({ champion: armOutcomes, challenger: armOutcomes }),
  difference: z.number().nullable().describe('challenger − champion; null without outcomes in both arms'),
  fixed_horizon: z
    .strictObject({
      test: z.string().describe('two-proportion z-test, or Welch\'s t-test'),
      difference: z.number(),
      statistic: z.number().nullable().describe("z or t; null for an infinite t (Welch's test on two arms whose outcomes do not vary, with different means)"),
      p_value: z.number(),
      confidence_interval: interval,
      confidence: z.number(),
      significant: z.boolean(),
      df: z.number().optional().describe('Welch\'s test only'),
    })
    .nullable()
    .describe('null until each arm has min_per_arm outcomes'),
  sequential: z
    .strictObject({
      test: z.literal('mSPRT'),
      p_value: z.number().describe('Always valid, however often someone looks'),
      looks: z.number().int(),
      tau: z.number(),
      significant: z.boolean(),
      confidence_sequence: interval.nullable(),
    })
    .nullable(),
  sample_size: z.strictObject({ per_arm: z.number(), more_per_arm: z.number(), mde: z.number(), power: z.number() }).nullable(),
  conclusion: z.enum(['challenger_better', 'challenger_worse', 'inconclusive', 'not_enough_data']),
  verdict: z.string(),
});

const shadow = z.strictObject({
  paired_rows: z.number().int().describe('Rows answered by both versions'),
  label_agreement: z.number().nullable().describe('Classifiers: share of paired rows whose labels agree'),
  mean_abs_difference: z.number().nullable().describe('Regressors: mean |challenger − champion|'),
  verdict: z.string(),
});

export const experimentReportDocs = experimentDocs.extend({
  traffic: z.strictObject({ champion: armTraffic, challenger: armTraffic }),
  analysis: analysis.nullable().describe('split and canary: did the challenger\'s users do better?'),
  shadow: shadow.nullable().describe('shadow: the two versions\' answers compared row by row'),
  verdict: z.string().nullable(),
});
