/** Writing rows as CSV (RFC 4180 quoting: fields with commas, quotes or line breaks are quoted). */
export type Cell = string | number | null | undefined;

export function csvField(value: Cell): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return Number.isNaN(value) ? '' : String(value);
  return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

export function toCsv(header: readonly string[], columns: readonly (ArrayLike<Cell>)[], nRows: number): string {
  const lines = [header.map(csvField).join(',')];
  for (let i = 0; i < nRows; i++) lines.push(columns.map((c) => csvField(c[i])).join(','));
  return lines.join('\n') + '\n';
}
