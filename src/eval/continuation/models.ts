import { SegueError } from '../../core/errors.js'
import { ContentKnnContinuation } from './content.js'
import { PRODUCT_CONTINUATION_MODELS } from './product.js'
import { RecommenderContinuation } from './recommender.js'
import { TitleContinuation } from './title.js'
import type { ContinuationContext, ContinuationFactory, ContinuationModel } from './types.js'

/**
 * EASE's dense item-item matrix is 4 bytes x items²: on the playlist sample (202,008 tracks, ~6,000 training
 * playlists) minUsers 3 leaves ~35,000 items (5 GB of weights), so continuation keeps tracks in at least 10
 * training playlists (~10,000 items, 400 MB) and states it here rather than relying on EASE's own defaults.
 */
export const CONTINUATION_EASE_PARAMS: Record<string, unknown> = { minUsers: 10, maxItems: 20_000 }

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

/** The registry models that learn from the playlists alone; every other one reads the engine's catalogue. */
const PLAYLISTS_ONLY: ReadonlySet<string> = new Set(['popularity', 'title', 'item-knn', 'user-knn', 'als', 'bpr', 'ease', 'for-you-collaborative'])

/** Whether a model needs an engine holding a catalogue (so a shell can import one first). */
export function needsCatalogue(name: string): boolean {
  return !PLAYLISTS_ONLY.has(name)
}

/** What `segue evaluate --task continuation` runs when no --models are given: the quick ones. */
export const DEFAULT_CONTINUATION_MODELS: readonly string[] = ['popularity', 'title', 'item-knn', 'user-knn', 'als']

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
