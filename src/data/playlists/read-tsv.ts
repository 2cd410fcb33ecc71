import { SegueError, inputError } from '../../core/errors.js'
import type { LongWorkOptions } from '../../core/progress.js'
import { csvRows } from '../csv-rows.js'
import { plainOrGz, requireColumns } from '../listens/read-table.js'
import { RowCells, RowProblem, type NumericRule } from '../row-cells.js'
import { PlaylistProblems, PlaylistSetBuilder, bareTrackId, playlistError, type SharedTrack } from './builder.js'
import type { Playlist } from './types.js'

/*
 * The sample's TSV layout (../shared/data/spotify-mpd-sample): playlists.tsv (pid, name, num_followers,
 * modified_at, num_tracks, ...) and playlist_tracks.tsv (pid, pos, track_id, artist_name, track_name), written
 * with Python's csv excel-tab dialect: a field holding `"` is quoted with its inner quotes doubled.
 */

export const TSV_FILES = { playlists: 'playlists.tsv', tracks: 'playlist_tracks.tsv' } as const

const PLAYLIST_COLUMNS = ['pid', 'name', 'num_tracks']
const TRACK_COLUMNS = ['pid', 'pos', 'track_id', 'artist_name', 'track_name']

/** MPD pids run to 999,999; the sample numbers playlists of unknown pid from 1,000,000. */
const PID_RULE: NumericRule = { min: 0, max: Number.MAX_SAFE_INTEGER, integer: true }
/** Far above any playlist's length (Spotify allows 10,000; the MPD keeps 5 to 250): it only catches a wrong column. */
const POS_RULE: NumericRule = { min: 0, max: 10_000_000, integer: true }
const COUNT_RULE: NumericRule = { min: 0, max: Number.MAX_SAFE_INTEGER, integer: true }
const UNIX_RULE: NumericRule = { min: 0, max: 1e10, integer: true }

/** A playlist read from playlists.tsv with its track rows as they come, before ordering and checks. */
interface Staged {
  meta: Omit<Playlist, 'tracks'>
  /** Its line in playlists.tsv. */
  line: number
  numTracks: number
  pos: number[]
  lines: number[]
  tracks: SharedTrack[]
}

/** Reads the two files of a TSV playlist folder into `builder`, playlists in playlists.tsv order. */
export async function readPlaylistsTsv(
  dir: string,
  builder: PlaylistSetBuilder,
  problems: PlaylistProblems,
  opts: LongWorkOptions,
): Promise<string[]> {
  const listFile = plainOrGz(dir, TSV_FILES.playlists)
  const tracksFile = plainOrGz(dir, TSV_FILES.tracks)
  const staged = new Map<number, Staged>()
  await eachRow(listFile, 'read playlists', PLAYLIST_COLUMNS, problems, opts, (c, line) => stagePlaylist(c, line, staged))
  const shared = new Map<string, SharedTrack>()
  await eachRow(tracksFile, 'read playlist tracks', TRACK_COLUMNS, problems, opts, (c, line) => stageTrack(c, line, staged, shared))
  for (const s of staged.values()) {
    try {
      builder.addShared(s.meta, ordered(s, listFile, tracksFile), listFile)
    } catch (err) {
      if (!(err instanceof SegueError)) throw err
      problems.playlist(err)
    }
  }
  return [listFile, tracksFile]
}

/** Streams a tab-separated file's rows to `visit`; a RowProblem becomes a located, skipped (or thrown) row. */
async function eachRow(
  path: string,
  phase: string,
  columns: readonly string[],
  problems: PlaylistProblems,
  opts: LongWorkOptions,
  visit: (cells: RowCells, line: number) => void,
): Promise<void> {
  const rows = csvRows(path, { delimiter: '\t', phase, onProgress: opts.onProgress, signal: opts.signal })
  try {
    const first = await rows.next()
    if (first.done === true) throw new SegueError('E_INPUT_FORMAT', `${path}: file is empty`, { location: { file: path } })
    requireColumns(first.value.fields, columns, path)
    const cells = new RowCells(first.value.fields)
    for await (const row of rows) {
      try {
        cells.load(row.fields)
        visit(cells, row.line)
      } catch (err) {
        if (!(err instanceof RowProblem)) throw err
        problems.row(inputError('E_INPUT_ROW', { file: path, line: row.line, column: err.column, value: err.value }, err.reason))
      }
    }
  } finally {
    await rows.return(undefined)
  }
}

function stagePlaylist(c: RowCells, line: number, staged: Map<number, Staged>): void {
  const pid = requiredInt(c, 'pid', PID_RULE)
  const before = staged.get(pid)
  if (before !== undefined) throw new RowProblem(`pid already used on line ${before.line}`, 'pid', c.trimmed('pid'))
  const meta: Omit<Playlist, 'tracks'> = { pid, name: c.text('name') }
  const followers = c.number('num_followers', COUNT_RULE)
  if (!Number.isNaN(followers)) meta.followers = followers
  const modified = c.number('modified_at', UNIX_RULE)
  if (!Number.isNaN(modified)) meta.modifiedAt = modified
  const numTracks = requiredInt(c, 'num_tracks', COUNT_RULE)
  staged.set(pid, { meta, line, numTracks, pos: [], lines: [], tracks: [] })
}

function stageTrack(c: RowCells, line: number, staged: Map<number, Staged>, shared: Map<string, SharedTrack>): void {
  const pid = requiredInt(c, 'pid', PID_RULE)
  const s = staged.get(pid)
  if (s === undefined) throw new RowProblem(`no playlist with this pid in ${TSV_FILES.playlists}`, 'pid', c.trimmed('pid'))
  const pos = requiredInt(c, 'pos', POS_RULE)
  const raw = c.required('track_id')
  const id = bareTrackId(raw)
  if (id === null) throw new RowProblem('not a Spotify track id (22 letters and digits)', 'track_id', raw)
  let track = shared.get(id)
  if (track === undefined) {
    track = { track: { id, artist: c.text('artist_name'), title: c.text('track_name') }, index: -1 }
    shared.set(id, track)
  }
  s.pos.push(pos)
  s.lines.push(line)
  s.tracks.push(track)
}

/** The playlist's tracks ordered by pos, after checking that pos runs 0..n-1 and n equals num_tracks. */
function ordered(s: Staged, listFile: string, tracksFile: string): SharedTrack[] {
  const who = `playlist pid ${s.meta.pid}`
  const n = s.pos.length
  if (n !== s.numTracks) {
    const at = { file: listFile, line: s.line, column: 'num_tracks', value: String(s.numTracks) }
    throw playlistError(at, who, `num_tracks is ${s.numTracks} but ${tracksFile} has ${n} readable rows for it`)
  }
  const out = new Array<SharedTrack>(n)
  const lineOf = new Array<number>(n)
  for (let i = 0; i < n; i++) {
    const p = s.pos[i]
    const at = { file: tracksFile, line: s.lines[i], column: 'pos', value: String(p) }
    if (p >= n) throw playlistError(at, who, `pos outside 0..${n - 1}`)
    if (out[p] !== undefined) throw playlistError(at, who, `pos ${p} already on line ${lineOf[p]}`)
    out[p] = s.tracks[i]
    lineOf[p] = s.lines[i]
  }
  return out
}

function requiredInt(c: RowCells, column: string, rule: NumericRule): number {
  const n = c.number(column, rule)
  if (Number.isNaN(n)) throw new RowProblem('required value is empty', column, c.trimmed(column))
  return n
}
