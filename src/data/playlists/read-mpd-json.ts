import { readFile } from 'node:fs/promises'
import { basename } from 'node:path'
import { promisify } from 'node:util'
import { gunzip } from 'node:zlib'
import { SegueError } from '../../core/errors.js'
import { throwIfAborted, type LongWorkOptions } from '../../core/progress.js'
import { RowProblem } from '../row-cells.js'
import { PlaylistProblems, PlaylistSetBuilder, bareTrackId, playlistError } from './builder.js'
import type { ChallengePlaylist, Playlist, PlaylistTrack } from './types.js'

/*
 * The MPD's own JSON: each `mpd.slice.<a>-<b>.json` is {"info": ..., "playlists": [...]}, a playlist being
 * {pid, name, num_tracks, num_followers, modified_at, tracks: [{pos, track_uri, artist_name, track_name,
 * album_name, duration_ms, ...}], ...}. `challenge_set.json` has the same shape, with num_holdouts per playlist,
 * only the shown tracks (their pos kept) and some playlists without a name.
 */

export type MpdFileKind = 'mpd' | 'challenge'

type Json = Record<string, unknown>

/** No upper bound for ids, counts, positions and durations: only negative or fractional values are refused. */
const WHOLE_MAX = Number.MAX_SAFE_INTEGER
/** modified_at is Unix seconds; a larger value is milliseconds or a wrong field. */
const UNIX_MAX = 1e10
const gunzipAsync = promisify(gunzip)

/** Reads MPD JSON files in the order given into `builder`; progress and abort checks come between files. */
export async function readMpdJson(
  files: readonly string[],
  builder: PlaylistSetBuilder,
  problems: PlaylistProblems,
  opts: LongWorkOptions,
): Promise<MpdFileKind> {
  let kind: MpdFileKind | undefined
  for (let i = 0; i < files.length; i++) {
    const file = files[i]
    throwIfAborted(opts.signal, `reading ${file}`)
    const text = await readText(file)
    const root = parseJson(text, file)
    const k = kindOf(root, file)
    if (kind !== undefined && k !== kind) {
      throw new SegueError('E_INPUT_FORMAT', `${file}: a ${k} file among ${kind} files; read the challenge set on its own`, { location: { file } })
    }
    kind = k
    readFilePlaylists(root.playlists as unknown[], k, file, new LineFinder(text), builder, problems)
    opts.onProgress?.({ phase: 'read playlists', done: i + 1, total: files.length })
  }
  return kind ?? 'mpd'
}

function readFilePlaylists(
  raws: unknown[],
  kind: MpdFileKind,
  file: string,
  lines: LineFinder,
  builder: PlaylistSetBuilder,
  problems: PlaylistProblems,
): void {
  raws.forEach((raw, at) => {
    const pid = isObject(raw) && isWhole(raw.pid) ? raw.pid : undefined
    try {
      const p = kind === 'challenge' ? challengePlaylist(raw, at) : mpdPlaylist(raw, at)
      const first = builder.firstRead(p.meta.pid)
      if (first !== undefined) throw new RowProblem(`already read from ${first}`, 'pid', String(p.meta.pid))
      builder.add(p.meta, p.tracks, file)
    } catch (err) {
      if (!(err instanceof RowProblem)) throw err
      const who = pid === undefined ? `playlists[${at}]` : `playlist pid ${pid}`
      problems.playlist(playlistError({ file, line: lines.ofPid(pid), column: err.column, value: err.value }, who, err.reason))
    }
  })
}

interface Read<P> {
  meta: Omit<P, 'tracks'>
  tracks: PlaylistTrack[]
}

function mpdPlaylist(raw: unknown, at: number): Read<Playlist> {
  const o = object(raw, `playlists[${at}]`)
  const meta = playlistMeta(o)
  const items = trackItems(o)
  const numTracks = whole(o, 'num_tracks', WHOLE_MAX, false)
  if (numTracks !== undefined && numTracks !== items.length) {
    throw new RowProblem(`${numTracks} but the playlist lists ${items.length} tracks`, 'num_tracks', String(numTracks))
  }
  return { meta, tracks: byPos(items, items.length) }
}

