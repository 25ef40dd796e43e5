#!/usr/bin/env node
// The `kiln` command: runs the compiled CLI (built by `npm run build`, which `npm ci` runs through `prepare`).
import('../dist/cli/main.js').then((cli) => cli.main(process.argv)).catch((err) => {
  if (err && err.code === 'ERR_MODULE_NOT_FOUND') {
    process.stderr.write('kiln is not built yet: run `npm run build` first\n');
    process.exit(3);
  }
  throw err;
});
