/**
 * The tables of `kiln models` and `kiln runs`: a few columns that say which is which and how good it is,
 * fitted to the terminal (fit-table.ts). Everything else — every metric, params, tags — stays in `--json`
 * and in `kiln models show` / `kiln runs show`.
 */
import type { Run } from '../store/store.js';
import { fittedTable, type FitColumn } from './fit-table.js';
import { headlineMetric, scoredMetricNames } from './headline-metric.js';
import { metricColumns } from './metric-columns.js';
import { utcTime } from './output.js';
import { learnerOf, searchedMetric, taskOf, versionHeadline, type VersionFacts } from './version-facts.js';

export interface ListOptions {
  /** Metric columns asked for with --metrics; the headline metric when absent. */
  readonly metrics?: readonly string[];
  /** Characters the table may take (outputWidth() in a command). */
  readonly width: number;
}

/** One row per version, as `kiln models` lists them. */
export function modelsTable(versions: readonly VersionFacts[], options: ListOptions): string {
  const metrics = metricColumns(options.metrics, versions.map((f) => ({ metrics: f.version.metrics, headline: versionHeadline(f) })), 'version');
  // most versions are ready; a status column only when one is not
  const withStatus = versions.some((f) => f.version.status !== 'ready');
  const columns: FitColumn[] = [
    { header: 'model', shrinkTo: 12, cutAt: 'middle' },
    { header: 'version' },
    ...(withStatus ? [{ header: 'status', dropOrder: 5 }] : []),
    { header: 'aliases', shrinkTo: 10, dropOrder: 6 },
    { header: 'task', dropOrder: 2 },
    { header: 'learner', shrinkTo: 12, dropOrder: 1 },
    ...metrics.columns,
    { header: 'created (UTC)', dropOrder: 3 },
  ];
  const rows = versions.map((f, i) => [
    f.version.model,
    String(f.version.version),
    ...(withStatus ? [f.version.status] : []),
    f.version.aliases.join(','),
    taskOf(f) ?? '',
    learnerOf(f) ?? '',
    ...(metrics.cells[i] ?? []),
    utcTime(f.version.createdAt),
  ]);
  return fittedTable(columns, rows, options.width);
}

/** One row per run, as `kiln runs` lists them; the run id stays whole, it is what `runs show` takes. */
export function runsTable(runs: readonly Run[], options: ListOptions): string {
  const metrics = metricColumns(
    options.metrics,
    runs.map((r) => ({ metrics: r.metrics, headline: headlineMetric(r.task, scoredMetricNames(r.metrics), searchedMetric(r)) })),
    'run',
  );
  const columns: FitColumn[] = [
    { header: 'run' },
    { header: 'name', shrinkTo: 12, cutAt: 'middle' },
    { header: 'learner', shrinkTo: 12, dropOrder: 2 },
    { header: 'status' },
    ...metrics.columns,
    { header: 'started (UTC)', dropOrder: 1 },
  ];
  const rows = runs.map((r, i) => [
    r.id,
    r.name,
    r.learner,
    // a search's trial the budget cut short is "stopped", not a failure of its learner (search-learner.ts)
    r.tags['stopped'] === 'budget' ? 'stopped' : r.status,
    ...(metrics.cells[i] ?? []),
    utcTime(r.startedAt),
  ]);
  return fittedTable(columns, rows, options.width);
}
