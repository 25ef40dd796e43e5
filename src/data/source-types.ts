/** DuckDB's type names, sorted into the kinds Kiln treats differently. */

const NUMERIC_TYPES = /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT|FLOAT|DOUBLE|REAL|DECIMAL.*|BOOLEAN)$/;
const INTEGER_TYPES = /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT)$/;
const DATETIME_TYPES = /^(DATE|TIME|TIMESTAMP)/;

/** Numbers and booleans: read into a Frame as float64. */
export function isNumericSourceType(type: string): boolean {
  return NUMERIC_TYPES.test(type);
}

/** Whole-number storage types (a DOUBLE column may still hold only whole numbers). */
export function isIntegerSourceType(type: string): boolean {
  return INTEGER_TYPES.test(type);
}

export function isDatetimeSourceType(type: string): boolean {
  return DATETIME_TYPES.test(type);
}
