import type { Blob } from '../../core/artifact.js'
import { SegueError } from '../../core/errors.js'
import type { Interactions } from '../../data/interactions.js'
import { selectTopN } from '../../rerank/select.js'
import type { FitOptions, FitReport, ModelArtifact, RecommendOptions, Recommender, Scored, ScoresAll, ScoreVector, UserRef } from '../types.js'
import { FitGuard, yieldToEventLoop } from './fit-guard.js'
import { assertScores } from './finite.js'
import { mergeInteractions } from './merge.js'
import { checkSaved, SAVED_VERSION, savedBlob, savedInteractions, type SavedMeta } from './saved.js'
import { requireItem, resolveProfile, type Profile, type ValueScale } from './profile.js'

/** What every fitted model keeps: the data it learnt from (for seen items and user rows) and the backfill. */
export interface FittedBase {
  data: Interactions
  /** Users per item: ranks items a model cannot score, so filters still fill n. */
  popularity: Float32Array
}

export interface TrainResult<S> {
  state: S
  iterations: number
  loss?: number[]
}

/**
 * The plumbing every scoring model shares: the fit guard, fit = reset + train, UserRef resolution,
 * exclusions, filters and backfill through selectTopN, and save(). A model supplies how it trains and how it
 * scores. State is built aside and swapped in when complete, so recommendations during a refit use the old
 * model and a failed fit leaves the old one in place.
 */
export abstract class BaseRecommender<S extends FittedBase> implements Recommender, ScoresAll {
  abstract readonly name: string
  protected state?: S
  private readonly guard = new FitGuard()

  /** How the model reads a user's values (see ValueScale); fold-in histories are scaled the same way. */
  protected abstract readonly scale: ValueScale
  protected abstract train(data: Interactions, opts: FitOptions): Promise<TrainResult<S>>
  /** Scores for every item, -Infinity where the model has nothing to say (backfill ranks those). */
  protected abstract scoreProfile(state: S, profile: Profile): Float32Array
  protected abstract similarScores(state: S, item: number): Float32Array
  protected abstract blobs(state: S): Record<string, Blob>
  /** The model's own state from a saved artifact, given the parts every model saves. */
  protected abstract restoreState(base: FittedBase, saved: ModelArtifact): S
  protected abstract options(): Record<string, unknown>

  async fit(data: Interactions, opts: FitOptions = {}): Promise<FitReport> {
    return this.guard.run(this.name, opts.signal, () => this.trainAndSwap(data, opts))
  }

  /**
   * partialFit for models whose training is cheap or exact enough to redo: refits on everything seen so far
   * plus the batch, under the same guard as fit. Subclasses expose it as partialFit where that is honest.
   */
  protected async refitWith(batch: Interactions, opts: FitOptions): Promise<void> {
    await this.guard.run(this.name, opts.signal, () => this.trainAndSwap(mergeInteractions(this.state?.data, batch, this.name), opts))
  }

  private async trainAndSwap(data: Interactions, opts: FitOptions): Promise<FitReport> {
    const start = performance.now()
    const { state, iterations, loss } = await this.train(data, opts)
    this.state = state
    return { seconds: (performance.now() - start) / 1000, iterations, ...(loss ? { loss } : {}) }
  }

  recommend(user: UserRef, opts: RecommendOptions = {}): Scored[] {
    const state = this.fitted()
    const profile = this.profile(state, user)
    const scores = this.scoreProfile(state, profile)
    assertScores(scores, this.name)
    return selectTopN(scores, {
      n: opts.n ?? 10,
      exclude: opts.excludeSeen === false ? undefined : profile.items,
      filter: opts.filter,
      backfill: state.popularity,
    })
  }

  /** The scores recommend() ranks a known user by, with its popularity backfill; may be the model's own array: read only. */
  scoreAll(user: number): ScoreVector {
    const state = this.fitted()
    const scores = this.scoreProfile(state, this.profile(state, { user }))
    assertScores(scores, this.name)
    return { scores, backfill: state.popularity }
  }

  async recommendMany(users: readonly number[], opts: RecommendOptions = {}): Promise<Scored[][]> {
    const out: Scored[][] = []
    for (let i = 0; i < users.length; i++) {
      out.push(this.recommend({ user: users[i] }, opts))
      // Let the event loop breathe on long batches (a server keeps answering meanwhile).
      if (i % 256 === 255) await yieldToEventLoop()
    }
    return out
  }

  similarItems(item: number, n = 10): Scored[] {
    const state = this.fitted()
    requireItem(item, state.data.matrix.cols, this.name)
    return selectTopN(this.similarScores(state, item), { n, exclude: [item], backfill: state.popularity })
  }

  save(): ModelArtifact {
    const { data, popularity } = this.fitted()
    const m = data.matrix
    const meta: SavedMeta = {
      options: this.options(),
      users: m.rows,
      items: m.cols,
      kind: data.kind,
      userIds: [...data.users.rawIds()],
      itemIds: [...data.items.rawIds()],
    }
    const blobs = { indptr: m.indptr, indices: m.indices, data: m.data, popularity, ...this.blobs(this.fitted()) }
    return { kind: this.name, version: SAVED_VERSION, meta: { ...meta }, blobs }
  }

  /** Restores a saved model into this unfitted instance; each model's static load() calls it. */
  protected restore(a: ModelArtifact): this {
    const meta = checkSaved(a, this.name)
    const base = { data: savedInteractions(a, meta), popularity: savedBlob(a, 'popularity', Float32Array, meta.items) }
    this.state = this.restoreState(base, a)
    return this
  }

  protected fitted(): S {
    if (!this.state) throw new SegueError('E_BAD_ARGUMENT', `${this.name}: the model is not fitted yet; call fit() first`)
    return this.state
  }

  protected profile(state: S, user: UserRef): Profile {
    return resolveProfile(user, state.data.matrix, this.scale, this.name)
  }
}

