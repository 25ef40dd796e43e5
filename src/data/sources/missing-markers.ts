/**
 * Cells that mean "no value" in spreadsheets, compared lower-cased and trimmed: what pandas reads as
 * missing by default (`NA`, `N/A`, `null`, `NaN`, …), the dashes and question marks people type, and
 * Excel's error values. They are read as missing only in a column that otherwise holds numbers or
 * dates: in a text column, "NA" may well be North America.
 */
export const MISSING_MARKERS: readonly string[] = ['na', 'n/a', 'n.a.', '#n/a', 'nan', 'null', 'none', 'nil', '-', '--', '?', '.', 'missing', '#div/0!', '#value!', '#ref!', '#num!'];
