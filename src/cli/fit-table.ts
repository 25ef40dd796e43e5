/**
 * A text table that fits the terminal it is printed on. Lists of models and runs grow sideways (long
 * names, many learners); wrapped lines make a table unreadable. So a table that is too wide first cuts
 * long cells (with …) down to a floor, then leaves out its least needed columns, one at a time.
 */
import { table } from './output.js';

export interface FitColumn {
  readonly header: string;
  /** May be cut to this many characters (with …) while the table is too wide; never cut when absent. */
  readonly shrinkTo?: number;
  /** Left out while the table is too wide, lowest first; never left out when absent. */
  readonly dropOrder?: number;
  /**
   * Where a cut cell loses characters: at the end (default), or in the middle for names whose end tells
   * rows apart ("titanic trial 385" → "titanic…al 385").
   */
  readonly cutAt?: 'end' | 'middle';
}

/** Columns between cells, as `table` separates them. */
const GAP = 2;
/** Where human output goes (stderr, see output.ts) is not a terminal: wide enough for a log, not a page. */
const DEFAULT_WIDTH = 120;

/** The width human output is laid out for: the terminal's, when it is one, else 120 columns. */
export function outputWidth(): number {
  // human output goes to stderr (stdout is kept for --json and predictions); either may be the terminal
  const columns = process.stderr.isTTY === true ? process.stderr.columns : process.stdout.isTTY === true ? process.stdout.columns : undefined;
  return columns !== undefined && columns > 0 ? columns : DEFAULT_WIDTH;
}

/** `rows` under `columns`, at most `width` characters wide when cutting and dropping can get it there. */
export function fittedTable(columns: readonly FitColumn[], rows: readonly (readonly string[])[], width: number): string {
  let shown: Sized[] = columns.map((column, index) => ({
    ...column,
    index,
    natural: Math.max(column.header.length, ...rows.map((r) => (r[index] ?? '').length)),
  }));
  for (;;) {
    const widths = fitWidths(shown, width);
    const droppable = shown.filter((c) => c.dropOrder !== undefined);
    if (widths !== undefined || droppable.length === 0) {
      // too wide even with every optional column gone: cut what may be cut, and let the line run on
      const final = widths ?? shown.map((c) => Math.min(c.natural, c.shrinkTo ?? c.natural));
      return table(
        shown.map((c, i) => cut(c.header, final[i] ?? c.natural, 'end')),
        rows.map((row) => shown.map((c, i) => cut(row[c.index] ?? '', final[i] ?? c.natural, c.cutAt ?? 'end'))),
      );
    }
    const dropped = droppable.reduce((a, b) => ((b.dropOrder ?? 0) < (a.dropOrder ?? 0) ? b : a));
    shown = shown.filter((c) => c !== dropped);
  }
}

interface Sized extends FitColumn {
  /** Its position in the rows. */
  readonly index: number;
  /** The width of its longest cell or header. */
  readonly natural: number;
}

/** Widths that fit by cutting the shrinkable columns, the one with the most to give first; undefined when they cannot. */
function fitWidths(columns: readonly Sized[], width: number): number[] | undefined {
  const widths = columns.map((c) => c.natural);
  let excess = widths.reduce((a, b) => a + b, 0) + GAP * (widths.length - 1) - width;
  while (excess > 0) {
    let best = -1;
    let room = 0;
    columns.forEach((c, i) => {
      const r = c.shrinkTo === undefined ? 0 : (widths[i] ?? 0) - c.shrinkTo;
      if (r > room) [best, room] = [i, r];
    });
    if (best < 0) return undefined;
    // a character at a time between the widest, so that long cells are cut evenly
    widths[best] = (widths[best] ?? 0) - 1;
    excess -= 1;
  }
  return widths;
}

function cut(text: string, width: number, at: 'end' | 'middle'): string {
  if (text.length <= width) return text;
  if (width <= 1) return '…'.slice(0, width);
  if (at === 'end') return `${text.slice(0, width - 1)}…`;
  const tail = Math.floor((width - 1) / 2);
  return `${text.slice(0, width - 1 - tail)}…${text.slice(text.length - tail)}`;
}
