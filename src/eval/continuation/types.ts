import type { Interactions } from '../../data/interactions.js'
import type { Playlist, PlaylistSet } from '../../data/playlists/types.js'
import type { Engine } from '../../engine.js'
import type { FitProgress } from '../../models/types.js'

/**
 * Playlist continuation (RecSys Challenge 2018): given a playlist's title and/or some of its tracks, list the
 * tracks that continue it. Tracks are indices into `PlaylistSet.tracks` throughout.
 */

/** What a continuation model learns from: the training playlists only (held-out ones never appear here). */
export interface ContinuationTrain {
  set: PlaylistSet
  playlists: readonly Playlist[]
  /** The training playlists as listening data: one user per playlist, dense item id === index into set.tracks. */
  interactions: Interactions
}

export interface ContinuationFitOptions {
  seed?: number
  signal?: AbortSignal
  onProgress?: (p: FitProgress) => void
  /** Worker threads for models with parallel training (default: all cores). */
  threads?: number
}

/** One playlist to continue, as the challenge shows it. */
export interface ContinuationQuery {
  /** The playlist's title; '' in the categories that hide it. */
  title: string
  /** The shown tracks (set track indices), in the order shown; empty for title-only playlists. */
  seeds: number[]
}

/**
 * A model that continues playlists. `continue` lists up to n distinct set track indices, best first, never a
 * seed; it may answer synchronously or with a promise (models over the engine's catalogue search are async).
 */
export interface ContinuationModel {
  readonly name: string
  fit(train: ContinuationTrain, opts?: ContinuationFitOptions): Promise<void>
  continue(query: ContinuationQuery, n: number): number[] | Promise<number[]>
}

/** What a registry factory may need beyond its parameters. */
export interface ContinuationContext {
  /** A loaded engine with the catalogue, for models that work from audio features or the product's services. */
  engine?: Engine
  /** Model parameters, merged over the model's defaults. */
  params?: Record<string, unknown>
}

export type ContinuationFactory = (ctx: ContinuationContext) => ContinuationModel
