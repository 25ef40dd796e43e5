/**
 * Generates transactions.csv: 3,000 card transactions, seeded, of which 1% are planted anomalies marked
 * in the `is_fraud` column (1), so that the anomalies module can be checked against the truth.
 *
 *   node --import tsx examples/anomalies/generate.ts [rows] [seed] [out.csv] [anomaly share] [kinds 3|4]
 *
 * Normal transactions: a merchant type (grocery, fuel, restaurant, online), an amount
 * around the merchant's usual (log-normal), an hour of the day around mid-afternoon (6–23 h), a few
 * items, and a distance from home of a few km (log-normal). The planted anomalies take three shapes
 * in turn (the example's data), or four with the harder fourth (the benchmark's second data set):
 *   - a huge amount for the merchant (20–60 times the usual);
 *   - the middle of the night (1–4 h), far from home (300–3,000 km);
 *   - many items (25–60) bought online, far from home (100–1,000 km), for a large amount;
 * and the harder one:
 *   - an otherwise ordinary purchase in the middle of the night (1–4 h): no value is extreme (a robust
 *     z of about 3 on the hour), so a per-column z-score ranks it below the many grocery baskets whose
 *     item count is as far from the overall median; the isolation forest sees that no other row is there.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Rng } from '../../src/core/rng.js';

const MERCHANTS: Readonly<Record<string, { share: number; amount: number; items: number }>> = {
  grocery: { share: 0.35, amount: 45, items: 8 },
  fuel: { share: 0.25, amount: 60, items: 1 },
  restaurant: { share: 0.2, amount: 35, items: 2 },
  online: { share: 0.2, amount: 70, items: 2 },
};

/** The transactions as CSV text (header included). */
export function generateTransactions(rows: number, seed: number, anomalyShare = 0.01, kinds: 3 | 4 = 3): string {
  const rng = new Rng(seed);
  const nAnomalies = Math.round(rows * anomalyShare);
  // The planted rows sit at random positions.
  const planted = new Set(rng.shuffle(Array.from({ length: rows }, (_, i) => i)).slice(0, nAnomalies));
  const lines = ['transaction_id,merchant,amount,hour,items,distance_km,is_fraud'];
  const pickMerchant = (): string => {
    let u = rng.next();
    for (const [m, p] of Object.entries(MERCHANTS)) if ((u -= p.share) < 0) return m;
    return 'grocery';
  };
  const logNormal = (median: number, sigma: number): number => median * Math.exp(sigma * rng.normal());
  let shape = 0;
  for (let i = 0; i < rows; i++) {
    let merchant = pickMerchant();
    const usual = MERCHANTS[merchant] as { amount: number; items: number };
    let amount = logNormal(usual.amount, 0.3);
    let hour = Math.round(Math.min(23, Math.max(6, 14 + 3.5 * rng.normal())));
    let items = Math.max(1, Math.round(usual.items * (0.6 + 0.8 * rng.next())));
    let distance = logNormal(5, 0.6);
    const fraud = planted.has(i);
    if (fraud) {
      const kind = shape++ % kinds;
      if (kind === 0) amount = usual.amount * (20 + 40 * rng.next());
      else if (kind === 1) {
        hour = 1 + rng.int(4);
        distance = 300 + 2700 * rng.next();
      } else if (kind === 2) {
        merchant = 'online';
        items = 25 + rng.int(36);
        distance = 100 + 900 * rng.next();
        amount = 400 + 1200 * rng.next();
      } else {
        hour = 1 + rng.int(4);
      }
    }
    lines.push(`T${String(i + 1).padStart(6, '0')},${merchant},${amount.toFixed(2)},${hour},${items},${distance.toFixed(1)},${fraud ? 1 : 0}`);
  }
  return `${lines.join('\n')}\n`;
}

if (process.argv[1] !== undefined && import.meta.filename === process.argv[1]) {
  const rows = Number(process.argv[2] ?? 3000);
  const seed = Number(process.argv[3] ?? 11);
  const out = process.argv[4] ?? join(import.meta.dirname, 'transactions.csv');
  const share = Number(process.argv[5] ?? 0.01);
  writeFileSync(out, generateTransactions(rows, seed, share, process.argv[6] === '4' ? 4 : 3));
  console.log(`wrote ${rows} transactions (${Math.round(rows * share)} planted anomalies) to ${out}`);
}
