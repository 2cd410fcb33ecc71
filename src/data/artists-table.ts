import { SegueError } from '../core/errors.js'
import type { LongWorkOptions } from '../core/progress.js'
import type { Track } from '../core/track.js'
import { FOLLOWERS_RULE } from './catalogue-layouts.js'
import { csvRows, type CsvRow } from './csv-rows.js'
import { RowCells, RowProblem, SkipLog } from './row-cells.js'

/** What the 600k release's artists.csv tells about one artist. */
export interface ArtistInfo {
  followers: number | null
  genres: string[]
}

/** How reading artists.csv went; its skipped rows are counted here, not in the tracks file's totals. */
export interface ArtistsReport {
  file: string
  rows: number
  artists: number
  skipped: number
  skipReasons: string[]
}

const REQUIRED = ['id', 'followers', 'genres']

/** Reads artists.csv (`id,followers,genres,name,popularity`) into a map by artist id. */
export async function readArtists(
  file: string,
  opts: LongWorkOptions & { strict: boolean },
): Promise<{ artists: Map<string, ArtistInfo>; report: ArtistsReport }> {
  const log = new SkipLog(file, opts.strict)
  const artists = new Map<string, ArtistInfo>()
  let cells: RowCells | undefined
  let rows = 0
  for await (const row of csvRows(file, { ...opts, phase: 'read-artists' })) {
    if (cells === undefined) {
      cells = headerCells(row.fields, file)
      continue
    }
    rows++
    addArtist(artists, cells, row, log)
  }
  if (cells === undefined) throw new SegueError('E_INPUT_FORMAT', `${file}: file is empty`, { location: { file } })
  const report = { file, rows, artists: artists.size, skipped: log.skipped, skipReasons: log.reasons }
  return { artists, report }
}

function headerCells(header: string[], file: string): RowCells {
  const cells = new RowCells(header)
  const lacks = REQUIRED.filter((c) => !cells.has(c))
  if (lacks.length > 0) {
    const names = lacks.map((c) => `'${c}'`).join(', ')
    throw new SegueError('E_INPUT_FORMAT', `${file}: not an artists file; it lacks column(s) ${names}`, {
      location: { file },
    })
  }
  return cells
}

function addArtist(artists: Map<string, ArtistInfo>, cells: RowCells, row: CsvRow, log: SkipLog): void {
  try {
    cells.load(row.fields)
    const id = cells.required('id')
    // An artist listed twice keeps its first entry, as tracks do.
    if (artists.has(id)) return
    artists.set(id, { followers: cells.numberOrNull('followers', FOLLOWERS_RULE), genres: cells.list('genres') })
  } catch (err) {
    if (!(err instanceof RowProblem)) throw err
    log.record(err, row.line)
  }
}

/** Track genres = union of its artists' genres (first-seen order); followers = the highest among them. */
export function joinArtists(track: Track, artists: Map<string, ArtistInfo>): void {
  const genres = new Set<string>()
  let followers: number | null = null
  for (const id of track.artistIds) {
    const info = artists.get(id)
    if (info === undefined) continue
    for (const g of info.genres) genres.add(g)
    if (info.followers !== null) followers = Math.max(followers ?? 0, info.followers)
  }
  track.genres = [...genres]
  track.artistFollowers = followers
}