function challengePlaylist(raw: unknown, at: number): Read<ChallengePlaylist> {
  const o = object(raw, `playlists[${at}]`)
  const meta = playlistMeta(o)
  const items = trackItems(o)
  const numTracks = whole(o, 'num_tracks', WHOLE_MAX, true) as number
  const numHoldouts = whole(o, 'num_holdouts', WHOLE_MAX, true) as number
  if (items.length + numHoldouts !== numTracks) {
    throw new RowProblem(`${numTracks} but ${items.length} shown + ${numHoldouts} held out`, 'num_tracks', String(numTracks))
  }
  // Shown tracks keep their place in the full playlist (random seeds skip positions): pos < num_tracks.
  return { meta: { ...meta, numTracks, numHoldouts }, tracks: byPos(items, numTracks) }
}

function playlistMeta(o: Json): Omit<Playlist, 'tracks'> {
  const meta: Omit<Playlist, 'tracks'> = { pid: whole(o, 'pid', WHOLE_MAX, true) as number, name: text(o, 'name', 'name', false) ?? '' }
  const followers = whole(o, 'num_followers', WHOLE_MAX, false)
  if (followers !== undefined) meta.followers = followers
  const modified = whole(o, 'modified_at', UNIX_MAX, false)
  if (modified !== undefined) meta.modifiedAt = modified
  return meta
}

interface Item {
  track: PlaylistTrack
  /** Absent in files that dropped pos (some public copies): the list order is the playlist order then. */
  pos?: number
  field: string
}

function trackItems(o: Json): Item[] {
  const list = o.tracks
  if (list === undefined) throw new RowProblem('missing', 'tracks')
  if (!Array.isArray(list)) throw new RowProblem('not a list', 'tracks', describe(list))
  return list.map((raw, i) => trackItem(raw, `tracks[${i}]`))
}

function trackItem(raw: unknown, field: string): Item {
  const o = object(raw, field)
  const uri = text(o, 'track_uri', `${field}.track_uri`, true) as string
  const id = bareTrackId(uri)
  if (id === null) throw new RowProblem('not a Spotify track URI or id', `${field}.track_uri`, uri)
  const track: PlaylistTrack = {
    id,
    artist: text(o, 'artist_name', `${field}.artist_name`, true) as string,
    title: text(o, 'track_name', `${field}.track_name`, true) as string,
  }
  const album = text(o, 'album_name', `${field}.album_name`, false)
  if (album !== undefined) track.album = album
  const duration = whole(o, 'duration_ms', WHOLE_MAX, false, `${field}.duration_ms`)
  if (duration !== undefined) track.durationMs = duration
  return { track, pos: whole(o, 'pos', WHOLE_MAX, false, `${field}.pos`), field }
}

/** Tracks ordered by pos, each pos distinct and below `limit`; all tracks need a pos, or none do. */
function byPos(items: Item[], limit: number): PlaylistTrack[] {
  const withPos = items.filter((it) => it.pos !== undefined).length
  if (withPos === 0) return items.map((it) => it.track)
  if (withPos < items.length) {
    const missing = items.find((it) => it.pos === undefined) as Item
    throw new RowProblem('missing (other tracks have one)', `${missing.field}.pos`)
  }
  const slot = new Map<number, Item>()
  for (const it of items) {
    const pos = it.pos as number
    if (pos >= limit) throw new RowProblem(`pos outside 0..${limit - 1}`, `${it.field}.pos`, String(pos))
    const other = slot.get(pos)
    if (other !== undefined) throw new RowProblem(`pos ${pos} also in ${other.field}`, `${it.field}.pos`, String(pos))
    slot.set(pos, it)
  }
  return [...slot.entries()].sort((a, b) => a[0] - b[0]).map(([, it]) => it.track)
}

function object(raw: unknown, field: string): Json {
  if (!isObject(raw)) throw new RowProblem('not an object', field, describe(raw))
  return raw
}

