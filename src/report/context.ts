/**
 * Loads what charts are drawn from, only the parts asked for: the catalogue (given, or read from a file), the
 * published year and genre aggregates, the listening data (HetRec with its tags, or any listening layout), the
 * playlist lengths of the MPD sample, and a model evaluation over the listening data. Optional sources that are
 * absent (../shared is not on a fresh clone) are left out, and their charts say so.
 */
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { rowData } from '../core/csr.js'
import { SegueError } from '../core/errors.js'
import { bundledCatalogue, sharedDataDir } from '../core/paths.js'
import type { ProgressFn } from '../core/progress.js'
import type { Track } from '../core/track.js'
import { buildInteractions, type Interactions } from '../data/interactions.js'
import { readHetrec } from '../data/listens/hetrec.js'
import { readCatalogue } from '../data/read-catalogue.js'
import { BUNDLED_LISTENING, detectFormat, loadListening } from '../listening/source.js'
import type { ChartContext, ChartPart } from '../viz/charts.js'
import type { GenreRow, ListeningSummary } from '../viz/insight-charts.js'
import type { KSweep } from '../moods/clusters.js'
import type { CvResult, Scores } from '../moods/cv.js'
import { moodChartData, type MoodChartData } from '../moods/chart-data.js'
import { DEFAULT_MOOD_CONFIG, loadMoods, moodsKey } from '../moods/model.js'
import { MOODS } from '../moods/moods.js'
import { TREND_FEATURES, type YearRow } from '../viz/time.js'
import { runModels } from './model-runs.js'

export interface ContextOptions {
  /** The catalogue's tracks, when the caller has them (the engine's); else `catalogue` is read. */
  tracks?: readonly Track[]
  /** Catalogue file to read when `tracks` is not given (default: the bundled 114k). */
  catalogue?: string
  /** Listening data (default: the bundled HetRec Last.fm 2K). */
  listens?: string
  /** Folder of data_by_year.csv and data_by_genres.csv (default: ../shared/data/spotify-aggregates). */
  aggregates?: string
  /** Folder of the MPD sample's playlists.tsv (default: ../shared/data/spotify-mpd-sample). */
  playlists?: string
  /**
   * The saved song moods (a home's artifacts/moods.art, as the server and `segue moods` keep it) and the version
   * of the catalogue in `tracks` they must be keyed by; the moods-* charts are drawn from them.
   */
  moods?: { artifact: string; version: string }
  seed?: number
  onProgress?: ProgressFn
  signal?: AbortSignal
}

/** Where each loaded part came from, for the report's captions. */
export interface ContextSources {
  catalogue?: string
  listening?: string
  aggregates?: string
  playlists?: string
}

/** Most-given tags kept per HetRec artist as its labels for list diversity: enough to tell styles apart. */
const TAGS_PER_ARTIST = 3

export async function loadChartContext(needs: ReadonlySet<ChartPart>, opts: ContextOptions = {}): Promise<{ ctx: ChartContext; sources: ContextSources }> {
  const sources: ContextSources = {}
  const ctx: ChartContext = { tracks: [] }
  if (opts.tracks) ctx.tracks = opts.tracks
  else if (needs.has('tracks')) {
    const file = opts.catalogue ?? bundledCatalogue()
    ctx.tracks = (await readCatalogue(file, { onProgress: opts.onProgress, signal: opts.signal })).tracks
    sources.catalogue = file
  }
  if (needs.has('aggregates')) loadAggregates(ctx, sources, opts.aggregates ?? join(sharedDataDir(), 'spotify-aggregates'))
  if (needs.has('playlists')) loadPlaylistLengths(ctx, sources, opts.playlists ?? join(sharedDataDir(), 'spotify-mpd-sample'))
  if (needs.has('listening') || needs.has('models')) {
    const path = opts.listens ?? BUNDLED_LISTENING
    const { data, labels, itemKind } = await readListening(path, opts)
    sources.listening = path
    ctx.listening = summarise(data, path, itemKind)
    if (needs.has('models')) ctx.models = await runModels(data, { seed: opts.seed, labels, onProgress: opts.onProgress, signal: opts.signal })
  }
  if (needs.has('moods') && opts.moods) ctx.moods = savedMoodCharts(ctx.tracks, opts.moods.artifact, opts.moods.version)
  return { ctx, sources }
}

/**
 * The mood pictures' data from the saved song moods of this catalogue version (the k-means fallback under the
 * default config, or a model trained on labels), with the k sweep and label scores the artifact carries;
 * undefined when there is no such artifact (not built yet, or built for another catalogue).
 */
export function savedMoodCharts(tracks: readonly Track[], artifact: string, version: string): MoodChartData | undefined {
  const expected = moodsKey(version, DEFAULT_MOOD_CONFIG)
  const saved = loadMoods(artifact, (key, meta) => key === expected || (meta.source === 'labels' && key.startsWith(`${version}:`)))
  const sweep = saved?.meta.sweep as KSweep | undefined
  if (!saved || !sweep || saved.proba.length !== tracks.length * MOODS.length) return undefined
  const cv = saved.meta.cv as CvResult | undefined
  const agreement = saved.meta.agreement as Scores | undefined
  const songScores = [
    ...(cv ? [{ title: 'song model, 5-fold CV on labels', scores: cv.model }] : []),
    ...(agreement ? [{ title: 'k-means moods vs labels', scores: agreement }] : []),
  ]
  return moodChartData({ ids: tracks.map((t) => t.id), features: tracks.map((t) => t.features), saved, sweep, songScores })
}

