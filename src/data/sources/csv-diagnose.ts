/**
 * Explaining why a CSV file could not be read as a table. When DuckDB's sniffer cannot find a
 * consistent dialect it falls back to reading each whole line as one text column; a person is better
 * served by the first line whose field count differs from the header's, with its line number.
 */

const DELIMITERS = [',', ';', '\t', '|'] as const;

/** Fields in one CSV line, honouring double quotes. Returns -1 for an unterminated quote. */
function countFields(line: string, delimiter: string): number {
  let fields = 1;
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (ch === '"') quoted = !quoted;
    else if (ch === delimiter && !quoted) fields++;
  }
  return quoted ? -1 : fields;
}

/**
 * If `headerName` (the single column DuckDB found) contains a delimiter, finds the first line of
 * `text` that breaks the header's field count and says so; otherwise returns undefined.
 */
export function diagnoseRaggedCsv(headerName: string, text: string): string | undefined {
  const delimiter = DELIMITERS.find((d) => headerName.includes(d));
  if (delimiter === undefined) return undefined;
  const lines = text.split(/\r?\n/);
  const expected = countFields(lines[0] ?? '', delimiter);
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i] as string;
    if (line === '') continue;
    const got = countFields(line, delimiter);
    if (got === -1) return `line ${i + 1} opens a quote that is never closed`;
    if (got !== expected) return `line ${i + 1} has ${got} fields but the header has ${expected}`;
  }
  return undefined;
}
