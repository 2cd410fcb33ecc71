import { SegueError } from '../core/errors.js'
import { EaseRecommender, type EaseOptions } from './ease/ease.js'
import { ItemKnnRecommender, type ItemKnnOptions } from './item-knn/item-knn.js'
import { PopularityRecommender, type PopularityOptions } from './popularity/popularity.js'
import type { ModelArtifact, Recommender } from './types.js'
import { UserKnnRecommender, type UserKnnOptions } from './user-knn/user-knn.js'

/**
 * Model name -> factory. Parameters arrive untyped from the CLI, HTTP and hyper-parameter search; each
 * model merges them over its documented defaults and refuses unknown keys, so a typo fails loudly here.
 */
const FACTORIES = {
  popularity: (params: Record<string, unknown>) => new PopularityRecommender(params as Partial<PopularityOptions>),
  'item-knn': (params: Record<string, unknown>) => new ItemKnnRecommender(params as Partial<ItemKnnOptions>),
  'user-knn': (params: Record<string, unknown>) => new UserKnnRecommender(params as Partial<UserKnnOptions>),
  ease: (params: Record<string, unknown>) => new EaseRecommender(params as Partial<EaseOptions>),
  // Matrix-factorisation models (als, bpr, svd) register here, one line each, from src/models/<name>/.
} satisfies Record<string, (params: Record<string, unknown>) => Recommender>

export type ModelName = keyof typeof FACTORIES

/**
 * Artifact kind -> restore, for the models above (their artifacts' kind is the model name). Meant to be
 * spread into the loaders of src/models/loaders.ts.
 */
export const SAVED_MODEL_LOADERS: Record<string, (saved: ModelArtifact) => Recommender> = {
  popularity: (a) => PopularityRecommender.load(a),
  'item-knn': (a) => ItemKnnRecommender.load(a),
  'user-knn': (a) => UserKnnRecommender.load(a),
  ease: (a) => EaseRecommender.load(a),
}

export function modelNames(): ModelName[] {
  return Object.keys(FACTORIES) as ModelName[]
}

export function isModelName(name: string): name is ModelName {
  return Object.hasOwn(FACTORIES, name)
}

/** A fresh, unfitted model; E_NOT_FOUND for an unknown name, E_BAD_ARGUMENT for bad parameters. */
export function createModel(name: string, params: Record<string, unknown> = {}): Recommender {
  if (!isModelName(name)) {
    throw new SegueError('E_NOT_FOUND', `unknown model '${name}' (known: ${modelNames().join(', ')})`)
  }
  return FACTORIES[name](params)
}
