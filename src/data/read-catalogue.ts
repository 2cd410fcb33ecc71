import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { SegueError } from '../core/errors.js'
import type { LongWorkOptions } from '../core/progress.js'
import type { Track } from '../core/track.js'
import { joinArtists, readArtists, type ArtistInfo, type ArtistsReport } from './artists-table.js'
import { detectLayout, readTrackRow, type CatalogueLayout } from './catalogue-layouts.js'
import { csvRows, type CsvRow } from './csv-rows.js'
import { imputeMedians } from './impute.js'
import { RowCells, RowProblem, SkipLog } from './row-cells.js'

export { detectLayout, type CatalogueLayout } from './catalogue-layouts.js'
export type { ArtistsReport } from './artists-table.js'

/** How an import went. `rows = tracks + merged + skipped` always holds. */
export interface ImportReport {
  file: string
  layout: CatalogueLayout
  /** Data rows read, header and blank lines excluded. */
  rows: number
  /** Distinct tracks produced. */
  tracks: number
  /** Rows folded into an earlier track with the same id (the 114k file lists a track once per genre). */
  merged: number
  /** Malformed rows skipped (lenient mode only). */
  skipped: number
  /** The first 10 skip reasons, each naming file:line, column and value. */
  skipReasons: string[]
  /** Per audio feature, how many missing values were replaced by the median. */
  imputed: Record<string, number>
  /** The artists file joined in (600k layout), when one was found. */
  artists?: ArtistsReport
}

export interface ReadCatalogueOptions extends LongWorkOptions {
  /**
   * Default false: malformed rows are skipped and counted. When true, the first malformed row stops the
   * read with E_INPUT_ROW, whose message and `location` name the file, line, column and value.
   */
  strict?: boolean
  /** 600k layout only: the artists.csv to join. Default: artists.csv beside the tracks file, if it exists. */
  artistsFile?: string
}

/**
 * Reads a Spotify catalogue CSV (114k dataset.csv, 600k tracks.csv + artists.csv, or 170k data.csv,
 * told apart by the header) into one track per distinct id, in first-seen order, streaming the file.
 *
 * Missing audio features are imputed with the column median. Missing popularity, duration, explicit and
 * release year stay null: Track allows it, and an invented popularity would mislead more than a gap.
 */
export async function readCatalogue(
  path: string,
  opts: ReadCatalogueOptions = {},
): Promise<{ tracks: Track[]; report: ImportReport }> {
  const strict = opts.strict ?? false
  const rows = csvRows(path, { onProgress: opts.onProgress, signal: opts.signal, phase: 'read' })
  try {
    const header = await rows.next()
    if (header.done === true) throw new SegueError('E_INPUT_FORMAT', `${path}: file is empty`, { location: { file: path } })
    const layout = detectLayout(header.value.fields, path)
    const joined = layout === 'spotify-600k' ? await loadArtists(path, opts, strict) : undefined
    const builder = new CatalogueBuilder(path, layout, new RowCells(header.value.fields), strict, joined?.artists)
    for await (const row of rows) builder.add(row)
    return builder.finish(joined?.report)
  } finally {
    await rows.return(undefined)
  }
}

async function loadArtists(tracksPath: string, opts: ReadCatalogueOptions, strict: boolean) {
  const beside = join(dirname(tracksPath), 'artists.csv')
  const file = opts.artistsFile ?? (existsSync(beside) ? beside : undefined)
  if (file === undefined) return undefined
  return readArtists(file, { onProgress: opts.onProgress, signal: opts.signal, strict })
}

/** Turns rows into tracks: validates, merges rows that share an id, and imputes once every row is in. */
class CatalogueBuilder {
  private readonly byId = new Map<string, Track>()
  private readonly log: SkipLog
  private rows = 0
  private merged = 0

  constructor(
    private readonly file: string,
    private readonly layout: CatalogueLayout,
    private readonly cells: RowCells,
    strict: boolean,
    private readonly artists: Map<string, ArtistInfo> | undefined,
  ) {
    this.log = new SkipLog(file, strict)
  }

  add(row: CsvRow): void {
    this.rows++
    const track = this.parse(row)
    if (track === undefined) return
    const seen = this.byId.get(track.id)
    if (seen === undefined) {
      this.byId.set(track.id, track)
    } else {
      mergeInto(seen, track)
      this.merged++
    }
  }

  finish(artists: ArtistsReport | undefined): { tracks: Track[]; report: ImportReport } {
    const tracks = [...this.byId.values()]
    const imputed = imputeMedians(tracks)
    const report: ImportReport = {
      file: this.file,
      layout: this.layout,
      rows: this.rows,
      tracks: tracks.length,
      merged: this.merged,
      skipped: this.log.skipped,
      skipReasons: this.log.reasons,
      imputed,
    }
    if (artists !== undefined) report.artists = artists
    return { tracks, report }
  }

  /** The row as a track, or undefined when it is malformed and skipped (strict mode throws instead). */
  private parse(row: CsvRow): Track | undefined {
    try {
      this.cells.load(row.fields)
      const track = readTrackRow(this.layout, this.cells)
      if (this.artists !== undefined) joinArtists(track, this.artists)
      return track
    } catch (err) {
      if (!(err instanceof RowProblem)) throw err
      this.log.record(err, row.line)
      return undefined
    }
  }
}

/**
 * Folds a later row of the same track into the first. Genres accumulate. Popularity takes the highest:
 * the real 114k file gives some copies of a track a popularity one point apart, as if sampled on different
 * days. Everything else keeps the first row's value, except features the first row lacked.
 */
function mergeInto(first: Track, later: Track): void {
  for (const g of later.genres) if (!first.genres.includes(g)) first.genres.push(g)
  if (later.popularity !== null) first.popularity = Math.max(first.popularity ?? 0, later.popularity)
  for (let f = 0; f < first.features.length; f++) {
    if (Number.isNaN(first.features[f])) first.features[f] = later.features[f]
  }
}
