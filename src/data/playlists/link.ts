import type { Track } from '../../core/track.js'
import type { PlaylistSet } from './types.js'

/** How the tracks of a playlist set map onto catalogue rows. */
export interface PlaylistLink {
  /** Catalogue row of each set track (aligned with set.tracks), -1 where none matches. */
  rowOf: Int32Array
  /** Tracks linked by their Spotify id. */
  byId: number
  /** Tracks linked by (first artist, title), their id being absent from the catalogue. */
  byName: number
  /** How each set track was linked: LINKED_NONE, LINKED_BY_ID or LINKED_BY_NAME. */
  how: Uint8Array
}

export const LINKED_NONE = 0
export const LINKED_BY_ID = 1
export const LINKED_BY_NAME = 2

/**
 * The key two releases of one recording share: first artist and title, NFKC-normalised (full-width and
 * compatibility forms folded), lower-cased, runs of white space collapsed to one space.
 */
export function recordingKey(artist: string, title: string): string {
  return `${normalise(artist)}\u0000${normalise(title)}`
}

function normalise(s: string): string {
  return s.normalize('NFKC').toLowerCase().replace(/\s+/g, ' ').trim()
}

/**
 * Links playlist tracks to the catalogue: by id first, then by exact recordingKey. The same song often has
 * several ids (single, album, compilation), so a playlist's album release still finds the catalogue's single.
 * Each key names one catalogue row: the most popular release when several share it (the first on a tie).
 */
export function linkPlaylistTracks(set: PlaylistSet, catalogueTracks: readonly Track[]): PlaylistLink {
  const rowById = new Map<string, number>()
  catalogueTracks.forEach((t, row) => {
    if (!rowById.has(t.id)) rowById.set(t.id, row)
  })
  const rowByKey = bestRowPerKey(catalogueTracks)
  const rowOf = new Int32Array(set.tracks.length).fill(-1)
  const how = new Uint8Array(set.tracks.length)
  let byId = 0
  let byName = 0
  set.tracks.forEach((t, i) => {
    const idRow = rowById.get(t.id)
    if (idRow !== undefined) {
      rowOf[i] = idRow
      how[i] = LINKED_BY_ID
      byId++
      return
    }
    const nameRow = rowByKey.get(recordingKey(t.artist, t.title))
    if (nameRow !== undefined) {
      rowOf[i] = nameRow
      how[i] = LINKED_BY_NAME
      byName++
    }
  })
  return { rowOf, byId, byName, how }
}

function bestRowPerKey(tracks: readonly Track[]): Map<string, number> {
  const best = new Map<string, number>()
  tracks.forEach((t, row) => {
    if (t.artists.length === 0) return
    const key = recordingKey(t.artists[0], t.name)
    const held = best.get(key)
    if (held === undefined || popularityOf(t) > popularityOf(tracks[held])) best.set(key, row)
  })
  return best
}

/** Unknown popularity ranks below every known one. */
function popularityOf(t: Track): number {
  return t.popularity ?? -1
}
