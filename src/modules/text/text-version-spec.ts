/**
 * The spec a registered text-classify version's learning curve refits (version-curves.ts): the spec it
 * was trained from, with the configuration training settled on — the manifest's learner, n-gram
 * settings and C or alpha (or its embedding model and C) — in place of what the spec left open, so the
 * curve refits that one model at every size instead of cross-validating the candidates again.
 */
import { existsSync } from 'node:fs';
import { KilnError } from '../../core/errors.js';
import type { ModuleManifest } from '../manifest.js';
import { moduleSpecSchema, type ModuleSpec } from '../spec.js';
import { candidateConfigs, parseTextParams } from './text-model.js';

/** The manifest's params that are settings of the model; the others (`text`, `served_input`) describe it. */
const MODEL_PARAMS = ['wordNgrams', 'charNgrams', 'minDf', 'maxFeatures', 'sublinearTf', 'C', 'alpha', 'embeddings'] as const;

export function textVersionSpec(stored: Record<string, unknown>, manifest: ModuleManifest, model: string): { spec: ModuleSpec; searched: boolean } {
  const trainedParams = (stored['params'] ?? {}) as Record<string, unknown>;
  const params: Record<string, unknown> = {};
  for (const k of MODEL_PARAMS) if (manifest.params[k] !== undefined) params[k] = manifest.params[k];
  // the folds its cross-validation cut are the spec's setting, not the model's: the curve cuts the same
  if (trainedParams['folds'] !== undefined) params['folds'] = trainedParams['folds'];
  const embeddings = params['embeddings'];
  if (typeof embeddings === 'string' && !existsSync(embeddings)) {
    throw new KilnError('CURVES_UNAVAILABLE', {
      model,
      reason: `its texts are read through the sentence-embedding model folder ${embeddings}, which is no longer there`,
      fix: `put the model folder back at ${embeddings} (the curve embeds the training texts with it again), or train again with params.embeddings naming where it is now`,
    });
  }
  const { budget: _budget, learners: _learners, ...trained } = stored;
  const text = manifest.params['text'];
  const spec = moduleSpecSchema.parse({ ...trained, learner: manifest.learner, params, ...(typeof text === 'string' ? { text } : {}) });
  // a spec that left the learner or the n-grams open was settled by cross-validation among candidates
  const searched = embeddings === undefined && candidateConfigs(stored['learner'] as string | undefined, parseTextParams(trainedParams)).length > 1;
  return { spec, searched };
}
