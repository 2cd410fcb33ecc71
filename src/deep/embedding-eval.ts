import { existsSync } from 'node:fs'
import { AUDIO_FEATURES, type Track } from '../core/track.js'
import { Rng } from '../core/rng.js'
import { linkPlaylistTracks } from '../data/playlists/link.js'
import { readPlaylists } from '../data/playlists/read.js'
import type { Engine } from '../engine.js'
import { denseRows } from './embeddings.js'

/**
 * Offline comparison of track-embedding spaces for similar-track search. Each space is one vector per
 * catalogue row; neighbours are exact (cosine, every row scanned) so an ANN index's errors do not enter the
 * comparison; each recording counts once (releases sharing a recording key collapse to the nearest) and the
 * seed's own recording is left out. Metrics per seed, averaged:
 *
 * - genre precision@k: share of the k neighbours listed under at least one of the seed's genres.
 * - MRR: 1 / rank of the first neighbour sharing a genre with the seed (0 when none of the k does).
 * - artist diversity: distinct first artists among the k, divided by k (1 = no artist twice).
 * - ILS: intra-list similarity, the mean pairwise cosine of the k neighbours in one common space (the default
 *   pipeline's vectors, for every model alike), lower = more varied.
 * - playlist co-occurrence@k: over seeds that appear in the playlist sample, the share of the k neighbours that
 *   share at least one playlist with the seed (by recording key). Genre is inside the default vector, so genre
 *   precision flatters it; playlists are a judgement made by people, independent of every vector here.
 */

export interface EmbeddingSpace {
  name: string
  dim: number
  /** count x dim, row-major, rows in catalogue order. */
  vectors: Float32Array
}

export interface EvalCatalogue {
  tracks: readonly Track[]
  /** Recording key per row: rows sharing one are releases of one recording. */
  dupKeys: readonly string[]
  /** The common space ILS is measured in (the default pipeline's vectors). */
  common: EmbeddingSpace
  /** Playlist ids per recording key, from the playlist sample (absent: no co-occurrence metric). */
  playlistsByKey?: ReadonlyMap<string, readonly number[]>
}

export interface EmbeddingEvalOptions {
  /** Random seed tracks for the genre, diversity and ILS metrics. */
  seeds?: number
  /** Seeds drawn among tracks that appear in the playlist sample, for co-occurrence. */
  playlistSeeds?: number
  k?: number
  seed?: number
}

export interface EmbeddingEvalRow {
  model: string
  dim: number
  genrePrecision: number
  mrr: number
  artistDiversity: number
  ils: number
  playlistCooccurrence: number | null
  seeds: number
  playlistSeeds: number
  seconds: number
}

/** 500 seeds put the standard error of a precision near 0.5 at about 0.01: enough to rank the spaces. */
const DEFAULTS = { seeds: 500, playlistSeeds: 500, k: 10, seed: 7 }

/** Scores one space; call it once per model with the same catalogue and options for comparable rows. */
export function evaluateEmbeddingSpace(cat: EvalCatalogue, space: EmbeddingSpace, opts: EmbeddingEvalOptions = {}): EmbeddingEvalRow {
  const o = { ...DEFAULTS, ...opts }
  const started = performance.now()
  const unit = unitRows(space)
  const commonUnit = space === cat.common ? unit : unitRows(cat.common)
  const seeds = drawSeeds(cat.tracks.length, o.seeds, o.seed, () => true)
  const inPlaylists = (row: number) => (cat.playlistsByKey?.get(cat.dupKeys[row])?.length ?? 0) > 0
  const pSeeds = cat.playlistsByKey ? drawSeeds(cat.tracks.length, o.playlistSeeds, o.seed + 1, inPlaylists) : []
  let precision = 0, mrr = 0, diversity = 0, ils = 0, cooc = 0
  for (const s of seeds) {
    const hits = nearestRecordings(unit, space.dim, cat.dupKeys, s, o.k)
    const g = genreHits(cat.tracks, s, hits)
    precision += g.filter(Boolean).length / o.k
    mrr += reciprocalRank(g)
    diversity += new Set(hits.map((h) => cat.tracks[h].artists[0])).size / o.k
    ils += meanPairwiseCosine(commonUnit, cat.common.dim, hits)
  }
  for (const s of pSeeds) cooc += playlistShare(cat, s, nearestRecordings(unit, space.dim, cat.dupKeys, s, o.k), o.k)
  const n = seeds.length
  return {
    model: space.name, dim: space.dim,
    genrePrecision: precision / n, mrr: mrr / n, artistDiversity: diversity / n, ils: ils / n,
    playlistCooccurrence: pSeeds.length ? cooc / pSeeds.length : null,
    seeds: n, playlistSeeds: pSeeds.length, seconds: (performance.now() - started) / 1000,
  }
}

