import type { Blob } from '../../core/artifact.js'
import { transpose, type Csr } from '../../core/csr.js'
import type { Interactions } from '../../data/interactions.js'
import { selectTopN } from '../../rerank/select.js'
import { BaseRecommender, type FittedBase, type TrainResult } from '../shared/base.js'
import { mergeOptions, requireRange, savedOptions } from '../shared/options.js'
import { itemPopularity } from '../shared/popularity-vector.js'
import { resolveProfile, scaleMatrix, type Profile, type ValueScale } from '../shared/profile.js'
import type { FitOptions, Incremental, ModelArtifact, Scored, SimilarUsers } from '../types.js'
import { l2NormalizeRows } from '../shared/normalize.js'

export interface UserKnnOptions {
  /** Neighbours (most similar users) whose items make up a recommendation. */
  k: number
  /** How play counts enter the user vectors. */
  scale: ValueScale
}

export const USER_KNN_DEFAULTS: Required<UserKnnOptions> = { k: 50, scale: 'log1p' }

interface UserKnnState extends FittedBase {
  /** users x items, scaled and each row of unit length. */
  users: Csr
  /** items x users: the same values by item, to reach the users who share an item. */
  byItem: Csr
  /** L2 norm of each item's column, for item-item cosines. */
  itemNorms: Float64Array
}

/**
 * User-based kNN: a user's k most cosine-similar users vote for their items, each vote weighted by the
 * similarity and the neighbour's (normalised) value for the item. There is nothing to learn beyond the
 * normalised vectors, so fold-in is exact: a new history is a new user vector compared with every user, and
 * partialFit just rebuilds the vectors. similarItems is the cosine of item columns, computed on demand.
 */
export class UserKnnRecommender extends BaseRecommender<UserKnnState> implements SimilarUsers, Incremental {
  readonly name = 'user-knn'
  readonly opts: Required<UserKnnOptions>
  protected readonly scale: ValueScale

  constructor(options: Partial<UserKnnOptions> = {}) {
    super()
    this.opts = mergeOptions(this.name, USER_KNN_DEFAULTS, options)
    requireRange(this.name, 'k', this.opts.k, 1, Infinity, true)
    this.scale = this.opts.scale
  }

  static load(saved: ModelArtifact): UserKnnRecommender {
    return new UserKnnRecommender(savedOptions(saved)).restore(saved)
  }

  async partialFit(batch: Interactions, opts: FitOptions = {}): Promise<void> {
    await this.refitWith(batch, opts)
  }

  similarUsers(user: number, n = 10): Scored[] {
    const state = this.fitted()
    const profile = resolveProfile({ user }, state.data.matrix, this.scale, this.name)
    return selectTopN(userSimilarities(state, profile), { n, exclude: [user] })
  }

  protected async train(data: Interactions, opts: FitOptions): Promise<TrainResult<UserKnnState>> {
    opts.onProgress?.({ iteration: 1, total: 1, seconds: 0 })
    return { state: this.restoreState({ data, popularity: itemPopularity(data.matrix) }), iterations: 1 }
  }

  /** The normalised vectors are rebuilt from the saved interactions: cheaper than storing them. */
  protected restoreState(base: FittedBase): UserKnnState {
    const users = l2NormalizeRows(scaleMatrix(base.data.matrix, this.scale))
    const byItem = transpose(users)
    return { ...base, users, byItem, itemNorms: rowNorms(byItem) }
  }

  protected scoreProfile(state: UserKnnState, profile: Profile): Float32Array {
    const sims = userSimilarities(state, profile)
    if (profile.user !== undefined) sims[profile.user] = -Infinity
    const neighbours = selectTopN(sims, { n: this.opts.k })
    const scores = new Float32Array(state.users.cols).fill(-Infinity)
    for (const { item: v, score: sim } of neighbours) {
      if (sim <= 0) continue
      for (let p = state.users.indptr[v]; p < state.users.indptr[v + 1]; p++) {
        const i = state.users.indices[p]
        scores[i] = (scores[i] === -Infinity ? 0 : scores[i]) + sim * state.users.data[p]
      }
    }
    return scores
  }

  /** Cosine of item columns: through the users of `item`, to the other items those users have. */
  protected similarScores(state: UserKnnState, item: number): Float32Array {
    const { users, byItem } = state
    const dots = new Float32Array(users.cols).fill(-Infinity)
    for (let p = byItem.indptr[item]; p < byItem.indptr[item + 1]; p++) {
      const u = byItem.indices[p]
      for (let q = users.indptr[u]; q < users.indptr[u + 1]; q++) {
        const j = users.indices[q]
        dots[j] = (dots[j] === -Infinity ? 0 : dots[j]) + byItem.data[p] * users.data[q]
      }
    }
    const norms = state.itemNorms
    for (let j = 0; j < dots.length; j++) if (dots[j] !== -Infinity) dots[j] = dots[j] / (norms[item] * norms[j] || 1)
    return dots
  }

  protected blobs(_state: UserKnnState): Record<string, Blob> {
    return {}
  }

  protected options(): Record<string, unknown> {
    return { ...this.opts }
  }
}

/** Cosine of the profile's (normalised) vector with every user; -Infinity for users sharing no item. */
function userSimilarities(state: UserKnnState, profile: Profile): Float32Array {
  const { byItem } = state
  let norm = 0
  for (let t = 0; t < profile.weights.length; t++) norm += profile.weights[t] * profile.weights[t]
  const inv = norm > 0 ? 1 / Math.sqrt(norm) : 0
  const sims = new Float32Array(byItem.cols).fill(-Infinity)
  for (let t = 0; t < profile.items.length; t++) {
    const j = profile.items[t]
    const w = profile.weights[t] * inv
    for (let p = byItem.indptr[j]; p < byItem.indptr[j + 1]; p++) {
      const v = byItem.indices[p]
      sims[v] = (sims[v] === -Infinity ? 0 : sims[v]) + w * byItem.data[p]
    }
  }
  return sims
}

/** L2 norm of each row. */
function rowNorms(byItem: Csr): Float64Array {
  const norms = new Float64Array(byItem.rows)
  for (let i = 0; i < byItem.rows; i++) {
    for (let p = byItem.indptr[i]; p < byItem.indptr[i + 1]; p++) norms[i] += byItem.data[p] * byItem.data[p]
    norms[i] = Math.sqrt(norms[i])
  }
  return norms
}
