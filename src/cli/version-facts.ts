/**
 * What the registry row of a model version does not say by itself, gathered for the CLI's model views:
 * its manifest (task, target, learner, data — in the artifact store) and the run that trained it (the
 * split, and the metric a search optimised). Either can be missing — a version registered through the
 * API without a manifest, a run that is gone — and a view then shows what there is.
 */
import { isKilnError } from '../core/errors.js';
import { MODULE_ARTIFACTS, type ModuleManifest } from '../modules/manifest.js';
import type { ArtifactStore, ModelVersion, Run, Store } from '../store/store.js';
import { headlineMetric, scoredMetricNames } from './headline-metric.js';

export interface VersionFacts {
  readonly version: ModelVersion;
  readonly manifest?: ModuleManifest;
  readonly run?: Run;
  /** The module spec it was trained from, defaults filled in (versions from before Kiln kept it have none). */
  readonly spec?: Readonly<Record<string, unknown>>;
}

/** The version's manifest and run; its spec too when asked (the list does not need it). */
export async function versionFacts(
  version: ModelVersion,
  home: { store: Store; artifacts: ArtifactStore },
  options: { withSpec?: boolean } = {},
): Promise<VersionFacts> {
  const [manifest, run, spec] = await Promise.all([
    artifactJson<ModuleManifest>(version, MODULE_ARTIFACTS.manifest, home.artifacts),
    version.runId === null ? undefined : home.store.getRun(version.runId).catch(unless('RUN_NOT_FOUND')),
    options.withSpec === true ? artifactJson<Record<string, unknown>>(version, MODULE_ARTIFACTS.spec, home.artifacts) : undefined,
  ]);
  return { version, ...(manifest === undefined ? {} : { manifest }), ...(run === undefined ? {} : { run }), ...(spec === undefined ? {} : { spec }) };
}

export function taskOf(facts: VersionFacts): string | undefined {
  return facts.manifest?.task ?? facts.run?.task;
}

/** The learner the registered model is (a search's run says "automl"; its manifest names what it kept). */
export function learnerOf(facts: VersionFacts): string | undefined {
  return facts.manifest?.learner ?? facts.run?.learner;
}

/** The metric the training's search optimised, when it searched. */
export function searchedMetric(run: Run | undefined): string | undefined {
  const metric = run?.params['metric'];
  return typeof metric === 'string' ? metric : undefined;
}

/** The version's headline metric name (see headline-metric.ts), or undefined when it has no held-out metrics. */
export function versionHeadline(facts: VersionFacts): string | undefined {
  return headlineMetric(taskOf(facts), scoredMetricNames(facts.version.metrics), searchedMetric(facts.run));
}

/** A JSON artifact of the version, or undefined when it has none; a damaged one is still an error. */
async function artifactJson<T>(version: ModelVersion, name: string, artifacts: ArtifactStore): Promise<T | undefined> {
  const digest = version.artifacts[name];
  if (digest === undefined) return undefined;
  const bytes = await artifacts.get(digest).catch(unless('ARTIFACT_NOT_FOUND'));
  return bytes === undefined ? undefined : (JSON.parse(bytes.toString('utf8')) as T);
}

/** A rejection handler that turns one coded error into "nothing there" and passes every other on. */
function unless(code: 'RUN_NOT_FOUND' | 'ARTIFACT_NOT_FOUND'): (err: unknown) => undefined {
  return (err) => {
    if (isKilnError(err, code)) return undefined;
    throw err;
  };
}
