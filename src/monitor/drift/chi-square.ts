/**
 * Pearson's chi-square test of independence on the 2 × k contingency table (reference, current) × category,
 * like scipy's `chi2_contingency(table, correction=False)`. Unlike a goodness-of-fit test it stays finite
 * when the current data brings a category the reference never had.
 */
import { chiSquareSf } from '../../core/stats/distributions.js';

export function chiSquareContingency(reference: ReadonlyMap<string, number>, current: ReadonlyMap<string, number>): { statistic: number; pValue: number; dof: number } {
  const keys = [...new Set([...reference.keys(), ...current.keys()])];
  const nRef = sum(reference.values());
  const nCur = sum(current.values());
  const total = nRef + nCur;
  let statistic = 0;
  for (const key of keys) {
    const r = reference.get(key) ?? 0;
    const c = current.get(key) ?? 0;
    const colTotal = r + c;
    if (colTotal === 0) continue;
    const expectedR = (nRef * colTotal) / total;
    const expectedC = (nCur * colTotal) / total;
    statistic += (r - expectedR) ** 2 / expectedR + (c - expectedC) ** 2 / expectedC;
  }
  const dof = keys.length - 1;
  return { statistic, pValue: dof <= 0 ? 1 : chiSquareSf(statistic, dof), dof };
}

export function sum(values: Iterable<number>): number {
  let s = 0;
  for (const v of values) s += v;
  return s;
}
