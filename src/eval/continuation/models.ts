import { SegueError } from '../../core/errors.js'
import { ContentKnnContinuation } from './content.js'
import { PRODUCT_CONTINUATION_MODELS } from './product.js'
import { RecommenderContinuation } from './recommender.js'
import { TitleContinuation } from './title.js'
import type { ContinuationContext, ContinuationFactory, ContinuationModel } from './types.js'

/**
 * EASE's dense item-item matrix is 4 bytes x items²: on the playlist sample (202,008 tracks) its default
 * minUsers 3 keeps more items than fit in memory on a small machine, so continuation passes a higher floor.
 */
export const CONTINUATION_EASE_PARAMS: Record<string, unknown> = { minUsers: 5, maxItems: 12_000 }

const recommender = (name: string, defaults: Record<string, unknown> = {}): ContinuationFactory => (ctx) =>
  new RecommenderContinuation(name, { ...defaults, ...ctx.params })

/**
 * Continuation models by name. The collaborative ones are the segue Recommenders of src/models/registry.ts,
 * folded in through `recommend({ history })`; others join by adding a factory here.
 */
export const CONTINUATION_MODELS: Record<string, ContinuationFactory> = {
  popularity: (ctx) => new RecommenderContinuation('popularity', ctx.params, { titleFallback: false }),
  title: () => new TitleContinuation(),
  'item-knn': recommender('item-knn'),
  'user-knn': recommender('user-knn'),
  als: recommender('als'),
  bpr: recommender('bpr'),
  ease: recommender('ease', CONTINUATION_EASE_PARAMS),
  'content-knn': (ctx) => {
    if (!ctx.engine) throw new SegueError('E_BAD_ARGUMENT', 'content-knn needs an engine with the catalogue loaded')
    return new ContentKnnContinuation(ctx.engine)
  },
  // The product's "For you" (content, collaborative, hybrid) and seed playlists, run through its own code.
  ...PRODUCT_CONTINUATION_MODELS,
}

export function continuationModelNames(): string[] {
  return Object.keys(CONTINUATION_MODELS)
}

/** A fresh continuation model; E_NOT_FOUND for an unknown name. */
export function createContinuationModel(name: string, ctx: ContinuationContext = {}): ContinuationModel {
  if (!Object.hasOwn(CONTINUATION_MODELS, name)) {
    throw new SegueError('E_NOT_FOUND', `unknown continuation model '${name}' (known: ${continuationModelNames().join(', ')})`)
  }
  return CONTINUATION_MODELS[name](ctx)
}
