/** Reading a registered module version back from the artifact store: its manifest and ONNX graph. */
import { KilnError } from '../core/errors.js';
import type { ArtifactStore, ModelVersion } from '../store/store.js';
import { MODULE_ARTIFACTS, type ModuleManifest } from './manifest.js';

export interface LoadedModule {
  readonly manifest: ModuleManifest;
  readonly onnx: Uint8Array;
}

export async function loadModule(version: ModelVersion, artifacts: ArtifactStore): Promise<LoadedModule> {
  const digestOf = (name: string): string => {
    const digest = version.artifacts[name];
    if (digest === undefined) {
      throw new KilnError('MODEL_NOT_READY', { model: `${version.model}:${version.version}`, reason: `it has no ${name} artifact` });
    }
    return digest;
  };
  const [manifestBytes, onnx] = await Promise.all([
    artifacts.get(digestOf(MODULE_ARTIFACTS.manifest)),
    artifacts.get(digestOf(MODULE_ARTIFACTS.model)),
  ]);
  return { manifest: JSON.parse(manifestBytes.toString('utf8')) as ModuleManifest, onnx };
}
