/** Linear scales and tick values for the hand-written SVG charts. */

export function linearScale(domain: readonly [number, number], range: readonly [number, number]): (v: number) => number {
  const [d0, d1] = domain;
  const [r0, r1] = range;
  const span = d1 - d0 === 0 ? 1 : d1 - d0;
  return (v) => r0 + ((v - d0) / span) * (r1 - r0);
}

/** The smallest and largest finite values (0..1 when there are none). */
export function extent(values: Iterable<number>): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (!Number.isFinite(v)) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return lo === Infinity ? [0, 1] : lo === hi ? [lo - 0.5, hi + 0.5] : [lo, hi];
}

/** About `count` round tick values covering [lo, hi] (1, 2 or 5 times a power of ten apart). */
export function ticks(lo: number, hi: number, count = 4): number[] {
  const raw = (hi - lo) / Math.max(1, count);
  if (!(raw > 0) || !Number.isFinite(raw)) return [lo];
  const power = 10 ** Math.floor(Math.log10(raw));
  // the round step whose number of ticks comes closest to `count`
  const closeness = (s: number) => Math.abs((hi - lo) / s - count);
  const step = [1, 2, 5, 10].map((m) => m * power).reduce((best, s) => (closeness(s) < closeness(best) ? s : best));
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(Number(v.toPrecision(12)));
  return out;
}

/**
 * Short labels: 1,234, 0.25, 0.0005, 1.2e6. Small values keep plain decimals (two significant digits)
 * because "5.0e-4" means nothing to most readers; only the vanishingly small fall back to exponents.
 */
export function formatNumber(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  if (a !== 0 && (a >= 1e6 || a < 1e-6)) return v.toExponential(1);
  if (a !== 0 && a < 1e-3) return Number(v.toPrecision(2)).toString();
  if (a >= 100) return Math.round(v).toLocaleString('en-US');
  return Number(v.toPrecision(3)).toString();
}

const MINUTE = 60_000;
const TIME_STEPS = [MINUTE, 5 * MINUTE, 15 * MINUTE, 30 * MINUTE, 60 * MINUTE, 3 * 60 * MINUTE, 6 * 60 * MINUTE, 12 * 60 * MINUTE, 24 * 60 * MINUTE, 7 * 24 * 60 * MINUTE];

/** About `count` ticks on a time axis (epoch ms) at round minutes, hours or days. */
export function timeTicks(lo: number, hi: number, count = 4): number[] {
  const step = TIME_STEPS.find((s) => (hi - lo) / s <= count) ?? (TIME_STEPS[TIME_STEPS.length - 1] as number);
  // round in local time, so hour ticks fall on the hour the reader sees
  const offset = new Date(lo).getTimezoneOffset() * MINUTE;
  const out: number[] = [];
  for (let t = Math.ceil((lo - offset) / step) * step + offset; t <= hi; t += step) out.push(t);
  return out;
}

/** A time tick label: the time of day, with the date when the axis spans days. */
export function formatTime(t: number, spanMs: number): string {
  const d = new Date(t);
  return spanMs > 36 * 60 * MINUTE ? d.toLocaleDateString('en-US', { month: 'short', day: 'numeric' }) : d.toLocaleTimeString('en-US', { hour: '2-digit', minute: '2-digit' });
}
