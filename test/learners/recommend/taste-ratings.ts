/**
 * Small ratings with known structure, for fast tests: users and items each belong to one of three
 * tastes; a user rates items of their own taste high (4–5) and others low (1–2), and rates more items
 * of their own taste. Item "i0" is rated by everyone (the most popular item). Rows come user by user
 * with increasing times, so a per-user time holdout takes each user's last rows.
 */
import { Rng } from '../../../src/core/rng.js';

export interface TasteRatings {
  readonly users: string[];
  readonly items: string[];
  readonly stars: number[];
  readonly times: number[];
  readonly tasteOf: (id: string) => number;
}

export function tasteRatings(options: { users?: number; items?: number; seed?: number } = {}): TasteRatings {
  const nUsers = options.users ?? 90;
  const nItems = options.items ?? 45;
  const rng = new Rng(options.seed ?? 3);
  const out: TasteRatings = { users: [], items: [], stars: [], times: [], tasteOf: (id) => Number(id.slice(1)) % 3 };
  let t = 1_600_000_000;
  for (let u = 0; u < nUsers; u++) {
    for (let i = 0; i < nItems; i++) {
      const same = u % 3 === i % 3;
      const chance = i === 0 ? 1 : same ? 0.6 : 0.12;
      if (rng.next() >= chance) continue;
      out.users.push(`u${u}`);
      out.items.push(`i${i}`);
      out.stars.push(same ? 4 + rng.int(2) : 1 + rng.int(2));
      out.times.push(t++);
    }
  }
  return out;
}
