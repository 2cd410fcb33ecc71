import { SegueError } from '../../core/errors.js'
import { Rng } from '../../core/rng.js'
import { playlistInteractions } from '../../data/playlists/interactions.js'
import type { Playlist, PlaylistSet } from '../../data/playlists/types.js'
import { normaliseTitle } from './title.js'
import type { ContinuationQuery, ContinuationTrain } from './types.js'

/** One of the challenge's ten ways of showing a playlist: its title or not, and how many tracks, which ones. */
export interface SeedCategory {
  /** 1..10, the challenge set's own order. */
  id: number
  label: string
  title: boolean
  seeds: number
  pick: 'first' | 'random'
}

/** The RecSys Challenge 2018 challenge set's categories (challenge set readme), 1,000 playlists each there. */
export const SEED_CATEGORIES: readonly SeedCategory[] = [
  { id: 1, label: 'title only', title: true, seeds: 0, pick: 'first' },
  { id: 2, label: 'title + first 1', title: true, seeds: 1, pick: 'first' },
  { id: 3, label: 'title + first 5', title: true, seeds: 5, pick: 'first' },
  { id: 4, label: 'first 5, no title', title: false, seeds: 5, pick: 'first' },
  { id: 5, label: 'title + first 10', title: true, seeds: 10, pick: 'first' },
  { id: 6, label: 'first 10, no title', title: false, seeds: 10, pick: 'first' },
  { id: 7, label: 'title + first 25', title: true, seeds: 25, pick: 'first' },
  { id: 8, label: 'title + random 25', title: true, seeds: 25, pick: 'random' },
  { id: 9, label: 'title + first 100', title: true, seeds: 100, pick: 'first' },
  { id: 10, label: 'title + random 100', title: true, seeds: 100, pick: 'random' },
]

/**
 * Fewest distinct held-out tracks a playlist must keep after its seeds. The challenge set had no playlist
 * without held-out tracks (every metric divides by |G|); 5 keeps R-precision from resting on one or two tracks.
 */
export const MIN_HELD_OUT = 5

/** A held-out playlist as a model sees it, and what it must find. */
export interface HeldOutPlaylist {
  pid: number
  category: number
  query: ContinuationQuery
  /** Distinct tracks of the playlist that are not seeds. */
  heldOut: ReadonlySet<number>
}

export interface ContinuationSplit {
  set: PlaylistSet
  /** Every playlist that is neither test nor validation. */
  train: readonly Playlist[]
  validation: readonly HeldOutPlaylist[]
  test: readonly HeldOutPlaylist[]
  /** The playlists behind `validation` in full: they train the final models, never the tuning ones. */
  validationPlaylists: readonly Playlist[]
  /** Per category, eligible playlists that were too few to fill the quota (test then validation). */
  shortfall: Record<number, number>
}

export interface SplitOptions {
  /** Held-out test playlists in all (default 1,000), spread evenly over the ten categories. */
  test?: number
  /** Validation playlists carved from the training side (default: as many as test). */
  validation?: number
  seed?: number
}

/** Distinct tracks minus seeds; the challenge's ground truth is the set of tracks not shown. */
function heldOutOf(p: Playlist, seeds: readonly number[]): Set<number> {
  const shown = new Set(seeds)
  return new Set(p.tracks.filter((t) => !shown.has(t)))
}

/**
 * Whether a playlist can be shown in a category: a title that survives normalisation where the category shows
 * one, and at least MIN_HELD_OUT distinct tracks left even if every seed is a different track.
 */
export function eligible(p: Playlist, c: SeedCategory): boolean {
  if (c.title && normaliseTitle(p.name) === '') return false
  return new Set(p.tracks).size - c.seeds >= MIN_HELD_OUT
}

/** The tracks shown for a category: the first k, or k positions drawn without replacement (kept in playlist order). */
export function pickSeeds(p: Playlist, c: SeedCategory, rng: Rng): number[] {
  if (c.pick === 'first') return p.tracks.slice(0, c.seeds)
  const positions = Int32Array.from({ length: p.tracks.length }, (_, i) => i)
  for (let i = 0; i < c.seeds; i++) {
    const j = i + rng.int(positions.length - i)
    ;[positions[i], positions[j]] = [positions[j], positions[i]]
  }
  return Array.from(positions.subarray(0, c.seeds)).sort((a, b) => a - b).map((i) => p.tracks[i])
}

