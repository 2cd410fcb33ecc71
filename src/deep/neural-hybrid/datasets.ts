import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { buildInteractions, type Interactions, type RawInteraction } from '../../data/interactions.js'
import { readHetrec } from '../../data/listens/hetrec.js'
import { readMovieLensRatings, readMovieLensUsers } from '../../data/listens/movielens.js'
import { playlistInteractions } from '../../data/playlists/interactions.js'
import { readPlaylists } from '../../data/playlists/read.js'
import { readCatalogue } from '../../data/read-catalogue.js'
import { AUDIO_FEATURES } from '../../core/track.js'
import type { SideInputs } from './side.js'

/** Interactions with the side inputs the neural hybrid uses and the labels evaluation reads for ILS. */
export interface HybridDataset {
  name: string
  data: Interactions
  side: SideInputs
  /** Per dense item: genre-like labels (MovieLens genres, HetRec's top tags) and artists where known. */
  genres?: string[][]
  artists?: string[][]
}

export const MOVIELENS_GENRES = ['unknown', 'Action', 'Adventure', 'Animation', "Children's", 'Comedy', 'Crime', 'Documentary', 'Drama', 'Fantasy', 'Film-Noir', 'Horror', 'Musical', 'Mystery', 'Romance', 'Sci-Fi', 'Thriller', 'War', 'Western']
/** MovieLens 1M's age groups (under 18, 18-24, 25-34, 35-44, 45-49, 50-55, 56+), applied to 100K's exact ages. */
const AGE_EDGES = [18, 25, 35, 45, 50, 56]
/** Release-year buckets: older decades are thin in 100K, the 1990s (most of it) get one bucket per year from 1993. */
const YEAR_EDGES = [1960, 1970, 1980, 1990, 1993, 1994, 1995, 1996, 1997, 1998]

/**
 * MovieLens 100K read as implicit (every rating one interaction, as the defaults table reads it), with
 * gender, age group and occupation as user fields, the 19 genre flags and a release-year bucket as item
 * content, and the genres as the diversity vectors. u.item is Latin-1 and `|`-separated.
 */
export async function movieLensHybrid(dir: string): Promise<HybridDataset> {
  const ratings = await readMovieLensRatings(join(dir, 'u.data'))
  const data = buildInteractions(ratings.events.map((e): RawInteraction => ({ user: e.user, item: e.item, value: 1, time: e.time })), 'implicit')
  const { users } = await readMovieLensUsers(join(dir, 'u.user'))
  const occupations = [...new Set(users.map((u) => u.occupation))].sort()
  const codes = new Map(users.map((u) => [u.id, [u.gender === 'M' ? 1 : 2, 1 + bucket(u.age, AGE_EDGES), 1 + occupations.indexOf(u.occupation)]]))
  const fields = [{ name: 'gender', size: 3 }, { name: 'age group', size: AGE_EDGES.length + 2 }, { name: 'occupation', size: occupations.length + 1 }]
  const content = new Map<string, Float32Array>()
  const diversity = new Map<string, Float32Array>()
  const genreById = new Map<string, string[]>()
  for (const line of readFileSync(join(dir, 'u.item'), 'latin1').split('\n')) {
    const cells = line.trim().split('|')
    if (cells.length < 5 + MOVIELENS_GENRES.length) continue
    const flags = cells.slice(5, 5 + MOVIELENS_GENRES.length).map(Number)
    const year = Number(/(\d{4})$/.exec(cells[2])?.[1] ?? NaN)
    const row = new Float32Array(MOVIELENS_GENRES.length + YEAR_EDGES.length + 1)
    row.set(flags)
    if (Number.isFinite(year)) row[MOVIELENS_GENRES.length + bucket(year, YEAR_EDGES)] = 1
    content.set(cells[0], row)
    diversity.set(cells[0], Float32Array.from(flags))
    genreById.set(cells[0], MOVIELENS_GENRES.filter((_, g) => flags[g] === 1))
  }
  const genres = Array.from({ length: data.items.size }, (_, i) => genreById.get(data.items.rawId(i)) ?? [])
  const side: SideInputs = {
    users: { fields, codes },
    itemContent: { dims: MOVIELENS_GENRES.length + YEAR_EDGES.length + 1, rows: content },
    diversity: { dims: MOVIELENS_GENRES.length, rows: diversity },
  }
  return { name: 'MovieLens 100K (binary)', data, side, genres }
}

