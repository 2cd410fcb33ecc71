import type { Blob } from '../../core/artifact.js'
import type { Interactions } from '../../data/interactions.js'
import { BaseRecommender, type FittedBase, type TrainResult } from '../shared/base.js'
import { mergeOptions } from '../shared/options.js'
import { itemPopularity } from '../shared/popularity-vector.js'
import type { Profile, ValueScale } from '../shared/profile.js'
import type { FitOptions, Incremental, ModelArtifact } from '../types.js'

export type PopularityOptions = Record<string, never>
export const POPULARITY_DEFAULTS: Required<PopularityOptions> = {}

/**
 * Items ranked by how many users played them: the baseline every model must beat, and the same for
 * everyone. similarItems is just "popular items other than this one": there is no notion of similarity.
 */
export class PopularityRecommender extends BaseRecommender<FittedBase> implements Incremental {
  readonly name = 'popularity'
  protected readonly scale: ValueScale = 'binary'

  constructor(options: Partial<PopularityOptions> = {}) {
    super()
    mergeOptions(this.name, POPULARITY_DEFAULTS, options)
  }

  static load(saved: ModelArtifact): PopularityRecommender {
    return new PopularityRecommender().restore(saved)
  }

  /** Adds the batch to the counts (the same as refitting on all data seen so far). */
  async partialFit(batch: Interactions, opts: FitOptions = {}): Promise<void> {
    await this.refitWith(batch, opts)
  }

  protected async train(data: Interactions, opts: FitOptions): Promise<TrainResult<FittedBase>> {
    const popularity = itemPopularity(data.matrix)
    opts.onProgress?.({ iteration: 1, total: 1, seconds: 0 })
    return { state: { data, popularity }, iterations: 1 }
  }

  protected scoreProfile(state: FittedBase, _profile: Profile): Float32Array {
    return state.popularity
  }

  protected similarScores(state: FittedBase, _item: number): Float32Array {
    return state.popularity
  }

  protected restoreState(base: FittedBase): FittedBase {
    return base
  }

  protected blobs(_state: FittedBase): Record<string, Blob> {
    return {}
  }

  protected options(): Record<string, unknown> {
    return {}
  }
}
