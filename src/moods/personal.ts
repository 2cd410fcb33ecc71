import { SegueError } from '../core/errors.js'
import type { CatalogueView } from '../engine.js'
import { hygieneFilter } from '../rerank/hygiene.js'
import { isFresh, type Profile } from '../service/profile.js'
import type { CatalogueMoods } from './catalogue-moods.js'
import type { Mood } from './moods.js'

/** At most this many tracks by one artist in a mood's list (the product's usual cap). */
export const MOOD_ARTIST_CAP = 2
/**
 * How much the classifier's confidence in the mood adds to closeness of taste (cosine, -1..1): enough to break
 * near-ties towards the mood's clearest tracks, too little to lift a track far from the listener's sound.
 */
export const TYPICALITY_WEIGHT = 0.15
/**
 * Without a listener, score = p(mood) x (POPULARITY_FLOOR + popularity / 100): typical tracks first, and among
 * those the ones people play; the floor keeps an unknown-popularity track in reach when it is very typical.
 */
export const POPULARITY_FLOOR = 0.25

export interface MoodPick {
  row: number
  score: number
  /** The listener's positive (row) whose sound is closest, for the item's explanation; none without a listener. */
  anchor?: number
  /** The kind of that positive. */
  anchorKind?: 'seed' | 'like' | 'play'
}

export interface MoodTopOptions {
  n: number
  /** The listener's profile (their likes and plays): personal ranking and their heard/rejected tracks left out. */
  profile?: Profile | null
  /** Rows already in a list being filled: neither they, other releases of them, nor artists past the cap come again. */
  already?: readonly number[]
}

/**
 * The n tracks of a mood for a listener: among tracks whose top mood is `mood`, those closest in sound (cosine
 * of the pipeline's vectors) to the listener's taste, the recency-weighted mean of their positives' unit
 * vectors, with a small pull towards the mood's typical tracks (TYPICALITY_WEIGHT). Hygiene as every list: no
 * track they heard, skipped or disliked (nor another release of it), no kids/karaoke/cover tracks unless their
 * history has them, one release per recording, at most MOOD_ARTIST_CAP per artist. Without a listener (or with
 * no positives): the mood's most typical popular tracks. One pass over the catalogue and a sort of the mood's rows.
 */
export function moodTopN(view: CatalogueView, moods: CatalogueMoods, mood: Mood, o: MoodTopOptions): MoodPick[] {
  if (!Number.isInteger(o.n) || o.n < 1) throw new SegueError('E_BAD_ARGUMENT', `n must be a whole number of at least 1, got ${o.n}`)
  const p = o.profile && o.profile.positives.length > 0 ? o.profile : null
  const inMood = moods.is(mood)
  const clean = hygieneFilter(view.tracks, p ? p.positives.map((x) => x.row) : [])
  const taste = p ? tasteVector(view, p) : null
  const rows: number[] = []
  const scores = new Float64Array(view.tracks.length)
  for (let r = 0; r < view.tracks.length; r++) {
    if (!inMood(r) || (o.profile && !isFresh(view, o.profile, r))) continue
    const typical = moods.probability(r, mood)
    scores[r] = taste ? cosineTo(view, taste, r) + TYPICALITY_WEIGHT * typical : typical * (POPULARITY_FLOOR + (view.tracks[r].popularity ?? 0) / 100)
    rows.push(r)
  }
  rows.sort((a, b) => scores[b] - scores[a] || a - b)
  return pick(view, rows, o.n, clean, o.already ?? []).map((row) => ({ row, score: scores[row], ...(p ? closestPositive(view, p, row) : {}) }))
}

/** Best first: one release per recording, the artist cap, hygiene; stops at n. */
function pick(view: CatalogueView, sorted: readonly number[], n: number, clean: (row: number) => boolean, already: readonly number[]): number[] {
  const out: number[] = []
  const keys = new Set<string>()
  const perArtist = new Map<string, number>()
  for (const r of already) {
    keys.add(view.dupKeys[r])
    for (const a of view.tracks[r].artists) perArtist.set(a, (perArtist.get(a) ?? 0) + 1)
  }
  for (const r of sorted) {
    const t = view.tracks[r]
    if (keys.has(view.dupKeys[r]) || t.artists.some((a) => (perArtist.get(a) ?? 0) >= MOOD_ARTIST_CAP) || !clean(r)) continue
    keys.add(view.dupKeys[r])
    for (const a of t.artists) perArtist.set(a, (perArtist.get(a) ?? 0) + 1)
    out.push(r)
    if (out.length === n) break
  }
  return out
}

/** The weighted mean of the positives' unit vectors, scaled to length 1 (dense, view.dims long). */
function tasteVector(view: CatalogueView, p: Profile): Float64Array {
  const t = new Float64Array(view.dims)
  const { indptr, cols, vals, squares } = view.sparse
  for (const x of p.positives) {
    const scale = squares[x.row] > 0 ? x.weight / Math.sqrt(squares[x.row]) : 0
    for (let e = indptr[x.row]; e < indptr[x.row + 1]; e++) t[cols[e]] += vals[e] * scale
  }
  const norm = Math.hypot(...t) || 1
  for (let j = 0; j < t.length; j++) t[j] /= norm
  return t
}

/** Cosine of a row's vector with a unit-length dense vector, over the row's non-zero features only. */
function cosineTo(view: CatalogueView, unit: Float64Array, row: number): number {
  const { indptr, cols, vals, squares } = view.sparse
  if (squares[row] <= 0) return 0
  let dot = 0
  for (let e = indptr[row]; e < indptr[row + 1]; e++) dot += vals[e] * unit[cols[e]]
  return dot / Math.sqrt(squares[row])
}

function closestPositive(view: CatalogueView, p: Profile, row: number): Pick<MoodPick, 'anchor' | 'anchorKind'> {
  let best = p.positives[0]
  let bestSim = -Infinity
  for (const x of p.positives) {
    const s = view.cosine(x.row, row)
    if (s > bestSim) [best, bestSim] = [x, s]
  }
  return { anchor: best.row, anchorKind: best.kind }
}