export function holdOut(p: Playlist, c: SeedCategory, rng: Rng): HeldOutPlaylist {
  const seeds = pickSeeds(p, c, rng)
  return { pid: p.pid, category: c.id, query: { title: c.title ? p.name : '', seeds }, heldOut: heldOutOf(p, seeds) }
}

/**
 * Seeded, repeatable split into train, validation and test, the test part drawn first so that choosing the
 * validation size never changes it. Playlists are shuffled once; each category, the most demanding first
 * (100 seeds), takes its quota of eligible playlists in that order, first for test, then for validation.
 */
export function splitContinuation(set: PlaylistSet, opts: SplitOptions = {}): ContinuationSplit {
  const nTest = opts.test ?? 1000
  const nValidation = opts.validation ?? nTest
  if (!Number.isInteger(nTest) || nTest < SEED_CATEGORIES.length) {
    throw new SegueError('E_BAD_ARGUMENT', `test must be a whole number of at least ${SEED_CATEGORIES.length} playlists (one per category), got ${nTest}`)
  }
  if (!Number.isInteger(nValidation) || nValidation < 0) throw new SegueError('E_BAD_ARGUMENT', `validation must be a whole number >= 0, got ${nValidation}`)
  const rng = new Rng(opts.seed ?? 42)
  const order = shuffled(set.playlists.length, rng)
  const taken = new Uint8Array(set.playlists.length)
  const shortfall: Record<number, number> = {}
  const test = drawHeldOut(set.playlists, order, taken, nTest, rng, shortfall)
  const validation = drawHeldOut(set.playlists, order, taken, nValidation, rng, shortfall)
  const byPid = new Map(set.playlists.map((p) => [p.pid, p]))
  return {
    set,
    train: set.playlists.filter((_, i) => !taken[i]),
    validation,
    test,
    validationPlaylists: validation.map((h) => byPid.get(h.pid)!),
    shortfall,
  }
}

function shuffled(n: number, rng: Rng): Int32Array {
  const order = Int32Array.from({ length: n }, (_, i) => i)
  for (let i = n - 1; i > 0; i--) {
    const j = rng.int(i + 1)
    ;[order[i], order[j]] = [order[j], order[i]]
  }
  return order
}

/** Quotas as even as the total allows (the first `total % 10` categories, in challenge order, take one more). */
function quotas(total: number): Map<number, number> {
  const k = SEED_CATEGORIES.length
  return new Map(SEED_CATEGORIES.map((c, i) => [c.id, Math.floor(total / k) + (i < total % k ? 1 : 0)]))
}

function drawHeldOut(
  playlists: readonly Playlist[],
  order: Int32Array,
  taken: Uint8Array,
  total: number,
  rng: Rng,
  shortfall: Record<number, number>,
): HeldOutPlaylist[] {
  if (total === 0) return []
  const quota = quotas(total)
  const out: HeldOutPlaylist[] = []
  const demanding = [...SEED_CATEGORIES].sort((a, b) => b.seeds - a.seeds || a.id - b.id)
  for (const c of demanding) {
    let need = quota.get(c.id)!
    for (let k = 0; k < order.length && need > 0; k++) {
      const i = order[k]
      if (taken[i] || !eligible(playlists[i], c)) continue
      taken[i] = 1
      out.push(holdOut(playlists[i], c, rng))
      need--
    }
    if (need > 0) shortfall[c.id] = (shortfall[c.id] ?? 0) + need
  }
  return out.sort((a, b) => a.category - b.category || a.pid - b.pid)
}

/** The training side for a run: test mode trains on train + validation playlists, validation mode on train alone. */
export function trainingData(split: ContinuationSplit, mode: 'test' | 'validation'): ContinuationTrain {
  const playlists = mode === 'test' ? [...split.train, ...split.validationPlaylists] : split.train
  return { set: split.set, playlists, interactions: playlistInteractions(split.set, playlists) }
}
