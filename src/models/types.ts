import type { Interactions } from '../data/interactions.js'
import type { Blob } from '../core/artifact.js'

/** An item (dense id) with the model's score for it; higher is better. */
export interface Scored {
  item: number
  score: number
}

/**
 * Who to recommend for: a known user (dense id), or an ad-hoc history (a new listener's plays, or seed
 * tracks) that the model folds in without retraining.
 */
export type UserRef = { user: number } | { history: ArrayLike<number>; weights?: ArrayLike<number> }

export interface ItemFilter {
  /** Only these items may be returned (null/absent: all). */
  allow?: ReadonlySet<number> | null
  /** These items are never returned. */
  block?: ReadonlySet<number>
  /** A further test, e.g. a genre restriction. */
  accept?: (item: number) => boolean
}

export interface RecommendOptions {
  /** How many items (default 10). The answer has n items whenever n items pass the filters. */
  n?: number
  /** Leave out what the user already played (default true). */
  excludeSeen?: boolean
  filter?: ItemFilter
}

export interface FitProgress {
  iteration: number
  total: number
  seconds: number
  loss?: number
}

export interface FitOptions {
  seed?: number
  signal?: AbortSignal
  onProgress?: (p: FitProgress) => void
  /** Worker threads for hot loops (default: all cores). */
  threads?: number
}

export interface FitReport {
  seconds: number
  iterations: number
  loss?: number[]
}

/** A saved model: a versioned header plus typed-array blobs (see src/core/artifact.ts). */
export interface ModelArtifact {
  kind: string
  version: number
  meta: Record<string, unknown>
  blobs: Record<string, Blob>
}

/** What every recommender does. Evaluation and the shells only ever call this interface. */
export interface Recommender {
  readonly name: string
  /** Discards any previous state and learns from `data`. A second fit while one runs is refused. */
  fit(data: Interactions, opts?: FitOptions): Promise<FitReport>
  recommend(user: UserRef, opts?: RecommendOptions): Scored[]
  recommendMany(users: readonly number[], opts?: RecommendOptions): Promise<Scored[][]>
  similarItems(item: number, n?: number): Scored[]
  save(): ModelArtifact
}

/** Optional abilities, checked with the type guards below rather than methods that throw. */
export interface Incremental {
  /** Folds new interactions (same id maps, possibly grown) into the model without a full retrain. */
  partialFit(batch: Interactions, opts?: FitOptions): Promise<void>
}
export interface Explanation {
  item: number
  /** The user's items that drove the score, with their share of it, largest first. */
  because: Scored[]
}
export interface Explainable {
  explain(user: UserRef, item: number, top?: number): Explanation
}
/** explain() for many items of one user, sharing the per-user work. */
export interface ExplainableMany {
  explainMany(user: UserRef, items: readonly number[], top?: number): Explanation[]
}
export interface SimilarUsers {
  similarUsers(user: number, n?: number): Scored[]
}
/**
 * Every item's score for one user, enough to rebuild that user's whole recommend() ranking without listing it:
 * items with a finite score come first, higher first; then items with a non-finite score but a finite
 * `backfill`, higher backfill first; ties broken by the lower item id; items with neither are never listed.
 * The user's seen items are in the vector; leaving them out is the caller's job.
 */
export interface ScoreVector {
  scores: Float32Array
  backfill?: Float32Array
}
/**
 * Scores for every item without selecting a list, e.g. for AUC over the whole catalogue. For a known user,
 * `selectTopN(v.scores, { n, exclude: seen, backfill: v.backfill })` gives what recommend() gives.
 */
export interface ScoresAll {
  scoreAll(user: number): ScoreVector
}
export interface RatingPredictor {
  /** Predicted rating; falls back to a global or user/item baseline for unknown ids (never throws). */
  predict(user: number | undefined, item: number | undefined): number
}

export const isIncremental = (m: Recommender): m is Recommender & Incremental => typeof (m as Partial<Incremental>).partialFit === 'function'
export const isExplainable = (m: Recommender): m is Recommender & Explainable => typeof (m as Partial<Explainable>).explain === 'function'
export const canExplainMany = (m: Recommender): m is Recommender & ExplainableMany => typeof (m as Partial<ExplainableMany>).explainMany === 'function'
export const hasSimilarUsers = (m: Recommender): m is Recommender & SimilarUsers => typeof (m as Partial<SimilarUsers>).similarUsers === 'function'
export const canScoreAll = (m: Recommender): m is Recommender & ScoresAll => typeof (m as Partial<ScoresAll>).scoreAll === 'function'
export const isRatingPredictor = (m: Recommender): m is Recommender & RatingPredictor => typeof (m as Partial<RatingPredictor>).predict === 'function'