function text(o: Json, key: string, field: string, required: boolean): string | undefined {
  const v = o[key]
  if (v === undefined || v === null) {
    if (required) throw new RowProblem('missing', field)
    return undefined
  }
  if (typeof v !== 'string') throw new RowProblem('not a string', field, describe(v))
  return v
}

function whole(o: Json, key: string, max: number, required: boolean, field = key): number | undefined {
  const v = o[key]
  if (v === undefined || v === null) {
    if (required) throw new RowProblem('missing', field)
    return undefined
  }
  if (!isWhole(v) || v > max) throw new RowProblem(max === WHOLE_MAX ? 'not a whole number >= 0' : `not a whole number from 0 to ${max}`, field, describe(v))
  return v
}

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

function isWhole(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0
}

function describe(v: unknown): string {
  return JSON.stringify(v)?.slice(0, 80) ?? String(v)
}

async function readText(file: string): Promise<string> {
  let bytes: Buffer
  try {
    bytes = await readFile(file)
  } catch (err) {
    const why = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : `cannot read file (${(err as Error).message})`
    throw new SegueError('E_INPUT_FILE', `${file}: ${why}`, { location: { file }, cause: err })
  }
  if (file.endsWith('.gz')) {
    try {
      bytes = await gunzipAsync(bytes)
    } catch (err) {
      throw new SegueError('E_INPUT_FILE', `${file}: not valid gzip (${(err as Error).message})`, { location: { file }, cause: err })
    }
  }
  return bytes.toString('utf8')
}

/** The parsed root object; E_INPUT_FORMAT naming file:line:column of a syntax error (V8 gives its position). */
function parseJson(text: string, file: string): Json {
  let root: unknown
  try {
    root = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text)
  } catch (err) {
    const message = (err as Error).message
    const m = /position (\d+)/.exec(message)
    const { line, column } = new LineFinder(text).place(m === null ? text.length : Number(m[1]))
    throw new SegueError('E_INPUT_FORMAT', `${file}:${line}:${column}: not valid JSON (${message})`, { location: { file, line } })
  }
  if (!isObject(root) || !Array.isArray(root.playlists)) {
    throw new SegueError('E_INPUT_FORMAT', `${file}: not an MPD file (expected an object with a "playlists" list)`, { location: { file } })
  }
  return root
}

/** A challenge file names itself (`"name": "challenge_set"`) and gives num_holdouts per playlist. */
function kindOf(root: Json, file: string): MpdFileKind {
  const first = (root.playlists as unknown[])[0]
  const holdouts = isObject(first) && 'num_holdouts' in first
  return root.name === 'challenge_set' || basename(file).startsWith('challenge_set') || holdouts ? 'challenge' : 'mpd'
}

/** Lines of a JSON text, found only when an error needs one (the index is built on first use). */
class LineFinder {
  private breaks?: Int32Array
  private pidAt?: Map<number, number>

  constructor(private readonly text: string) {}

  /** The line of the playlist's `"pid": <pid>`, or undefined when it cannot be found. */
  ofPid(pid: number | undefined): number | undefined {
    if (pid === undefined) return undefined
    this.pidAt ??= pidOffsets(this.text)
    const at = this.pidAt.get(pid)
    return at === undefined ? undefined : this.place(at).line
  }

  /** 1-based line and column of a character offset. */
  place(offset: number): { line: number; column: number } {
    this.breaks ??= lineBreaks(this.text)
    let lo = 0
    let hi = this.breaks.length
    while (lo < hi) {
      const mid = (lo + hi) >> 1
      if (this.breaks[mid] < offset) lo = mid + 1
      else hi = mid
    }
    const lineStart = lo === 0 ? 0 : this.breaks[lo - 1] + 1
    return { line: lo + 1, column: offset - lineStart + 1 }
  }
}

function lineBreaks(text: string): Int32Array {
  const out: number[] = []
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) out.push(i)
  return Int32Array.from(out)
}

function pidOffsets(text: string): Map<number, number> {
  const out = new Map<number, number>()
  for (const m of text.matchAll(/"pid"\s*:\s*(\d+)/g)) {
    const pid = Number(m[1])
    if (!out.has(pid)) out.set(pid, m.index)
  }
  return out
}