/** Rows scaled to unit length (zero rows stay zero), so a dot product is the cosine. */
export function unitRows(space: EmbeddingSpace): Float32Array {
  const { vectors, dim } = space
  const out = new Float32Array(vectors.length)
  for (let r = 0; r < vectors.length / dim; r++) {
    let ss = 0
    for (let d = 0; d < dim; d++) ss += vectors[r * dim + d] ** 2
    const inv = ss > 0 ? 1 / Math.sqrt(ss) : 0
    for (let d = 0; d < dim; d++) out[r * dim + d] = vectors[r * dim + d] * inv
  }
  return out
}

/** Distinct rows accepted by `accept`, drawn with a seeded generator (all of them when fewer qualify). */
function drawSeeds(n: number, want: number, seed: number, accept: (row: number) => boolean): number[] {
  const pool: number[] = []
  for (let r = 0; r < n; r++) if (accept(r)) pool.push(r)
  const rng = new Rng(seed)
  for (let i = pool.length - 1; i > 0; i--) {
    const j = rng.int(i + 1)
    ;[pool[i], pool[j]] = [pool[j], pool[i]]
  }
  return pool.slice(0, want)
}

/** The k rows nearest to `seed` by cosine, one per recording, the seed's recording left out; nearest first. */
export function nearestRecordings(unit: Float32Array, dim: number, dupKeys: readonly string[], seed: number, k: number): number[] {
  const n = unit.length / dim
  const scores = new Float32Array(n)
  const q = unit.subarray(seed * dim, (seed + 1) * dim)
  for (let r = 0; r < n; r++) {
    let s = 0
    for (let d = 0; d < dim; d++) s += q[d] * unit[r * dim + d]
    scores[r] = s
  }
  // Enough candidates that collapsing releases still leaves k recordings (a recording has few releases).
  const order = topRows(scores, k * 4 + 16)
  const seen = new Set([dupKeys[seed]])
  const out: number[] = []
  for (const r of order) {
    if (seen.has(dupKeys[r])) continue
    seen.add(dupKeys[r])
    out.push(r)
    if (out.length === k) break
  }
  return out
}

/** Indices of the m highest scores, highest first (ties by lower row). */
function topRows(scores: Float32Array, m: number): number[] {
  const idx: number[] = []
  let floor = -Infinity
  for (let r = 0; r < scores.length; r++) {
    if (idx.length === m && scores[r] <= floor) continue
    idx.push(r)
    if (idx.length > m * 4) {
      idx.sort((a, b) => scores[b] - scores[a] || a - b)
      idx.length = m
      floor = scores[idx[m - 1]]
    }
  }
  idx.sort((a, b) => scores[b] - scores[a] || a - b)
  return idx.slice(0, m)
}

function genreHits(tracks: readonly Track[], seed: number, hits: readonly number[]): boolean[] {
  const genres = new Set(tracks[seed].genres)
  return hits.map((h) => tracks[h].genres.some((g) => genres.has(g)))
}

function reciprocalRank(hits: readonly boolean[]): number {
  const i = hits.indexOf(true)
  return i < 0 ? 0 : 1 / (i + 1)
}

