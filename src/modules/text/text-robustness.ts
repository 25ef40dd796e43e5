/**
 * The robustness check of a text module: its held-out score when the texts get messier than in
 * training — typing slips, words left out, texts missing — the cases src/features/perturb-text.ts
 * makes. The same shape as a table module's check (src/evaluate/robustness.ts), so reports, the
 * terminal and the app show both alike.
 */
import { Rng } from '../../core/rng.js';
import { percent, TYPICAL_NOISE } from '../../features/perturb-columns.js';
import { blankTexts, dropWords, typoTexts } from '../../features/perturb-text.js';
import type { Perturbation, RobustnessResult } from '../../evaluate/robustness.js';

export function textRobustness(texts: readonly (string | null)[], score: (texts: readonly (string | null)[]) => number, seed: number): RobustnessResult[] {
  const share = TYPICAL_NOISE.missing; // one typical share for every case: 10 %
  const clean = score(texts);
  const rng = new Rng(seed);
  const cases: [Perturbation, string, (t: readonly (string | null)[]) => (string | null)[]][] = [
    ['typos', `a typing slip (two letters swapped) in ${percent(share)} of the words`, (t) => typoTexts(t, share, rng)],
    ['dropped_words', `${percent(share)} of the words left out`, (t) => dropWords(t, share, rng)],
    ['missing_texts', `${percent(share)} of the texts missing`, (t) => blankTexts(t, share, rng)],
  ];
  return cases.map(([perturbation, description, perturb]) => {
    const s = score(perturb(texts));
    return { perturbation, description, score: s, change: s - clean };
  });
}
