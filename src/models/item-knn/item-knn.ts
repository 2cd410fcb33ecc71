import type { Blob } from '../../core/artifact.js'
import { findEntry, transpose, type Csr } from '../../core/csr.js'
import type { Interactions } from '../../data/interactions.js'
import { BaseRecommender, type FittedBase, type TrainResult } from '../shared/base.js'
import { progressTicker } from '../shared/fit-guard.js'
import { mergeOptions, requireRange, savedOptions } from '../shared/options.js'
import { itemPopularity } from '../shared/popularity-vector.js'
import { requireItem, scaleMatrix, type Profile, type ValueScale } from '../shared/profile.js'
import { savedBlob } from '../shared/saved.js'
import type { Explainable, Explanation, FitOptions, Incremental, ModelArtifact, Scored, UserRef } from '../types.js'
import { topKNeighbours } from './neighbours.js'
import { autoWeighting, weightItemUsers, type Weighting } from './weighting.js'

export interface ItemKnnOptions {
  /**
   * How item vectors are weighted before dot products (see Weighting). Default 'auto': chosen at each fit from
   * the values (autoWeighting): BM25 for play counts (median value >= k1 / 10), cosine for binary events,
   * playlists and star ratings, where BM25 with K1 = 100 ranks below popularity. `weightingUsed` says which.
   */
  weighting: Weighting | 'auto'
  /** Neighbours kept per item; the rest count as similarity 0. */
  k: number
  /**
   * BM25 saturation K1 (implicit's default 100). It is sized for raw play counts: on binary or log-scaled
   * values K1 = 100 makes BM25 favour items with few listeners (P@10 on Last.fm fell from 0.15 to 0.01), which
   * is why weighting 'auto' only picks BM25 when the median value is at least K1 / 10.
   */
  k1: number
  /** BM25 length normalisation B (implicit's default 0.8). */
  b: number
  /** How play counts enter, both when learning similarities and when scoring a user's items. */
  scale: ValueScale
}

export const ITEM_KNN_DEFAULTS: Required<ItemKnnOptions> = { weighting: 'auto', k: 100, k1: 100, b: 0.8, scale: 'raw' }

interface ItemKnnState extends FittedBase {
  /** items x items: row j holds j's k neighbours i with similarity S[j, i]. */
  neighbours: Csr
  /** The weighting the neighbours were learnt with ('auto' resolved). */
  weighting: Weighting
}

/**
 * Item-based kNN: score(u, i) = sum over the user's items j of value(u, j) x S[j, i], with S the top-k
 * similarities from weighted item-user vectors (after implicit's ItemItemRecommender). Explains a score by
 * those per-item terms. partialFit refits on all data seen so far: on 17k items that takes well under a
 * second, which is cheaper to get right than tracking which neighbourhoods a batch touched (with BM25 and
 * TF-IDF a batch moves the idf of its users and the mean item length, i.e. potentially every pair).
 */
export class ItemKnnRecommender extends BaseRecommender<ItemKnnState> implements Explainable, Incremental {
  readonly name = 'item-knn'
  readonly opts: Required<ItemKnnOptions>
  protected readonly scale: ValueScale

  constructor(options: Partial<ItemKnnOptions> = {}) {
    super()
    this.opts = mergeOptions(this.name, ITEM_KNN_DEFAULTS, options)
    requireRange(this.name, 'k', this.opts.k, 1, Infinity, true)
    requireRange(this.name, 'k1', this.opts.k1, 0)
    requireRange(this.name, 'b', this.opts.b, 0, 1)
    this.scale = this.opts.scale
  }

  static load(saved: ModelArtifact): ItemKnnRecommender {
    return new ItemKnnRecommender(savedOptions(saved)).restore(saved)
  }

  async partialFit(batch: Interactions, opts: FitOptions = {}): Promise<void> {
    await this.refitWith(batch, opts)
  }

  /** The weighting of the fitted neighbours: the option, or what 'auto' chose for the data. */
  get weightingUsed(): Weighting {
    return this.fitted().weighting
  }

  explain(user: UserRef, item: number, top = 5): Explanation {
    const state = this.fitted()
    requireItem(item, state.data.matrix.cols, this.name)
    const profile = this.profile(state, user)
    const because: Scored[] = []
    for (let t = 0; t < profile.items.length; t++) {
      const s = similarity(state.neighbours, profile.items[t], item)
      if (s !== 0) because.push({ item: profile.items[t], score: profile.weights[t] * s })
    }
    because.sort((a, b) => b.score - a.score || a.item - b.item)
    return { item, because: because.slice(0, top) }
  }

  protected async train(data: Interactions, opts: FitOptions): Promise<TrainResult<ItemKnnState>> {
    const itemUsers = transpose(scaleMatrix(data.matrix, this.scale))
    const weighting = this.resolveWeighting(itemUsers)
    const weighted = weightItemUsers(itemUsers, weighting, { k1: this.opts.k1, b: this.opts.b })
    const { tick } = progressTicker(this.name, itemUsers.rows, opts)
    const neighbours = await topKNeighbours(weighted, this.opts.k, tick)
    return { state: { data, popularity: itemPopularity(data.matrix), neighbours, weighting }, iterations: 1 }
  }

  /** 'auto' resolved from the scaled values (only the values matter, so users x items or items x users alike). */
  private resolveWeighting(scaled: Csr): Weighting {
    return this.opts.weighting === 'auto' ? autoWeighting(scaled, this.opts.k1) : this.opts.weighting
  }

  protected scoreProfile(state: ItemKnnState, profile: Profile): Float32Array {
    const s = state.neighbours
    const scores = new Float32Array(s.cols).fill(-Infinity)
    for (let t = 0; t < profile.items.length; t++) {
      const j = profile.items[t]
      const w = profile.weights[t]
      for (let p = s.indptr[j]; p < s.indptr[j + 1]; p++) {
        const i = s.indices[p]
        scores[i] = (scores[i] === -Infinity ? 0 : scores[i]) + w * s.data[p]
      }
    }
    return scores
  }

  protected similarScores(state: ItemKnnState, item: number): Float32Array {
    const s = state.neighbours
    const scores = new Float32Array(s.cols).fill(-Infinity)
    for (let p = s.indptr[item]; p < s.indptr[item + 1]; p++) scores[s.indices[p]] = s.data[p]
    return scores
  }

  protected restoreState(base: FittedBase, saved: ModelArtifact): ItemKnnState {
    const n = base.data.matrix.cols
    const indices = savedBlob(saved, 'neighbourIndices', Int32Array)
    const data = savedBlob(saved, 'neighbourData', Float32Array, indices.length)
    const indptr = savedBlob(saved, 'neighbourIndptr', Int32Array, n + 1)
    const weighting = this.resolveWeighting(scaleMatrix(base.data.matrix, this.scale))
    return { ...base, neighbours: { rows: n, cols: n, indptr, indices, data }, weighting }
  }

  protected blobs(state: ItemKnnState): Record<string, Blob> {
    const s = state.neighbours
    return { neighbourIndptr: s.indptr, neighbourIndices: s.indices, neighbourData: s.data }
  }

  protected options(): Record<string, unknown> {
    return { ...this.opts }
  }
}

/** S[j, i], or 0 when i is not among j's neighbours. */
function similarity(s: Csr, j: number, i: number): number {
  const p = findEntry(s, j, i)
  return p < 0 ? 0 : s.data[p]
}
