/**
 * The module spec as YAML, for viewing and downloading. Specs are small plain objects (strings,
 * numbers, booleans, lists, nested maps), so a short emitter is enough and keeps the YAML library out
 * of the app's bundle. Strings are quoted whenever YAML could read them as something else.
 */

/** Characters that never need quotes, and a first character that starts no special YAML syntax. */
const PLAIN = /^[A-Za-z0-9_.\/][A-Za-z0-9_ .\/-]*$/;
/** Words YAML (1.1 or 1.2) would read as booleans, null or special numbers. */
const RESERVED = /^(true|false|yes|no|on|off|null|~|y|n|[-+]?\.(inf|nan))$/i;
/** Text that would be read back as a number (`10`, `1e3`, `0x1f`, `1_000`). */
const looksNumeric = (s: string): boolean => !Number.isNaN(Number(s.replace(/_/g, ''))) || /^0[xob]/i.test(s);

function scalar(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  const s = String(v);
  return PLAIN.test(s) && !RESERVED.test(s) && !looksNumeric(s) && !s.endsWith(' ') ? s : JSON.stringify(s);
}

const isMap = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const empty = (v: unknown): boolean => (Array.isArray(v) ? v.length === 0 : isMap(v) ? Object.keys(v).length === 0 : false);

function lines(value: Record<string, unknown>, indent: string): string[] {
  const out: string[] = [];
  for (const [key, v] of Object.entries(value)) {
    if (v === undefined) continue;
    const k = scalar(key);
    if (empty(v)) out.push(`${indent}${k}: ${Array.isArray(v) ? '[]' : '{}'}`);
    else if (Array.isArray(v) && v.every((x) => !isMap(x) && !Array.isArray(x))) out.push(`${indent}${k}: [${v.map(scalar).join(', ')}]`);
    else if (Array.isArray(v)) {
      out.push(`${indent}${k}:`);
      for (const item of v) {
        if (isMap(item)) {
          const inner = lines(item, `${indent}    `);
          out.push(`${indent}  - ${(inner[0] ?? '').trimStart()}`, ...inner.slice(1));
        } else out.push(`${indent}  - ${scalar(item)}`);
      }
    } else if (isMap(v)) out.push(`${indent}${k}:`, ...lines(v, `${indent}  `));
    else out.push(`${indent}${k}: ${scalar(v)}`);
  }
  return out;
}

export function specToYaml(spec: Readonly<Record<string, unknown>>): string {
  return `${lines(spec, '').join('\n')}\n`;
}