/** HetRec is read directly so its artists' tags come along (labels for diversity); other layouts through loadListening. */
async function readListening(path: string, opts: ContextOptions): Promise<{ data: Interactions; labels?: string[][]; itemKind: 'artist' | 'item' }> {
  if (detectFormat(path) !== 'hetrec-2k') {
    const l = await loadListening(path, { onProgress: opts.onProgress, signal: opts.signal })
    return { data: l.data, itemKind: l.itemKind }
  }
  const h = await readHetrec(path, { onProgress: opts.onProgress, signal: opts.signal })
  const data = buildInteractions(h.events, 'implicit')
  const labels = Array.from({ length: data.items.size }, (_, i) => topTags(h.tags.get(data.items.rawId(i))))
  return { data, labels, itemKind: 'artist' }
}

function topTags(tags: Map<string, number> | undefined): string[] {
  if (!tags) return []
  return [...tags.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).slice(0, TAGS_PER_ARTIST).map(([t]) => t)
}

/** Plays per listener (row sums) and per item (column sums). */
export function summarise(data: Interactions, source: string, itemKind: 'artist' | 'item'): ListeningSummary {
  const perUser = new Float64Array(data.matrix.rows)
  const perItem = new Float64Array(data.matrix.cols)
  for (let u = 0; u < data.matrix.rows; u++) {
    const values = rowData(data.matrix, u)
    for (let i = 0; i < values.length; i++) perUser[u] += values[i]
  }
  const { indices, data: values } = data.matrix
  for (let p = 0; p < indices.length; p++) perItem[indices[p]] += values[p]
  return { source, itemKind, playsPerUser: perUser, playsPerItem: perItem }
}

function loadAggregates(ctx: ChartContext, sources: ContextSources, dir: string): void {
  const years = join(dir, 'data_by_year.csv')
  const genres = join(dir, 'data_by_genres.csv')
  if (existsSync(years)) ctx.yearAggregates = readYearAggregates(years)
  if (existsSync(genres)) ctx.genreAggregates = readGenreAggregates(genres)
  if (ctx.yearAggregates || ctx.genreAggregates) sources.aggregates = dir
}

/** A small header-first CSV without quoted commas in numeric columns; the genre column may be quoted. */
function readTable(path: string): { header: string[]; rows: string[][] } {
  const lines = readFileSync(path, 'utf8').split(/\r?\n/).filter((l) => l.length > 0)
  if (lines.length === 0) throw new SegueError('E_INPUT_FORMAT', `${path}: file is empty`, { location: { file: path } })
  return { header: splitCsvLine(lines[0]), rows: lines.slice(1).map(splitCsvLine) }
}

/** Splits one CSV line, honouring double quotes (genre names such as "children's music" are quoted). */
export function splitCsvLine(line: string): string[] {
  const out: string[] = []
  let cur = ''
  let quoted = false
  for (let i = 0; i < line.length; i++) {
    const c = line[i]
    if (quoted && c === '"' && line[i + 1] === '"') (cur += '"'), i++
    else if (c === '"') quoted = !quoted
    else if (c === ',' && !quoted) out.push(cur), (cur = '')
    else cur += c
  }
  out.push(cur)
  return out
}

function column(path: string, header: string[], name: string): number {
  const i = header.indexOf(name)
  if (i < 0) throw new SegueError('E_INPUT_FORMAT', `${path}: no '${name}' column (columns: ${header.join(', ')})`, { location: { file: path } })
  return i
}

/** data_by_year.csv: one row per year of mean features and popularity. */
export function readYearAggregates(path: string): YearRow[] {
  const { header, rows } = readTable(path)
  const year = column(path, header, 'year')
  const pop = column(path, header, 'popularity')
  const feats = TREND_FEATURES.map((f) => column(path, header, f))
  return rows
    .map((r) => ({ year: Number(r[year]), popularity: Number(r[pop]), features: Object.fromEntries(TREND_FEATURES.map((f, i) => [f, Number(r[feats[i]])])) as YearRow['features'] }))
    .filter((r) => Number.isInteger(r.year))
    .sort((a, b) => a.year - b.year)
}

/** data_by_genres.csv: one row per genre; only the name and mean popularity are kept. */
export function readGenreAggregates(path: string): GenreRow[] {
  const { header, rows } = readTable(path)
  const genre = column(path, header, 'genres')
  const pop = column(path, header, 'popularity')
  return rows.map((r) => ({ genre: r[genre], popularity: Number(r[pop]) })).filter((g) => g.genre.length > 0 && Number.isFinite(g.popularity))
}

function loadPlaylistLengths(ctx: ChartContext, sources: ContextSources, dir: string): void {
  const file = join(dir, 'playlists.tsv')
  if (!existsSync(file)) return
  const lines = readFileSync(file, 'utf8').split(/\r?\n/).filter((l) => l.length > 0)
  const n = lines[0].split('\t').indexOf('num_tracks')
  if (n < 0) throw new SegueError('E_INPUT_FORMAT', `${file}: no 'num_tracks' column`, { location: { file } })
  ctx.playlistLengths = Float64Array.from(lines.slice(1), (l) => Number(l.split('\t')[n]))
  sources.playlists = dir
}
