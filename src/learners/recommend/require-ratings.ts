/** Explicit learners predict ratings, so they cannot learn from interactions without one. */
import { KilnError } from '../../core/errors.js';
import type { InteractionMatrix } from './interactions.js';

export function requireRatings(data: InteractionMatrix, learner: string): void {
  if (data.feedback !== 'explicit') throw new KilnError('RECOMMEND_NEEDS_RATINGS', { learner });
}
