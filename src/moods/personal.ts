import { SegueError } from '../core/errors.js'
import { TopKHeap } from '../kernels/top-k-heap.js'
import type { CatalogueView } from '../engine.js'
import { hygieneFilter } from '../rerank/hygiene.js'
import { isFresh, type Profile } from '../service/profile.js'
import type { CatalogueMoods } from './catalogue-moods.js'
import { MOODS, type Mood } from './moods.js'

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
  const profile = o.profile
  const hygiene = hygieneFilter(view.tracks, p ? p.positives.map((x) => x.row) : [])
  const ok = profile ? (r: number) => isFresh(view, profile, r) && hygiene(r) : hygiene
  const ranked = p ? personalRanking(view, moods, mood, p, o.n) : typicalRanking(view, moods, mood)
  let picked = pick(view, ranked.rows, o.n, ok, o.already ?? [])
  // The candidates ran out before n passed (a listener who heard most of them): rank the whole mood instead.
  if (picked.length < o.n && ranked.partial && p) picked = pick(view, personalRanking(view, moods, mood, p, Infinity).rows, o.n, ok, o.already ?? [])
  return picked.map((row) => ({ row, score: ranked.score(row), ...(p ? closestPositive(view, p, row) : {}) }))
}

/** Candidates ranked for a listener: this many per track asked for, and a margin, are enough to pass the hygiene. */
const CANDIDATES_PER_ITEM = 10
const CANDIDATE_MARGIN = 100

interface Ranking { rows: ArrayLike<number>; score: (row: number) => number; partial: boolean }

/** The mood's rows by closeness to the listener's taste (+ typicality), best first; only the best `limit`-based share. */
function personalRanking(view: CatalogueView, moods: CatalogueMoods, mood: Mood, p: Profile, n: number): Ranking {
  const taste = tasteVector(view, p)
  const inMood = moods.is(mood)
  const c = MOODS.indexOf(mood)
  const k = Math.min(view.tracks.length, Number.isFinite(n) ? n * CANDIDATES_PER_ITEM + CANDIDATE_MARGIN : view.tracks.length)
  const heap = new TopKHeap(k)
  const scores = new Map<number, number>()
  const { indptr, cols, vals, squares } = view.sparse
  let inside = 0
  for (let r = 0; r < squares.length; r++) {
    if (!inMood(r)) continue
    inside++
    let dot = 0
    for (let e = indptr[r]; e < indptr[r + 1]; e++) dot += vals[e] * taste[cols[e]]
    const s = (squares[r] > 0 ? dot / Math.sqrt(squares[r]) : 0) + TYPICALITY_WEIGHT * moods.proba[r * MOODS.length + c]
    if (-s < heap.threshold()) { heap.offer(-s, r); scores.set(r, s) }
  }
  const rows = new Int32Array(heap.count)
  heap.drainSorted(new Float32Array(rows.length), rows, 0)
  return { rows, score: (row) => scores.get(row) ?? 0, partial: inside > k }
}

/** Without a listener the ranking is the same for every request: worked out once per moods and mood. */
const typical = new WeakMap<CatalogueMoods, Map<Mood, { rows: Int32Array; scores: Float64Array }>>()

function typicalRanking(view: CatalogueView, moods: CatalogueMoods, mood: Mood): Ranking {
  let byMood = typical.get(moods)
  if (!byMood) typical.set(moods, (byMood = new Map()))
  let t = byMood.get(mood)
  if (!t) {
    const inMood = moods.is(mood)
    const scores = new Float64Array(view.tracks.length)
    const rows: number[] = []
    for (let r = 0; r < view.tracks.length; r++) {
      if (!inMood(r)) continue
      scores[r] = moods.probability(r, mood) * (POPULARITY_FLOOR + (view.tracks[r].popularity ?? 0) / 100)
      rows.push(r)
    }
    rows.sort((a, b) => scores[b] - scores[a] || a - b)
    byMood.set(mood, (t = { rows: Int32Array.from(rows), scores }))
  }
  const { rows, scores } = t
  return { rows, score: (row) => scores[row], partial: false }
}

/** Best first: one release per recording, the artist cap, hygiene; stops at n. */
function pick(view: CatalogueView, sorted: ArrayLike<number>, n: number, clean: (row: number) => boolean, already: readonly number[]): number[] {
  const out: number[] = []
  const keys = new Set<string>()
  const perArtist = new Map<string, number>()
  for (const r of already) {
    keys.add(view.dupKeys[r])
    for (const a of view.tracks[r].artists) perArtist.set(a, (perArtist.get(a) ?? 0) + 1)
  }
  for (let i = 0; i < sorted.length; i++) {
    const r = sorted[i]
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

/** The positive whose sound is closest to a row: cosine over the two rows' sparse features (columns in order). */
function closestPositive(view: CatalogueView, p: Profile, row: number): Pick<MoodPick, 'anchor' | 'anchorKind'> {
  let best = p.positives[0]
  let bestSim = -Infinity
  for (const x of p.positives) {
    const s = sparseCosine(view, x.row, row)
    if (s > bestSim) [best, bestSim] = [x, s]
  }
  return { anchor: best.row, anchorKind: best.kind }
}

function sparseCosine(view: CatalogueView, a: number, b: number): number {
  const { indptr, cols, vals, squares } = view.sparse
  if (squares[a] <= 0 || squares[b] <= 0) return 0
  let dot = 0
  let i = indptr[a]
  let j = indptr[b]
  while (i < indptr[a + 1] && j < indptr[b + 1]) {
    if (cols[i] === cols[j]) dot += vals[i++] * vals[j++]
    else if (cols[i] < cols[j]) i++
    else j++
  }
  return dot / Math.sqrt(squares[a] * squares[b])
}
