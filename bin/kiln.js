#!/usr/bin/env node
// The `kiln` command: runs the compiled CLI (built by `npm run build`, which `npm ci` runs through `prepare`).
import { existsSync } from 'node:fs';

const entry = new URL('../dist/cli/entry.js', import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write('kiln is not built yet: run `npm run build` first\n');
  process.exit(3);
}
await import(entry.href);
