import { existsSync, readdirSync } from 'node:fs'
import { stat } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'
import { SegueError } from '../../core/errors.js'
import { throwIfAborted, type LongWorkOptions } from '../../core/progress.js'
import { PlaylistProblems, PlaylistSetBuilder } from './builder.js'
import { readMpdJson } from './read-mpd-json.js'
import { TSV_FILES, readPlaylistsTsv } from './read-tsv.js'
import type { ChallengePlaylist, Playlist, PlaylistSet } from './types.js'

/** 'tsv': the sample's two-file layout; 'mpd': MPD slices; 'mpd-challenge': the MPD challenge set. */
export type PlaylistLayout = 'tsv' | 'mpd' | 'mpd-challenge'

export interface ReadPlaylistsOptions extends LongWorkOptions {
  /**
   * Default false: a malformed track row is skipped and counted, and a playlist that fails its checks (or lost
   * a row) is skipped whole. When true, the first problem stops the read with E_INPUT_ROW naming file, line,
   * field and value.
   */
  strict?: boolean
}

/** How a read went. Challenge playlists count their shown tracks only. */
export interface PlaylistsReport {
  path: string
  layout: PlaylistLayout
  /** The files read, in reading order. */
  files: string[]
  playlists: number
  /** Track rows of the playlists kept (repeats included). */
  rows: number
  /** Distinct tracks. */
  tracks: number
  skippedRows: number
  skippedPlaylists: number
  /** The first 10 reasons for skipping, each naming file:line, field and value. */
  skipReasons: string[]
}

/** An MPD slice file, numbered by the pids it holds (the official zip has 1,000 of them under data/). */
const SLICE_RE = /^mpd\.slice\.(\d+)-(\d+)\.json(\.gz)?$/
const CHALLENGE_NAMES = ['challenge_set.json', 'challenge_set.json.gz']

type Source = { layout: 'tsv'; dir: string } | { layout: 'json'; files: string[] }

/**
 * Reads playlists from a folder or file, telling the layout apart: the sample's TSV folder (playlists.tsv +
 * playlist_tracks.tsv), one MPD slice (`mpd.slice.<a>-<b>.json`, `.gz` too), a folder of slices (read in pid
 * order; the MPD download's own folder works, its slices being under data/), or `challenge_set.json`.
 * Track ids lose their `spotify:track:` prefix; distinct tracks are shared in first-seen order.
 */
export async function readPlaylists(path: string, opts: ReadPlaylistsOptions = {}): Promise<{ set: PlaylistSet; report: PlaylistsReport }> {
  throwIfAborted(opts.signal, `reading ${path}`)
  const source = await locate(path)
  const problems = new PlaylistProblems(opts.strict ?? false)
  const builder = new PlaylistSetBuilder()
  let layout: PlaylistLayout = 'tsv'
  let files: string[]
  if (source.layout === 'tsv') {
    files = await readPlaylistsTsv(source.dir, builder, problems, opts)
  } else {
    files = source.files
    layout = (await readMpdJson(files, builder, problems, opts)) === 'challenge' ? 'mpd-challenge' : 'mpd'
  }
  const set = builder.build()
  const report: PlaylistsReport = {
    path, layout, files, playlists: set.playlists.length, rows: builder.rows, tracks: set.tracks.length,
    skippedRows: problems.skippedRows, skippedPlaylists: problems.skippedPlaylists, skipReasons: problems.reasons,
  }
  return { set, report }
}

/** True for playlists read from a challenge set (some tracks held out). */
export function isChallengePlaylist(p: Playlist): p is ChallengePlaylist {
  return typeof (p as Partial<ChallengePlaylist>).numHoldouts === 'number'
}

async function locate(path: string): Promise<Source> {
  let isDir: boolean
  try {
    isDir = (await stat(path)).isDirectory()
  } catch (err) {
    throw new SegueError('E_INPUT_FILE', `${path}: no such file or folder`, { location: { file: path }, cause: err })
  }
  return isDir ? locateInFolder(path) : locateFile(path)
}

function locateFile(path: string): Source {
  const name = basename(path)
  if (/\.json(\.gz)?$/.test(name)) return { layout: 'json', files: [path] }
  const tsvNames: string[] = [TSV_FILES.playlists, TSV_FILES.tracks]
  if (tsvNames.includes(name.replace(/\.gz$/, ''))) return { layout: 'tsv', dir: dirname(path) }
  throw new SegueError('E_INPUT_FORMAT', `${path}: not a playlist file segue knows (${LOOKED_FOR})`, { location: { file: path } })
}

const LOOKED_FOR =
  'looked for playlists.tsv with playlist_tracks.tsv, mpd.slice.<a>-<b>.json[.gz] here or under data/, challenge_set.json[.gz]'

function locateInFolder(dir: string): Source {
  if (existsSync(join(dir, TSV_FILES.playlists)) || existsSync(join(dir, TSV_FILES.playlists + '.gz'))) return { layout: 'tsv', dir }
  const slices = slicesIn(dir)
  if (slices.length > 0) return { layout: 'json', files: slices }
  const nested = existsSync(join(dir, 'data')) ? slicesIn(join(dir, 'data')) : []
  if (nested.length > 0) return { layout: 'json', files: nested }
  const challenge = CHALLENGE_NAMES.map((n) => join(dir, n)).find((p) => existsSync(p))
  if (challenge !== undefined) return { layout: 'json', files: [challenge] }
  throw new SegueError('E_INPUT_FORMAT', `${dir}: no playlist data found (${LOOKED_FOR})`, { location: { file: dir } })
}

/** The slice files of a folder in pid order; a plain copy is preferred over a gzipped one of the same slice. */
function slicesIn(dir: string): string[] {
  const byStart = new Map<number, string>()
  for (const name of readdirSync(dir).sort()) {
    const m = SLICE_RE.exec(name)
    if (m === null) continue
    const start = Number(m[1])
    const plain = m[3] === undefined
    if (!byStart.has(start) || plain) byStart.set(start, name)
  }
  return [...byStart.entries()].sort((a, b) => a[0] - b[0]).map(([, name]) => join(dir, name))
}
