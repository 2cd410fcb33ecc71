import { SegueError } from '../core/errors.js'
import { ALS_KIND, AlsRecommender } from './als/als.js'
import type { ModelArtifact, Recommender } from './types.js'

/**
 * Artifact kind -> the function that restores a saved model. A model without a loader here is refitted
 * from its training data when loaded (deterministic with its seed), which callers are told about.
 */
const LOADERS: Record<string, (a: ModelArtifact) => Recommender> = {
  [ALS_KIND]: (a) => AlsRecommender.load(a),
}

export function canLoad(kind: string): boolean {
  return Object.hasOwn(LOADERS, kind)
}

export function loadModel(a: ModelArtifact): Recommender {
  const load = LOADERS[a.kind]
  if (!load) throw new SegueError('E_ARTIFACT_VERSION', `no loader for saved models of kind '${a.kind}'`)
  return load(a)
}
