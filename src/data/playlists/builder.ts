import { SegueError, type InputLocation } from '../../core/errors.js'
import type { Playlist, PlaylistSet, PlaylistTrack } from './types.js'

/** Where a playlist came from: the file (and line) a problem with it is reported against. */
export interface PlaylistOrigin {
  file: string
  line?: number
}

/**
 * Problems met while reading playlist data. Strict: the first one is thrown. Lenient: counted, and the first
 * few reasons kept. A bad track row is a skipped row; a playlist that fails its checks (or lost a row) is
 * skipped whole, since an incomplete playlist would mislead continuation tests.
 */
export class PlaylistProblems {
  skippedRows = 0
  skippedPlaylists = 0
  readonly reasons: string[] = []

  constructor(
    private readonly strict: boolean,
    private readonly keep = 10,
  ) {}

  row(err: SegueError): void {
    this.note(err)
    this.skippedRows++
  }

  playlist(err: SegueError): void {
    this.note(err)
    this.skippedPlaylists++
  }

  private note(err: SegueError): void {
    if (this.strict) throw err
    if (this.reasons.length < this.keep) this.reasons.push(err.message)
  }
}

/**
 * E_INPUT_ROW about one playlist: "file:line: playlist pid 17, tracks[3].track_uri: missing". `who` names the
 * playlist ("playlist pid 17", or "playlists[5]" when its pid is unreadable).
 */
export function playlistError(at: InputLocation, who: string, reason: string): SegueError {
  const where = at.line === undefined ? at.file : `${at.file}:${at.line}`
  const field = at.column === undefined ? '' : `, ${at.column}`
  const value = at.value === undefined || reason === 'missing' ? '' : ` (value ${truncate(at.value, 60)})`
  return new SegueError('E_INPUT_ROW', `${where}: ${who}${field}: ${reason}${value}`, { location: at })
}

function truncate(s: string, max: number): string {
  return s.length <= max ? s : s.slice(0, max - 1) + '…'
}

/**
 * Collects playlists whose tracks are already in playlist order and shares their distinct tracks: a track's
 * index is given when it is first seen, in playlist order then position, whatever order the file had.
 */
export class PlaylistSetBuilder {
  readonly tracks: PlaylistTrack[] = []
  readonly trackIndex = new Map<string, number>()
  readonly playlists: Playlist[] = []
  /** pid -> where it was first read, to refuse a pid read twice. */
  private readonly seen = new Map<number, string>()
  rows = 0

  /** The place the pid was first read, or undefined when it is new. */
  firstRead(pid: number): string | undefined {
    return this.seen.get(pid)
  }

  /** `meta` may carry more than Playlist's fields (a challenge playlist's counts); they are kept. */
  add(meta: Omit<Playlist, 'tracks'>, ordered: readonly PlaylistTrack[], from: string): void {
    const tracks = new Array<number>(ordered.length)
    for (let i = 0; i < ordered.length; i++) tracks[i] = this.indexOf(ordered[i])
    this.seen.set(meta.pid, from)
    this.playlists.push({ ...meta, tracks })
    this.rows += ordered.length
  }

  /**
   * As add, for tracks a reader has already made distinct (one SharedTrack per id): the index found for one is
   * kept in it, which spares a lookup by id per row.
   */
  addShared(meta: Omit<Playlist, 'tracks'>, ordered: readonly SharedTrack[], from: string): void {
    const tracks = new Array<number>(ordered.length)
    for (let i = 0; i < ordered.length; i++) {
      const s = ordered[i]
      if (s.index < 0) s.index = this.indexOf(s.track)
      tracks[i] = s.index
    }
    this.seen.set(meta.pid, from)
    this.playlists.push({ ...meta, tracks })
    this.rows += ordered.length
  }

  build(): PlaylistSet {
    return { tracks: this.tracks, trackIndex: this.trackIndex, playlists: this.playlists }
  }

  private indexOf(t: PlaylistTrack): number {
    let i = this.trackIndex.get(t.id)
    if (i === undefined) {
      i = this.tracks.length
      this.trackIndex.set(t.id, i)
      this.tracks.push(t)
    }
    return i
  }
}

/** One distinct track as a reader stages it, with its index in the set once placed (-1 before). */
export interface SharedTrack {
  track: PlaylistTrack
  index: number
}

/** A Spotify track id: 22 base-62 characters. */
const TRACK_ID_RE = /^[0-9A-Za-z]{22}$/
const URI_PREFIX = 'spotify:track:'

/** The bare track id of an id or `spotify:track:` URI, or null when it is not one. */
export function bareTrackId(raw: string): string | null {
  const id = raw.startsWith(URI_PREFIX) ? raw.slice(URI_PREFIX.length) : raw
  return TRACK_ID_RE.test(id) ? id : null
}
