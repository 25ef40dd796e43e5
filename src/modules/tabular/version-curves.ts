/**
 * Would more rows help a model already registered? Its learning curve against training-set size,
 * recomputed from what the version keeps:
 *
 *   - the spec it was trained from (spec.json): columns, transforms, split, folds, seed, augmentation;
 *   - the data as trained on (the dataset version's Parquet snapshot), not the file the spec names,
 *     which may have changed or be gone since;
 *   - the model training settled on (the manifest's learner and parameters): a search's winner, or its
 *     mix, is refitted as it is at each size, not searched for again.
 *
 * The app runs this as a job (POST /api/models/:ref/curves); the input is plain data so that it can
 * cross to the job's worker thread. Table modules are refitted here (tabular-curves.ts), text-classify
 * modules by their own pipeline (../text/text-curves.ts): this file only dispatches by task.
 */
import { KilnError } from '../../core/errors.js';
import { readStoredSnapshot } from '../../data/read-snapshot.js';
import type { ArtifactStore, ModelVersion, Store } from '../../store/store.js';
import { MODULE_ARTIFACTS } from '../manifest.js';
import { loadModule } from '../load-module.js';
import { moduleSpecSchema, type ModuleSpec } from '../spec.js';
import { textVersionSpec } from '../text/text-version-spec.js';
import { curvesOfTable, type CurvesOptions, type CurvesResult } from './tabular-curves.js';

export interface VersionCurvesInput {
  readonly model: string;
  readonly version: number;
  /** The spec trained from, learner and parameters replaced by those the version settled on. */
  readonly spec: ModuleSpec;
  /** Artifact digest of the snapshot of the data the version was trained on. */
  readonly snapshot: string;
  /** Whether a search chose the model (the spec had a budget or `learner: auto`). */
  readonly searched: boolean;
}

export type VersionCurvesResult = CurvesResult & { readonly version: number };

const TABLE_TASKS: ReadonlySet<string> = new Set(['binary', 'multiclass', 'regression']);
const TEXT_TASK = 'text-classify';

/** Checks that the version can be refitted and gathers what that needs; CURVES_UNAVAILABLE says why not. */
export async function versionCurvesInput(
  version: ModelVersion,
  home: { readonly store: Store; readonly artifacts: ArtifactStore },
): Promise<VersionCurvesInput> {
  const model = `${version.model}:${version.version}`;
  const { manifest } = await loadModule(version, home.artifacts);
  if (!TABLE_TASKS.has(manifest.task) && manifest.task !== TEXT_TASK) {
    throw new KilnError('CURVES_UNAVAILABLE', { model, reason: `it is a ${manifest.task} module, and learning curves are drawn for modules that learn to predict a labelled column from a table's columns or from a text` });
  }
  const specDigest = version.artifacts[MODULE_ARTIFACTS.spec];
  if (specDigest === undefined) {
    throw new KilnError('CURVES_UNAVAILABLE', { model, reason: 'it was registered before Kiln kept the spec a version was trained from', fix: 'train it again (the same spec gives the same model) and ask for the curve of the new version' });
  }
  if (manifest.datasetVersion === undefined) {
    throw new KilnError('CURVES_UNAVAILABLE', { model, reason: 'it kept no snapshot of the data it was trained on', fix: 'train it again, then ask for the curve of the new version' });
  }
  const dataset = await home.store.getDatasetVersion(manifest.datasetVersion);
  const stored = JSON.parse((await home.artifacts.get(specDigest)).toString('utf8')) as Record<string, unknown>;
  if (manifest.task === TEXT_TASK) {
    const { spec, searched } = textVersionSpec(stored, manifest, model);
    return { model: version.model, version: version.version, spec, snapshot: dataset.digest, searched };
  }
  // The search (budget, learners) already happened: its choice is what the curve refits.
  const { budget, learners: _learners, ...trained } = stored;
  const spec = moduleSpecSchema.parse({ ...trained, learner: manifest.learner, params: manifest.params });
  return { model: version.model, version: version.version, spec, snapshot: dataset.digest, searched: budget !== undefined || stored['learner'] === 'auto' };
}

export async function versionCurves(input: VersionCurvesInput, artifacts: ArtifactStore, options: CurvesOptions = {}): Promise<VersionCurvesResult> {
  const table = await readStoredSnapshot(artifacts, input.snapshot);
  options.signal?.throwIfAborted();
  if (input.spec.task === TEXT_TASK) {
    const { curvesOfTexts } = await import('../text/text-curves.js');
    return { ...(await curvesOfTexts(table, input.spec, { ...options, searched: input.searched })), version: input.version };
  }
  return { ...(await curvesOfTable(table, input.spec, { ...options, searched: input.searched })), version: input.version };
}
