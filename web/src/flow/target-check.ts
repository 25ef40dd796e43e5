/**
 * A column to predict that cannot be learnt: one whose values name the rows (an id, a name, a ticket
 * number) rather than describe an outcome. Kiln suggests "a choice among several classes" for it all
 * the same ("id" has 200 values: Kiln will learn to predict which one), and the training that follows
 * can only score near zero; the Build page says so before anyone waits for it.
 */
import type { ColumnProfile } from '../api/types.js';

/** Classes seen this rarely on average cannot be learnt from their examples. */
const MIN_ROWS_PER_CLASS = 2;
/** A few classes with few rows each is a small table, not an identifier. */
const MIN_CLASSES = 20;

export function targetWarning(column: ColumnProfile | undefined, rows: number): string | undefined {
  if (column === undefined || column.numeric !== undefined || rows <= 0) return undefined;
  const known = Math.max(1, rows - column.missing);
  if (column.distinct < MIN_CLASSES || column.distinct * MIN_ROWS_PER_CLASS <= known) return undefined;
  const every = column.distinct >= known;
  return (
    `${every ? 'Every row has its own' : 'Almost every row has its own'} "${column.name}" (${column.distinct.toLocaleString('en-US')} different values in ${known.toLocaleString('en-US')} rows): ` +
    'it names the rows rather than describing an outcome, so a model cannot learn to predict it for new rows. Choose the column with the answer you want, ' +
    'such as a yes/no, a category or an amount.'
  );
}
