import { AUDIO_FEATURES, type Track } from '../../core/track.js'

/**
 * A track as a short sentence of tokens, one slot per feature group: each audio feature binned by the
 * catalogue's quantiles, up to GENRE_SLOTS genres, and the first artist. Slot order is fixed, so the
 * encoder's position table tells the groups apart.
 */
export const PAD = 0
export const MASK = 1
/** Tokens of an artist outside the vocabulary (fewer tracks than the ARTIST_VOCAB most prolific). */
export const UNKNOWN_ARTIST = 2
const FIRST_FREE = 3

/** Quantile bins per audio feature: 8 keeps each bin near 11k tracks of the 90k while splitting the range finely. */
export const BINS = 8
/** Most tracks carry one genre; a second slot keeps the cross-listed ones' second genre. */
export const GENRE_SLOTS = 2
/** Artists with their own token: the most prolific ones (a softmax over all 30k artists would dominate training). */
export const ARTIST_VOCAB = 4000

export const SLOTS = AUDIO_FEATURES.length + GENRE_SLOTS + 1

export interface Tokenizer {
  /** Per feature, BINS - 1 ascending cut points. */
  edges: number[][]
  genres: string[]
  artists: string[]
  vocabSize: number
}

export function fitTokenizer(tracks: readonly Track[]): Tokenizer {
  const edges = AUDIO_FEATURES.map((_, f) => quantileEdges(tracks.map((t) => t.features[f])))
  const genres = [...new Set(tracks.flatMap((t) => t.genres))].sort()
  const counts = new Map<string, number>()
  for (const t of tracks) if (t.artists[0]) counts.set(t.artists[0], (counts.get(t.artists[0]) ?? 0) + 1)
  const artists = [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, ARTIST_VOCAB).map(([a]) => a)
  return { edges, genres, artists, vocabSize: FIRST_FREE + AUDIO_FEATURES.length * BINS + genres.length + artists.length }
}

function quantileEdges(values: number[]): number[] {
  const sorted = Float64Array.from(values).sort()
  return Array.from({ length: BINS - 1 }, (_, i) => sorted[Math.floor(((i + 1) * sorted.length) / BINS)])
}

/** Tokens of each track, SLOTS per track (row-major). */
export function tokenize(tok: Tokenizer, tracks: readonly Track[]): Int32Array {
  const genreOf = new Map(tok.genres.map((g, i) => [g, i]))
  const artistOf = new Map(tok.artists.map((a, i) => [a, i]))
  const genreBase = FIRST_FREE + AUDIO_FEATURES.length * BINS
  const artistBase = genreBase + tok.genres.length
  const out = new Int32Array(tracks.length * SLOTS)
  tracks.forEach((t, r) => {
    const row = out.subarray(r * SLOTS, (r + 1) * SLOTS)
    AUDIO_FEATURES.forEach((_, f) => (row[f] = FIRST_FREE + f * BINS + binOf(tok.edges[f], t.features[f])))
    for (let g = 0; g < GENRE_SLOTS; g++) {
      const id = t.genres[g] === undefined ? undefined : genreOf.get(t.genres[g])
      row[AUDIO_FEATURES.length + g] = id === undefined ? PAD : genreBase + id
    }
    const a = t.artists[0] === undefined ? undefined : artistOf.get(t.artists[0])
    row[SLOTS - 1] = a === undefined ? UNKNOWN_ARTIST : artistBase + a
  })
  return out
}

function binOf(edges: number[], x: number): number {
  let b = 0
  while (b < edges.length && x >= edges[b]) b++
  return b
}
