/**
 * Choosing where to draw the line for a yes/no decision by what the decisions are worth: each true
 * positive, false positive, false negative and true negative has a value (negative for a cost), and
 * the threshold that maximises the expected value per 1,000 cases is proposed.
 */
export interface Payoffs {
  readonly truePositive: number;
  readonly falsePositive: number;
  readonly falseNegative: number;
  readonly trueNegative: number;
}

export interface ThresholdRow {
  readonly threshold: number;
  readonly truePositives: number;
  readonly falsePositives: number;
  readonly falseNegatives: number;
  readonly trueNegatives: number;
  /** Expected value of deciding at this threshold, per 1,000 cases like those scored. */
  readonly valuePer1000: number;
}

/** Scans thresholds 0.00, 0.01, …, 1.00 on P(positive); a row is "yes" when its probability ≥ threshold. */
export function thresholdTable(positive: Uint8Array, p1: Float64Array, payoffs: Payoffs, steps = 100): ThresholdRow[] {
  const n = positive.length;
  const rows: ThresholdRow[] = [];
  for (let s = 0; s <= steps; s++) {
    const threshold = s / steps;
    let tp = 0;
    let fp = 0;
    let fn = 0;
    let tn = 0;
    for (let i = 0; i < n; i++) {
      const yes = (p1[i] as number) >= threshold;
      if (positive[i] === 1) yes ? tp++ : fn++;
      else yes ? fp++ : tn++;
    }
    const value = tp * payoffs.truePositive + fp * payoffs.falsePositive + fn * payoffs.falseNegative + tn * payoffs.trueNegative;
    rows.push({ threshold, truePositives: tp, falsePositives: fp, falseNegatives: fn, trueNegatives: tn, valuePer1000: n === 0 ? 0 : (1000 * value) / n });
  }
  return rows;
}

/** The row with the highest value (the lowest threshold among ties). */
export function bestThreshold(table: readonly ThresholdRow[]): ThresholdRow {
  let best = table[0];
  if (best === undefined) throw new RangeError('an empty threshold table has no best row');
  for (const row of table) if (row.valuePer1000 > best.valuePer1000) best = row;
  return best;
}
