/**
 * How a number is written for people in a spreadsheet: currency and percent signs around it, thousands
 * separated by commas, spaces or apostrophes, a point (or, in most of Europe, a comma) for decimals. One
 * definition for the two places that read such text: the clean-up of a table as it is read, in DuckDB's
 * SQL (tidy-table.ts), and the conversion of a column scored later, in JavaScript (coerce.ts). The
 * patterns are written in the syntax both regular-expression engines share (RE2's and JavaScript's).
 */

/** Currency and percent signs, dropped (anywhere in the value) before the rest is read as a number. */
export const SIGNS = '[$€£¥₹%]';
/** Thousands separators besides the comma or dot: spaces (also non-breaking) and apostrophes (Swiss). */
export const SPACES = ' \u00a0\u202f\'’';
/** `1,234.5`, `1 234`, `1234.5`, `.5` (a point for decimals). */
export const POINT_DECIMAL = `-?[0-9]{1,3}([,${SPACES}][0-9]{3})+([.][0-9]+)?|-?[0-9]+([.][0-9]+)?|-?[.][0-9]+`;
/** `1.234,5`, `1 234,5`, `1234,5` (a comma for decimals). */
export const COMMA_DECIMAL = `-?[0-9]{1,3}([.${SPACES}][0-9]{3})+(,[0-9]+)?|-?[0-9]+(,[0-9]+)?`;
