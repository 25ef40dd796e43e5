/**
 * The recommend module's report (report.json): what was measured on the per-user holdout, next to the
 * popularity baseline, in plain words a person who does not build recommenders can act on.
 */
import type { LossPoint } from '../../evaluate/diagnostics/learning-curve.js';
import type { Feedback } from '../../learners/recommend/interactions.js';
import type { RankingScores } from './evaluate-recommender.js';

export interface RecommendReport {
  readonly task: 'recommend';
  readonly learner: string;
  readonly feedback: Feedback;
  readonly k: number;
  readonly data: {
    readonly users: number;
    readonly items: number;
    readonly trainInteractions: number;
    readonly testInteractions: number;
    /** Share of the user × item cells with an interaction, in training. */
    readonly density: number;
  };
  readonly holdout: { readonly kind: 'latest per user' | 'random per user' | 'separate test table'; readonly fraction: number; readonly usersTested: number };
  /** Explicit feedback only: rating errors, and those of always predicting the training mean. */
  readonly ratings?: { readonly rmse: number; readonly mae: number; readonly meanBaselineRmse: number };
  readonly ranking: { readonly model: RankingScores; readonly popularity: RankingScores };
  readonly learningCurve: readonly LossPoint[];
  readonly served: { readonly topK: string; readonly similar: string; readonly unknownIds: string; readonly seenItems: string };
  /** One sentence: is the model worth using over popularity? */
  readonly verdict: string;
  readonly sentences: readonly string[];
}

export interface ReportInput extends Omit<RecommendReport, 'task' | 'verdict' | 'sentences' | 'served'> {
  readonly modelName: string;
  readonly similarName: string;
}

const pct = (x: number): string => `${(100 * x).toFixed(1)}%`;

export function buildRecommendReport(input: ReportInput): RecommendReport {
  const { k, ranking, ratings } = input;
  const m = ranking.model;
  const p = ranking.popularity;
  const lift = p.ndcg > 0 ? m.ndcg / p.ndcg - 1 : Number.POSITIVE_INFINITY;
  const verdict =
    m.ndcg > p.ndcg
      ? `${input.learner} ranks the held-out choices better than recommending the most popular items to everyone (NDCG@${k} ${m.ndcg.toFixed(3)} vs ${p.ndcg.toFixed(3)}, ${Number.isFinite(lift) ? `${pct(lift)} better` : 'popularity found none'}).`
      : `${input.learner} does not rank the held-out choices better than recommending the most popular items to everyone (NDCG@${k} ${m.ndcg.toFixed(3)} vs ${p.ndcg.toFixed(3)}); consider the popularity model, an implicit learner (implicit-als, item-knn) or more data.`;
  const holdoutWords =
    input.holdout.kind === 'latest per user'
      ? `each user's latest ${pct(input.holdout.fraction)} of interactions were held out`
      : input.holdout.kind === 'random per user'
        ? `a random ${pct(input.holdout.fraction)} of each user's interactions were held out (no time column)`
        : 'the separate test table was held out';
  const sentences = [
    `Trained on ${input.data.trainInteractions} interactions of ${input.data.users} users with ${input.data.items} items (${pct(input.data.density)} of all user-item pairs); ${holdoutWords}, ${input.data.testInteractions} interactions of ${input.holdout.usersTested} users.`,
    `Of the ${k} items recommended to a user (never one they already had), ${(m.precision * k).toFixed(2)} on average were among the items they went on to choose (precision@${k} ${m.precision.toFixed(3)}); popularity alone gets ${(p.precision * k).toFixed(2)}.`,
    `The top ${k} holds ${pct(m.recall)} of each user's held-out items on average (recall@${k}; popularity ${pct(p.recall)}).`,
    `Recommendations use ${pct(m.coverage)} of the catalogue across the test users (popularity: ${pct(p.coverage)}).`,
    ...(ratings === undefined
      ? []
      : [
          `Predicted ratings are off by ${ratings.mae.toFixed(3)} on average (MAE; RMSE ${ratings.rmse.toFixed(3)}), against RMSE ${ratings.meanBaselineRmse.toFixed(3)} for always predicting the average rating.`,
        ]),
  ];
  return {
    task: 'recommend',
    learner: input.learner,
    feedback: input.feedback,
    k,
    data: input.data,
    holdout: input.holdout,
    ...(ratings === undefined ? {} : { ratings }),
    ranking,
    learningCurve: input.learningCurve,
    served: {
      topK: `model "${input.modelName}": input "user" (text) → the top ${k} "items" with their "scores"`,
      similar: `model "${input.similarName}": input "item" (text) → the ${k} most similar "items" with their "scores"`,
      unknownIds: 'a user or item not seen in training gets the most popular items (scores: the share of users who chose each item)',
      seenItems:
        'items a user already has are never recommended to them: with fewer than k other items a user gets fewer (kiln predict leaves the rest empty, row answers such as v1 stop early); the v2 [N, k] tensors fill those last places with left-out items scored -3.4e38',
    },
    verdict,
    sentences,
  };
}
