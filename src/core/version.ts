/** Kiln's own version, read once from package.json (two folders up from both src/core and dist/core). */
import { readFileSync } from 'node:fs';

export const KILN_VERSION: string = (() => {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: string };
    return pkg.version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
})();
