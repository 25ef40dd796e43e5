/**
 * Pricing stored decision counts: given what each outcome is worth (per case), the value per 1,000
 * cases at every cut-off, the best cut-off, and how it compares with the usual 0.5 — in words a
 * business reads ("deciding at 0.31 instead of 0.50 is worth 412 more per 1,000 cases").
 */
import { KilnError } from '../../core/errors.js';
import type { Payoffs } from './threshold.js';

export interface DecisionCounts {
  readonly threshold: number;
  readonly truePositives: number;
  readonly falsePositives: number;
  readonly falseNegatives: number;
  readonly trueNegatives: number;
}

export interface PricedThreshold extends DecisionCounts {
  readonly valuePer1000: number;
}

export interface ThresholdAdvice {
  readonly rows: readonly PricedThreshold[];
  readonly best: PricedThreshold;
  readonly atHalf: PricedThreshold;
  readonly sentence: string;
}

export function priceThresholds(rows: readonly DecisionCounts[], payoffs: Payoffs, positiveClass: string): ThresholdAdvice {
  if (rows.length === 0) throw new RangeError('no decision counts to price');
  const priced = rows.map((r) => {
    const n = r.truePositives + r.falsePositives + r.falseNegatives + r.trueNegatives;
    const value =
      r.truePositives * payoffs.truePositive + r.falsePositives * payoffs.falsePositive + r.falseNegatives * payoffs.falseNegative + r.trueNegatives * payoffs.trueNegative;
    return { ...r, valuePer1000: n === 0 ? 0 : (1000 * value) / n };
  });
  let best = priced[0] as PricedThreshold;
  for (const r of priced) if (r.valuePer1000 > best.valuePer1000) best = r;
  const atHalf = priced.reduce((a, r) => (Math.abs(r.threshold - 0.5) < Math.abs(a.threshold - 0.5) ? r : a));
  const gain = best.valuePer1000 - atHalf.valuePer1000;
  const fmt = (v: number) => (Math.abs(v) >= 100 ? v.toFixed(0) : v.toFixed(2));
  const sentence =
    gain > 1e-9
      ? `Answer "${positiveClass}" when its probability is at least ${best.threshold.toFixed(2)}: worth ${fmt(best.valuePer1000)} per 1,000 cases, ${fmt(gain)} more than deciding at 0.50 (${fmt(atHalf.valuePer1000)}).`
      : `Deciding at 0.50 is already the best cut-off for these payoffs: worth ${fmt(atHalf.valuePer1000)} per 1,000 cases.`;
  return { rows: priced, best, atHalf, sentence };
}

/** `tp=10,fp=-2,fn=-8,tn=0` → payoffs (missing ones are 0). */
export function parsePayoffs(text: string): Payoffs {
  const values: Record<string, number> = { tp: 0, fp: 0, fn: 0, tn: 0 };
  for (const part of text.split(',').map((p) => p.trim()).filter(Boolean)) {
    const m = /^(tp|fp|fn|tn)\s*=\s*(-?\d+(?:\.\d+)?)$/i.exec(part);
    if (m === null) {
      throw new KilnError('INVALID_PARAMS', {
        what: '--payoffs',
        summary: `"${part}" is not OUTCOME=VALUE; write e.g. tp=100,fp=-20,fn=-100,tn=0 (what each true/false positive/negative is worth; costs negative)`,
      });
    }
    values[(m[1] as string).toLowerCase()] = Number(m[2]);
  }
  return { truePositive: values['tp'] as number, falsePositive: values['fp'] as number, falseNegative: values['fn'] as number, trueNegative: values['tn'] as number };
}
