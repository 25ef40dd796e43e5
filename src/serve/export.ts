/**
 * Exporting a registered module version for other servers:
 *
 *   onnx    DIR/model.onnx and DIR/manifest.json — the self-contained module (the ONNX graph runs in any
 *           onnxruntime; the manifest says what it expects and answers);
 *   triton  a Triton model repository: DIR/<name>/config.pbtxt (inputs, outputs, max_batch_size,
 *           dynamic_batching, instance_group), DIR/<name>/labels.txt (the class labels, named by the
 *           probabilities output's label_filename, for the classification extension) and
 *           DIR/<name>/<version>/model.onnx, the registered version number kept as Triton's version folder,
 *           with the module's manifest.json beside it (Triton ignores it; Kiln's server reads rows by it);
 *   container  a Docker build context: the triton layout under DIR/models, a Dockerfile FROM Kiln's server
 *           image that serves it, and a README (container-files.ts).
 *
 * `kiln serve --model-repository DIR` serves what the triton export wrote, with the same answers.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { KilnError } from '../core/errors.js';
import { MODULE_ARTIFACTS } from '../modules/manifest.js';
import { makeFolder } from '../store/make-folder.js';
import { formatModelRef, type ModelRef } from '../store/model-ref.js';
import type { ArtifactStore, Store } from '../store/store.js';
import { formatPbtxt } from './config-pbtxt.js';
import { moduleConfig, parseManifest } from './loaded-model.js';
import { configToPbtxt } from './model-config.js';
import { CONFIG_FILE, MANIFEST_FILE, MODEL_FILE } from './triton-directory.js';
import { containerDockerfile, containerReadme } from './container-files.js';
import { KILN_VERSION } from '../core/version.js';

export type ExportFormat = 'onnx' | 'triton' | 'container';

export interface ExportResult {
  readonly model: string;
  readonly version: number;
  readonly format: ExportFormat;
  /** Every file written, absolute or relative as `out` was given. */
  readonly files: readonly string[];
}

export async function exportModel(options: {
  readonly ref: ModelRef;
  readonly format: ExportFormat;
  readonly out: string;
  readonly store: Store;
  readonly artifacts: ArtifactStore;
}): Promise<ExportResult> {
  const { ref, format, out, store, artifacts } = options;
  const version = await store.resolve(ref);
  const modelDigest = version.artifacts[MODULE_ARTIFACTS.model];
  const manifestDigest = version.artifacts[MODULE_ARTIFACTS.manifest];
  if (modelDigest === undefined || manifestDigest === undefined) {
    throw new KilnError('EXPORT_FAILED', { ref: formatModelRef(ref), reason: `the version has no ${modelDigest === undefined ? MODULE_ARTIFACTS.model : MODULE_ARTIFACTS.manifest} artifact` });
  }
  const [onnx, manifestBytes] = await Promise.all([artifacts.get(modelDigest), artifacts.get(manifestDigest)]);
  let manifest;
  try {
    manifest = parseManifest(manifestBytes);
  } catch (err) {
    throw new KilnError('EXPORT_FAILED', { ref: formatModelRef(ref), reason: (err as Error).message });
  }
  const files: string[] = [];
  const write = async (path: string, data: Uint8Array | string): Promise<void> => {
    await writeFile(path, data);
    files.push(path);
  };

  const manifestText = `${JSON.stringify(manifest, null, 2)}\n`;
  if (format === 'onnx') {
    await makeFolder(out);
    await write(join(out, MODEL_FILE), onnx);
    await write(join(out, MODULE_ARTIFACTS.manifest), manifestText);
    return { model: version.model, version: version.version, format, files };
  }
  const repository = format === 'container' ? join(out, 'models') : out;
  const modelDir = join(repository, version.model);
  const versionDir = join(modelDir, String(version.version));
  await makeFolder(versionDir);
  const config = moduleConfig(version.model, manifest);
  const header = `# Written by kiln export from ${version.model}:${version.version} (learner ${manifest.learner}, task ${manifest.task}).\n`;
  await write(join(modelDir, CONFIG_FILE), `${header}${formatPbtxt(configToPbtxt(config))}\n`);
  for (const output of config.outputs) {
    if (output.labelFilename !== undefined && manifest.classes !== undefined) {
      await write(join(modelDir, output.labelFilename), `${manifest.classes.map(String).join('\n')}\n`);
    }
  }
  await write(join(versionDir, MODEL_FILE), onnx);
  // beside the graph: Kiln's server then serves the folder as this module (rows as columns); Triton ignores it
  await write(join(versionDir, MANIFEST_FILE), manifestText);
  if (format === 'container') {
    await write(join(out, 'Dockerfile'), containerDockerfile(version.model, version.version, KILN_VERSION));
    await write(join(out, 'README.md'), containerReadme(version.model, version.version, manifest, KILN_VERSION));
  }
  return { model: version.model, version: version.version, format, files };
}
