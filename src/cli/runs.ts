/**
 * `kiln runs [list | show ID | compare ID ID…]`: the tracked training runs.
 *
 *   kiln runs --where "metrics.test.roc_auc > 0.8 and params.C = 1" --tag team=risk --limit 20
 *   kiln runs show 3f1c…            params, metrics, tags, metric series, dataset lineage
 *   kiln runs compare ID ID         params and metrics side by side, differences marked
 *
 * This file also declares the global `--store URL` option, with the verb that introduced it.
 */
import type { Command } from 'commander';
import { KilnError } from '../core/errors.js';
import { datasetJson, runJson, seriesJson } from '../api/json.js';
import { MAX_LIST_LIMIT } from '../api/list-limit.js';
import type { Run, RunQuery } from '../store/store.js';
import { commandContext, withHome } from './context.js';
import { acceptingUnknownSubcommand, refuseUnknownSubcommand } from './unknown-subcommand.js';
import { outputWidth } from './fit-table.js';
import { runsTable } from './list-tables.js';
import { metricsOption } from './metric-columns.js';
import { wholeNumberOption } from './option-values.js';
import { table } from './output.js';

interface ListFlags {
  readonly where?: string;
  readonly tag?: string[];
  readonly orderBy?: string;
  readonly limit?: string;
  readonly offset?: string;
  readonly metrics?: string;
}

const DEFAULT_LIMIT = 50;

export function registerRuns(program: Command): void {
  program.option('--store <url>', 'where runs and models are recorded: a SQLite path or postgres://… (env KILN_STORE_URL, default <home>/kiln.db)');

  const runs = program.command('runs').description('list, show and compare tracked training runs');

  acceptingUnknownSubcommand(runs.command('list', { isDefault: true }))
    .description('list runs, newest first, filtered by metrics, params and tags')
    .option('--where <filter>', `e.g. "metrics.test.roc_auc > 0.8 and params.C = 1 and tags.team = 'risk'"`)
    .option('--tag <key=value>', 'only runs with this tag (repeatable)', collect, [])
    .option('--order-by <field>', 'started_at (default), finished_at, name, status or metrics.NAME, then asc|desc')
    .option('--limit <n>', `at most this many runs (default ${DEFAULT_LIMIT})`)
    .option('--offset <n>', 'skip this many runs first')
    .option('--metrics <names>', "show these metrics as columns instead of the headline one, e.g. roc_auc,accuracy (held-out values, else a search trial's cross-validated ones; train.NAME for others)")
    .action(async (opts: ListFlags, cmd: Command) => {
      refuseUnknownSubcommand(cmd);
      const ctx = commandContext(cmd);
      const query = runQueryOf(opts);
      const wanted = metricsOption(opts.metrics);
      const found = await withHome(ctx, ({ store }) => store.listRuns(query));
      ctx.out.result({ runs: found.map(runJson) }, () =>
        found.length === 0
          ? opts.where === undefined && (opts.tag ?? []).length === 0
            ? 'no runs yet: train a model with `kiln train examples/titanic/kiln.yaml`'
            : 'no runs match'
          : runsTable(found, { ...(wanted === undefined ? {} : { metrics: wanted }), width: outputWidth() }),
      );
    });

  runs
    .command('show')
    .description('show one run: params, metrics, tags, metric series and the dataset it trained on')
    .argument('<id>', 'run id')
    .action(async (id: string, _opts: unknown, cmd: Command) => {
      const ctx = commandContext(cmd);
      const { run, series, dataset } = await withHome(ctx, async ({ store }) => {
        const run = await store.getRun(id);
        const series = await store.getMetricSeries(id);
        const dataset = run.datasetVersionId === null ? null : await store.getDatasetVersion(run.datasetVersionId);
        return { run, series, dataset };
      });
      const json = { ...runJson(run), metric_series: seriesJson(series), dataset_version: dataset === null ? null : datasetJson(dataset) };
      ctx.out.result(json, () => JSON.stringify(json, null, 2));
    });

  runs
    .command('compare')
    .description('params and metrics of two or more runs side by side; * marks rows that differ')
    .argument('<ids...>', 'two or more run ids')
    .action(async (ids: string[], _opts: unknown, cmd: Command) => {
      const ctx = commandContext(cmd);
      if (ids.length < 2) throw new KilnError('INVALID_PARAMS', { what: 'runs compare', summary: 'give at least two run ids' });
      const found = await withHome(ctx, ({ store }) => Promise.all(ids.map((id) => store.getRun(id))));
      const rows = comparisonRows(found);
      ctx.out.result(
        { runs: found.map(runJson), differences: rows.filter((r) => r.differs).map((r) => ({ field: r.field, values: r.values })) },
        () => table(['', 'field', ...found.map((r) => r.id.slice(0, 8))], rows.map((r) => [r.differs ? '*' : '', r.field, ...r.values.map(cell)])),
      );
    });
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function runQueryOf(opts: ListFlags): RunQuery {
  const tags: Record<string, string> = {};
  for (const pair of opts.tag ?? []) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new KilnError('INVALID_PARAMS', { what: '--tag', summary: `"${pair}" is not KEY=VALUE` });
    tags[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return {
    ...(opts.where === undefined ? {} : { where: opts.where }),
    ...(Object.keys(tags).length === 0 ? {} : { tags }),
    ...(opts.orderBy === undefined ? {} : { orderBy: opts.orderBy }),
    // bounded as GET /api/runs bounds ?limit= and ?offset=: beyond them SQLite answered a huge number
    // with "datatype mismatch", an internal error, rather than the user's slip
    limit: opts.limit === undefined ? DEFAULT_LIMIT : wholeNumberOption('--limit', opts.limit, { min: 1, max: MAX_LIST_LIMIT }),
    ...(opts.offset === undefined ? {} : { offset: wholeNumberOption('--offset', opts.offset, { min: 0 }) }),
  };
}

/** One row per param and metric any of the runs has, with each run's value. */
export function comparisonRows(runs: readonly Run[]): { field: string; values: unknown[]; differs: boolean }[] {
  const fields = (pick: (r: Run) => Readonly<Record<string, unknown>>, prefix: string): string[] =>
    [...new Set(runs.flatMap((r) => Object.keys(pick(r))))].sort().map((k) => `${prefix}${k}`);
  const attributes = ['name', 'learner', 'task', 'status'];
  const all = [...attributes, ...fields((r) => r.params, 'params.'), ...fields((r) => r.metrics, 'metrics.'), ...fields((r) => r.tags, 'tags.')];
  return all.map((field) => {
    const values = runs.map((r) => valueOf(r, field));
    const differs = new Set(values.map((v) => JSON.stringify(v ?? null))).size > 1;
    return { field, values, differs };
  });
}

function valueOf(run: Run, field: string): unknown {
  const dot = field.indexOf('.');
  if (dot < 0) return (run as unknown as Record<string, unknown>)[field];
  const group = field.slice(0, dot) as 'params' | 'metrics' | 'tags';
  return run[group][field.slice(dot + 1)];
}

function cell(value: unknown): string {
  if (value === undefined) return '—';
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : value.toPrecision(4);
  return typeof value === 'string' ? value : JSON.stringify(value);
}

