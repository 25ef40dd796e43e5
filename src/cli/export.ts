/**
 * `kiln export REF --format onnx|triton|container [--out DIR]`: write a registered module version as an
 * ONNX file with its manifest, as a Triton model repository that Triton (and `kiln serve
 * --model-repository`) serves unchanged, or as a Docker build context of an image serving it. See
 * src/serve/export.ts for the layouts.
 */
import type { Command } from 'commander';
import { KilnError } from '../core/errors.js';
// the exporter (and onnxruntime with it) loads when the verb runs: `kiln --help` need not pay for it
import type { ExportFormat } from '../serve/export.js';
import { parseModelRef } from '../store/model-ref.js';
import { commandContext, withHome } from './context.js';
import { outputFileError } from './output-file.js';

const FORMATS: readonly ExportFormat[] = ['onnx', 'triton', 'container'];

export function registerExport(program: Command): void {
  program
    .command('export')
    .description('export a model version: its ONNX file and manifest, a Triton model repository, or a Docker build context')
    .argument('<ref>', 'NAME, NAME:VERSION or NAME@ALIAS')
    .requiredOption('--format <format>', 'onnx | triton | container')
    .option('--out <dir>', 'folder to write into (created if needed)', '.')
    .action(async (ref: string, opts: { format: string; out: string }, cmd: Command) => {
      const ctx = commandContext(cmd);
      if (!(FORMATS as readonly string[]).includes(opts.format)) {
        throw new KilnError('INVALID_PARAMS', { what: 'options', summary: `--format must be one of ${FORMATS.join(', ')}, got "${opts.format}"` });
      }
      const parsed = parseModelRef(ref);
      const { exportModel } = await import('../serve/export.js');
      const result = await withHome(ctx, ({ store, artifacts }) =>
        // a file where the folder should be, or no permission, is the user's to fix (OUTPUT_UNWRITABLE)
        exportModel({ ref: parsed, format: opts.format as ExportFormat, out: opts.out, store, artifacts }).catch((err: unknown) => {
          throw outputFileError(err, opts.out, 'folder');
        }),
      );
      ctx.out.result(result, () => `exported ${result.model}:${result.version} as ${result.format}:\n${result.files.map((f) => `  ${f}`).join('\n')}`);
    });
}
