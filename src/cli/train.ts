/** `kiln train SPEC.yaml`: train a module from its spec, record the run, register a new version. */
import type { Command } from 'commander';
import { loadSpecFile } from '../modules/spec.js';
import { trainTabularModule, type TrainResult } from '../modules/tabular/train-tabular.js';
import { commandContext, withHome } from './context.js';
import { table } from './output.js';
import { trainProgress } from './progress.js';

export function registerTrain(program: Command): void {
  program
    .command('train')
    .description('train a module from its spec (YAML), record the run and register a new version')
    .argument('<spec>', 'the module spec, e.g. examples/titanic/kiln.yaml')
    .action(async (specFile: string, _opts: unknown, cmd: Command) => {
      const ctx = commandContext(cmd);
      const loaded = loadSpecFile(specFile);
      const progress = trainProgress(!ctx.out.json);
      const result = await withHome(ctx, (home) =>
        trainTabularModule(loaded, { ...home, onEvent: progress.onEvent }).finally(progress.stop),
      );
      ctx.out.result(trainJson(result), () => trainSummary(result));
    });
}

export function trainJson(r: TrainResult): Record<string, unknown> {
  return {
    model: r.model,
    version: r.version,
    run_id: r.runId,
    task: r.task,
    learner: r.learner,
    fit_s: Number(r.fitSeconds.toFixed(4)),
    rows: r.rows,
    features: r.features,
    excluded: r.excluded,
    metrics: r.metrics,
    onnx_max_abs_diff: r.onnxMaxAbsDiff,
  };
}

function trainSummary(r: TrainResult): string {
  const names = Object.keys(r.metrics.test);
  const fmt = (v: number | undefined) => (v === undefined ? '' : v.toFixed(4));
  return [
    '',
    `registered ${r.model}:${r.version} (run ${r.runId}) — ${r.learner}, ${r.task}, fitted in ${r.fitSeconds.toFixed(2)} s`,
    '',
    table(
      ['metric', 'train', `test (${r.rows.test} held-out rows)`],
      names.map((n) => [n, fmt(r.metrics.train[n]), fmt(r.metrics.test[n])]),
    ),
    '',
    `serve it:   kiln serve        then   curl http://127.0.0.1:8080/v2/models/${r.model}`,
  ].join('\n');
}
