/** `kiln predict REF FILE.csv [--out FILE]`: score a table with a registered module version. */
import { extname } from 'node:path';
import type { Command } from 'commander';
import { KilnError } from '../core/errors.js';
import type { Column } from '../core/frame.js';
import { toCsv, type Cell } from '../data/write-csv.js';
import { parseModelRef } from '../store/model-ref.js';
import { commandContext, withHome } from './context.js';
import { notesJson, sayTableNotes } from './data-notes.js';
import { checkOutputFile, writeOutputFile } from './output-file.js';

/** What `--out` can write; the file's extension picks the format. */
const OUT_FORMATS = ['.csv', '.json'];

export function registerPredict(program: Command): void {
  program
    .command('predict')
    .description('score a table with a model version; writes the rows with their predictions')
    .argument('<ref>', 'NAME, NAME:VERSION or NAME@ALIAS')
    .argument('<source>', 'a table with the model\'s input columns: a file (CSV, JSON, Parquet, xlsx, …) or sqlite:/postgres:// source')
    .option('--out <file>', 'write to this file (.csv or .json) instead of stdout')
    .action(async (ref: string, file: string, opts: { out?: string }, cmd: Command) => {
      const [{ readTable }, { loadModule }, { scoreFrame }] = await Promise.all([
        import('../data/sources/read-table.js'),
        import('../modules/load-module.js'),
        import('../modules/score-table.js'),
      ]);
      const ctx = commandContext(cmd);
      if (opts.out !== undefined) checkOut(opts.out);
      const parsed = parseModelRef(ref);
      const { version, module } = await withHome(ctx, async ({ store, artifacts }) => {
        const v = await store.resolve(parsed);
        return { version: v, module: await loadModule(v, artifacts) };
      });
      const table = await readTable(file);
      // how reading changed the values scored (numbers read from text, missing markers, …), even with --json
      const notes = sayTableNotes(table);
      const missing = module.manifest.signature.inputs.filter((i) => !table.frame.has(i.name)).map((i) => i.name);
      if (missing.length > 0) {
        // name the first missing input, and how many others are missing too
        const others = missing.length > 1 ? `; ${missing.length - 1} more of its inputs are missing too: ${missing.slice(1).join(', ')}` : '';
        throw new KilnError('COLUMN_NOT_FOUND', { column: missing[0], what: `an input of ${version.model}:${version.version}${others}`, columns: table.frame.names });
      }
      const scores = await scoreFrame(module, table.frame);
      const outputNames = Object.keys(scores.columns);
      const header = [...table.frame.names, ...outputNames];
      const columns: ArrayLike<Cell>[] = [...table.frame.columns.map(cellsOf), ...outputNames.map((n) => scores.columns[n] ?? [])];
      const n = table.frame.nRows;
      const rows = () =>
        Array.from({ length: n }, (_, i) => Object.fromEntries(header.map((h, j) => [h, columns[j]?.[i] ?? null])));
      const summary = { model: version.model, version: version.version, rows: n, outputs: outputNames, ...notesJson(notes) };

      if (opts.out !== undefined) {
        writeOutputFile(opts.out, opts.out.toLowerCase().endsWith('.json') ? JSON.stringify(rows(), null, 2) + '\n' : toCsv(header, columns, n));
        ctx.out.result({ ...summary, out: opts.out }, () => `scored ${n} rows with ${version.model}:${version.version} → ${opts.out}`);
      } else if (ctx.out.json) {
        ctx.out.result({ ...summary, predictions: rows() }, () => '');
      } else {
        process.stdout.write(toCsv(header, columns, n));
        ctx.out.info(`scored ${n} rows with ${version.model}:${version.version}`);
      }
    });
}

function cellsOf(c: Column): ArrayLike<Cell> {
  return c.kind === 'numeric' ? Array.from(c.values, (v) => (Number.isNaN(v) ? null : v)) : c.values;
}

/** `--out` must name a file Kiln can write in a format it writes (not, say, CSV text in a .parquet file). */
function checkOut(out: string): void {
  if (!OUT_FORMATS.includes(extname(out).toLowerCase())) {
    throw new KilnError('INVALID_PARAMS', { what: '--out', summary: `"${out}" does not end in ${OUT_FORMATS.join(' or ')}; predictions are written as CSV or JSON (e.g. --out scored.csv)` });
  }
  checkOutputFile(out);
}