/** Tags kept as content: the most used, enough to describe most artists, few enough for a small first layer. */
const HETREC_TAGS = 200
/** An artist's top tags count as its "genres" for ILS and genre diversity. */
const HETREC_GENRE_TAGS = 3

/**
 * HetRec Last.fm 2K play counts (users x artists) with each artist's tags as content: log(1 + taggers) over
 * the 200 most used tags, and the same vector as the diversity vector (artists are the items, so artist ILS
 * is not defined here; tag ILS stands in for genre ILS). No user fields: HetRec has no demographics.
 */
export async function hetrecHybrid(dir: string): Promise<HybridDataset> {
  const h = await readHetrec(dir)
  const data = buildInteractions(h.events, 'implicit')
  const totals = new Map<string, number>()
  for (const tags of h.tags.values()) for (const [tag, n] of tags) totals.set(tag, (totals.get(tag) ?? 0) + n)
  const vocab = [...totals].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, HETREC_TAGS).map(([t]) => t)
  const slot = new Map(vocab.map((t, i) => [t, i]))
  const rows = new Map<string, Float32Array>()
  const topTags = new Map<string, string[]>()
  for (const [artist, tags] of h.tags) {
    const row = new Float32Array(vocab.length)
    for (const [tag, n] of tags) if (slot.has(tag)) row[slot.get(tag)!] = Math.log1p(n)
    rows.set(artist, row)
    topTags.set(artist, [...tags].filter(([t]) => slot.has(t)).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, HETREC_GENRE_TAGS).map(([t]) => t))
  }
  const table = { dims: vocab.length, rows }
  const genres = Array.from({ length: data.items.size }, (_, i) => topTags.get(data.items.rawId(i)) ?? [])
  return { name: 'HetRec Last.fm 2K', data, side: { itemContent: table, diversity: table }, genres }
}

/**
 * The MPD playlist sample (playlist = user, track = item) with audio features as content for the tracks found
 * in the catalogue (by Spotify id; the rest have none), z-scored per feature over the catalogue. Genres (from
 * the catalogue) and artists (from the playlist rows) are the labels ILS and diversity read; the diversity
 * vectors are the same audio features. No user fields: playlists have no demographics.
 */
export async function playlistHybrid(dir: string, cataloguePath: string): Promise<HybridDataset> {
  const { set } = await readPlaylists(dir)
  const data = playlistInteractions(set)
  const { tracks } = await readCatalogue(cataloguePath)
  const dims = AUDIO_FEATURES.length
  const mean = new Float64Array(dims)
  const sq = new Float64Array(dims)
  for (const t of tracks) for (let k = 0; k < dims; k++) (mean[k] += t.features[k] / tracks.length), (sq[k] += t.features[k] ** 2 / tracks.length)
  const sd = Float64Array.from(mean, (m, k) => Math.sqrt(Math.max(sq[k] - m * m, 1e-12)))
  const rows = new Map<string, Float32Array>()
  const genreById = new Map<string, string[]>()
  for (const t of tracks) {
    if (!set.trackIndex.has(t.id)) continue
    rows.set(t.id, Float32Array.from({ length: dims }, (_, k) => (t.features[k] - mean[k]) / sd[k]))
    genreById.set(t.id, t.genres)
  }
  const table = { dims, rows }
  const genres = Array.from({ length: data.items.size }, (_, i) => genreById.get(data.items.rawId(i)) ?? [])
  const artists = set.tracks.map((t) => [t.artist])
  return { name: 'MPD playlist sample', data, side: { itemContent: table, diversity: table }, genres, artists }
}

function bucket(x: number, edges: readonly number[]): number {
  let b = 0
  while (b < edges.length && x >= edges[b]) b++
  return b
}
