/**
 * Suspiciously perfect held-out scores. A model that is almost always right on rows it never saw has
 * usually been handed the answer: a column that copies the target or is only known after the fact.
 * But some problems are genuinely that easy — the breast-cancer measurements give a held-out ROC AUC
 * of 0.996 with every column honest — and telling their owner "a column contains the answer" would be
 * a false alarm on a healthy model.
 *
 * The difference shows in the permutation importances: a leaked column carries the model on its own
 * (shuffling it takes away most of the score above chance), while an easy problem's score is spread
 * over many columns that each add a little. So a near-perfect score is called leakage, naming the
 * column, when one column carries at least half of the margin over chance; when none does it is
 * reported for information (`near_perfect`), with what to check. Without importances (text models) a
 * near-perfect score is flagged as likely leakage.
 */
import type { ColumnImportance } from '../explain/permutation-importance.js';
import type { Diagnosis } from './verdict.js';

/** Held-out accuracy, ROC AUC or R² at or above which a score is suspiciously perfect. */
export const NEAR_PERFECT = 0.995;
/** Share of the score above chance that one column must carry for a near-perfect score to be leakage. */
export const LEAKED_SHARE = 0.5;

export interface LeakageEvidence {
  /** Permutation importances on held-out rows, most important first, measured in `scoreMetric`. */
  readonly importances: readonly ColumnImportance[];
  /** The score importances are measured in: roc_auc, accuracy or r2. */
  readonly scoreMetric: string;
  /** What that score is without the model (0.5 AUC, the majority class's accuracy, R² 0). */
  readonly chance: number;
}

/** A leakage diagnosis when a held-out score is near perfect, otherwise nothing. */
export function diagnoseLeakage(heldOut: Readonly<Record<string, number>>, evidence?: LeakageEvidence): Diagnosis[] {
  const metric = ['roc_auc', 'accuracy', 'r2'].find((m) => (heldOut[m] ?? 0) >= NEAR_PERFECT);
  if (metric === undefined) return [];
  const value = heldOut[metric] as number;
  const perfect = `The model is almost perfect on rows it never saw (${metric} ${value.toFixed(3)}).`;
  if (evidence === undefined) return [suspicion(perfect, metric, value)];

  const top = evidence.importances[0];
  const score = heldOut[evidence.scoreMetric];
  const margin = score === undefined ? Number.NaN : score - evidence.chance;
  const share = top === undefined || !(margin > 0) ? 0 : top.importance / margin;
  if (top !== undefined && share >= LEAKED_SHARE) {
    return [
      {
        code: 'leakage',
        severity: 'critical',
        message:
          `${perfect} One column carries it: shuffling "${top.column}" takes away ${Math.round(100 * Math.min(1, share))}% of its ` +
          `${evidence.scoreMetric} above chance. Most likely "${top.column}" contains the answer, or is only known after the fact.`,
        nextSteps: [
          `Check how "${top.column}" is recorded: drop it if it is filled in after the outcome, or copies it.`,
          'Train again without it and compare: an honest model is rarely this good.',
        ],
        evidence: { [metric]: value, columnShare: share, columnImportance: top.importance },
      },
    ];
  }
  return [
    {
      code: 'near_perfect',
      severity: 'info',
      message:
        `${perfect} No single column carries it${top === undefined ? '' : ` (the most important, "${top.column}", ${Math.round(100 * Math.max(0, share))}% of the margin over chance)`}: ` +
        'this happens when many measurements pin the outcome down together, and is then genuine.',
      nextSteps: [
        'If you did not expect it, check that the same cases do not appear in both the training and the test rows (duplicates, or several rows per person).',
        'Check that no group of columns is filled in after the outcome.',
      ],
      evidence: { [metric]: value, columnShare: share },
    },
  ];
}

/** Without importances, a near-perfect score can only be flagged, with what to look at. */
function suspicion(perfect: string, metric: string, value: number): Diagnosis {
  return {
    code: 'leakage',
    severity: 'critical',
    message: `${perfect} Real problems are rarely this easy: most likely a column contains the answer, or is only known after the fact.`,
    nextSteps: [
      'Look at the most important columns: drop any that is recorded after the outcome or copies it.',
      'Check that rows of the same person or event are not split between training and test.',
    ],
    evidence: { [metric]: value },
  };
}