/** Mean cosine over the pairs of `rows` in a unit-row space; 0 for fewer than two rows. */
function meanPairwiseCosine(unit: Float32Array, dim: number, rows: readonly number[]): number {
  let sum = 0, pairs = 0
  for (let i = 0; i < rows.length; i++) {
    for (let j = i + 1; j < rows.length; j++) {
      let s = 0
      for (let d = 0; d < dim; d++) s += unit[rows[i] * dim + d] * unit[rows[j] * dim + d]
      sum += s
      pairs++
    }
  }
  return pairs ? sum / pairs : 0
}

function playlistShare(cat: EvalCatalogue, seed: number, hits: readonly number[], k: number): number {
  const mine = new Set(cat.playlistsByKey!.get(cat.dupKeys[seed]) ?? [])
  return hits.filter((h) => (cat.playlistsByKey!.get(cat.dupKeys[h]) ?? []).some((p) => mine.has(p))).length / k
}

/**
 * Standardised audio features (each column z-scored over the catalogue; `key` as sine and cosine of its pitch
 * class on the circle, as the pipeline encodes it): the "audio only" baseline space.
 */
export function audioOnlySpace(tracks: readonly Track[]): EmbeddingSpace {
  const numeric = AUDIO_FEATURES.filter((f) => f !== 'key')
  const dim = numeric.length + 2
  const vectors = new Float32Array(tracks.length * dim)
  numeric.forEach((f, c) => {
    const col = AUDIO_FEATURES.indexOf(f)
    const xs = tracks.map((t) => t.features[col])
    const mean = xs.reduce((a, b) => a + b, 0) / xs.length
    const sd = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length) || 1
    xs.forEach((x, r) => (vectors[r * dim + c] = (x - mean) / sd))
  })
  const keyCol = AUDIO_FEATURES.indexOf('key')
  tracks.forEach((t, r) => {
    const key = t.features[keyCol]
    if (key < 0) return // no key detected: the circle's centre
    vectors[r * dim + numeric.length] = Math.sin((2 * Math.PI * key) / 12) / Math.SQRT2
    vectors[r * dim + numeric.length + 1] = Math.cos((2 * Math.PI * key) / 12) / Math.SQRT2
  })
  return { name: 'cosine, audio features only', dim, vectors }
}

/** Playlist ids per recording key, from playlists whose tracks are linked to catalogue rows (-1: not linked). */
export function playlistsByRecording(playlists: readonly { tracks: readonly number[] }[], rowOfSetTrack: Int32Array, dupKeys: readonly string[]): Map<string, number[]> {
  const out = new Map<string, number[]>()
  playlists.forEach((p, pid) => {
    for (const t of new Set(p.tracks)) {
      const row = rowOfSetTrack[t]
      if (row < 0) continue
      const key = dupKeys[row]
      const list = out.get(key) ?? []
      if (list[list.length - 1] !== pid) list.push(pid)
      out.set(key, list)
    }
  })
  return out
}

/**
 * The evaluation catalogue of an engine: its tracks and recording keys, the default pipeline's vectors as the
 * common space, and, when `playlistsDir` holds playlists (the MPD sample's TSV or MPD slices), playlist ids per
 * recording key through linkPlaylistTracks.
 */
export async function loadEvalCatalogue(engine: Engine, playlistsDir?: string): Promise<EvalCatalogue & { linkedTracks: number; playlists: number }> {
  const cat = await engine.catalogue()
  const common = { name: 'cosine, default pipeline', dim: cat.dims, vectors: denseRows(cat) }
  if (!playlistsDir || !existsSync(playlistsDir)) return { tracks: cat.tracks, dupKeys: cat.dupKeys, common, linkedTracks: 0, playlists: 0 }
  const { set } = await readPlaylists(playlistsDir)
  const link = linkPlaylistTracks(set, cat.tracks)
  const playlistsByKey = playlistsByRecording(set.playlists, link.rowOf, cat.dupKeys)
  return { tracks: cat.tracks, dupKeys: cat.dupKeys, common, playlistsByKey, linkedTracks: link.byId + link.byName, playlists: set.playlists.length }
}
