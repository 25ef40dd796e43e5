/**
 * Generates customers.csv: 1,200 customers of an online shop drawn from four known segments, seeded,
 * so that the segments module can be checked against the truth (the `true_segment` column).
 *
 *   node --import tsx examples/segments/generate.ts [rows] [seed] [out.csv]
 *
 * The segments (share, age, yearly spend, visits per month, preferred channel):
 *   young-mobile     35%  ~24   ~120   ~12   mobile 92%
 *   families         30%  ~38   ~450   ~6    web 90%
 *   affluent-seniors 15%  ~63   ~900   ~3    store 90%
 *   occasional       20%  ~45   ~80    ~1.5  store 90%
 * About 1% of ages are missing (left empty), as in real customer tables.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Rng } from '../../src/core/rng.js';

interface Segment {
  readonly name: string;
  readonly share: number;
  readonly age: readonly [number, number];
  readonly spend: readonly [number, number];
  readonly visits: readonly [number, number];
  readonly channels: Readonly<Record<string, number>>;
}

export const SEGMENTS: readonly Segment[] = [
  { name: 'young-mobile', share: 0.35, age: [24, 3], spend: [120, 30], visits: [12, 3], channels: { mobile: 0.92, web: 0.05, store: 0.03 } },
  { name: 'families', share: 0.3, age: [38, 4], spend: [450, 60], visits: [6, 2], channels: { web: 0.9, store: 0.07, mobile: 0.03 } },
  { name: 'affluent-seniors', share: 0.15, age: [63, 5], spend: [900, 120], visits: [3, 1], channels: { store: 0.9, web: 0.07, mobile: 0.03 } },
  { name: 'occasional', share: 0.2, age: [45, 8], spend: [80, 25], visits: [1.5, 0.7], channels: { store: 0.9, web: 0.06, mobile: 0.04 } },
];

/** The customers as CSV text (header included). */
export function generateCustomers(rows: number, seed: number): string {
  const rng = new Rng(seed);
  const lines = ['customer_id,age,spend,visits,channel,true_segment'];
  const pickSegment = (): Segment => {
    let u = rng.next();
    for (const s of SEGMENTS) if ((u -= s.share) < 0) return s;
    return SEGMENTS[SEGMENTS.length - 1] as Segment;
  };
  const pickChannel = (channels: Readonly<Record<string, number>>): string => {
    let u = rng.next();
    for (const [c, p] of Object.entries(channels)) if ((u -= p) < 0) return c;
    return Object.keys(channels)[0] as string;
  };
  for (let i = 0; i < rows; i++) {
    const s = pickSegment();
    const age = Math.round(Math.min(90, Math.max(18, s.age[0] + s.age[1] * rng.normal())));
    const spend = Math.max(5, s.spend[0] + s.spend[1] * rng.normal()).toFixed(2);
    const visits = Math.max(0, Math.round(s.visits[0] + s.visits[1] * rng.normal()));
    const channel = pickChannel(s.channels);
    const missingAge = rng.next() < 0.01;
    lines.push(`C${String(i + 1).padStart(5, '0')},${missingAge ? '' : age},${spend},${visits},${channel},${s.name}`);
  }
  return `${lines.join('\n')}\n`;
}

if (process.argv[1] !== undefined && import.meta.filename === process.argv[1]) {
  const rows = Number(process.argv[2] ?? 1200);
  const seed = Number(process.argv[3] ?? 7);
  const out = process.argv[4] ?? join(import.meta.dirname, 'customers.csv');
  writeFileSync(out, generateCustomers(rows, seed));
  console.log(`wrote ${rows} customers to ${out}`);
}
