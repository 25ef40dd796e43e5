/**
 * The tabular trainer behind the common module entry point: its rich result (search leaderboard,
 * baseline, diagnoses, importances) becomes the JSON details and the plain-language summary lines
 * every module returns.
 */
import type { LoadedSpec } from '../spec.js';
import type { ModuleTrainResult, TrainContext } from '../train-module.js';
import { trainTabularModule, type TrainResult } from './train-tabular.js';

export async function trainTabular(loaded: LoadedSpec, ctx: TrainContext): Promise<ModuleTrainResult> {
  return tabularModuleResult(await trainTabularModule(loaded, ctx));
}

export function tabularModuleResult(r: TrainResult): ModuleTrainResult {
  return {
    model: r.model,
    version: r.version,
    runId: r.runId,
    task: r.task,
    learner: r.learner,
    fitSeconds: r.fitSeconds,
    rows: r.rows,
    metrics: r.metrics,
    details: {
      features: r.features,
      excluded: r.excluded,
      onnx_max_abs_diff: r.onnxMaxAbsDiff,
      ...(r.search === undefined ? {} : { search: r.search }),
      ...(r.augment === undefined ? {} : { augment: augmentJson(r.augment) }),
      baseline: r.report.baseline,
      diagnoses: r.report.diagnoses,
      importances: r.report.importances,
    },
    summary: tabularSummary(r),
  };
}

function tabularSummary(r: TrainResult): string[] {
  return [
    ...(r.augment === undefined ? [] : [`fitted on ${r.rows.train} training rows and ${r.augment.fittedRows - r.rows.train} perturbed copies of them`, '']),
    ...(r.search === undefined
      ? []
      : [
          `searched ${r.search.trials} trials in ${r.search.seconds.toFixed(0)} s; best cross-validated ${r.search.metric}:`,
          ...r.search.leaderboard.slice(0, 5).map((t, i) => `  ${i + 1}. ${t.learner.padEnd(22)} ${t.cv.toFixed(4)}  ${JSON.stringify(t.params)}`),
          ...(r.search.ensemble ? [`  → an average of ${r.search.ensemble.join(' + ')} scored better still, and was kept`] : []),
          '',
        ]),
    r.report.baseline.sentence,
    ...r.report.diagnoses.flatMap((d) => [`${d.severity.toUpperCase()}: ${d.message}`, ...d.nextSteps.map((s) => `  → ${s}`)]),
    '',
    `columns that matter most: ${r.report.importances
      .slice(0, 5)
      .filter((c) => c.importance > 0)
      .map((c) => `${c.column} (${c.importance.toFixed(3)})`)
      .join(', ')}`,
  ];
}

/** The augmentation settings and the rows fitted on, in the JSON's snake_case. */
function augmentJson({ fittedRows, ...settings }: NonNullable<TrainResult['augment']>): Record<string, number> {
  return { ...settings, fitted_rows: fittedRows };
}
