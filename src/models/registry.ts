import { SegueError } from '../core/errors.js'
import { ALS_KIND, AlsRecommender } from './als/als.js'
import type { AlsOptions } from './als/options.js'
import { BPR_KIND, BprRecommender, type BprOptions } from './bpr/bpr.js'
import { SVD_KIND, SvdRecommender, type SvdOptions } from './svd/svd.js'
import { EaseRecommender, type EaseOptions } from './ease/ease.js'
import { ItemKnnRecommender, type ItemKnnOptions } from './item-knn/item-knn.js'
import { PopularityRecommender, type PopularityOptions } from './popularity/popularity.js'
import type { ModelArtifact, Recommender } from './types.js'
import { UserKnnRecommender, type UserKnnOptions } from './user-knn/user-knn.js'
import { NEURAL_HYBRID_KIND, NeuralHybridRecommender } from '../deep/neural-hybrid/rerank-model.js'
import type { RerankOptions as NeuralHybridOptions } from '../deep/neural-hybrid/rerank-options.js'

/**
 * Model name -> factory. Parameters arrive untyped from the CLI, HTTP and hyper-parameter search; each
 * model merges them over its documented defaults and refuses unknown keys, so a typo fails loudly here.
 */
const FACTORIES = {
  popularity: (params: Record<string, unknown>) => new PopularityRecommender(params as Partial<PopularityOptions>),
  'item-knn': (params: Record<string, unknown>) => new ItemKnnRecommender(params as Partial<ItemKnnOptions>),
  'user-knn': (params: Record<string, unknown>) => new UserKnnRecommender(params as Partial<UserKnnOptions>),
  ease: (params: Record<string, unknown>) => new EaseRecommender(params as Partial<EaseOptions>),
  als: (params: Record<string, unknown>) => new AlsRecommender(params as Partial<AlsOptions>),
  bpr: (params: Record<string, unknown>) => new BprRecommender(params as Partial<BprOptions>),
  svd: (params: Record<string, unknown>) => new SvdRecommender(params as Partial<SvdOptions>),
  'neural-hybrid': (params: Record<string, unknown>) => new NeuralHybridRecommender(params as Partial<NeuralHybridOptions>),
} satisfies Record<string, (params: Record<string, unknown>) => Recommender>

export type ModelName = keyof typeof FACTORIES

/** Artifact kind -> restore, for the models above (their artifacts' kind is the model name). */
export const SAVED_MODEL_LOADERS: Record<string, (saved: ModelArtifact) => Recommender> = {
  popularity: (a) => PopularityRecommender.load(a),
  'item-knn': (a) => ItemKnnRecommender.load(a),
  'user-knn': (a) => UserKnnRecommender.load(a),
  ease: (a) => EaseRecommender.load(a),
  [ALS_KIND]: (a) => AlsRecommender.load(a),
  [BPR_KIND]: (a) => BprRecommender.load(a),
  [SVD_KIND]: (a) => SvdRecommender.load(a),
  [NEURAL_HYBRID_KIND]: (a) => NeuralHybridRecommender.load(a),
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
