/**
 * A small messy table as people write them, for the tests of what reading data changed: amounts
 * written "$1,234" with "N/A" cells and one stray word ("ask Bob": a warning, read as missing), visits
 * with "N/A" cells (an info note). 40 rows, so the one stray word stays under the 5 % that keeps
 * "amount" a number column. Deterministic, so every test sees the same notes.
 */

/** The codes of the notes reading this table makes, in the order they come. */
export const MESSY_NOTE_CODES = ['text_in_number_column', 'numbers_read_from_text'] as const;

/** The spec fields that train on it quickly (the file's path or upload is `data`). */
export const MESSY_SPEC = { target: 'churned', drop: ['customer'], learner: 'logistic-regression', seed: 7 } as const;

export function messyAccountsCsv(): string {
  const plans = ['basic', 'pro', 'team'];
  const rows = ['customer,plan,amount,visits,churned'];
  for (let i = 0; i < 40; i++) {
    const amount = 200 + ((i * 617) % 4800);
    const churned = amount < 1500 !== (i % 7 === 0) ? 'yes' : 'no';
    const written = i === 17 ? 'ask Bob' : i % 9 === 4 ? 'N/A' : `"$${amount.toLocaleString('en-US')}"`;
    const visits = i % 6 === 2 ? 'N/A' : String(1 + ((i * 13) % 30));
    rows.push(`C${String(i).padStart(3, '0')},${plans[i % 3] ?? 'basic'},${written},${visits},${churned}`);
  }
  return rows.join('\n') + '\n';
}
