/** The taste ratings (test/learners/recommend/taste-ratings.ts) as a CSV file in a temporary folder. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tasteRatings, type TasteRatings } from '../../learners/recommend/taste-ratings.js';

export interface SyntheticRatings {
  readonly dir: string;
  readonly csv: string;
  readonly data: TasteRatings;
}

/** Columns customer, product, stars, when. */
export function writeSyntheticRatings(options: Parameters<typeof tasteRatings>[0] = {}): SyntheticRatings {
  const data = tasteRatings(options);
  const lines = ['customer,product,stars,when', ...data.users.map((u, r) => `${u},${data.items[r]},${data.stars[r]},${data.times[r]}`)];
  const dir = mkdtempSync(join(tmpdir(), 'kiln-recommend-'));
  const csv = join(dir, 'ratings.csv');
  writeFileSync(csv, `${lines.join('\n')}\n`);
  return { dir, csv, data };
}
