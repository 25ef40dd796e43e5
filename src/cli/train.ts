/**
 * `kiln train SPEC.yaml` or `kiln train --data SOURCE --target COL [...]`: train a module, record the
 * run, register a new version. Flags given with a spec override the spec's fields.
 */
import { basename, extname } from 'node:path';
import type { Command } from 'commander';
import { parse as parseYamlValue } from 'yaml';
import { KilnError } from '../core/errors.js';
import { loadSpecFile, TABULAR_TASKS, TASKS, validateSpec, type LoadedSpec } from '../modules/spec.js';
// training's code (learners, ONNX, DuckDB) loads when the verb runs, not for `kiln --help`
import type { ModuleTrainResult } from '../modules/train-module.js';
import { commandContext, withHome } from './context.js';
import { collectDataNotes, notesJson } from './data-notes.js';
import { deliverWebhooks } from './models.js';
import { metricsTable, withErrorDocumentFields } from './output.js';
import { cancelOnInterrupt } from './interrupt.js';
import { numberOption, wholeNumberOption } from './option-values.js';

export function registerTrain(program: Command): void {
  program
    .command('train')
    .description('train a module from its spec (YAML) or from flags, record the run and register a new version')
    .argument('[spec]', 'the module spec, e.g. examples/titanic/kiln.yaml')
    .option('--data <source>', 'the training table: a file (CSV, JSON, Parquet, xlsx, …) or sqlite:/postgres:// source')
    .option('--target <column>', 'the column to predict')
    .option('--name <model>', 'the model name (default: the data file\'s name)')
    .option('--task <task>', `${TASKS.join(' | ')}`)
    .option('--learner <name>', 'the algorithm (default: the task\'s default)')
    .option('--param <key=value>', 'a learner parameter; repeat for more', collect, [])
    .option('--drop <columns>', 'comma-separated columns to leave out')
    .option('--seed <n>', 'seed for every random choice, a whole number (default 42)')
    .option('--test-fraction <f>', 'fraction of rows held out for the test (default 0.2)')
    .option('--test-data <source>', 'test on this table instead of holding out a part of --data')
    .option('--budget <duration>', 'search learners and settings for this long (AutoML), e.g. 60s or 5m')
    .option('--metric <name>', 'what the search optimises: roc_auc, accuracy, log_loss, f1_macro, rmse, mae, r2, …')
    .option('--augment [copies]', 'also train on perturbed copies of the training rows (noisy numbers, swapped categories, blank cells; for text, typing slips and words left out); default 1 copy')
    .option('--text <column>', 'text-classify: the column holding the text')
    .option('--user <column>', 'recommend: the column identifying the user')
    .option('--item <column>', 'recommend: the column identifying the item')
    .option('--rating <column>', 'recommend: the column with explicit ratings (omit for implicit feedback)')
    .option('--time <column>', 'recommend: the column ordering each user\'s interactions (the holdout is their latest)')
    .option('--clusters <k>', 'cluster: the number of segments (2 to 100), or auto (default)')
    .option('--contamination <share>', 'detect-anomalies: the expected share of anomalies (default 0.01)')
    .option('--label <column>', 'detect-anomalies / cluster: a column of known answers, used only to evaluate')
    .action(async (specFile: string | undefined, opts: TrainFlags, cmd: Command) => {
      const ctx = commandContext(cmd);
      const loaded = specFromFlags(specFile, opts);
      const [{ trainModule }, { trainProgress }] = await Promise.all([import('../modules/train-module.js'), import('./progress.js')]);
      const progress = trainProgress(!ctx.out.json);
      // the data's notes are printed even with --json: they say how values were changed before training
      const data = collectDataNotes(progress.onEvent);
      // Ctrl-C stops the training cleanly: its run is marked failed and nothing is registered
      const interrupt = cancelOnInterrupt('training', (line) => process.stderr.write(`\n${line}\n`));
      const result = await withHome(ctx, async (home) => {
        const trained = await trainModule(loaded, { ...home, onEvent: data.onEvent, signal: interrupt.signal })
          // "training was cancelled", not the learner's "the task was cancelled"
          .catch((err: unknown) => {
            throw interrupt.cancellation(err);
          })
          .finally(() => {
            progress.stop();
            interrupt.dispose();
          });
        // "version created" goes out now, not when a server next runs its dispatcher
        await deliverWebhooks(home.store, ctx.logger);
        return trained;
      }).catch((err: unknown) => {
        // a failed training's --json error document carries the notes stderr showed, as a result does
        throw withErrorDocumentFields(err, notesJson(data.notes));
      });
      ctx.out.result({ ...trainJson(result), ...notesJson(data.notes) }, () => trainSummary(result));
    });
}

