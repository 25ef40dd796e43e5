/** `kiln explain REF FILE.csv [--top N] [--rows a,b]`: the reasons behind each prediction, by column. */
import type { Command } from 'commander';
import type { SavedModel } from '../modules/explain-rows.js';
import { MODULE_ARTIFACTS } from '../modules/manifest.js';
import { KilnError } from '../core/errors.js';
import { parseModelRef } from '../store/model-ref.js';
import { commandContext, withHome } from './context.js';
import { notesJson, sayTableNotes } from './data-notes.js';
import { wholeNumberOption } from './option-values.js';

export function registerExplain(program: Command): void {
  program
    .command('explain')
    .description('the reasons behind each prediction of a model version, column by column (SHAP values: exact for trees, boosting and linear models; baseline Shapley over the columns for the others)')
    .argument('<ref>', 'NAME, NAME:VERSION or NAME@ALIAS')
    .argument('<file>', 'a CSV file with the rows to explain')
    .option('--top <n>', 'reasons shown per row', '5')
    .option('--rows <list>', 'only these rows, by number from 0 (the first row after the header), comma-separated, e.g. 0,1,5 (default: every row)')
    .action(async (ref: string, file: string, opts: { top: string; rows?: string }, cmd: Command) => {
      const [{ readTable }, { explainRows, reasonText }, { loadModule }] = await Promise.all([
        import('../data/sources/read-table.js'),
        import('../modules/explain-rows.js'),
        import('../modules/load-module.js'),
      ]);
      const ctx = commandContext(cmd);
      // options are checked before the model and the file are read
      const top = wholeNumberOption('--top', opts.top, { min: 1 });
      const rowNumbers = opts.rows === undefined ? undefined : opts.rows.split(',').map((text) => wholeNumberOption('--rows', text, { min: 0 }));
      const { saved, manifest, version } = await withHome(ctx, async ({ store, artifacts }) => {
        const v = await store.resolve(parseModelRef(ref));
        const digest = v.artifacts[MODULE_ARTIFACTS.predictor];
        if (digest === undefined) throw new KilnError('MODEL_NOT_READY', { model: `${v.model}:${v.version}`, reason: 'it has no saved predictor to explain' });
        const module = await loadModule(v, artifacts);
        return { saved: JSON.parse((await artifacts.get(digest)).toString('utf8')) as SavedModel, manifest: module.manifest, version: v };
      });
      const table = await readTable(file);
      // how reading changed the values explained (numbers read from text, missing markers, …), as predict says it
      const notes = sayTableNotes(table);
      let frame = table.frame;
      if (rowNumbers !== undefined) {
        const bad = rowNumbers.find((r) => r >= frame.nRows);
        if (bad !== undefined) throw new KilnError('INVALID_PARAMS', { what: '--rows', summary: `row ${bad} is not between 0 and ${frame.nRows - 1}` });
        frame = frame.take(rowNumbers);
      }
      // explainRows numbers the rows it was given from 0; report them by their number in the file
      const explanations = explainRows(saved, manifest, frame, top).map((e) => ({ ...e, row: rowNumbers?.[e.row] ?? e.row }));
      ctx.out.result({ model: version.model, version: version.version, ...notesJson(notes), explanations }, () =>
        explanations
          .map((e) => `row ${e.row}: ${e.outcome} — ${e.reasons.filter((r) => r.contribution > 0).map(reasonText).join(', ') || 'no strong reason'}` +
            (e.reasons.some((r) => r.contribution < 0) ? `; against: ${e.reasons.filter((r) => r.contribution < 0).map(reasonText).join(', ')}` : ''))
          .join('\n'),
      );
    });
}
