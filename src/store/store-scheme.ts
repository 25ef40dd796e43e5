/**
 * The scheme of a store URL, apart from the stores themselves: the CLI reads its configuration with it
 * at start-up, before any command has asked to open a store (loading the database drivers takes longer
 * than most commands).
 */
import { isAbsolute } from 'node:path';

/** The scheme of a store URL (`sqlite:` for plain paths, including Windows drive letters). */
export function storeScheme(url: string): string {
  const match = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(url);
  if (match === null || isAbsolute(url) || /^[A-Za-z]:[\\/]/.test(url)) return 'sqlite:';
  return `${(match[1] as string).toLowerCase()}:`;
}
