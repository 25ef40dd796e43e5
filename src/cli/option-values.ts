/**
 * Numbers given as option values (`--top 5`, `--seed 7`). Commander hands them over as text; `Number()`
 * alone turns "abc" into NaN and "" into 0, which then either fails far away with a message about NaN
 * or is silently used. These read them once, at the flag, and refuse with a usage error that names the
 * flag and what it takes.
 */
import { KilnError } from '../core/errors.js';

export interface NumberBounds {
  readonly min?: number;
  readonly max?: number;
}

/** A finite number, within the bounds when given. */
export function numberOption(flag: string, text: string, bounds: NumberBounds = {}): number {
  const value = text.trim() === '' ? Number.NaN : Number(text);
  if (!Number.isFinite(value) || !within(value, bounds)) throw badValue(flag, text, `a number${range(bounds)}`);
  return value;
}

/** A whole number (no fraction), within the bounds when given. */
export function wholeNumberOption(flag: string, text: string, bounds: NumberBounds = {}): number {
  const value = /^\s*[+-]?\d+\s*$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(value) || !within(value, bounds)) throw badValue(flag, text, `a whole number${range(bounds)}`);
  return value;
}

function within(value: number, { min, max }: NumberBounds): boolean {
  return (min === undefined || value >= min) && (max === undefined || value <= max);
}

function range({ min, max }: NumberBounds): string {
  if (min !== undefined && max !== undefined) return ` from ${min} to ${max}`;
  if (min !== undefined) return ` of at least ${min}`;
  return max === undefined ? '' : ` of at most ${max}`;
}

function badValue(flag: string, text: string, expected: string): KilnError {
  return new KilnError('INVALID_PARAMS', { what: flag, summary: `expected ${expected}, got "${text}"` });
}
