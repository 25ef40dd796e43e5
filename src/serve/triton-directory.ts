/**
 * Reading a Triton-layout model repository from disk:
 *
 *   DIR/
 *     iris/
 *       config.pbtxt          optional (protobuf text format, see model-config.ts)
 *       labels.txt            optional, named by an output's label_filename
 *       1/model.onnx
 *       3/model.onnx
 *       3/manifest.json     optional: a Kiln module's manifest (kiln export writes it), read as a module
 *
 * Every sub-folder is a model; every numeric sub-folder holding a `model.onnx` is an available version.
 * The version policy decides which available versions are served: latest N (default: the latest one),
 * all, or a specific list.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { KilnError } from '../core/errors.js';
import { isValidModelName } from '../store/model-ref.js';
import { parsePbtxt } from './config-pbtxt.js';
import { declarationFromPbtxt, type ConfigDeclaration, type VersionPolicy } from './model-config.js';

export const CONFIG_FILE = 'config.pbtxt';
export const MODEL_FILE = 'model.onnx';
export const MANIFEST_FILE = 'manifest.json';

export interface ModelFolder {
  readonly name: string;
  readonly path: string;
  /** undefined when the folder has no config.pbtxt. */
  readonly declaration: ConfigDeclaration | undefined;
  /** Version folders holding a model.onnx, ascending. */
  readonly available: readonly number[];
  /** The versions the policy serves, ascending. */
  readonly selected: readonly number[];
  readonly labels: ReadonlyMap<string, readonly string[]>;
}

/** The model folder names in a repository (sub-folders with a valid model name), sorted. */
export async function listModelFolders(root: string): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(root, { withFileTypes: true });
  } catch (err) {
    throw new KilnError('REPOSITORY_UNREADABLE', { path: root, reason: (err as Error).message });
  }
  return entries
    .filter((e) => e.isDirectory() && isValidModelName(e.name))
    .map((e) => e.name)
    .sort();
}

/** Reads one model folder: its configuration, available versions and label files. Throws on a bad config. */
export async function readModelFolder(root: string, name: string): Promise<ModelFolder> {
  const path = join(root, name);
  if (!(await isDirectory(path))) throw new KilnError('MODEL_NOT_FOUND', { name, known: await listModelFolders(root) });

  let declaration: ConfigDeclaration | undefined;
  const configText = await readFile(join(path, CONFIG_FILE), 'utf8').catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return undefined;
    throw new KilnError('MODEL_CONFIG_INVALID', { model: name, reason: `${CONFIG_FILE} cannot be read: ${err.message}` });
  });
  if (configText !== undefined) {
    let tree;
    try {
      tree = parsePbtxt(configText);
    } catch (err) {
      throw new KilnError('MODEL_CONFIG_INVALID', { model: name, reason: `${CONFIG_FILE}: ${(err as Error).message}` });
    }
    declaration = declarationFromPbtxt(tree, name);
  }

  const available: number[] = [];
  for (const entry of await readdir(path, { withFileTypes: true })) {
    if (!entry.isDirectory() || !/^[1-9][0-9]{0,8}$/.test(entry.name)) continue;
    if (await isFile(join(path, entry.name, MODEL_FILE))) available.push(Number(entry.name));
  }
  available.sort((a, b) => a - b);

  const labels = new Map<string, readonly string[]>();
  for (const output of declaration?.outputs ?? []) {
    if (output.labelFilename === undefined) continue;
    const text = await readFile(join(path, output.labelFilename), 'utf8').catch((err: Error) => {
      throw new KilnError('MODEL_CONFIG_INVALID', { model: name, reason: `label_filename ${output.labelFilename} of output "${output.name}" cannot be read: ${err.message}` });
    });
    labels.set(output.name, text.split(/\r?\n/).filter((line, i, all) => line !== '' || i < all.length - 1));
  }

  const selected = selectVersions(declaration?.versionPolicy ?? { kind: 'latest', numVersions: 1 }, available);
  return { name, path, declaration, available, selected, labels };
}

export function selectVersions(policy: VersionPolicy, available: readonly number[]): number[] {
  switch (policy.kind) {
    case 'latest':
      return available.slice(Math.max(0, available.length - policy.numVersions));
    case 'all':
      return [...available];
    case 'specific':
      return available.filter((v) => policy.versions.includes(v));
  }
}

export const modelFile = (folder: ModelFolder, version: number): string => join(folder.path, String(version), MODEL_FILE);

/** Where `kiln export --format triton` puts the module's manifest: beside the graph (Triton ignores it). */
export const manifestFile = (folder: ModelFolder, version: number): string => join(folder.path, String(version), MANIFEST_FILE);

async function isDirectory(path: string): Promise<boolean> {
  return stat(path).then((s) => s.isDirectory(), () => false);
}

async function isFile(path: string): Promise<boolean> {
  return stat(path).then((s) => s.isFile(), () => false);
}
