import { LINKED_BY_ID, LINKED_BY_NAME, type PlaylistLink } from './link.js'
import type { PlaylistSet } from './types.js'

/** What a playlist set holds, and how much of it the catalogue covers. */
export interface PlaylistStats {
  playlists: number
  /** Track rows, repeats included. */
  rows: number
  /** Distinct tracks. */
  tracks: number
  /** Rows naming a track already earlier in the same playlist. */
  repeats: number
  /** Tracks per playlist (rows, repeats included). */
  length: { min: number; median: number; max: number }
  /** Present when a catalogue was linked. */
  catalogue?: PlaylistCoverage
}

export interface PlaylistCoverage {
  /** Distinct tracks linked by id, and by first artist + title. */
  byId: number
  byName: number
  /** Track rows whose track is linked by id, and by name. */
  rowsById: number
  rowsByName: number
}

export function playlistStats(set: PlaylistSet, link?: PlaylistLink): PlaylistStats {
  const lengths = Float64Array.from(set.playlists, (p) => p.tracks.length).sort()
  let rows = 0
  let repeats = 0
  for (const p of set.playlists) {
    rows += p.tracks.length
    repeats += p.tracks.length - new Set(p.tracks).size
  }
  const stats: PlaylistStats = { playlists: set.playlists.length, rows, tracks: set.tracks.length, repeats, length: spread(lengths) }
  if (link !== undefined) stats.catalogue = coverage(set, link)
  return stats
}

function coverage(set: PlaylistSet, link: PlaylistLink): PlaylistCoverage {
  let rowsById = 0
  let rowsByName = 0
  for (const p of set.playlists) {
    for (const t of p.tracks) {
      if (link.how[t] === LINKED_BY_ID) rowsById++
      else if (link.how[t] === LINKED_BY_NAME) rowsByName++
    }
  }
  return { byId: link.byId, byName: link.byName, rowsById, rowsByName }
}

/** Min, median (mean of the middle two for an even count) and max of sorted values; zeros when empty. */
function spread(sorted: Float64Array): { min: number; median: number; max: number } {
  const n = sorted.length
  if (n === 0) return { min: 0, median: 0, max: 0 }
  const median = n % 2 === 1 ? sorted[(n - 1) / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2
  return { min: sorted[0], median, max: sorted[n - 1] }
}
