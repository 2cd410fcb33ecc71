import { SegueError } from '../../core/errors.js'
import { AlsRecommender } from '../../models/als/als.js'
import { EaseRecommender } from '../../models/ease/ease.js'
import { ItemKnnRecommender } from '../../models/item-knn/item-knn.js'
import type { ModelArtifact, RecommendOptions, Recommender, Scored, UserRef } from '../../models/types.js'
import { UserKnnRecommender } from '../../models/user-knn/user-knn.js'
import { selectTopN } from '../../rerank/select.js'
import type { StageModel } from './rerank-options.js'

/**
 * The re-ranker's first stage: a classic model's top candidates for a listener, widened by the items nearest the
 * listener's mean content, each described by a few numbers the network reads beside its embeddings:
 *
 *   0 classic score / the list's largest |score|      4 second model's rank, as 1 - log(1 + r) / log(1 + N)
 *   1 classic rank, as 1 - log(1 + r) / log(1 + N)    5 log(1 + plays of the item) / log(1 + most plays)
 *   2 1 when the classic model proposed it            6 cosine of the item's content and the history's mean content
 *   3 second model's score / its largest |score|      7 log(1 + history length) / log(1 + longest history)
 *
 * Classic models are imported directly (not through the model registry, which imports this model).
 */
export const FEATURES = 8
/** Features that come from the listener's plays; zeroed when a list trains as a listener with none. */
export const HISTORY_FEATURES = [0, 1, 2, 3, 4, 6, 7] as const

export function stageModel(name: StageModel): Recommender {
  switch (name) {
    case 'ease':
      return new EaseRecommender()
    case 'als':
      return new AlsRecommender()
    case 'user-knn':
      return new UserKnnRecommender()
    case 'item-knn':
      return new ItemKnnRecommender()
  }
}

export function loadStage(a: ModelArtifact): Recommender {
  switch (a.kind) {
    case 'ease':
      return EaseRecommender.load(a)
    case 'als':
      return AlsRecommender.load(a)
    case 'user-knn':
      return UserKnnRecommender.load(a)
    case 'item-knn':
      return ItemKnnRecommender.load(a)
    default:
      throw new SegueError('E_BAD_ARGUMENT', `neural-hybrid: a saved first stage of kind '${a.kind}' cannot be loaded`)
  }
}

/** The fitted first stage and what it needs to describe items. */
export interface Stage {
  first: Recommender
  second?: Recommender
  /** Per item log(1 + plays) / log(1 + most plays). */
  popularity: Float32Array
  /** Items x contentDims, rows L2-normalised (zeros where an item has none). */
  content: Float32Array
  contentDims: number
  /** log(1 + longest history), for feature 7. */
  logMaxHistory: number
  candidates: number
  contentCandidates: number
}

export interface CandidateList {
  items: Int32Array
  /** items.length x FEATURES. */
  feats: Float32Array
}

/** The candidates for one request, with their features; `history` is the listener's played items. */
export function candidateList(stage: Stage, ref: UserRef, history: Int32Array, opts: RecommendOptions = {}): CandidateList {
  const n = Math.max(stage.candidates, opts.n ?? 0)
  const base: RecommendOptions = { n, excludeSeen: opts.excludeSeen, filter: opts.filter }
  const first = stage.first.recommend(ref, base)
  const profile = meanContent(stage, history)
  const extra = profile ? contentNearest(stage, profile, first, history, opts) : []
  const items = Int32Array.from([...first.map((s) => s.item), ...extra])
  return { items, feats: describe(stage, ref, history, items, first, base) }
}

/** Features of given items for a request (the serving path that re-ranks another stage's list). */
export function describeItems(stage: Stage, ref: UserRef, history: Int32Array, items: Int32Array): CandidateList {
  const base: RecommendOptions = { n: stage.candidates }
  return { items, feats: describe(stage, ref, history, items, stage.first.recommend(ref, base), base) }
}

function describe(stage: Stage, ref: UserRef, history: Int32Array, items: Int32Array, firstList: Scored[], base: RecommendOptions): Float32Array {
  const first = rankMap(firstList)
  const second = stage.second ? rankMap(stage.second.recommend(ref, base)) : undefined
  const profile = meanContent(stage, history)
  const feats = new Float32Array(items.length * FEATURES)
  const firstMax = maxAbs(first)
  const secondMax = second ? maxAbs(second) : 1
  const logN = Math.log1p(base.n ?? stage.candidates)
  const histFeature = Math.log1p(history.length) / stage.logMaxHistory
  for (let c = 0; c < items.length; c++) {
    const f = c * FEATURES
    const a = first.get(items[c])
    if (a) {
      feats[f] = finite(a.score) / firstMax
      feats[f + 1] = 1 - Math.log1p(a.rank) / logN
      feats[f + 2] = 1
    }
    const s = second?.get(items[c])
    if (s) {
      feats[f + 3] = finite(s.score) / secondMax
      feats[f + 4] = 1 - Math.log1p(s.rank) / logN
    }
    feats[f + 5] = stage.popularity[items[c]]
    feats[f + 6] = profile ? dotRow(stage, items[c], profile) : 0
    feats[f + 7] = histFeature
  }
  return feats
}

function rankMap(list: Scored[]): Map<number, { score: number; rank: number }> {
  return new Map(list.map((s, rank) => [s.item, { score: s.score, rank }]))
}

function finite(x: number): number {
  return Number.isFinite(x) ? x : 0
}

function maxAbs(list: Map<number, { score: number }>): number {
  let m = 0
  for (const s of list.values()) if (Number.isFinite(s.score)) m = Math.max(m, Math.abs(s.score))
  return m > 0 ? m : 1
}

/** The unit-length mean of the history's content rows, or undefined without content. */
function meanContent(stage: Stage, history: Int32Array): Float32Array | undefined {
  const d = stage.contentDims
  if (d === 0 || history.length === 0) return undefined
  const out = new Float32Array(d)
  for (const item of history) for (let k = 0; k < d; k++) out[k] += stage.content[item * d + k]
  const norm = Math.hypot(...out)
  if (norm === 0) return undefined
  for (let k = 0; k < d; k++) out[k] /= norm
  return out
}

function dotRow(stage: Stage, item: number, v: Float32Array): number {
  const d = stage.contentDims
  let s = 0
  for (let k = 0; k < d; k++) s += stage.content[item * d + k] * v[k]
  return s
}

/** The items nearest the profile in content that the classic list lacks, under the request's exclusions and filter. */
function contentNearest(stage: Stage, profile: Float32Array, first: Scored[], history: Int32Array, opts: RecommendOptions): number[] {
  if (stage.contentCandidates === 0) return []
  const items = stage.popularity.length
  const scores = new Float32Array(items)
  for (let i = 0; i < items; i++) scores[i] = dotRow(stage, i, profile)
  for (const s of first) scores[s.item] = -Infinity
  const exclude = opts.excludeSeen === false ? undefined : history
  return selectTopN(scores, { n: stage.contentCandidates, exclude, filter: opts.filter }).map((s) => s.item)
}