export interface TrainFlags {
  readonly data?: string;
  readonly target?: string;
  readonly name?: string;
  readonly task?: string;
  readonly learner?: string;
  readonly param: string[];
  readonly drop?: string;
  readonly seed?: string;
  readonly testFraction?: string;
  readonly budget?: string;
  readonly testData?: string;
  readonly metric?: string;
  /** `--augment` alone is true; `--augment 2` is "2". */
  readonly augment?: string | true;
  readonly text?: string;
  readonly user?: string;
  readonly item?: string;
  readonly rating?: string;
  readonly time?: string;
  readonly clusters?: string;
  readonly contamination?: string;
  readonly label?: string;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** The spec file (if any) with the flags laid over it, validated by the one spec schema. */
export function specFromFlags(specFile: string | undefined, flags: TrainFlags, verb: 'train' | 'curves' = 'train'): LoadedSpec {
  const needsTarget = flags.task === undefined || (TABULAR_TASKS as readonly string[]).includes(flags.task) || flags.task === 'text-classify';
  if (specFile === undefined && (flags.data === undefined || (needsTarget && flags.target === undefined))) {
    throw new KilnError('INVALID_PARAMS', {
      what: `${verb} arguments`,
      summary:
        verb === 'curves'
          ? 'give a module spec file, --model REF (a registered version), or both --data SOURCE and --target COLUMN'
          : 'give a module spec file, or both --data SOURCE and --target COLUMN (recommend: --task recommend --user COL --item COL; cluster and detect-anomalies need no target)',
    });
  }
  const base = specFile === undefined ? undefined : loadSpecFile(specFile);
  const raw: Record<string, unknown> =
    base === undefined ? {} : { ...base.spec, data: base.dataPath, ...(base.testDataPath === undefined ? {} : { testData: base.testDataPath }) };
  if (flags.data !== undefined) raw['data'] = flags.data;
  if (flags.target !== undefined) raw['target'] = flags.target;
  if (flags.name !== undefined) raw['name'] = flags.name;
  else if (raw['name'] === undefined) raw['name'] = modelNameFrom(String(raw['data']));
  if (flags.task !== undefined) raw['task'] = flags.task;
  if (flags.learner !== undefined) raw['learner'] = flags.learner;
  if (flags.drop !== undefined) raw['drop'] = flags.drop.split(',').map((c) => c.trim()).filter(Boolean);
  // a number flag that is not a number is a usage error naming the flag; ranges are the spec schema's to check
  if (flags.seed !== undefined) raw['seed'] = wholeNumberOption('--seed', flags.seed);
  if (flags.testFraction !== undefined) raw['split'] = { ...(raw['split'] as object | undefined), test: numberOption('--test-fraction', flags.testFraction) };
  if (flags.budget !== undefined) raw['budget'] = flags.budget;
  if (flags.testData !== undefined) raw['testData'] = flags.testData;
  if (flags.metric !== undefined) raw['metric'] = flags.metric;
  if (flags.augment !== undefined) {
    if (flags.augment !== true && !/^\d+$/.test(flags.augment)) {
      throw new KilnError('INVALID_PARAMS', { what: '--augment', summary: `"${flags.augment}" is not a number of copies; give a whole number from 1 to 5 (e.g. --augment 2), or --augment alone for 1` });
    }
    // the spec's other augmentation settings stay; the flag sets (or turns on) the copies
    const settings = typeof raw['augment'] === 'object' && raw['augment'] !== null ? (raw['augment'] as object) : {};
    raw['augment'] = flags.augment === true ? settings : { ...settings, copies: Number(flags.augment) };
  }
  for (const field of ['text', 'user', 'item', 'rating', 'time', 'label'] as const) if (flags[field] !== undefined) raw[field] = flags[field];
  if (flags.clusters !== undefined) raw['clusters'] = flags.clusters === 'auto' ? 'auto' : wholeNumberOption('--clusters', flags.clusters);
  if (flags.contamination !== undefined) raw['contamination'] = numberOption('--contamination', flags.contamination);
  if (flags.param.length > 0) raw['params'] = { ...(raw['params'] as object | undefined), ...parseParamFlags(flags.param) };
  return validateSpec(raw, base?.file ?? null, process.cwd());
}

/** `--param C=0.5 --param classWeight=balanced` → {C: 0.5, classWeight: 'balanced'} (values read as YAML scalars). */
export function parseParamFlags(pairs: readonly string[]): Record<string, unknown> {
  const params: Record<string, unknown> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) {
      throw new KilnError('INVALID_PARAMS', { what: 'learner parameters', summary: `"${pair}" is not KEY=VALUE (e.g. --param C=0.5)` });
    }
    params[pair.slice(0, eq)] = parseYamlValue(pair.slice(eq + 1)) as unknown;
  }
  return params;
}

/** titanic.csv → titanic; a name that is not a valid model name is left for the spec schema to refuse. */
function modelNameFrom(source: string): string {
  return basename(source, extname(source)).replace(/[^A-Za-z0-9_.-]/g, '-').replace(/^[^A-Za-z0-9]+/, '') || 'model';
}

export function trainJson(r: ModuleTrainResult): Record<string, unknown> {
  return {
    model: r.model,
    version: r.version,
    run_id: r.runId,
    task: r.task,
    learner: r.learner,
    fit_s: Number(r.fitSeconds.toFixed(4)),
    rows: r.rows,
    metrics: r.metrics,
    ...r.details,
  };
}

function trainSummary(r: ModuleTrainResult): string {
  return [
    '',
    `registered ${r.model}:${r.version} (run ${r.runId}) — ${r.learner}, ${r.task}, fitted in ${r.fitSeconds.toFixed(2)} s`,
    '',
    metricsTable(r.metrics, `test (${r.rows.test} held-out rows)`),
    '',
    ...r.summary,
    '',
    `serve it:   kiln serve        then   curl http://127.0.0.1:8080/v2/models/${r.model}`,
  ].join('\n');
}
