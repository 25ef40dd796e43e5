/**
 * `kiln curves SPEC.yaml [--curve-param NAME --values a,b,c] [--html FILE]`: would more data help, and
 * which setting of a parameter is best? Learning curves against training-set size and validation
 * curves, cross-validated on the training part only, read in plain words; for a table's module or a
 * text-classify one (its texts featurised inside each fold). `kiln curves --model REF` asks the same
 * of a registered version: its spec, its data as trained on, the model it settled on.
 */
import type { Command } from 'commander';
import { parse as parseYamlValue } from 'yaml';
import { KilnError } from '../core/errors.js';
import { parseModelRef } from '../store/model-ref.js';
import { commandContext, withHome, type CommandContext } from './context.js';
import type { CurvesOptions, CurvesResult } from '../modules/tabular/tabular-curves.js';
import { specFromFlags, type TrainFlags } from './train.js';
import { curvesProgress } from './curves-progress.js';
import { cancelOnInterrupt } from './interrupt.js';
import { checkOutputFile, writeOutputFile } from './output-file.js';
import { withErrorDocumentFields } from './output.js';
import { notesJson, printDataNotes } from './data-notes.js';
import type { IngestNote } from '../data/sources/ingest-note.js';

interface CurvesFlags extends TrainFlags {
  readonly values?: string;
  readonly curveParam?: string;
  readonly sizes?: string;
  readonly html?: string;
  readonly model?: string;
}

export function registerCurves(program: Command): void {
  program
    .command('curves')
    .description('learning curves (does more data help?) and validation curves of one parameter, cross-validated, in plain words')
    .argument('[spec]', 'the module spec, e.g. examples/titanic/kiln.yaml')
    .option('--model <ref>', 'draw the curves of a registered version instead (NAME, NAME:VERSION or NAME@ALIAS): refits the model it settled on, on its data as trained on')
    .option('--data <source>', 'the training table')
    .option('--target <column>', 'the column to predict')
    .option('--learner <name>', 'the algorithm (default: the task\'s default)')
    .option('--param <key=value>', 'a learner parameter; repeat for more', (v: string, p: string[]) => [...p, v], [])
    .option('--metric <name>', 'the metric to draw (default: roc_auc or rmse)')
    .option('--curve-param <name>', 'draw a validation curve of this learner parameter')
    .option('--values <list>', 'the values to try for --curve-param, comma-separated (e.g. 0.01,0.1,1,10)')
    .option('--sizes <list>', 'shares of the training rows for the learning curve (default 0.1,0.325,0.55,0.775,1)')
    .option('--html <file>', 'write the charts as a self-contained HTML page')
    .action(async (specFile: string | undefined, opts: CurvesFlags, cmd: Command) => {
      const ctx = commandContext(cmd);
      if (opts.model !== undefined && (specFile !== undefined || opts.data !== undefined || opts.target !== undefined || opts.learner !== undefined || (opts.param ?? []).length > 0)) {
        throw new KilnError('INVALID_PARAMS', { what: 'curves arguments', summary: '--model draws a registered version as it was trained: give either --model REF or a spec (or --data/--target/--learner/--param), not both' });
      }
      const param = curveParam(opts);
      const fractions = opts.sizes === undefined ? undefined : listOf(opts.sizes, '--sizes').map(Number);
      if (fractions?.some((f) => !(f > 0 && f <= 1))) {
        throw new KilnError('INVALID_PARAMS', { what: '--sizes', summary: 'give shares between 0 and 1, e.g. --sizes 0.2,0.5,1' });
      }
      // refused now, not after minutes of fitting
      if (opts.html !== undefined) checkOutputFile(opts.html);
      const progress = curvesProgress(!ctx.out.json);
      // Ctrl-C stops the curves through their AbortSignal, as it stops a training: exit code 130
      const interrupt = cancelOnInterrupt('drawing the curves', (line) => process.stderr.write(`\n${line}\n`));
      // how reading the data file changed values: printed before the fits (also with --json), kept for the document
      const notes: IngestNote[] = [];
      const options: CurvesOptions = {
        ...(fractions === undefined ? {} : { fractions }),
        ...(param === undefined ? {} : { param }),
        onPoint: progress.onPoint,
        onNotes: (read) => {
          printDataNotes(read);
          notes.push(...read);
        },
        signal: interrupt.signal,
      };
      const result = await drawCurves(specFile, opts, ctx, options)
        .catch((err: unknown) => {
          throw withErrorDocumentFields(interrupt.cancellation(err), notesJson(notes));
        })
        .finally(() => {
          progress.stop();
          interrupt.dispose();
        });
      if (opts.html !== undefined) {
        const { renderCurvesHtml } = await import('../modules/tabular/curves-html.js');
        writeOutputFile(opts.html, renderCurvesHtml(result));
      }
      const unit = result.task === 'text-classify' ? 'texts' : 'rows';
      ctx.out.result({ ...result, ...notesJson(notes), ...(opts.html === undefined ? {} : { html: opts.html }) }, () =>
        [
          `${result.version === undefined ? '' : `${result.model}:${result.version}: `}${result.learner} on ${result.trainingRows} training ${unit}, ${result.folds}-fold cross-validation (${result.protocol}), ${result.metric}:`,
          '',
          `  ${unit.padEnd(9)} training   held out`,
          ...result.size.points.map((p) => `  ${String(p.x).padEnd(9)} ${p.train.toFixed(4).padStart(8)}   ${p.validation.toFixed(4).padStart(8)}`),
          '',
          result.size.reading.sentence,
          ...result.size.reading.nextSteps.map((s) => `  → ${s}`),
          ...(result.validation === undefined
            ? []
            : [
                '',
                `  ${result.validation.param.padEnd(9)} training   held out`,
                ...result.validation.points.map((p) => `  ${String(p.x).padEnd(9)} ${p.train.toFixed(4).padStart(8)}   ${p.validation.toFixed(4).padStart(8)}`),
                '',
                result.validation.reading.sentence,
                ...result.validation.reading.nextSteps.map((s) => `  → ${s}`),
              ]),
          ...(opts.html === undefined ? [] : ['', `charts written to ${opts.html}`]),
        ].join('\n'),
      );
    });
}

/** The curves of the spec (or flags), or of the registered version `--model` names. */
async function drawCurves(specFile: string | undefined, opts: CurvesFlags, ctx: CommandContext, options: CurvesOptions): Promise<CurvesResult & { version?: number }> {
  if (opts.model !== undefined) {
    const ref = parseModelRef(opts.model);
    const { versionCurves, versionCurvesInput } = await import('../modules/tabular/version-curves.js');
    return withHome(ctx, async (home) => {
      const input = await versionCurvesInput(await home.store.resolve(ref), home);
      // --metric is the one setting that may differ from training's: what to draw, not how to fit
      return versionCurves(opts.metric === undefined ? input : { ...input, spec: { ...input.spec, metric: opts.metric } }, home.artifacts, options);
    });
  }
  const loaded = specFromFlags(specFile, opts, 'curves');
  if (loaded.spec.task === 'text-classify') {
    const { textCurves } = await import('../modules/text/text-curves.js');
    return textCurves(loaded, options);
  }
  const { tabularCurves } = await import('../modules/tabular/tabular-curves.js');
  return tabularCurves(loaded, options);
}

function curveParam(opts: CurvesFlags): { name: string; values: (number | string)[] } | undefined {
  if (opts.curveParam === undefined && opts.values === undefined) return undefined;
  if (opts.curveParam === undefined || opts.values === undefined) {
    throw new KilnError('INVALID_PARAMS', { what: 'curves arguments', summary: 'give both --curve-param NAME and --values a,b,c' });
  }
  return { name: opts.curveParam, values: listOf(opts.values, '--values').map((v) => parseYamlValue(v) as number | string) };
}

function listOf(text: string, flag: string): string[] {
  const items = text.split(',').map((v) => v.trim()).filter(Boolean);
  if (items.length === 0) throw new KilnError('INVALID_PARAMS', { what: flag, summary: 'give a comma-separated list' });
  return items;
}
